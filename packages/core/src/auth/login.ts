import type { DbOrTx } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import type { RequestMeta } from "../access/services.ts";
import { findUserByIdentifier } from "../groups/members.ts";
import type { TLoginRequest } from "./auth.schemas.ts";
import { burnPasswordCheck, verifyPassword } from "./password.ts";
import { assertUnderLimit, bucket, RATE_LIMITS, recordHit } from "./rate-limit.ts";

export const INVALID_LOGIN_MESSAGE = "Invalid username/email or password";

/**
 * Password login by username or email. Only failures count towards the per-account and per-IP
 * limits; once a limit is reached even a correct password is refused until the window slides.
 */
export async function loginWithPassword(db: DbOrTx, input: TLoginRequest, meta: RequestMeta = {}) {
  const user = await findUserByIdentifier(db, input.identifier);
  // Keyed by user id when the account exists, so switching between username and email does
  // not double the allowance.
  const accountBucket = bucket.account("login", user?.id ?? input.identifier);
  const ipBucket = bucket.ip("login", meta.ip);
  await assertUnderLimit(db, accountBucket, RATE_LIMITS.loginFailuresPerAccount);
  await assertUnderLimit(db, ipBucket, RATE_LIMITS.loginFailuresPerIp);

  let ok = false;
  if (user?.passwordHash && user.isActive) ok = await verifyPassword(input.password, user.passwordHash);
  else await burnPasswordCheck(input.password);
  if (!user || !ok) {
    await recordHit(db, accountBucket);
    await recordHit(db, ipBucket);
    throw new DomainError("UNAUTHORIZED", INVALID_LOGIN_MESSAGE);
  }
  return user;
}
