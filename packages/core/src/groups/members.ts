import type { GroupAccess } from "../access/access.ts";
import { findMembershipInGroup, requireGroupAdmin } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx, DbTransaction } from "../access/db.ts";
import { conflict, DomainError, notFound } from "../access/errors.ts";

/**
 * A group member as other members see them. The email is only the caller's own: membership is by
 * invitation, and joining a group is not consent to show one's address to everyone in it.
 */
export interface Member {
  membershipId: string;
  userId: string;
  username: string;
  email: string | null;
  isAdmin: boolean;
  isSelf: boolean;
  joinedAt: Date;
}

type MembershipWithUser = {
  id: string;
  userId: string;
  isAdmin: boolean;
  createdAt: Date;
  user: { username: string; email: string };
};

function toMember(access: GroupAccess, m: MembershipWithUser): Member {
  return {
    membershipId: m.id,
    userId: m.userId,
    username: m.user.username,
    email: m.userId === access.userId ? m.user.email : null,
    isAdmin: m.isAdmin,
    isSelf: m.userId === access.userId,
    joinedAt: m.createdAt,
  };
}

export async function listMembers({ db }: DbContext, access: GroupAccess): Promise<Member[]> {
  const memberships = await db.membership.findMany({
    where: { groupId: access.groupId },
    include: { user: true },
    orderBy: [{ isAdmin: "desc" }, { user: { username: "asc" } }],
  });
  return memberships.map((m) => toMember(access, m));
}

export async function findUserByIdentifier({ db }: DbContext, identifier: string) {
  const value = identifier.trim();
  return value.includes("@")
    ? db.user.findUnique({ where: { email: value.toLowerCase() } })
    : db.user.findFirst({ where: { username: { equals: value, mode: "insensitive" } } });
}

// Admin changes take a row lock on the group so two concurrent demotions cannot each see
// "another admin remains" and leave the group with none.
async function lockGroup(tx: DbTransaction, groupId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${groupId} FOR UPDATE`;
}

/**
 * The caller's admin flag as of now (after the lock), not as of the start of the request: an
 * admin demoted a moment ago must not get one more admin action through.
 */
async function requireCurrentAdmin(tx: DbTransaction, access: GroupAccess): Promise<void> {
  const me = await tx.membership.findUnique({
    where: { userId_groupId: { userId: access.userId, groupId: access.groupId } },
  });
  if (!me) throw notFound("Group");
  requireGroupAdmin({ ...access, isGroupAdmin: me.isAdmin });
}

async function assertNotLastAdmin(
  tx: DbTransaction,
  groupId: string,
  membership: { isAdmin: boolean },
  action: string,
) {
  if (!membership.isAdmin) return;
  const admins = await tx.membership.count({ where: { groupId, isAdmin: true } });
  if (admins <= 1) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Cannot ${action} the last admin of the group. Make another member an admin first.`,
    );
  }
}

/** Admins remove anyone; any member may remove themself (leave). Never the last admin. */
export async function removeMember(
  { db }: DbContext,
  access: GroupAccess,
  membershipId: string,
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockGroup(tx, access.groupId);
    const membership = await findMembershipInGroup({ db: tx }, access, membershipId);
    if (membership.userId !== access.userId) await requireCurrentAdmin(tx, access);
    await assertNotLastAdmin(tx, access.groupId, membership, "remove");
    await tx.membership.delete({ where: { id: membership.id } });
    // The removed user's profile and sessions in this group move to their oldest other group (resolveGroupAccess
    // would repair them on their next call, but lists that mark the current group read the stored one).
    const next = await tx.membership.findFirst({
      where: { userId: membership.userId },
      orderBy: { createdAt: "asc" },
    });
    await tx.profile.updateMany({
      where: { userId: membership.userId, currentGroupId: access.groupId },
      data: { currentGroupId: next?.groupId ?? null },
    });
    await tx.session.updateMany({
      where: { userId: membership.userId, currentGroupId: access.groupId },
      data: { currentGroupId: next?.groupId ?? null },
    });
  });
}

export async function setMemberAdmin(
  { db }: DbContext,
  access: GroupAccess,
  membershipId: string,
  isAdmin: boolean,
): Promise<Member> {
  return inTransaction(db, async (tx) => {
    await lockGroup(tx, access.groupId);
    const membership = await findMembershipInGroup({ db: tx }, access, membershipId);
    await requireCurrentAdmin(tx, access);
    if (!isAdmin) await assertNotLastAdmin(tx, access.groupId, membership, "demote");
    const updated = await tx.membership.update({
      where: { id: membership.id },
      data: { isAdmin },
      include: { user: true },
    });
    return toMember(access, updated);
  });
}
