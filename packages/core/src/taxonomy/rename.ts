// A → B: the call type row keeps its id (probabilities and cluster mappings follow by id), every
// text label of A becomes B. Classifiers stay current: they still predict "A", which runs translate
// to B through the change history (see classifiers.ts), because the model file cannot be renamed.
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest } from "../access/errors.ts";
import {
  assertNameFree,
  CHANGE_TRANSACTION,
  callTypeOf,
  lockSpeciesForChange,
  recordChange,
} from "./change.ts";
import { relabelAll } from "./relabel.ts";
import {
  type TRenameCallTypeRequest,
  type TTaxonomyChangeResult,
  ZRenameCallTypeRequest,
} from "./schemas.ts";

export async function renameCallType(
  { db }: DbContext,
  access: GroupAccess,
  raw: TRenameCallTypeRequest,
): Promise<TTaxonomyChangeResult> {
  const input = ZRenameCallTypeRequest.parse(raw);
  return inTransaction(
    db,
    async (tx) => {
      const { species, callTypes } = await lockSpeciesForChange(tx, access, input.speciesId);
      const type = callTypeOf(callTypes, input.callTypeId);
      if (type.shortName === input.shortName)
        throw badRequest(`The call type is already called "${type.shortName}"`);
      assertNameFree(callTypes, input.shortName, [type.id]);
      await tx.callType.update({
        where: { id: type.id },
        data: {
          shortName: input.shortName,
          ...(input.longName !== undefined ? { longName: input.longName } : {}),
        },
      });
      const moved = await relabelAll(tx, species.id, type.shortName, input.shortName);
      return recordChange(tx, {
        speciesId: species.id,
        currentVersion: species.taxonomyVersion,
        kind: "rename",
        mapping: { [type.shortName]: input.shortName },
        callTypeIds: { [type.id]: type.id },
        counts: { ...moved, probabilities: 0, clusterMappings: 0, classifiersOutdated: 0 },
        userId: access.userId,
      });
    },
    CHANGE_TRANSACTION,
  );
}
