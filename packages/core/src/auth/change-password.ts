import { inTransaction } from "../access/context.ts";
import type { Db } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import type { MailContext } from "../access/services.ts";
import { notifyApiKeyRevoked, revokeApiKeys } from "./api-keys.ts";
import type { TChangePasswordRequest } from "./auth.schemas.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { deleteAllSessions } from "./sessions.ts";

/**
 * Users who only ever signed in with codes have no password yet and may set one directly.
 * Revokes the user's API key unless they ask to keep it, and tells them by email when it went.
 */
export async function changePassword(
  mail: MailContext,
  userId: string,
  input: TChangePasswordRequest,
  keepSessionId?: string,
): Promise<{ apiKeyRevoked: boolean }> {
  const { db } = mail;
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.passwordHash && !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new DomainError("BAD_REQUEST", "Current password is incorrect");
  }
  const passwordHash = await hashPassword(input.newPassword);
  const revoked = await inTransaction(db, async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    if (input.keepApiKey) return false;
    return (await revokeApiKeys({ db: tx }, userId)) > 0;
  });
  await deleteAllSessions({ db }, userId, keepSessionId);
  if (revoked) await notifyApiKeyRevoked(mail, user, "your password was changed");
  return { apiKeyRevoked: revoked };
}
