// Reading the change chain: a species' history for people, and the steps for the pure mappings.
import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForRead } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { badRequest } from "../access/errors.ts";
import { backwardMapper, type ChangeStep, describeChange } from "./reexpress.ts";
import { type TTaxonomyHistory, ZTaxonomyDetails } from "./schemas.ts";

/** Every change of the given species, oldest first, as steps the mapping functions take. */
export async function loadChangeSteps(
  { db }: DbContext,
  speciesIds: string[],
): Promise<Map<string, ChangeStep[]>> {
  const rows = speciesIds.length
    ? await db.taxonomyChange.findMany({
        where: { speciesId: { in: [...new Set(speciesIds)] } },
        orderBy: { version: "asc" },
        select: { speciesId: true, version: true, kind: true, details: true },
      })
    : [];
  const out = new Map<string, ChangeStep[]>(speciesIds.map((id) => [id, []]));
  for (const r of rows) {
    const details = ZTaxonomyDetails.parse(r.details);
    out.get(r.speciesId)?.push({ version: r.version, kind: r.kind, mapping: details.mapping });
  }
  return out;
}

export async function taxonomyHistory(
  { db }: DbContext,
  access: GroupAccess,
  speciesId: string,
): Promise<TTaxonomyHistory> {
  const species = await findSpeciesForRead({ db }, access, speciesId);
  const rows = await db.taxonomyChange.findMany({ where: { speciesId }, orderBy: { version: "desc" } });
  const userIds = [...new Set(rows.map((r) => r.createdById).filter((x): x is string => !!x))];
  const users = userIds.length
    ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } })
    : [];
  const names = new Map(users.map((u) => [u.id, u.username]));
  return {
    speciesId,
    currentVersion: species.taxonomyVersion,
    changes: rows.map((r) => {
      const details = ZTaxonomyDetails.parse(r.details);
      return {
        id: r.id,
        version: r.version,
        kind: r.kind,
        summary: describeChange({ kind: r.kind, mapping: details.mapping }),
        mapping: details.mapping,
        counts: details.counts,
        by: r.createdById ? (names.get(r.createdById) ?? "deleted user") : null,
        createdAt: r.createdAt,
      };
    }),
  };
}

/**
 * Label mapper from the species' current taxonomy to `version`; null version = current (identity).
 * Versions outside 0…current are refused rather than silently treated as the nearest one.
 */
export async function labelMapperAt(
  { db }: DbContext,
  speciesId: string | null,
  version: number | null | undefined,
): Promise<(label: string | null) => string | null> {
  if (version === null || version === undefined || speciesId === null) return (l) => l;
  const species = await db.species.findUnique({
    where: { id: speciesId },
    select: { taxonomyVersion: true, name: true },
  });
  if (!species) return (l) => l;
  if (version < 0 || version > species.taxonomyVersion)
    throw badRequest(
      `Taxonomy version ${version} does not exist for ${species.name} (versions 0 to ${species.taxonomyVersion})`,
    );
  const steps = (await loadChangeSteps({ db }, [speciesId])).get(speciesId) ?? [];
  return backwardMapper(steps, version);
}

export async function reexpressLabels(
  { db }: DbContext,
  access: GroupAccess,
  input: { speciesId: string; version: number; labels: string[] },
) {
  await findSpeciesForRead({ db }, access, input.speciesId);
  const map = await labelMapperAt({ db }, input.speciesId, input.version);
  return { version: input.version, labels: input.labels.map((l) => map(l) ?? "") };
}
