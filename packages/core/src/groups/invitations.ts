import type { GroupAccess } from "../access/access.ts";
import { findInvitationInGroup, requireGroupAdmin } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx, DbTransaction } from "../access/db.ts";
import { conflict, DomainError, notFound } from "../access/errors.ts";
import { escapeHtml, type MailContext } from "../access/services.ts";
import { DAY_MS, hashToken, randomToken } from "../auth/tokens.ts";
import type { TInviteMemberRequest } from "./groups.schemas.ts";
import { setCurrentGroup } from "./groups.ts";

export const INVITATION_TTL_MS = 7 * DAY_MS;
/** SPA route that accepts an invitation (token in the query string). */
export const INVITATION_ACCEPT_PATH = "/invitations/accept";

export interface InvitationView {
  id: string;
  email: string;
  isAdmin: boolean;
  invitedBy: string | null;
  expiresAt: Date;
  accepted: boolean;
  acceptedAt: Date | null;
  createdAt: Date;
}

type InvitationRow = Omit<InvitationView, "invitedBy"> & { invitedBy: { username: string } | null };

function toView(i: InvitationRow): InvitationView {
  const { invitedBy, ...rest } = i;
  return {
    id: rest.id,
    email: rest.email,
    isAdmin: rest.isAdmin,
    invitedBy: invitedBy?.username ?? null,
    expiresAt: rest.expiresAt,
    accepted: rest.accepted,
    acceptedAt: rest.acceptedAt,
    createdAt: rest.createdAt,
  };
}

export async function listInvitations({ db }: DbContext, access: GroupAccess): Promise<InvitationView[]> {
  requireGroupAdmin(access);
  const rows = await db.invitation.findMany({
    where: { groupId: access.groupId },
    include: { invitedBy: { select: { username: true } } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toView);
}

/**
 * Creates a 7-day invitation and queues the email with its accept link. Re-inviting the same
 * address replaces the pending invitation, so only the newest link works.
 */
export async function inviteMember(
  mail: MailContext,
  access: GroupAccess,
  input: TInviteMemberRequest,
): Promise<InvitationView> {
  requireGroupAdmin(access);
  const { db } = mail;
  const email = input.email.toLowerCase();
  const alreadyMember = await db.membership.findFirst({
    where: { groupId: access.groupId, user: { email } },
  });
  if (alreadyMember) throw conflict(`${email} is already a member of this group`);

  const token = randomToken();
  const invitation = await inTransaction(db, async (tx) => {
    await tx.invitation.deleteMany({ where: { groupId: access.groupId, email, accepted: false } });
    return tx.invitation.create({
      data: {
        groupId: access.groupId,
        email,
        tokenHash: hashToken(token),
        invitedById: access.userId,
        isAdmin: input.isAdmin ?? false,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
      include: { invitedBy: { select: { username: true } }, group: true },
    });
  });

  const link = `${mail.publicUrl}${INVITATION_ACCEPT_PATH}?token=${encodeURIComponent(token)}`;
  const inviter = invitation.invitedBy?.username ?? "A BattyCoda user";
  const group = invitation.group.name;
  await mail.sendEmail({
    to: email,
    subject: `You are invited to join ${group} on BattyCoda`,
    text: `${inviter} invited you to join the group "${group}" on BattyCoda.\n\nAccept the invitation (valid for 7 days):\n${link}\n\nIf you do not have an account yet, you can create one from that page.\n`,
    html: `<p>${escapeHtml(inviter)} invited you to join the group <strong>${escapeHtml(group)}</strong> on BattyCoda.</p><p><a href="${escapeHtml(link)}">Accept the invitation</a> (valid for 7 days).</p><p>If you do not have an account yet, you can create one from that page.</p>`,
  });
  return toView(invitation);
}

export async function revokeInvitation(
  { db }: DbContext,
  access: GroupAccess,
  invitationId: string,
): Promise<void> {
  requireGroupAdmin(access);
  const invitation = await findInvitationInGroup({ db }, access, invitationId);
  if (invitation.accepted) throw conflict("This invitation has already been accepted");
  await db.invitation.delete({ where: { id: invitation.id } });
}

async function findByToken({ db }: DbContext, token: string) {
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { group: true, invitedBy: { select: { username: true } } },
  });
  if (!invitation) throw notFound("Invitation");
  return invitation;
}

export async function previewInvitation({ db }: DbContext, token: string) {
  const invitation = await findByToken({ db }, token);
  const status: "valid" | "expired" | "accepted" = invitation.accepted
    ? "accepted"
    : invitation.expiresAt.getTime() <= Date.now()
      ? "expired"
      : "valid";
  return {
    groupName: invitation.group.name,
    email: invitation.email,
    invitedBy: invitation.invitedBy?.username ?? null,
    expiresAt: invitation.expiresAt,
    status,
  };
}

/**
 * Throws unless the token names a pending, unexpired invitation sent to `email` (the account that would join).
 * The address is the invitation's whole point: a forwarded or leaked link must not let another account in, nor
 * burn the invitee's link.
 */
export async function assertInvitationUsable({ db }: DbContext, token: string, email: string): Promise<void> {
  const invitation = await findByToken({ db }, token);
  if (invitation.accepted) throw new DomainError("BAD_REQUEST", "This invitation has already been used");
  if (invitation.expiresAt.getTime() <= Date.now())
    throw new DomainError("BAD_REQUEST", "This invitation has expired");
  const own = email.toLowerCase();
  if (invitation.email !== own)
    throw new DomainError(
      "FORBIDDEN",
      `This invitation was sent to ${invitation.email}, not to ${own}. Accept it with the account of ` +
        `${invitation.email}, or ask the group's admin to invite ${own}.`,
    );
}

/**
 * Joins the invitation's group with the signed-in account (which must have the invited address), makes it the
 * current group, and burns the token.
 */
export async function acceptInvitationInTx(
  tx: DbTransaction,
  userId: string,
  token: string,
  sessionId?: string | null,
) {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  await assertInvitationUsable({ db: tx }, token, user.email);
  const invitation = await findByToken({ db: tx }, token);
  // Conditional update: of two concurrent accepts exactly one sees count 1.
  const claimed = await tx.invitation.updateMany({
    where: { id: invitation.id, accepted: false },
    data: { accepted: true, acceptedAt: new Date() },
  });
  if (claimed.count !== 1) throw new DomainError("BAD_REQUEST", "This invitation has already been used");
  const existing = await tx.membership.findUnique({
    where: { userId_groupId: { userId, groupId: invitation.groupId } },
  });
  if (!existing) {
    await tx.membership.create({
      data: { userId, groupId: invitation.groupId, isAdmin: invitation.isAdmin },
    });
  } else if (invitation.isAdmin && !existing.isAdmin) {
    await tx.membership.update({ where: { id: existing.id }, data: { isAdmin: true } });
  }
  await setCurrentGroup({ db: tx }, userId, invitation.groupId, sessionId);
  return { groupId: invitation.groupId, groupName: invitation.group.name };
}

export async function acceptInvitation(
  { db }: DbContext,
  userId: string,
  token: string,
  sessionId?: string | null,
) {
  return inTransaction(db, (tx) => acceptInvitationInTx(tx, userId, token, sessionId));
}
