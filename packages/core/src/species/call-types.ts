import type { GroupAccess } from "../access/access.ts";
import { findCallTypeForWrite, findSpeciesForWrite } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { conflict, isUniqueViolation } from "../access/errors.ts";
import { renameCallType } from "../taxonomy/rename.ts";
import { parseCallTypeFileOrThrow } from "./call-type-import.ts";
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

export async function deleteCallType(
  { db }: DbContext,
  access: GroupAccess,
  callTypeId: string,
): Promise<void> {
  const callType = await findCallTypeForWrite({ db }, access, callTypeId);
  await db.callType.delete({ where: { id: callType.id } });
}

/** Applies an uploaded call-type list in one transaction; nothing changes if any line is bad. */
export async function importCallTypes(
  { db }: DbContext,
  access: GroupAccess,
  input: TImportCallTypesRequest,
) {
  const parsed = parseCallTypeFileOrThrow(input.text);
  return inTransaction(db, async (tx) => {
    const species = await findSpeciesForWrite({ db: tx }, access, input.speciesId);
    const existing = await tx.callType.findMany({ where: { speciesId: species.id } });
    const byKey = new Map(existing.map((c) => [c.shortName.toLowerCase(), c]));
    let created = 0;
    let updated = 0;
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
      if (current.longName !== longName || current.shortName !== item.shortName) {
        await tx.callType.update({
          where: { id: current.id },
          data: { shortName: item.shortName, longName },
        });
        updated++;
      }
    }
    let deleted = 0;
    if (input.mode === "replace") {
      const keep = new Set(parsed.map((p) => p.shortName.toLowerCase()));
      const drop = existing.filter((c) => !keep.has(c.shortName.toLowerCase())).map((c) => c.id);
      deleted = (await tx.callType.deleteMany({ where: { id: { in: drop } } })).count;
    }
    await tx.species.update({ where: { id: species.id }, data: { updatedAt: new Date() } });
    const callTypes = await tx.callType.findMany({
      where: { speciesId: species.id },
      orderBy: { shortName: "asc" },
    });
    return { created, updated, deleted, callTypes: callTypes.map(toCallTypeView) };
  });
}
