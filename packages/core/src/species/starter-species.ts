import type { DbOrTx } from "../access/db.ts";
import { SYSTEM_SPECIES } from "../defaults/data.ts";

// A new group starts with its own editable copy of the best-known species so the workflow can be
// tried at once. Call types come from the system species of the same name when
// `battycoda initialize-defaults` has created it; otherwise from the definition that command
// uses (the labels of the hand-labelled Eptesicus fuscus reference data).
const starter = SYSTEM_SPECIES.find((s) => s.name === "Eptesicus fuscus");
if (!starter) throw new Error("SYSTEM_SPECIES lacks Eptesicus fuscus, the starter species");
export const STARTER_SPECIES = starter;

export async function createStarterSpecies(db: DbOrTx, groupId: string, createdById: string | null) {
  const system = await db.species.findFirst({
    where: { groupId: null, name: STARTER_SPECIES.name },
    include: { callTypes: { orderBy: { createdAt: "asc" } } },
  });
  const callTypes = system?.callTypes.length
    ? system.callTypes.map((c) => ({
        shortName: c.shortName,
        longName: c.longName,
        description: c.description,
      }))
    : STARTER_SPECIES.callTypes.map(([shortName, longName]) => ({ shortName, longName }));
  return db.species.create({
    data: {
      name: STARTER_SPECIES.name,
      commonName: system?.commonName || STARTER_SPECIES.commonName,
      description: system?.description ?? "",
      groupId,
      createdById,
      callTypes: { create: callTypes },
    },
  });
}
