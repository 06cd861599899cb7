import type { DbContext } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

// Kept in the database (RateLimitHit) rather than in memory so the limit holds across API
// processes and restarts. Sliding window: count hits younger than windowMs.
export const RATE_LIMITS = {
  loginFailuresPerIp: { limit: 50, windowMs: 15 * 60_000 },
  // per account AND ip: a stranger spending a victim's allowance must not stop the victim's own requests
  codeRequestsPerAccountIp: { limit: 5, windowMs: 60 * 60_000 },
  // the whole account, all IPs: only a cap on mail bombing, far above what an owner needs
  codeRequestsPerAccount: { limit: 30, windowMs: 60 * 60_000 },
  codeRequestsPerIp: { limit: 20, windowMs: 60 * 60_000 },
  codeFailuresPerIp: { limit: 30, windowMs: 15 * 60_000 },
  resetRequestsPerAccount: { limit: 5, windowMs: 60 * 60_000 },
  resetRequestsPerIp: { limit: 20, windowMs: 60 * 60_000 },
  registrationsPerIp: { limit: 20, windowMs: 60 * 60_000 },
  groupCreationsPerUser: { limit: 10, windowMs: 60 * 60_000 },
} satisfies Record<string, RateLimitRule>;

const LONGEST_WINDOW_MS = 24 * 60 * 60_000;

export async function countHits({ db }: DbContext, bucket: string, rule: RateLimitRule): Promise<number> {
  return db.rateLimitHit.count({
    where: { bucket, createdAt: { gt: new Date(Date.now() - rule.windowMs) } },
  });
}

export async function recordHit({ db }: DbContext, bucket: string): Promise<void> {
  await db.rateLimitHit.create({ data: { bucket } });
  // Opportunistic pruning keeps the table small without a scheduled job.
  if (Math.random() < 0.05) {
    await db.rateLimitHit.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - LONGEST_WINDOW_MS) } },
    });
  }
}

export function tooManyRequests(retryAfterMs?: number): DomainError {
  if (retryAfterMs === undefined)
    return new DomainError(
      "TOO_MANY_REQUESTS",
      "Too many attempts. Please wait a few minutes and try again.",
    );
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError(
    "TOO_MANY_REQUESTS",
    `Too many requests. Please try again in ${waitText(retryAfterSeconds)}.`,
    { retryAfterSeconds } satisfies RetryAfterDetails,
  );
}

const waitText = (s: number) =>
  s < 90 ? `${s} second${s === 1 ? "" : "s"}` : `${Math.ceil(s / 60)} minutes`;

/** Throws when the bucket is already at its limit (checks only; the caller records failures). */
export async function assertUnderLimit(
  { db }: DbContext,
  bucket: string,
  rule: RateLimitRule,
): Promise<void> {
  if ((await countHits({ db }, bucket, rule)) >= rule.limit) throw tooManyRequests();
}

/**
 * Records this request, then throws if it pushed the bucket over its limit. The error's details
 * carry `retryAfterSeconds`: when enough of the window's hits have aged out for one more request
 * (REST answers it as Retry-After).
 */
export async function consumeLimit({ db }: DbContext, bucket: string, rule: RateLimitRule): Promise<void> {
  await recordHit({ db }, bucket);
  const hits = await countHits({ db }, bucket, rule);
  if (hits <= rule.limit) return;
  const since = new Date(Date.now() - rule.windowMs);
  // hits - limit of them must leave the window; the last of those to leave decides
  const oldest = await db.rateLimitHit.findFirst({
    where: { bucket, createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    skip: hits - rule.limit - 1,
    select: { createdAt: true },
  });
  const waitMs = oldest ? oldest.createdAt.getTime() + rule.windowMs - Date.now() : rule.windowMs;
  throw tooManyRequests(waitMs);
}

export interface RetryAfterDetails {
  retryAfterSeconds: number;
}

/** The seconds a TOO_MANY_REQUESTS error says to wait, if it says. */
export function retryAfterSecondsOf(err: DomainError): number | null {
  const d = err.details as Partial<RetryAfterDetails> | undefined;
  return err.code === "TOO_MANY_REQUESTS" && typeof d?.retryAfterSeconds === "number"
    ? d.retryAfterSeconds
    : null;
}

export const bucket = {
  account: (action: string, userIdOrName: string) => `${action}:account:${userIdOrName.toLowerCase()}`,
  ip: (action: string, ip: string | undefined) => `${action}:ip:${ip ?? "unknown"}`,
  accountIp: (action: string, userIdOrName: string, ip: string | undefined) =>
    `${action}:pair:${userIdOrName.toLowerCase()}:${ip ?? "unknown"}`,
};

export interface BackoffRule {
  /** Failures allowed back to back before any wait. */
  free: number;
  /** Wait after the first failure beyond `free`; doubles with each further one. */
  baseMs: number;
  maxMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

/**
 * Login failures per account and IP: a guesser is slowed exponentially while the owner, from
 * their own address, is never locked out by someone else's failures (the old per-account limit let
 * 10 wrong passwords from 10 addresses lock the owner out for 15 minutes).
 */
export const LOGIN_BACKOFF: BackoffRule = {
  free: 3,
  baseMs: 2_000,
  maxMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/** Milliseconds to wait before the bucket may try again (0 = now). */
export async function backoffRemainingMs(
  { db }: DbContext,
  bucket: string,
  rule: BackoffRule,
): Promise<number> {
  const since = new Date(Date.now() - rule.windowMs);
  const [failures, last] = await Promise.all([
    db.rateLimitHit.count({ where: { bucket, createdAt: { gt: since } } }),
    db.rateLimitHit.findFirst({
      where: { bucket, createdAt: { gt: since } },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    }),
  ]);
  if (failures < rule.free || !last) return 0;
  const wait = Math.min(rule.maxMs, rule.baseMs * 2 ** (failures - rule.free));
  return Math.max(0, last.createdAt.getTime() + wait - Date.now());
}

export function tooManyRequestsFor(ms: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000));
  return new DomainError(
    "TOO_MANY_REQUESTS",
    `Too many failed attempts. Please try again in ${waitText(retryAfterSeconds)}.`,
    { retryAfterSeconds } satisfies RetryAfterDetails,
  );
}

/**
 * Runs `fn` and answers no sooner than `minMs` after the start, so whether an account exists does
 * not show in the response time (a reset request took 18 ms for a real address and 8 ms otherwise).
 */
export async function inConstantTime<T>(minMs: number, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    const left = minMs - (Date.now() - start);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
  }
}

/** Long enough to cover a lookup, a token insert and queueing an email on a loaded server. */
export const EQUAL_TIME_MS = 250;
