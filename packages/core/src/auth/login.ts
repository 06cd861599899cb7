import type { DbContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import type { RequestMeta } from "../access/services.ts";
import { findUserByIdentifier } from "../groups/members.ts";
import type { TLoginRequest } from "./auth.schemas.ts";
import { burnPasswordCheck, verifyPassword } from "./password.ts";
import {
  assertUnderLimit,
  backoffRemainingMs,
  bucket,
  LOGIN_BACKOFF,
  RATE_LIMITS,
  recordHit,
  tooManyRequestsFor,
} from "./rate-limit.ts";

export const INVALID_LOGIN_MESSAGE = "Invalid username/email or password";
export const DEACTIVATED_LOGIN_MESSAGE =
  "This account has been deactivated. Ask a site administrator to reactivate it.";

/**
 * Password login by username or email. Failures slow down the same account from the same IP
 * exponentially (LOGIN_BACKOFF) and count towards a per-IP limit across accounts; nobody else's
 * failures can keep the owner out from their own address.
 */
export async function loginWithPassword({ db }: DbContext, input: TLoginRequest, meta: RequestMeta = {}) {
  const user = await findUserByIdentifier({ db }, input.identifier);
  // Keyed by user id when the account exists, so switching between username and email does
  // not double the allowance.
  const pairBucket = bucket.accountIp("login", user?.id ?? input.identifier, meta.ip);
  const ipBucket = bucket.ip("login", meta.ip);
  const wait = await backoffRemainingMs({ db }, pairBucket, LOGIN_BACKOFF);
  if (wait > 0) throw tooManyRequestsFor(wait);
  await assertUnderLimit({ db }, ipBucket, RATE_LIMITS.loginFailuresPerIp);

  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(input.password, user.passwordHash);
  else await burnPasswordCheck(input.password);
  // Said only to whoever knows the password (no account probing): "invalid password" would send the owner of a
  // deactivated account to reset a password that is not the problem.
  if (user && ok && !user.isActive) throw new DomainError("FORBIDDEN", DEACTIVATED_LOGIN_MESSAGE);
  if (!user || !ok) {
    await recordHit({ db }, pairBucket);
    await recordHit({ db }, ipBucket);
    throw new DomainError("UNAUTHORIZED", INVALID_LOGIN_MESSAGE);
  }
  return user;
}
