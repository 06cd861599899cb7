import type { DbOrTx } from "../access/db.ts";

// A new group starts with its own editable copy of the best-known species so the workflow can be
// tried at once. Call types come from the system species of the same name when
// `battycoda initialize-defaults` has created it; otherwise from this list (the labels of the
// hand-labelled Eptesicus fuscus reference data).
export const STARTER_SPECIES = {
  name: "Eptesicus fuscus",
  commonName: "Big brown bat",
  callTypes: [
    ["Echo", "Echolocation call"],
    ["SFM", "Single frequency-modulated"],
    ["sHFM", "Short high frequency-modulated"],
    ["LDFM", "Long downward frequency-modulated"],
    ["FMB", "Frequency-modulated bout"],
    ["DFM", "Downward frequency-modulated"],
    ["QCF", "Quasi-constant frequency"],
    ["LFM", "Long frequency-modulated"],
    ["CS", "Chevron sweep"],
    ["LsDFM-LFM", "Long short DFM to LFM"],
    ["LQCF-CS", "Long QCF to chevron sweep"],
    ["Unsure", "Unsure"],
  ] as const,
};

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
