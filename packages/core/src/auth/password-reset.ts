import { inTransaction } from "../access/context.ts";
import type { Db } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import { escapeHtml, type MailContext, type RequestMeta } from "../access/services.ts";
import { findUserByIdentifier } from "../groups/members.ts";
import { notifyApiKeyRevoked, revokeApiKeys } from "./api-keys.ts";
import type { TRequestPasswordResetRequest, TResetPasswordRequest } from "./auth.schemas.ts";
import { hashPassword } from "./password.ts";
import { bucket, consumeLimit, EQUAL_TIME_MS, inConstantTime, RATE_LIMITS } from "./rate-limit.ts";
import { DAY_MS, hashToken, randomToken } from "./tokens.ts";

export const PASSWORD_RESET_TTL_MS = DAY_MS;
/** SPA route that sets a new password (token in the query string). */
export const PASSWORD_RESET_PATH = "/reset-password";

/**
 * Answers the same whether or not the account exists, by username or email as at login. Rate
 * limits are keyed by the identifier as typed (lower-cased), so they behave the same either way.
 */
export async function requestPasswordReset(
  mail: MailContext,
  input: TRequestPasswordResetRequest,
  meta: RequestMeta = {},
): Promise<void> {
  const { db } = mail;
  const identifier = (input.identifier ?? input.email ?? "").trim().toLowerCase();
  await consumeLimit({ db }, bucket.ip("password-reset", meta.ip), RATE_LIMITS.resetRequestsPerIp);
  await consumeLimit(
    { db },
    bucket.account("password-reset", identifier),
    RATE_LIMITS.resetRequestsPerAccount,
  );
  await inConstantTime(EQUAL_TIME_MS, () => sendResetLink(mail, identifier));
}

async function sendResetLink(mail: MailContext, identifier: string) {
  const { db } = mail;
  const user = await findUserByIdentifier({ db }, identifier);
  if (!user?.isActive) return;

  const token = randomToken();
  await db.passwordResetToken.create({
    data: {
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
    },
  });
  const link = `${mail.publicUrl}${PASSWORD_RESET_PATH}?token=${encodeURIComponent(token)}`;
  await mail.sendEmail({
    to: user.email,
    subject: "Reset your BattyCoda password",
    text: `Hello ${user.username},\n\nSet a new password with this link (it works once and expires in 24 hours):\n${link}\n\nIf you did not ask for this, ignore this email; your password stays the same.\n`,
    html: `<p>Hello ${escapeHtml(user.username)},</p><p><a href="${escapeHtml(link)}">Set a new password</a> (the link works once and expires in 24 hours).</p><p>If you did not ask for this, ignore this email; your password stays the same.</p>`,
  });
}

type ResetTokenRow = { usedAt: Date | null; expiresAt: Date };
function usable<T extends ResetTokenRow>(row: T | null): row is T {
  return !!row && !row.usedAt && row.expiresAt.getTime() > Date.now();
}

/**
 * Whether a reset link still works, without using it up: the page checks when it opens, so a used
 * or expired link says so at once instead of after the new password is typed. The token is looked
 * up by its hash, like resetPassword; the answer says nothing about whose link it is.
 */
export async function checkPasswordResetToken({ db }: Pick<MailContext, "db">, token: string) {
  const row = await db.passwordResetToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { usedAt: true, expiresAt: true },
  });
  return { valid: usable(row) };
}

/**
 * Sets the new password, burns every outstanding reset token, signs out all sessions and revokes
 * the API key (whoever knew the old password may have made one), telling the owner by email.
 */
export async function resetPassword(mail: MailContext, input: TResetPasswordRequest) {
  const { db } = mail;
  const invalid = new DomainError("BAD_REQUEST", "This reset link is invalid, used or expired");
  const row = await db.passwordResetToken.findUnique({ where: { tokenHash: hashToken(input.token) } });
  if (!usable(row)) throw invalid;
  const passwordHash = await hashPassword(input.password);
  const result = await inTransaction(db, async (tx) => {
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1) throw invalid;
    await tx.passwordResetToken.updateMany({
      where: { userId: row.userId, usedAt: null },
      data: { usedAt: new Date() },
    });
    await tx.session.deleteMany({ where: { userId: row.userId } });
    const revoked = await revokeApiKeys({ db: tx }, row.userId);
    const user = await tx.user.update({ where: { id: row.userId }, data: { passwordHash } });
    return { user, revoked };
  });
  if (result.revoked > 0) await notifyApiKeyRevoked(mail, result.user, "your password was reset");
  return result.user;
}
