import type { GroupAccess } from "../access/access.ts";
import { findCallTypeForWrite, findSpeciesForWrite } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { conflict, DomainError, isUniqueViolation } from "../access/errors.ts";
import { callTypeOf, lockSpeciesForChange } from "../taxonomy/change.ts";
import { renameCallType } from "../taxonomy/rename.ts";
import { parseCallTypeFileOrThrow } from "./call-type-import.ts";
import { type CallTypeUsage, callTypeUsage, isUsed, MERGE_HINT, usageText } from "./call-type-usage.ts";
import type {
  TAddCallTypeRequest,
  TImportCallTypesRequest,
  TUpdateCallTypeRequest,
} from "./species.schemas.ts";
import { toCallTypeView } from "./species.ts";

const duplicate = (shortName: string) =>
  conflict(`A call type "${shortName}" already exists for this species`);

// Short names are unique per species ignoring case ("Echo" and "echo" would be the same label
// to an annotator); the database index is case-sensitive, so this check is the real one.
async function assertShortNameFree(
  { db }: DbContext,
  speciesId: string,
  shortName: string,
  exceptId?: string,
) {
  const clash = await db.callType.findFirst({
    where: {
      speciesId,
      shortName: { equals: shortName, mode: "insensitive" },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
  });
  if (clash) throw duplicate(shortName);
}

export async function addCallType({ db }: DbContext, access: GroupAccess, input: TAddCallTypeRequest) {
  const species = await findSpeciesForWrite({ db }, access, input.speciesId);
  await assertShortNameFree({ db }, species.id, input.shortName);
  try {
    const row = await db.callType.create({
      data: {
        speciesId: species.id,
        shortName: input.shortName,
        longName: input.longName ?? "",
        description: input.description ?? "",
      },
    });
    await db.species.update({ where: { id: species.id }, data: { updatedAt: new Date() } });
    return toCallTypeView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.shortName);
    throw err;
  }
}

export async function updateCallType({ db }: DbContext, access: GroupAccess, input: TUpdateCallTypeRequest) {
  const callType = await findCallTypeForWrite({ db }, access, input.callTypeId);
  const newShortName = input.shortName;
  if (newShortName !== undefined && newShortName !== callType.shortName)
    // A new short name is a taxonomy rename: every label follows and the history records it.
    return inTransaction(db, async (tx) => {
      await renameCallType({ db: tx }, access, {
        speciesId: callType.speciesId,
        callTypeId: callType.id,
        shortName: newShortName,
      });
      const row = await tx.callType.update({
        where: { id: callType.id },
        data: {
          ...(input.longName !== undefined ? { longName: input.longName } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
        },
      });
      return toCallTypeView(row);
    });
  if (input.shortName !== undefined)
    await assertShortNameFree({ db }, callType.speciesId, input.shortName, callType.id);
  try {
    const row = await db.callType.update({
      where: { id: callType.id },
      data: {
        ...(input.shortName !== undefined ? { shortName: input.shortName } : {}),
        ...(input.longName !== undefined ? { longName: input.longName } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      },
    });
    return toCallTypeView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.shortName ?? "");
    throw err;
  }
}

/**
 * Only an unused call type goes: labels, tasks, results and classifiers name call types by their
 * short name, so deleting a used one would orphan them. A used one is refused with the counts (in
 * the error's details too); merging it into another relabels everything instead.
 */
export async function deleteCallType(
  { db }: DbContext,
  access: GroupAccess,
  callTypeId: string,
): Promise<void> {
  const callType = await findCallTypeForWrite({ db }, access, callTypeId);
  await inTransaction(db, async (tx) => {
    // the species locked as for a taxonomy change: no label can start using it between count and delete
    const { species, callTypes } = await lockSpeciesForChange(tx, access, callType.speciesId);
    const current = callTypeOf(callTypes, callType.id);
    const usage = await callTypeUsage(tx, current);
    if (isUsed(usage))
      throw new DomainError(
        "PRECONDITION_FAILED",
        `Call type "${current.shortName}" is still used by ${usageText(usage)}; ${MERGE_HINT}, or relabel them first`,
        { usage },
      );
    await tx.callType.delete({ where: { id: current.id } });
    await tx.species.update({ where: { id: species.id }, data: { updatedAt: new Date() } });
  });
}

/**
 * Applies an uploaded call-type list in one transaction; nothing changes if any line is bad, nor if
 * "replace" would delete a call type that labels, tasks, results or classifiers still use (the error
 * names each with its counts). A line that only changes a name's case is a rename: labels follow.
 */
export async function importCallTypes(
  { db }: DbContext,
  access: GroupAccess,
  input: TImportCallTypesRequest,
) {
  const parsed = parseCallTypeFileOrThrow(input.text);
  return inTransaction(db, async (tx) => {
    const { species, callTypes: existing } = await lockSpeciesForChange(tx, access, input.speciesId);
    const byKey = new Map(existing.map((c) => [c.shortName.toLowerCase(), c]));
    const keep = new Set(parsed.map((p) => p.shortName.toLowerCase()));
    const drop = input.mode === "replace" ? existing.filter((c) => !keep.has(c.shortName.toLowerCase())) : [];
    const used: { name: string; usage: CallTypeUsage }[] = [];
    for (const c of drop) {
      const usage = await callTypeUsage(tx, c);
      if (isUsed(usage)) used.push({ name: c.shortName, usage });
    }
    if (used.length > 0)
      throw new DomainError(
        "PRECONDITION_FAILED",
        `Nothing was imported: the file leaves out call types that are still used — ${used
          .map((u) => `"${u.name}" (${usageText(u.usage)})`)
          .join("; ")}. Keep them in the file, or ${MERGE_HINT.replace("it into", "each into")} first.`,
        { used },
      );
    let created = 0;
    let updated = 0;
    const renamed: { from: string; to: string }[] = [];
    for (const item of parsed) {
      const current = byKey.get(item.shortName.toLowerCase());
      if (!current) {
        await tx.callType.create({
          data: { speciesId: species.id, shortName: item.shortName, longName: item.longName },
        });
        created++;
        continue;
      }
      // A bare `FM` line in a merge names the call type without saying anything about its long
      // name: keep the one it has. Replace means "the file is the whole truth", empty included.
      const longName = input.mode === "replace" || item.longName !== "" ? item.longName : current.longName;
      if (current.shortName !== item.shortName) {
        await renameCallType({ db: tx }, access, {
          speciesId: species.id,
          callTypeId: current.id,
          shortName: item.shortName,
        });
        renamed.push({ from: current.shortName, to: item.shortName });
      }
      if (current.longName !== longName || current.shortName !== item.shortName) {
        await tx.callType.update({ where: { id: current.id }, data: { longName } });
        updated++;
      }
    }
    const deleted = (await tx.callType.deleteMany({ where: { id: { in: drop.map((c) => c.id) } } })).count;
    await tx.species.update({ where: { id: species.id }, data: { updatedAt: new Date() } });
    const callTypes = await tx.callType.findMany({
      where: { speciesId: species.id },
      orderBy: { shortName: "asc" },
    });
    return { created, updated, deleted, renamed, callTypes: callTypes.map(toCallTypeView) };
  });
}
