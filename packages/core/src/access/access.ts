import type { DbContext } from "./context.ts";
import type { DbOrTx } from "./db.ts";
import { DomainError, forbidden, notFound } from "./errors.ts";

/** Who is calling: an authenticated user, however they authenticated (cookie, API key, CLI). */
export interface Actor {
  userId: string;
  isSiteAdmin: boolean;
  /** The browser session calling, which keeps its own current group; none for API keys and the CLI. */
  sessionId?: string | null;
}

/** An actor acting inside their current group. Every group-scoped query filters on groupId. */
export interface GroupAccess extends Actor {
  groupId: string;
  groupName: string;
  membershipId: string;
  isGroupAdmin: boolean;
}

/**
 * Resolves the caller's current group: the session's own (so a switch in another browser or device cannot move
 * this one's work), else the profile's (where new sessions, API keys and the CLI act). A session without one is
 * pinned to the group it resolves to. A stale group (the user was removed from it) falls back to their oldest
 * membership and is repaired, so a removed member can never keep acting in the old group.
 */
export async function resolveGroupAccess({ db }: DbContext, actor: Actor): Promise<GroupAccess> {
  const session = actor.sessionId
    ? await db.session.findUnique({ where: { id: actor.sessionId }, select: { currentGroupId: true } })
    : null;
  const membershipIn = (groupId: string) =>
    db.membership.findUnique({
      where: { userId_groupId: { userId: actor.userId, groupId } },
      include: { group: true },
    });
  if (session?.currentGroupId) {
    const membership = await membershipIn(session.currentGroupId);
    if (membership) return toAccess(actor, membership);
  }
  const profile = await db.profile.findUnique({ where: { userId: actor.userId } });
  const fromProfile = profile?.currentGroupId ? await membershipIn(profile.currentGroupId) : null;
  const chosen =
    fromProfile ??
    (await db.membership.findFirst({
      where: { userId: actor.userId },
      orderBy: { createdAt: "asc" },
      include: { group: true },
    }));
  if (!chosen) throw new DomainError("PRECONDITION_FAILED", "You are not a member of any group");
  if (!fromProfile)
    await db.profile.upsert({
      where: { userId: actor.userId },
      create: { userId: actor.userId, currentGroupId: chosen.groupId },
      update: { currentGroupId: chosen.groupId },
    });
  if (session && actor.sessionId)
    await db.session.updateMany({ where: { id: actor.sessionId }, data: { currentGroupId: chosen.groupId } });
  return toAccess(actor, chosen);
}

/** The actor acting in a group they name (a request's group_id); NOT_FOUND unless a member, as for a missing group. */
export async function groupAccessIn({ db }: DbContext, actor: Actor, groupId: string): Promise<GroupAccess> {
  const membership = await db.membership.findUnique({
    where: { userId_groupId: { userId: actor.userId, groupId } },
    include: { group: true },
  });
  if (!membership) throw notFound("Group");
  return toAccess(actor, membership);
}

/** The actor in the group they work in now, or null without any membership (resolveGroupAccess, repairs included). */
export async function currentGroupOf({ db }: DbContext, actor: Actor): Promise<GroupAccess | null> {
  try {
    return await resolveGroupAccess({ db }, actor);
  } catch (err) {
    if (err instanceof DomainError && err.code === "PRECONDITION_FAILED") return null;
    throw err;
  }
}

function toAccess(
  actor: Actor,
  m: { id: string; groupId: string; isAdmin: boolean; group: { name: string } },
): GroupAccess {
  return {
    userId: actor.userId,
    isSiteAdmin: actor.isSiteAdmin,
    ...(actor.sessionId ? { sessionId: actor.sessionId } : {}),
    groupId: m.groupId,
    groupName: m.group.name,
    membershipId: m.id,
    isGroupAdmin: m.isAdmin,
  };
}

export function requireGroupAdmin(access: GroupAccess): void {
  if (!access.isGroupAdmin) throw forbidden("Only group admins can do this");
}

export function requireSiteAdmin(actor: Actor): void {
  if (!actor.isSiteAdmin) throw forbidden("Only site admins can do this");
}

// ─── row finders: the only way domain code loads a row by id for a caller ───
// Rows of another group are reported as NOT_FOUND so their existence is not leaked.

export async function findProjectInGroup({ db }: DbContext, access: GroupAccess, projectId: string) {
  const project = await db.project.findUnique({ where: { id: projectId } });
  if (!project || project.groupId !== access.groupId) throw notFound("Project");
  return project;
}

/** System species (groupId null) are readable by everyone; group species only by members. */
export function readableSpeciesWhere(access: GroupAccess) {
  return { OR: [{ groupId: access.groupId }, { groupId: null }] };
}

export async function findSpeciesForRead({ db }: DbContext, access: GroupAccess, speciesId: string) {
  const species = await db.species.findUnique({ where: { id: speciesId } });
  if (!species || (species.groupId !== null && species.groupId !== access.groupId)) throw notFound("Species");
  return species;
}

/** Group species are editable by any member; system species only by site admins. */
export async function findSpeciesForWrite({ db }: DbContext, access: GroupAccess, speciesId: string) {
  const species = await findSpeciesForRead({ db }, access, speciesId);
  if (species.groupId === null && !access.isSiteAdmin) {
    throw forbidden("System species can only be changed by site admins");
  }
  return species;
}

export async function findCallTypeForWrite({ db }: DbContext, access: GroupAccess, callTypeId: string) {
  const callType = await db.callType.findUnique({ where: { id: callTypeId }, include: { species: true } });
  if (!callType || (callType.species.groupId !== null && callType.species.groupId !== access.groupId)) {
    throw notFound("Call type");
  }
  if (callType.species.groupId === null && !access.isSiteAdmin) {
    throw forbidden("System species can only be changed by site admins");
  }
  return callType;
}

export async function findMembershipInGroup({ db }: DbContext, access: GroupAccess, membershipId: string) {
  const membership = await db.membership.findUnique({ where: { id: membershipId } });
  if (!membership || membership.groupId !== access.groupId) throw notFound("Member");
  return membership;
}

export async function findInvitationInGroup({ db }: DbContext, access: GroupAccess, invitationId: string) {
  const invitation = await db.invitation.findUnique({ where: { id: invitationId } });
  if (!invitation || invitation.groupId !== access.groupId) throw notFound("Invitation");
  return invitation;
}
