// Classifiers and the taxonomy. Classifier.taxonomyVersion is the species' version the model was
// trained at. A merge or split since then makes it outdated (its classes are not the species' any
// more: retrain). A rename does not: the model keeps predicting the old name, and runs translate
// it forward (modelClassAliases), because the .rds file and its model card cannot be renamed.
import { findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { loadChangeSteps } from "./history.ts";
import { describeChange, forwardAliases, structuralChangesSince } from "./reexpress.ts";
import type { TClassifierTaxonomyStatus } from "./schemas.ts";

/** Model class name → the species' current short name, for the names that changed since training. */
export async function modelClassAliases(
  { db }: DbContext,
  classifier: { speciesId: string | null; taxonomyVersion: number },
): Promise<Map<string, string>> {
  if (!classifier.speciesId) return new Map();
  const steps = (await loadChangeSteps({ db }, [classifier.speciesId])).get(classifier.speciesId) ?? [];
  return forwardAliases(steps, classifier.taxonomyVersion);
}

/** The taxonomy status of every active trained classifier the caller can see (own group + global). */
export async function classifierTaxonomyStatuses(
  { db }: DbContext,
  access: GroupAccess,
  input: { speciesId?: string | undefined } = {},
): Promise<TClassifierTaxonomyStatus[]> {
  if (input.speciesId) await findSpeciesForRead({ db }, access, input.speciesId);
  const rows = await db.classifier.findMany({
    where: {
      isActive: true,
      type: { not: "dummy" },
      speciesId: input.speciesId ? input.speciesId : { not: null },
      OR: [{ groupId: null }, { groupId: access.groupId }],
    },
    select: {
      id: true,
      speciesId: true,
      taxonomyVersion: true,
      species: { select: { taxonomyVersion: true } },
    },
    orderBy: { id: "asc" },
  });
  const steps = await loadChangeSteps(
    { db },
    rows.map((r) => r.speciesId as string),
  );
  return rows.map((c) => {
    const speciesId = c.speciesId as string;
    const all = steps.get(speciesId) ?? [];
    const since = all.filter((s) => s.version > c.taxonomyVersion);
    const structural = structuralChangesSince(all, c.taxonomyVersion);
    const outdated = structural.length > 0;
    return {
      classifierId: c.id,
      speciesId,
      trainedVersion: c.taxonomyVersion,
      speciesVersion: c.species?.taxonomyVersion ?? 0,
      outdated,
      renamed: !outdated && since.length > 0,
      reason: outdated
        ? `trained before: ${structural.map(describeChange).join("; ")}`
        : since.length > 0
          ? `predictions translated: ${since.map(describeChange).join("; ")}`
          : "",
    };
  });
}
