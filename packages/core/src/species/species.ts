import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForRead, findSpeciesForWrite, readableSpeciesWhere } from "../access/access.ts";
import type { DbContext, MediaContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { conflict, isUniqueViolation } from "../access/errors.ts";
import { removeMediaFile } from "./image.ts";
import type { TCreateSpeciesRequest, TUpdateSpeciesRequest } from "./species.schemas.ts";

/** Route that streams a species' repertoire image after an access check (apps/api). */
export const speciesImageUrl = (speciesId: string, version: Date) =>
  `/api/species/${encodeURIComponent(speciesId)}/image?v=${version.getTime()}`;

export interface CallTypeView {
  id: string;
  shortName: string;
  longName: string;
  description: string;
}

export interface SpeciesView {
  id: string;
  name: string;
  commonName: string;
  description: string;
  isSystem: boolean;
  owner: string;
  systemCopyOf: string | null;
  editable: boolean;
  imageUrl: string | null;
  detailPaddingMs: number;
  overviewPaddingMs: number;
  callTypeCount: number;
  createdAt: Date;
  updatedAt: Date;
}

type SpeciesRow = {
  id: string;
  name: string;
  commonName: string;
  description: string;
  groupId: string | null;
  imagePath: string | null;
  detailPaddingMs: number;
  overviewPaddingMs: number;
  createdAt: Date;
  updatedAt: Date;
  _count: { callTypes: number };
};

export const SYSTEM_OWNER = "System";

/** `systemIds`: system species ids by lower-cased name, to mark a group's copies of them. */
export function toSpeciesView(
  access: GroupAccess,
  s: SpeciesRow,
  systemIds: ReadonlyMap<string, string> = new Map(),
): SpeciesView {
  const isSystem = s.groupId === null;
  return {
    id: s.id,
    name: s.name,
    commonName: s.commonName,
    description: s.description,
    isSystem,
    // Readable species are the system's and the caller's group's, so the owner is one of the two.
    owner: isSystem ? SYSTEM_OWNER : access.groupName,
    systemCopyOf: isSystem ? null : (systemIds.get(s.name.toLowerCase()) ?? null),
    editable: isSystem ? access.isSiteAdmin : s.groupId === access.groupId,
    imageUrl: s.imagePath ? speciesImageUrl(s.id, s.updatedAt) : null,
    detailPaddingMs: s.detailPaddingMs,
    overviewPaddingMs: s.overviewPaddingMs,
    callTypeCount: s._count.callTypes,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const countInclude = { _count: { select: { callTypes: true } } } as const;
const callTypeOrder = [{ shortName: "asc" as const }];

export const toCallTypeView = (c: CallTypeView): CallTypeView => ({
  id: c.id,
  shortName: c.shortName,
  longName: c.longName,
  description: c.description,
});

/** System species first, then the group's own, each alphabetically. */
export async function listSpecies({ db }: DbContext, access: GroupAccess): Promise<SpeciesView[]> {
  const rows = await db.species.findMany({
    where: readableSpeciesWhere(access),
    include: countInclude,
    orderBy: [{ isSystem: "desc" }, { name: "asc" }],
  });
  const systemIds = new Map(rows.filter((s) => s.groupId === null).map((s) => [s.name.toLowerCase(), s.id]));
  return rows
    .sort((a, b) => Number(a.groupId !== null) - Number(b.groupId !== null) || a.name.localeCompare(b.name))
    .map((s) => toSpeciesView(access, s, systemIds));
}

async function systemIdsNamed({ db }: DbContext, name: string): Promise<Map<string, string>> {
  const system = await db.species.findFirst({
    where: { groupId: null, name: { equals: name, mode: "insensitive" } },
    select: { id: true },
  });
  return new Map(system ? [[name.toLowerCase(), system.id]] : []);
}

export async function getSpecies({ db }: DbContext, access: GroupAccess, speciesId: string) {
  await findSpeciesForRead({ db }, access, speciesId);
  const row = await db.species.findUniqueOrThrow({
    where: { id: speciesId },
    include: { ...countInclude, callTypes: { orderBy: callTypeOrder } },
  });
  const systemIds = row.groupId === null ? undefined : await systemIdsNamed({ db }, row.name);
  return { ...toSpeciesView(access, row, systemIds), callTypes: row.callTypes.map(toCallTypeView) };
}

const duplicateName = (name: string) => conflict(`A species named "${name}" already exists in this group`);

function assertUniqueShortNames(names: string[]) {
  const seen = new Set<string>();
  for (const n of names) {
    const key = n.toLowerCase();
    if (seen.has(key)) throw conflict(`Call type "${n}" appears twice`);
    seen.add(key);
  }
}

/** New species always belong to the caller's current group. */
export async function createSpecies({ db }: DbContext, access: GroupAccess, input: TCreateSpeciesRequest) {
  const callTypes = input.callTypes ?? [];
  assertUniqueShortNames(callTypes.map((c) => c.shortName));
  try {
    const row = await db.species.create({
      data: {
        name: input.name,
        commonName: input.commonName ?? "",
        description: input.description ?? "",
        groupId: access.groupId,
        createdById: access.userId,
        ...(input.detailPaddingMs !== undefined ? { detailPaddingMs: input.detailPaddingMs } : {}),
        ...(input.overviewPaddingMs !== undefined ? { overviewPaddingMs: input.overviewPaddingMs } : {}),
        callTypes: {
          create: callTypes.map((c) => ({
            shortName: c.shortName,
            longName: c.longName ?? "",
            description: c.description ?? "",
          })),
        },
      },
    });
    return getSpecies({ db }, access, row.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name);
    throw err;
  }
}

export async function updateSpecies({ db }: DbContext, access: GroupAccess, input: TUpdateSpeciesRequest) {
  const species = await findSpeciesForWrite({ db }, access, input.speciesId);
  if (input.name !== undefined && species.groupId === null) {
    const clash = await db.species.findFirst({
      where: { groupId: null, name: input.name, id: { not: species.id } },
    });
    if (clash) throw duplicateName(input.name);
  }
  try {
    await db.species.update({
      where: { id: species.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.commonName !== undefined ? { commonName: input.commonName } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.detailPaddingMs !== undefined ? { detailPaddingMs: input.detailPaddingMs } : {}),
        ...(input.overviewPaddingMs !== undefined ? { overviewPaddingMs: input.overviewPaddingMs } : {}),
      },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name ?? "");
    throw err;
  }
  return getSpecies({ db }, access, species.id);
}

/**
 * Deletes a species with its call types and classifiers (cascade); recordings and tasks keep
 * existing without a species. The repertoire image file goes after the rows are gone.
 */
export async function deleteSpecies({ db, media }: MediaContext, access: GroupAccess, speciesId: string) {
  const summary = await inTransaction(db, async (tx) => {
    const species = await findSpeciesForWrite({ db: tx }, access, speciesId);
    const [callTypes, recordingsUnlinked, classifiers] = await Promise.all([
      tx.callType.count({ where: { speciesId } }),
      tx.recording.count({ where: { speciesId } }),
      tx.classifier.count({ where: { speciesId } }),
    ]);
    await tx.species.delete({ where: { id: species.id } });
    return {
      speciesId,
      name: species.name,
      callTypes,
      recordingsUnlinked,
      classifiers,
      imagePath: species.imagePath,
    };
  });
  const { imagePath, ...removed } = summary;
  await removeMediaFile(media, imagePath);
  return removed;
}
