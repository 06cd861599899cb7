import type { DbContext } from "../access/context.ts";
import type { RequestMeta } from "../access/services.ts";
import { DAY_MS, HOUR_MS, hashToken, randomToken } from "./tokens.ts";

export const SESSION_COOKIE_NAME = "bc_session";
export const SESSION_TTL_MS = 14 * DAY_MS;
// Sliding expiry is refreshed at most this often, so reads do not turn into a write per request.
const TOUCH_INTERVAL_MS = HOUR_MS;

export interface NewSession {
  /** The raw token: goes into the cookie, never into the database. */
  token: string;
  expiresAt: Date;
  id: string;
}

export async function createSession(
  { db }: DbContext,
  userId: string,
  meta: RequestMeta = {},
): Promise<NewSession> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  // A new session starts in the group the user last chose; from then on it keeps its own.
  const profile = await db.profile.findUnique({ where: { userId }, select: { currentGroupId: true } });
  const session = await db.session.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      expiresAt,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 500) ?? null,
      currentGroupId: profile?.currentGroupId ?? null,
    },
  });
  await db.user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
  return { token, expiresAt, id: session.id };
}

export interface AuthenticatedUser {
  id: string;
  username: string;
  email: string;
  isSiteAdmin: boolean;
}

export interface SessionLookup {
  user: AuthenticatedUser;
  sessionId: string;
  /** Set when the expiry slid forward and the cookie should be re-issued. */
  renewedExpiresAt: Date | null;
  /** The site admin acting as this user through this session (see impersonation.ts), else null. */
  impersonatorId: string | null;
}

export async function authenticateSession({ db }: DbContext, token: string): Promise<SessionLookup | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  if (!session) return null;
  const now = Date.now();
  if (
    session.expiresAt.getTime() <= now ||
    !session.user.isActive ||
    (session.impersonatorId && !(await isActiveSiteAdmin({ db }, session.impersonatorId)))
  ) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  let renewedExpiresAt: Date | null = null;
  // An impersonation keeps the fixed expiry it was given: it never slides into a long session.
  if (!session.impersonatorId && now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    renewedExpiresAt = new Date(now + SESSION_TTL_MS);
    await db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: renewedExpiresAt },
    });
  }
  const { id, username, email, isSiteAdmin } = session.user;
  return {
    user: { id, username, email, isSiteAdmin },
    sessionId: session.id,
    renewedExpiresAt,
    impersonatorId: session.impersonatorId,
  };
}

/** An admin demoted or deactivated mid-impersonation loses the sessions they act through. */
async function isActiveSiteAdmin({ db }: DbContext, userId: string): Promise<boolean> {
  const u = await db.user.findUnique({
    where: { id: userId },
    select: { isActive: true, isSiteAdmin: true },
  });
  return Boolean(u?.isActive && u.isSiteAdmin);
}

export async function deleteSession({ db }: DbContext, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export async function deleteAllSessions(
  { db }: DbContext,
  userId: string,
  exceptSessionId?: string,
): Promise<void> {
  await db.session.deleteMany({
    where: { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
  });
}
