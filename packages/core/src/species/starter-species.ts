import type { DbContext } from "../access/context.ts";
import { SYSTEM_SPECIES } from "../defaults/data.ts";

// A new group needs the best-known species at hand so the workflow can be tried at once. Once
// `battycoda initialize-defaults` has created the system species, that one serves every group
// (readable by all, its default classifiers apply directly) and a group copy would only be a
// second "Eptesicus fuscus" in every picker. Before that (fresh installs, test databases) the
// group gets its own editable copy, from the definition that command uses (the labels of the
// hand-labelled Eptesicus fuscus reference data). Groups that already hold a copy keep it:
// classification serves copies with the system species' classifiers (classification/runs.ts).
const starter = SYSTEM_SPECIES.find((s) => s.name === "Eptesicus fuscus");
if (!starter) throw new Error("SYSTEM_SPECIES lacks Eptesicus fuscus, the starter species");
export const STARTER_SPECIES = starter;

/** The group's copy of the starter species, or null when the system species serves instead. */
export async function createStarterSpecies({ db }: DbContext, groupId: string, createdById: string | null) {
  const system = await db.species.findFirst({
    where: { groupId: null, name: { equals: STARTER_SPECIES.name, mode: "insensitive" } },
    select: { id: true },
  });
  if (system) return null;
  return db.species.create({
    data: {
      name: STARTER_SPECIES.name,
      commonName: STARTER_SPECIES.commonName,
      groupId,
      createdById,
      callTypes: {
        create: STARTER_SPECIES.callTypes.map(([shortName, longName]) => ({ shortName, longName })),
      },
    },
  });
}
