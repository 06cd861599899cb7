import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import { escapeHtml, type MailContext } from "../access/services.ts";
import { verifyPassword } from "../auth/password.ts";
import { DAY_MS, hashToken } from "../auth/tokens.ts";
import type { TConfirmEmailChangeRequest, TRequestEmailChangeRequest } from "./profile.schemas.ts";

/** SPA route that confirms a new address (token in the query string). */
export const EMAIL_CHANGE_CONFIRM_PATH = "/confirm-email";
export const EMAIL_CHANGE_TTL_MS = DAY_MS;

/**
 * The confirmation link carries the request itself, signed with the server's secret, so no table
 * of pending changes is needed: {user, new address, hash of the current address, expiry}. Once the
 * address has changed the hash no longer matches, which makes every link single-use.
 */
interface EmailChangeClaim {
  u: string;
  e: string;
  o: string;
  x: number;
}

function sign(secret: string, body: string): string {
  return createHmac("sha256", `email-change:${secret}`).update(body).digest("base64url");
}

function encodeClaim(secret: string, claim: EmailChangeClaim): string {
  const body = Buffer.from(JSON.stringify(claim)).toString("base64url");
  return `${body}.${sign(secret, body)}`;
}

function decodeClaim(secret: string, token: string): EmailChangeClaim | null {
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const want = Buffer.from(sign(secret, body));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    const c = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as EmailChangeClaim;
    return typeof c.u === "string" &&
      typeof c.e === "string" &&
      typeof c.o === "string" &&
      typeof c.x === "number"
      ? c
      : null;
  } catch {
    return null;
  }
}

/**
 * Step 1: checks the current password and emails a confirmation link to the NEW address. The
 * answer is the same whether or not the address belongs to another account (that account's owner
 * gets a note instead), so the form cannot be used to find out who has an account.
 */
export async function requestEmailChange(
  mail: MailContext,
  secret: string,
  userId: string,
  input: TRequestEmailChangeRequest,
): Promise<{ sentTo: string }> {
  const { db } = mail;
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.passwordHash && !(await verifyPassword(input.currentPassword ?? "", user.passwordHash)))
    throw new DomainError("BAD_REQUEST", "Current password is incorrect");
  const email = input.email.toLowerCase();
  if (email === user.email) throw new DomainError("BAD_REQUEST", "That is already your email address");

  const taken = await db.user.findUnique({ where: { email } });
  if (taken) {
    await mail.sendEmail({
      to: email,
      subject: "Someone tried to move a BattyCoda account to this address",
      text: `Hello,\n\nSomeone asked to use this address (${email}) for another BattyCoda account. It already belongs to your account, so nothing changed. If this was you, sign in to your existing account instead.\n`,
    });
    return { sentTo: email };
  }
  const token = encodeClaim(secret, {
    u: user.id,
    e: email,
    o: hashToken(user.email),
    x: Date.now() + EMAIL_CHANGE_TTL_MS,
  });
  const link = `${mail.publicUrl}${EMAIL_CHANGE_CONFIRM_PATH}?token=${encodeURIComponent(token)}`;
  await mail.sendEmail({
    to: email,
    subject: "Confirm your new BattyCoda email address",
    text: `Hello ${user.username},\n\nConfirm that BattyCoda should use this address from now on (the link works once and expires in 24 hours):\n${link}\n\nUntil you do, your account keeps its current address. If you did not ask for this, ignore this email.\n`,
    html: `<p>Hello ${escapeHtml(user.username)},</p><p><a href="${escapeHtml(link)}">Confirm that BattyCoda should use this address</a> (the link works once and expires in 24 hours).</p><p>Until you do, your account keeps its current address. If you did not ask for this, ignore this email.</p>`,
  });
  return { sentTo: email };
}

/** Step 2: the link from the new address. Changes the email and tells the old address. */
export async function confirmEmailChange(
  mail: MailContext,
  secret: string,
  input: TConfirmEmailChangeRequest,
): Promise<{ email: string }> {
  const { db } = mail;
  const invalid = new DomainError("BAD_REQUEST", "This confirmation link is invalid, used or expired");
  const claim = decodeClaim(secret, input.token);
  if (!claim || claim.x <= Date.now()) throw invalid;
  const user = await db.user.findUnique({ where: { id: claim.u } });
  if (!user?.isActive || hashToken(user.email) !== claim.o) throw invalid;
  const updated = await db.user
    .updateMany({ where: { id: user.id, email: user.email }, data: { email: claim.e } })
    .catch((err: unknown) => {
      if ((err as { code?: string }).code === "P2002")
        throw new DomainError("CONFLICT", "That address has been taken by another account meanwhile");
      throw err;
    });
  if (updated.count !== 1) throw invalid;
  await mail.sendEmail({
    to: user.email,
    subject: "Your BattyCoda email address was changed",
    text: `Hello ${user.username},\n\nThe email address of your BattyCoda account was changed to ${claim.e}. If you did not do this, reset your password from the login page and tell your site admin.\n`,
  });
  return { email: claim.e };
}
