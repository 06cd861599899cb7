// "Recording not found" on a link that points into another of the caller's own groups is a dead
// end: the id is fine, only the current group is wrong. This says which of the caller's groups
// holds an item, and nothing at all otherwise: an id that does not exist and one that belongs to
// a group the caller is not in get the same answer (null), so no other group leaks.
import { z } from "zod";
import { type Actor, currentGroupOf } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { ZId } from "./groups.schemas.ts";

export const ZLocatableKind = z.enum(["recording", "project", "classificationRun", "taskBatch", "species"]);
export type TLocatableKind = z.infer<typeof ZLocatableKind>;

export const ZLocateItemRequest = z.object({ kind: ZLocatableKind, id: ZId });
export type TLocateItemRequest = z.infer<typeof ZLocateItemRequest>;
export const ZLocateItemResponse = z
  .object({ groupId: z.string(), groupName: z.string(), isCurrent: z.boolean() })
  .nullable();

async function groupOf({ db }: DbContext, kind: TLocatableKind, id: string): Promise<string | null> {
  const select = { groupId: true } as const;
  switch (kind) {
    case "recording":
      return (await db.recording.findUnique({ where: { id }, select }))?.groupId ?? null;
    case "project":
      return (await db.project.findUnique({ where: { id }, select }))?.groupId ?? null;
    case "classificationRun":
      return (await db.classificationRun.findUnique({ where: { id }, select }))?.groupId ?? null;
    case "taskBatch":
      return (await db.taskBatch.findUnique({ where: { id }, select }))?.groupId ?? null;
    case "species":
      // system species (groupId null) are readable from every group: nothing to switch to
      return (await db.species.findUnique({ where: { id }, select }))?.groupId ?? null;
  }
}

export async function locateItem({ db }: DbContext, actor: Actor, input: TLocateItemRequest) {
  const groupId = await groupOf({ db }, input.kind, input.id);
  if (!groupId) return null;
  const [membership, current] = await Promise.all([
    db.membership.findFirst({
      where: { userId: actor.userId, groupId },
      select: { group: { select: { id: true, name: true } } },
    }),
    currentGroupOf({ db }, actor),
  ]);
  if (!membership) return null;
  return {
    groupId: membership.group.id,
    groupName: membership.group.name,
    isCurrent: current?.groupId === membership.group.id,
  };
}
