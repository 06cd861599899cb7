// A site admin acting as a user, to see what they see when helping them. It is a separate session
// of the user marked with the admin (Session.impersonatorId): the admin's own session stays as it
// was, and Stop returns to it. The API refuses site-admin procedures and changes of password,
// email and API keys through such a session, and the banner in the SPA reads impersonationOf().
import type { DbContext } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import type { RequestMeta } from "../access/services.ts";
import { writeAudit } from "./audit.ts";
import { HOUR_MS, hashToken, randomToken } from "./tokens.ts";

/** Short and fixed (never renewed): an impersonation left open in a browser ends by itself. */
export const IMPERSONATION_TTL_MS = 2 * HOUR_MS;

export interface StartedImpersonation {
  /** The impersonated session's raw token (the new session cookie). */
  token: string;
  expiresAt: Date;
  user: { id: string; username: string };
  /** When the admin's own session expires (how long to keep its token aside). */
  adminSessionExpiresAt: Date;
}

export async function startImpersonation(
  { db }: DbContext,
  input: { adminId: string; adminSessionId: string; targetUserId: string; meta?: RequestMeta },
): Promise<StartedImpersonation> {
  const [admin, adminSession, target] = await Promise.all([
    db.user.findUnique({ where: { id: input.adminId } }),
    db.session.findUnique({ where: { id: input.adminSessionId } }),
    db.user.findUnique({ where: { id: input.targetUserId } }),
  ]);
  if (!admin?.isActive || !admin.isSiteAdmin)
    throw new DomainError("FORBIDDEN", "Only site admins can act as another user");
  // the admin's own browser session, not an API key and not an impersonation already
  if (!adminSession || adminSession.userId !== admin.id || adminSession.impersonatorId)
    throw new DomainError("FORBIDDEN", "Acting as another user needs your own signed-in session");
  if (!target) throw notFound("User");
  if (target.id === admin.id) throw new DomainError("BAD_REQUEST", "You cannot act as yourself");
  if (!target.isActive) throw new DomainError("BAD_REQUEST", `${target.username} is deactivated`);
  // an admin's account is not a way to borrow another admin's rights
  if (target.isSiteAdmin)
    throw new DomainError("BAD_REQUEST", `${target.username} is a site admin; you cannot act as them`);

  const token = randomToken();
  const expiresAt = new Date(Math.min(Date.now() + IMPERSONATION_TTL_MS, adminSession.expiresAt.getTime()));
  // not createSession: acting as someone is not their login (lastLoginAt stays theirs)
  const session = await db.session.create({
    data: {
      tokenHash: hashToken(token),
      userId: target.id,
      expiresAt,
      impersonatorId: admin.id,
      ip: input.meta?.ip ?? null,
      userAgent: input.meta?.userAgent?.slice(0, 500) ?? null,
    },
  });
  await writeAudit(
    { db },
    {
      actorId: admin.id,
      action: "impersonation.start",
      target: { type: "user", id: target.id },
      details: { username: target.username, sessionId: session.id, expiresAt: expiresAt.toISOString() },
      ip: input.meta?.ip,
    },
  );
  return {
    token,
    expiresAt,
    user: { id: target.id, username: target.username },
    adminSessionExpiresAt: adminSession.expiresAt,
  };
}

export interface StoppedImpersonation {
  /** The admin's own session to return to, when the token kept aside is still theirs and valid. */
  restored: { token: string; expiresAt: Date } | null;
}

/**
 * Ends the impersonated session `sessionId`. `adminToken` (the admin's own session token, kept
 * aside while acting) is handed back only when it is a live session of that same admin: a stolen
 * impersonation cookie alone never leads to an admin session.
 */
export async function stopImpersonation(
  { db }: DbContext,
  input: {
    sessionId: string;
    adminToken?: string | undefined;
    reason?: "stop" | "logout";
    meta?: RequestMeta;
  },
): Promise<StoppedImpersonation> {
  const session = await db.session.findUnique({
    where: { id: input.sessionId },
    include: { user: { select: { username: true } } },
  });
  if (!session?.impersonatorId) throw new DomainError("BAD_REQUEST", "You are not acting as another user");
  await db.session.deleteMany({ where: { id: session.id } });
  await writeAudit(
    { db },
    {
      actorId: session.impersonatorId,
      action: "impersonation.stop",
      target: { type: "user", id: session.userId },
      details: { username: session.user.username, sessionId: session.id, reason: input.reason ?? "stop" },
      ip: input.meta?.ip,
    },
  );
  if (!input.adminToken) return { restored: null };
  const own = await db.session.findUnique({
    where: { tokenHash: hashToken(input.adminToken) },
    include: { user: { select: { isActive: true } } },
  });
  const valid =
    own &&
    own.userId === session.impersonatorId &&
    !own.impersonatorId &&
    own.expiresAt.getTime() > Date.now() &&
    own.user.isActive;
  return { restored: valid ? { token: input.adminToken, expiresAt: own.expiresAt } : null };
}

export interface Impersonation {
  impersonator: { id: string; username: string };
  user: { id: string; username: string };
  expiresAt: Date;
}

/** Who is acting as whom through this session, or null for an ordinary session. */
export async function impersonationOf({ db }: DbContext, sessionId: string): Promise<Impersonation | null> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
    include: { user: { select: { id: true, username: true } } },
  });
  if (!session?.impersonatorId) return null;
  const admin = await db.user.findUnique({
    where: { id: session.impersonatorId },
    select: { id: true, username: true },
  });
  if (!admin) return null;
  return { impersonator: admin, user: session.user, expiresAt: session.expiresAt };
}
