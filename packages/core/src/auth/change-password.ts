import type { Db } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import type { TChangePasswordRequest } from "./auth.schemas.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { deleteAllSessions } from "./sessions.ts";

/** Users who only ever signed in with codes have no password yet and may set one directly. */
export async function changePassword(
  db: Db,
  userId: string,
  input: TChangePasswordRequest,
  keepSessionId?: string,
) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.passwordHash && !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new DomainError("BAD_REQUEST", "Current password is incorrect");
  }
  await db.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(input.newPassword) },
  });
  await deleteAllSessions(db, userId, keepSessionId);
}
