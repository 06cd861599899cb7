// A + B → A: B's labels become A, B's probability is added to A's in every result (one row per
// result and call type stays unique), B's cluster mappings join A's (the higher confidence wins),
// then B's row goes. Predictions are not re-decided: a call the classifier called C stays C even
// if A and B together now outweigh it (the classifier chose among the old types; it is outdated
// and should be retrained). A result predicted A or B gets A's summed probability as confidence.
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { DbTransaction } from "../access/db.ts";
import { badRequest } from "../access/errors.ts";
import {
  CHANGE_TRANSACTION,
  callTypeOf,
  currentClassifierCount,
  lockSpeciesForChange,
  recordChange,
} from "./change.ts";
import { addCounts, relabelAll, ZERO_RELABEL } from "./relabel.ts";
import {
  type TMergeCallTypesRequest,
  type TTaxonomyChangeResult,
  ZMergeCallTypesRequest,
} from "./schemas.ts";

/**
 * Adds B's probability to A's per result; a result now predicted A (it was predicted A or B) gets
 * A's summed probability as its confidence, in the same statement (only the results B touched).
 */
async function mergeProbabilities(
  tx: DbTransaction,
  intoId: string,
  fromIds: string[],
  into: string,
): Promise<number> {
  // A result with B but no A row gets an A row first, so B's mass has somewhere to go.
  await tx.$executeRaw`
    INSERT INTO "CallProbability" (id, "resultId", "callTypeId", probability)
    SELECT 'tp' || replace(gen_random_uuid()::text, '-', ''), p."resultId", ${intoId}, 0
    FROM "CallProbability" p
    WHERE p."callTypeId" = ANY(${fromIds}::text[])
    GROUP BY p."resultId"
    ON CONFLICT ("resultId", "callTypeId") DO NOTHING`;
  await tx.$executeRaw`
    WITH b AS (
      SELECT "resultId", sum(probability) AS total FROM "CallProbability"
      WHERE "callTypeId" = ANY(${fromIds}::text[]) GROUP BY "resultId"
    ), summed AS (
      UPDATE "CallProbability" a SET probability = a.probability + b.total
      FROM b WHERE a."resultId" = b."resultId" AND a."callTypeId" = ${intoId}
      RETURNING a."resultId", a.probability
    )
    UPDATE "ClassificationResult" cr SET confidence = summed.probability
    FROM summed
    WHERE cr.id = summed."resultId" AND cr."predictedLabel" = ${into}
      AND EXISTS (SELECT 1 FROM "ClassificationRun" run WHERE run.id = cr."runId" AND NOT run."isDummy")`;
  return tx.$executeRaw`DELETE FROM "CallProbability" WHERE "callTypeId" = ANY(${fromIds}::text[])`;
}

async function mergeClusterMappings(tx: DbTransaction, intoId: string, fromIds: string[]): Promise<number> {
  await tx.$executeRaw`
    INSERT INTO "ClusterCallMapping" (id, "clusterId", "callTypeId", confidence, "createdAt")
    SELECT 'tm' || replace(gen_random_uuid()::text, '-', ''), m."clusterId", ${intoId}, max(m.confidence), now()
    FROM "ClusterCallMapping" m
    WHERE m."callTypeId" = ANY(${fromIds}::text[])
    GROUP BY m."clusterId"
    ON CONFLICT ("clusterId", "callTypeId") DO UPDATE
      SET confidence = GREATEST("ClusterCallMapping".confidence, EXCLUDED.confidence)`;
  return tx.$executeRaw`DELETE FROM "ClusterCallMapping" WHERE "callTypeId" = ANY(${fromIds}::text[])`;
}

/** Tasks now predicted A carry their result's new confidence. */
async function refreshTaskConfidence(tx: DbTransaction, speciesId: string, into: string) {
  await tx.$executeRaw`
    UPDATE "Task" t SET confidence = cr.confidence, "updatedAt" = now()
    FROM "ClassificationResult" cr
    WHERE t."classificationResultId" = cr.id AND t."speciesId" = ${speciesId}
      AND t."predictedLabel" = ${into} AND cr."predictedLabel" = ${into}
      AND t.confidence IS DISTINCT FROM cr.confidence`;
}

export async function mergeCallTypes(
  { db }: DbContext,
  access: GroupAccess,
  raw: TMergeCallTypesRequest,
): Promise<TTaxonomyChangeResult> {
  const input = ZMergeCallTypesRequest.parse(raw);
  return inTransaction(
    db,
    async (tx) => {
      const { species, callTypes } = await lockSpeciesForChange(tx, access, input.speciesId);
      const into = callTypeOf(callTypes, input.intoCallTypeId);
      const fromIds = [...new Set(input.fromCallTypeIds)];
      if (fromIds.includes(into.id))
        throw badRequest(`A call type cannot be merged into itself ("${into.shortName}")`);
      const from = fromIds.map((id) => callTypeOf(callTypes, id));
      const classifiersOutdated = await currentClassifierCount(tx, species.id);

      let moved = ZERO_RELABEL;
      for (const f of from)
        moved = addCounts(moved, await relabelAll(tx, species.id, f.shortName, into.shortName));
      const probabilities = await mergeProbabilities(tx, into.id, fromIds, into.shortName);
      const clusterMappings = await mergeClusterMappings(tx, into.id, fromIds);
      await refreshTaskConfidence(tx, species.id, into.shortName);
      await tx.callType.deleteMany({ where: { id: { in: fromIds }, speciesId: species.id } });

      return recordChange(tx, {
        speciesId: species.id,
        currentVersion: species.taxonomyVersion,
        kind: "merge",
        // the surviving type first: history and re-expression read "A + B → A" in this order
        mapping: Object.fromEntries([into, ...from].map((t) => [t.shortName, into.shortName])),
        callTypeIds: Object.fromEntries([into, ...from].map((t) => [t.id, into.id])),
        counts: { ...moved, probabilities, clusterMappings, classifiersOutdated },
        userId: access.userId,
      });
    },
    CHANGE_TRANSACTION,
  );
}
