import type { DbOrTx } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

// Kept in the database (RateLimitHit) rather than in memory so the limit holds across API
// processes and restarts. Sliding window: count hits younger than windowMs.
export const RATE_LIMITS = {
  loginFailuresPerAccount: { limit: 10, windowMs: 15 * 60_000 },
  loginFailuresPerIp: { limit: 50, windowMs: 15 * 60_000 },
  codeRequestsPerAccount: { limit: 5, windowMs: 60 * 60_000 },
  codeRequestsPerIp: { limit: 20, windowMs: 60 * 60_000 },
  codeFailuresPerIp: { limit: 30, windowMs: 15 * 60_000 },
  resetRequestsPerAccount: { limit: 5, windowMs: 60 * 60_000 },
  resetRequestsPerIp: { limit: 20, windowMs: 60 * 60_000 },
  registrationsPerIp: { limit: 20, windowMs: 60 * 60_000 },
} satisfies Record<string, RateLimitRule>;

const LONGEST_WINDOW_MS = 24 * 60 * 60_000;

export async function countHits(db: DbOrTx, bucket: string, rule: RateLimitRule): Promise<number> {
  return db.rateLimitHit.count({
    where: { bucket, createdAt: { gt: new Date(Date.now() - rule.windowMs) } },
  });
}

export async function recordHit(db: DbOrTx, bucket: string): Promise<void> {
  await db.rateLimitHit.create({ data: { bucket } });
  // Opportunistic pruning keeps the table small without a scheduled job.
  if (Math.random() < 0.05) {
    await db.rateLimitHit.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - LONGEST_WINDOW_MS) } },
    });
  }
}

export function tooManyRequests(): DomainError {
  return new DomainError("TOO_MANY_REQUESTS", "Too many attempts. Please wait a few minutes and try again.");
}

/** Throws when the bucket is already at its limit (checks only; the caller records failures). */
export async function assertUnderLimit(db: DbOrTx, bucket: string, rule: RateLimitRule): Promise<void> {
  if ((await countHits(db, bucket, rule)) >= rule.limit) throw tooManyRequests();
}

/** Records this request, then throws if it pushed the bucket over its limit. */
export async function consumeLimit(db: DbOrTx, bucket: string, rule: RateLimitRule): Promise<void> {
  await recordHit(db, bucket);
  if ((await countHits(db, bucket, rule)) > rule.limit) throw tooManyRequests();
}

export const bucket = {
  account: (action: string, userIdOrName: string) => `${action}:account:${userIdOrName.toLowerCase()}`,
  ip: (action: string, ip: string | undefined) => `${action}:ip:${ip ?? "unknown"}`,
};
