import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db } from "../access/db.ts";
import { conflict, DomainError, isUniqueViolation } from "../access/errors.ts";
import { escapeHtml, type MailContext, type RequestMeta } from "../access/services.ts";
import { createPersonalGroup } from "../groups/groups.ts";
import { acceptInvitationInTx, assertInvitationUsable } from "../groups/invitations.ts";
import { createStarterSpecies } from "../species/starter-species.ts";
import type { TRegisterRequest } from "./auth.schemas.ts";
import { hashPassword } from "./password.ts";
import { bucket, consumeLimit, EQUAL_TIME_MS, inConstantTime, RATE_LIMITS } from "./rate-limit.ts";
import { DAY_MS, hashToken, randomToken } from "./tokens.ts";

export const DEMO_PROJECT_NAME = "Demo Project";
/** SPA route that finishes a registration (token in the query string). */
export const REGISTRATION_CONFIRM_PATH = "/register/confirm";
export const REGISTRATION_TTL_MS = DAY_MS;

export type RegistrationRequestResult =
  | { status: "check-email"; email: string }
  | { status: "registered"; userId: string };

/**
 * Step 1 of registering through the web. The answer never says whether the address has an account:
 * for a new address the account is created only when the link mailed to it is opened; for an
 * address that already has an account its owner gets a note instead, and the answer is the same.
 * Usernames are public handles, so a taken one is still refused at once. Registering from an
 * invitation sent to the address typed proves the inbox already, so that account is made at once.
 */
export async function requestRegistration(
  mail: MailContext,
  input: TRegisterRequest,
  meta: RequestMeta = {},
): Promise<RegistrationRequestResult> {
  const { db } = mail;
  if (meta.ip) await consumeLimit({ db }, bucket.ip("register", meta.ip), RATE_LIMITS.registrationsPerIp);
  const email = input.email.toLowerCase();
  if (input.invitationToken) await assertInvitationUsable({ db }, input.invitationToken, email);
  const byName = await db.user.findFirst({
    where: { username: { equals: input.username, mode: "insensitive" } },
  });
  if (byName) throw conflict("That username is already taken");
  if (input.invitationToken) {
    const invitation = await db.invitation.findUnique({
      where: { tokenHash: hashToken(input.invitationToken) },
    });
    const taken = await db.user.findUnique({ where: { email } });
    if (invitation?.email.toLowerCase() === email && !taken) {
      const user = await registerUser({ db }, input, {});
      return { status: "registered", userId: user.id };
    }
  }
  const passwordHash = await hashPassword(input.password);
  await inConstantTime(EQUAL_TIME_MS, () => mailRegistrationLink(mail, { ...input, email }, passwordHash));
  return { status: "check-email", email };
}

async function mailRegistrationLink(mail: MailContext, input: TRegisterRequest, passwordHash: string) {
  const { db } = mail;
  const existing = await db.user.findUnique({ where: { email: input.email } });
  if (existing) {
    await mail.sendEmail({
      to: input.email,
      subject: "Someone tried to register a BattyCoda account with this address",
      text: `Hello ${existing.username},\n\nSomeone (perhaps you) tried to create a new BattyCoda account with this address, which already has one. Nothing was changed. To get in, log in or reset your password:\n${mail.publicUrl}/forgot-password\n`,
      html: `<p>Hello ${escapeHtml(existing.username)},</p><p>Someone (perhaps you) tried to create a new BattyCoda account with this address, which already has one. Nothing was changed. To get in, log in or <a href="${escapeHtml(`${mail.publicUrl}/forgot-password`)}">reset your password</a>.</p>`,
    });
    return;
  }
  const token = randomToken();
  await db.pendingRegistration.create({
    data: {
      tokenHash: hashToken(token),
      email: input.email,
      username: input.username,
      passwordHash,
      invitationToken: input.invitationToken ?? null,
      expiresAt: new Date(Date.now() + REGISTRATION_TTL_MS),
    },
  });
  const link = `${mail.publicUrl}${REGISTRATION_CONFIRM_PATH}?token=${encodeURIComponent(token)}`;
  await mail.sendEmail({
    to: input.email,
    subject: "Finish creating your BattyCoda account",
    text: `Hello ${input.username},\n\nOpen this link to finish creating your BattyCoda account (it works once and expires in 24 hours):\n${link}\n\nIf you did not ask for an account, ignore this email.\n`,
    html: `<p>Hello ${escapeHtml(input.username)},</p><p><a href="${escapeHtml(link)}">Finish creating your BattyCoda account</a> (the link works once and expires in 24 hours).</p><p>If you did not ask for an account, ignore this email.</p>`,
  });
}

