// Cluster → call type mapping: one call type per cluster with a confidence, applied as labels on
// the member segments (Segment.label, where labels live today), or turned into a task batch so a
// person reviews the proposed labels first.
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError, notFound } from "../access/errors.ts";
import { float8Text } from "../access/exact-float.ts";
import { type CreateBatchOptions, createBatch, createBatchPreview } from "../tasks/batches.ts";
import { lockSpeciesForLabels } from "../taxonomy/labels.ts";
import { findClusterInGroup } from "./explore.ts";
import { mappedMembersSql } from "./members-sql.ts";
import { findRunInGroup, type StoredScope } from "./runs.ts";

async function checkCallType(
  { db }: DbContext,
  access: GroupAccess,
  callTypeId: string,
  speciesId: string | null,
) {
  const ct = await db.callType.findFirst({
    where: { id: callTypeId, species: { OR: [{ groupId: null }, { groupId: access.groupId }] } },
  });
  if (!ct) throw notFound("Call type");
  if (speciesId && ct.speciesId !== speciesId)
    throw badRequest(`Call type "${ct.shortName}" belongs to another species than this run's recordings`);
  return ct;
}

export async function setMapping(
  { db }: DbContext,
  access: GroupAccess,
  input: { clusterId: string; callTypeId: string | null; confidence: number },
) {
  const c = await findClusterInGroup({ db }, access, input.clusterId);
  const speciesId = (c.run.scope as unknown as StoredScope | null)?.speciesId ?? null;
  if (input.callTypeId) await checkCallType({ db }, access, input.callTypeId, speciesId);
  await inTransaction(db, async (tx) => {
    await tx.clusterCallMapping.deleteMany({ where: { clusterId: c.id } });
    if (input.callTypeId) {
      const m = await tx.clusterCallMapping.create({
        data: { clusterId: c.id, callTypeId: input.callTypeId, confidence: input.confidence },
      });
      await tx.$executeRaw`UPDATE "ClusterCallMapping" SET confidence = ${float8Text(input.confidence)}::float8 WHERE id = ${m.id}`;
    }
  });
  return { ok: true as const };
}

export async function listMappings({ db }: DbContext, access: GroupAccess, runId: string) {
  await findRunInGroup({ db }, access, runId);
  const rows = await db.clusterCallMapping.findMany({
    where: { cluster: { runId } },
    include: { cluster: { select: { index: true, label: true } }, callType: { select: { shortName: true } } },
    orderBy: [{ cluster: { index: "asc" } }],
  });
  return rows.map((m) => ({
    clusterId: m.clusterId,
    clusterIndex: m.cluster.index,
    clusterLabel: m.cluster.label,
    callTypeId: m.callTypeId,
    shortName: m.callType.shortName,
    confidence: m.confidence,
  }));
}

export async function applyMapping(
  { db }: DbContext,
  access: GroupAccess,
  input: {
    runId: string;
    clusterIds?: string[] | undefined;
    overwrite: boolean;
    minConfidence?: number | undefined;
  },
) {
  const run = await findRunInGroup({ db }, access, input.runId);
  if (run.status !== "completed")
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The run is ${run.status}; only a completed run's mapping can be applied`,
    );
  const mapped = await db.clusterCallMapping.count({ where: { cluster: { runId: run.id } } });
  if (mapped === 0) throw badRequest("No cluster of this run is mapped to a call type yet");
  const updated = await inTransaction(
    db,
    async (tx) => {
      // the mapped call types' species held against a merge/rename/split until the labels are written
      const species = await tx.callType.findMany({
        where: { clusterMappings: { some: { cluster: { runId: run.id } } } },
        select: { speciesId: true },
      });
      await lockSpeciesForLabels(
        tx,
        species.map((c) => c.speciesId),
      );
      return tx.$executeRaw`
        UPDATE "Segment" s SET label = mm.label, "updatedAt" = now()
        FROM (${mappedMembersSql(run.id, input.clusterIds, input.minConfidence)}) mm
        WHERE s.id = mm."segmentId"
          AND (${input.overwrite} OR s.label IS NULL OR s.label = '')
          AND s.label IS DISTINCT FROM mm.label`;
    },
    { timeout: 120_000 },
  );
  return { updated };
}

/**
 * A task batch of the mapped members, each with the mapped call type as its prediction: made by the
 * one batch creation of packages/core/src/tasks (name checks, uniqueness, inline or job-built pages,
 * progress), with the run's mapping as its source.
 */
export async function batchFromMapping(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  input: { runId: string; name: string; clusterIds?: string[] | undefined },
  options: CreateBatchOptions = {},
) {
  const run = await findRunInGroup({ db }, access, input.runId);
  const source = {
    kind: "clustering" as const,
    runId: run.id,
    ...(input.clusterIds && input.clusterIds.length > 0 ? { clusterIds: input.clusterIds } : {}),
  };
  const preview = await createBatchPreview({ db }, access, { source });
  const created = await createBatch(
    { db, boss },
    access,
    {
      name: input.name,
      description: `Review of the cluster → call type mapping of clustering run "${run.name}"`,
      source,
      orderMode: "onset",
    },
    options,
  );
  return { ...created, tasks: preview.tasks };
}
