// What every taxonomy operation shares: the species locked for the length of the change (two
// concurrent changes of one species serialise instead of both claiming the next version), the
// call types checked against it, and the TaxonomyChange row that bumps the version.
import type { Prisma } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForWrite } from "../access/access.ts";
import type { DbTransaction } from "../access/db.ts";
import { badRequest, conflict, notFound } from "../access/errors.ts";
import { UNKNOWN_LABEL } from "../tasks/annotate.ts";
import type { TaxonomyCounts, TaxonomyDetails, TaxonomyMapping } from "./schemas.ts";

/**
 * A change rewrites every label of a species in one transaction: about 0.5 s per 1 000 labelled
 * calls on a loaded 2-core machine, so far longer than the 30 s default for big species.
 */
export const CHANGE_TRANSACTION = { timeout: 15 * 60_000, maxWait: 10_000 };

export async function lockSpeciesForChange(tx: DbTransaction, access: GroupAccess, speciesId: string) {
  // Access first (NOT_FOUND across groups, FORBIDDEN for a system species unless site admin).
  const species = await findSpeciesForWrite({ db: tx }, access, speciesId);
  await tx.$queryRaw`SELECT id FROM "Species" WHERE id = ${species.id} FOR UPDATE`;
  const callTypes = await tx.callType.findMany({
    where: { speciesId: species.id },
    orderBy: { shortName: "asc" },
  });
  const fresh = await tx.species.findUniqueOrThrow({ where: { id: species.id } });
  return { species: fresh, callTypes };
}

export type SpeciesCallTypes = Awaited<ReturnType<typeof lockSpeciesForChange>>["callTypes"];

export function callTypeOf(callTypes: SpeciesCallTypes, id: string) {
  const c = callTypes.find((t) => t.id === id);
  if (!c) throw notFound("Call type");
  return c;
}

/**
 * A new short name must not collide, ignoring case, with another call type of the species
 * (`except` are the ones the change replaces) nor with the annotators' "Unknown".
 */
export function assertNameFree(callTypes: SpeciesCallTypes, name: string, except: string[]) {
  if (name.toLowerCase() === UNKNOWN_LABEL.toLowerCase())
    throw badRequest(`"${UNKNOWN_LABEL}" is reserved for calls the annotator cannot name`);
  const clash = callTypes.find(
    (t) => !except.includes(t.id) && t.shortName.toLowerCase() === name.toLowerCase(),
  );
  if (clash) throw conflict(`A call type "${clash.shortName}" already exists for this species`);
}

export async function recordChange(
  tx: DbTransaction,
  input: {
    speciesId: string;
    currentVersion: number;
    kind: "rename" | "merge" | "split";
    mapping: TaxonomyMapping;
    callTypeIds: TaxonomyDetails["callTypeIds"];
    counts: TaxonomyCounts;
    selections?: TaxonomyDetails["selections"];
    userId: string;
  },
) {
  const version = input.currentVersion + 1;
  const details: TaxonomyDetails = {
    mapping: input.mapping,
    callTypeIds: input.callTypeIds,
    counts: input.counts,
    ...(input.selections ? { selections: input.selections } : {}),
  };
  await tx.species.update({ where: { id: input.speciesId }, data: { taxonomyVersion: version } });
  const row = await tx.taxonomyChange.create({
    data: {
      speciesId: input.speciesId,
      version,
      kind: input.kind,
      details: details as unknown as Prisma.InputJsonValue,
      createdById: input.userId,
    },
  });
  return { changeId: row.id, version, kind: input.kind, mapping: input.mapping, counts: input.counts };
}

/** Classifiers of the species that were current before this change (a merge or split outdates them). */
export async function currentClassifierCount(tx: DbTransaction, speciesId: string): Promise<number> {
  const changes = await tx.taxonomyChange.findMany({
    where: { speciesId, kind: { not: "rename" } },
    select: { version: true },
    orderBy: { version: "desc" },
    take: 1,
  });
  const lastStructural = changes[0]?.version ?? 0;
  return tx.classifier.count({
    where: { speciesId, isActive: true, type: { not: "dummy" }, taxonomyVersion: { gte: lastStructural } },
  });
}