/** Step 2: the emailed link. Creates the account as it was asked for; the caller then signs in. */
export async function completeRegistration({ db }: DbContext, token: string) {
  const invalid = new DomainError("BAD_REQUEST", "This registration link is invalid, used or expired");
  const pending = await db.pendingRegistration.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!pending || pending.expiresAt.getTime() <= Date.now()) throw invalid;
  const claimed = await db.pendingRegistration.deleteMany({ where: { id: pending.id } });
  if (claimed.count !== 1) throw invalid;
  // the same address may have been registered through another link meanwhile
  await db.pendingRegistration.deleteMany({ where: { email: pending.email } });
  let invitationToken = pending.invitationToken ?? undefined;
  if (invitationToken) {
    try {
      await assertInvitationUsable({ db }, invitationToken, pending.email);
    } catch {
      // expired or used meanwhile, or sent to another address: the account is still wanted
      invitationToken = undefined;
    }
  }
  return registerUser(
    { db },
    {
      email: pending.email,
      username: pending.username,
      password: "(hashed)",
      ...(invitationToken ? { invitationToken } : {}),
    },
    {},
    { passwordHash: pending.passwordHash },
  );
}

/**
 * Creates the account with its personal group (user as admin), a "Demo Project" and a starter
 * species, and points the profile at that group — or at the invitation's group when the user
 * registers from an invitation link.
 */
export async function registerUser(
  { db }: DbContext,
  input: TRegisterRequest,
  meta: RequestMeta = {},
  options: { passwordHash?: string } = {},
) {
  // Each registration costs a 32 MiB scrypt hash and creates rows: cap it per IP (HTTP only;
  // the CLI passes no IP).
  if (meta.ip) await consumeLimit({ db }, bucket.ip("register", meta.ip), RATE_LIMITS.registrationsPerIp);
  const email = input.email.toLowerCase();
  const username = input.username;
  // Check the invitation before creating anything, so a bad link does not leave half an account.
  if (input.invitationToken) await assertInvitationUsable({ db }, input.invitationToken, email);
  await assertAvailable({ db }, email, username);
  const passwordHash = options.passwordHash ?? (await hashPassword(input.password));
  try {
    return await inTransaction(db, async (tx) => {
      const user = await tx.user.create({ data: { email, username, passwordHash } });
      const group = await createPersonalGroup(tx, user.id, username);
      await tx.project.create({
        data: {
          groupId: group.id,
          name: DEMO_PROJECT_NAME,
          description: "A place to try things out.",
          createdById: user.id,
        },
      });
      await createStarterSpecies({ db: tx }, group.id, user.id);
      await tx.profile.create({ data: { userId: user.id, currentGroupId: group.id } });
      if (input.invitationToken) await acceptInvitationInTx(tx, user.id, input.invitationToken);
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("That username or email is already taken");
    throw err;
  }
}

async function assertAvailable({ db }: DbContext, email: string, username: string) {
  const [byEmail, byName] = await Promise.all([
    db.user.findUnique({ where: { email } }),
    db.user.findFirst({ where: { username: { equals: username, mode: "insensitive" } } }),
  ]);
  if (byName) throw conflict("That username is already taken");
  if (byEmail) throw conflict("An account with that email already exists");
}
