import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import { escapeHtml, type MailContext, type RequestMeta } from "../access/services.ts";
import { findUserByIdentifier } from "../groups/members.ts";
import type {
  TMagicLinkLoginRequest,
  TRequestLoginCodeRequest,
  TVerifyLoginCodeRequest,
} from "./auth.schemas.ts";
import {
  assertUnderLimit,
  bucket,
  consumeLimit,
  EQUAL_TIME_MS,
  inConstantTime,
  RATE_LIMITS,
  recordHit,
} from "./rate-limit.ts";
import { DAY_MS, hashToken, randomNumericCode, randomToken, safeEqualHex } from "./tokens.ts";

export const LOGIN_CODE_DIGITS = 6;
export const LOGIN_CODE_TTL_MS = DAY_MS;
/** Wrong guesses allowed per code before it is dead (10^6 codes, 5 guesses). */
export const LOGIN_CODE_MAX_ATTEMPTS = 5;
/** SPA route that signs in with the emailed link (token in the query string). */
export const MAGIC_LINK_PATH = "/login/magic";
export const INVALID_CODE_MESSAGE = "Invalid or expired code";

// The code hash is salted with the row's own token hash, so equal codes differ between rows.
const hashCode = (tokenHash: string, code: string) => hashToken(`${tokenHash}:${code}`);

/**
 * Emails a short code and a magic link. Answers the same whether or not the account exists;
 * rate limits are keyed by the identifier as typed so they behave the same either way too.
 */
export async function requestLoginCode(
  mail: MailContext,
  input: TRequestLoginCodeRequest,
  meta: RequestMeta = {},
) {
  const { db } = mail;
  await consumeLimit({ db }, bucket.ip("login-code", meta.ip), RATE_LIMITS.codeRequestsPerIp);
  await consumeLimit(
    { db },
    bucket.accountIp("login-code", input.identifier, meta.ip),
    RATE_LIMITS.codeRequestsPerAccountIp,
  );
  await consumeLimit(
    { db },
    bucket.account("login-code", input.identifier),
    RATE_LIMITS.codeRequestsPerAccount,
  );
  await inConstantTime(EQUAL_TIME_MS, () => sendLoginCode(mail, input.identifier));
}

async function sendLoginCode(mail: MailContext, identifier: string) {
  const { db } = mail;
  const user = await findUserByIdentifier({ db }, identifier);
  if (!user?.isActive) return;

  const code = randomNumericCode(LOGIN_CODE_DIGITS);
  const token = randomToken();
  const tokenHash = hashToken(token);
  await inTransaction(db, async (tx) => {
    // Only the newest code works.
    await tx.loginCode.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    await tx.loginCode.create({
      data: {
        userId: user.id,
        codeHash: hashCode(tokenHash, code),
        tokenHash,
        expiresAt: new Date(Date.now() + LOGIN_CODE_TTL_MS),
      },
    });
  });
  const link = `${mail.publicUrl}${MAGIC_LINK_PATH}?token=${encodeURIComponent(token)}`;
  await mail.sendEmail({
    to: user.email,
    subject: `Your BattyCoda login code: ${code}`,
    text: `Hello ${user.username},\n\nYour BattyCoda login code is ${code}\n\nOr sign in with this link:\n${link}\n\nThe code and the link work once and expire in 24 hours. If you did not ask for them, ignore this email.\n`,
    html: `<p>Hello ${escapeHtml(user.username)},</p><p>Your BattyCoda login code is <strong style="font-size:1.4em;letter-spacing:0.1em">${code}</strong></p><p>Or <a href="${escapeHtml(link)}">sign in with this link</a>.</p><p>The code and the link work once and expire in 24 hours. If you did not ask for them, ignore this email.</p>`,
  });
}

export async function verifyLoginCode(
  { db }: DbContext,
  input: TVerifyLoginCodeRequest,
  meta: RequestMeta = {},
) {
  const ipBucket = bucket.ip("login-code-verify", meta.ip);
  await assertUnderLimit({ db }, ipBucket, RATE_LIMITS.codeFailuresPerIp);
  const fail = async () => {
    await recordHit({ db }, ipBucket);
    return new DomainError("UNAUTHORIZED", INVALID_CODE_MESSAGE);
  };
  const user = await findUserByIdentifier({ db }, input.identifier);
  if (!user?.isActive) throw await fail();
  const row = await db.loginCode.findFirst({
    where: { userId: user.id, usedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  if (!row) throw await fail();
  // Count the attempt before comparing, conditionally, so parallel guesses cannot exceed the cap.
  const counted = await db.loginCode.updateMany({
    where: { id: row.id, usedAt: null, attempts: { lt: LOGIN_CODE_MAX_ATTEMPTS } },
    data: { attempts: { increment: 1 } },
  });
  if (counted.count !== 1 || !safeEqualHex(hashCode(row.tokenHash, input.code), row.codeHash))
    throw await fail();
  const claimed = await db.loginCode.updateMany({
    where: { id: row.id, usedAt: null },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw await fail();
  return user;
}

export async function loginWithMagicLink({ db }: DbContext, input: TMagicLinkLoginRequest) {
  const row = await db.loginCode.findUnique({
    where: { tokenHash: hashToken(input.token) },
    include: { user: true },
  });
  const invalid = new DomainError("UNAUTHORIZED", "This login link is invalid, used or expired");
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now() || !row.user.isActive) throw invalid;
  const claimed = await db.loginCode.updateMany({
    where: { id: row.id, usedAt: null },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw invalid;
  return row.user;
}
