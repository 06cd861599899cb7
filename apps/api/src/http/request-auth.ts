import {
  type AuthenticatedUser,
  authenticateApiKey,
  authenticateSession,
  SESSION_COOKIE_NAME,
} from "@battycoda/core";
import type { Db } from "@battycoda/db";
import type { FastifyReply, FastifyRequest } from "fastify";

export { SESSION_COOKIE_NAME };

export interface RequestAuth {
  user: AuthenticatedUser | null;
  via: "cookie" | "apiKey" | null;
  sessionId: string | null;
  /** The site admin acting as `user` through this session cookie, else null. */
  impersonatorId: string | null;
  /** An API key was presented but is unknown or revoked. */
  invalidApiKey: boolean;
}

const anonymous: RequestAuth = {
  user: null,
  via: null,
  sessionId: null,
  impersonatorId: null,
  invalidApiKey: false,
};

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function apiKeyFromHeaders(req: FastifyRequest): string | undefined {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header.trim()) return header.trim();
  const auth = req.headers.authorization;
  const match = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return match?.[1];
}

export interface CookieSettings {
  secure: boolean;
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  settings: CookieSettings,
) {
  reply.setCookie(SESSION_COOKIE_NAME, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: settings.secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, settings: CookieSettings) {
  reply.clearCookie(SESSION_COOKIE_NAME, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: settings.secure,
  });
}

/**
 * While a site admin acts as another user, their own session token waits in this cookie for
 * Stop. Only the tRPC endpoint reads it, and only to hand it back (see stopImpersonation).
 */
export const ADMIN_SESSION_COOKIE_NAME = "bc_admin_session";
const ADMIN_SESSION_COOKIE_PATH = "/trpc";

export function setAdminSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  settings: CookieSettings,
) {
  reply.setCookie(ADMIN_SESSION_COOKIE_NAME, token, {
    path: ADMIN_SESSION_COOKIE_PATH,
    httpOnly: true,
    sameSite: "strict",
    secure: settings.secure,
    expires: expiresAt,
  });
}

export function clearAdminSessionCookie(reply: FastifyReply, settings: CookieSettings) {
  reply.clearCookie(ADMIN_SESSION_COOKIE_NAME, {
    path: ADMIN_SESSION_COOKIE_PATH,
    httpOnly: true,
    sameSite: "strict",
    secure: settings.secure,
  });
}

const cache = new WeakMap<FastifyRequest, Promise<RequestAuth>>();

/**
 * Who is calling, resolved once per request. An API key header wins over the cookie, so scripts
 * never act through a browser session by accident. A sliding session expiry re-issues the cookie.
 */
export function authenticateRequest(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  settings: CookieSettings,
): Promise<RequestAuth> {
  let pending = cache.get(req);
  if (!pending) {
    pending = resolve(db, req, reply, settings);
    cache.set(req, pending);
  }
  return pending;
}

async function resolve(db: Db, req: FastifyRequest, reply: FastifyReply, settings: CookieSettings) {
  const key = apiKeyFromHeaders(req);
  if (key) {
    const user = await authenticateApiKey({ db }, key);
    return user ? { ...anonymous, user, via: "apiKey" as const } : { ...anonymous, invalidApiKey: true };
  }
  const token = req.cookies[SESSION_COOKIE_NAME];
  if (!token) return anonymous;
  const found = await authenticateSession({ db }, token);
  if (!found) {
    clearSessionCookie(reply, settings);
    return anonymous;
  }
  if (found.renewedExpiresAt) setSessionCookie(reply, token, found.renewedExpiresAt, settings);
  return {
    user: found.user,
    via: "cookie" as const,
    sessionId: found.sessionId,
    impersonatorId: found.impersonatorId,
    invalidApiKey: false,
  };
}
