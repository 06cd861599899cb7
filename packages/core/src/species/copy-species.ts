// New groups no longer get a copy of the system species (starter-species.ts): they use the system
// species directly. A lab that wants its own call types asks for an editable copy here, once.
import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForRead } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, conflict } from "../access/errors.ts";
import { getSpecies } from "./species.ts";

/** A copy of a system species (call types, names, paddings) owned by the caller's group. */
export async function copySpeciesToGroup({ db }: DbContext, access: GroupAccess, speciesId: string) {
  const id = await inTransaction(db, async (tx) => {
    const source = await findSpeciesForRead({ db: tx }, access, speciesId);
    if (source.groupId !== null) throw badRequest(`"${source.name}" already belongs to your group`);
    const existing = await tx.species.findFirst({
      where: { groupId: access.groupId, name: { equals: source.name, mode: "insensitive" } },
      select: { id: true },
    });
    if (existing) throw conflict(`Your group already has a species named "${source.name}"`);
    const callTypes = await tx.callType.findMany({
      where: { speciesId: source.id },
      orderBy: { createdAt: "asc" },
      select: { shortName: true, longName: true, description: true },
    });
    const copy = await tx.species.create({
      data: {
        name: source.name,
        commonName: source.commonName,
        description: source.description,
        detailPaddingMs: source.detailPaddingMs,
        overviewPaddingMs: source.overviewPaddingMs,
        groupId: access.groupId,
        createdById: access.userId || null,
        callTypes: { create: callTypes },
      },
    });
    return copy.id;
  });
  return getSpecies({ db }, access, id);
}
