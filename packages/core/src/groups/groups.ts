import type { Actor, GroupAccess } from "../access/access.ts";
import { currentGroupOf, requireGroupAdmin } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx, DbTransaction } from "../access/db.ts";
import { notFound } from "../access/errors.ts";
import { bucket, consumeLimit, RATE_LIMITS } from "../auth/rate-limit.ts";
import type { TCreateGroupRequest, TUpdateGroupRequest } from "./groups.schemas.ts";

export interface GroupSummary {
  id: string;
  name: string;
  description: string;
  isPersonal: boolean;
  isAdmin: boolean;
  isCurrent: boolean;
  memberCount: number;
  createdAt: Date;
}

export async function listMyGroups({ db }: DbContext, actor: Actor): Promise<GroupSummary[]> {
  const [memberships, current] = await Promise.all([
    db.membership.findMany({
      where: { userId: actor.userId },
      include: { group: { include: { _count: { select: { memberships: true } } } } },
      orderBy: { group: { name: "asc" } },
    }),
    currentGroupOf({ db }, actor),
  ]);
  return memberships.map((m) => ({
    id: m.group.id,
    name: m.group.name,
    description: m.group.description,
    isPersonal: m.group.isPersonal,
    isAdmin: m.isAdmin,
    isCurrent: current?.groupId === m.groupId,
    memberCount: m.group._count.memberships,
    createdAt: m.group.createdAt,
  }));
}

async function summary({ db }: DbContext, actor: Actor, groupId: string): Promise<GroupSummary> {
  const found = (await listMyGroups({ db }, actor)).find((g) => g.id === groupId);
  if (!found) throw notFound("Group");
  return found;
}

/** Creates a group with the caller as its admin and makes it their current group. */
/** Creating groups is rare; a script creating thousands fills the database (site admins are exempt). */
export async function createGroup(
  { db }: DbContext,
  actor: Actor,
  input: TCreateGroupRequest,
): Promise<GroupSummary> {
  if (!actor.isSiteAdmin)
    await consumeLimit(
      { db },
      bucket.account("group-create", actor.userId),
      RATE_LIMITS.groupCreationsPerUser,
    );
  const group = await inTransaction(db, async (tx) => {
    const g = await tx.group.create({
      data: {
        name: input.name,
        description: input.description ?? "",
        memberships: { create: { userId: actor.userId, isAdmin: true } },
      },
    });
    await setCurrentGroup({ db: tx }, actor.userId, g.id, actor.sessionId);
    return g;
  });
  return summary({ db }, actor, group.id);
}

export async function createPersonalGroup(tx: DbTransaction, userId: string, username: string) {
  return tx.group.create({
    data: {
      name: `${username}'s group`,
      description: "Personal workspace",
      isPersonal: true,
      memberships: { create: { userId, isAdmin: true } },
    },
  });
}

export async function updateGroup({ db }: DbContext, access: GroupAccess, input: TUpdateGroupRequest) {
  requireGroupAdmin(access);
  await db.group.update({
    where: { id: access.groupId },
    data: {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    },
  });
  return summary({ db }, access, access.groupId);
}

/**
 * Makes `groupId` the user's current group: in the calling session (when there is one) and in the profile, where new
 * sessions, API keys and the CLI start. The user's other sessions keep theirs.
 */
export async function setCurrentGroup(
  { db }: DbContext,
  userId: string,
  groupId: string | null,
  sessionId?: string | null,
): Promise<void> {
  await db.profile.upsert({
    where: { userId },
    create: { userId, currentGroupId: groupId },
    update: { currentGroupId: groupId },
  });
  if (sessionId)
    await db.session.updateMany({ where: { id: sessionId, userId }, data: { currentGroupId: groupId } });
}

/** Switching to a group one is not a member of looks exactly like switching to a missing one. */
export async function switchGroup({ db }: DbContext, actor: Actor, groupId: string): Promise<GroupSummary> {
  const membership = await db.membership.findUnique({
    where: { userId_groupId: { userId: actor.userId, groupId } },
  });
  if (!membership) throw notFound("Group");
  await setCurrentGroup({ db }, actor.userId, groupId, actor.sessionId);
  return summary({ db }, actor, groupId);
}
