// Cluster → call type mapping: one call type per cluster with a confidence, applied as labels on
// the member segments (Segment.label, where labels live today), or turned into a task batch so a
// person reviews the proposed labels first.
import { Prisma } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, conflict, DomainError, isUniqueViolation, notFound } from "../access/errors.ts";
import { float8Text } from "../access/exact-float.ts";
import { findClusterInGroup } from "./explore.ts";
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

/** The mapped members of a run (optionally only some clusters): (segment, label, confidence) rows,
 * read the same way by the label update and the batch builder. */
function mappedMembersSql(
  runId: string,
  clusterIds: string[] | undefined,
  minConfidence: number | undefined,
) {
  const only = clusterIds && clusterIds.length > 0 ? clusterIds : null;
  const min = minConfidence ?? null;
  return Prisma.sql`
    SELECT sc."segmentId", ct."shortName" AS label, m.confidence * COALESCE(sc.confidence, 1) AS confidence
    FROM "ClusterCallMapping" m
    JOIN "Cluster" cl ON cl.id = m."clusterId"
    JOIN "CallType" ct ON ct.id = m."callTypeId"
    JOIN "SegmentCluster" sc ON sc."clusterId" = cl.id
    WHERE cl."runId" = ${runId}
      AND (${only}::text[] IS NULL OR cl.id = ANY(${only}::text[]))
      AND (${min}::float8 IS NULL OR COALESCE(sc.confidence, 0) >= ${min}::float8)`;
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
  const updated = await db.$executeRaw`
    UPDATE "Segment" s SET label = mm.label, "updatedAt" = now()
    FROM (${mappedMembersSql(run.id, input.clusterIds, input.minConfidence)}) mm
    WHERE s.id = mm."segmentId"
      AND (${input.overwrite} OR s.label IS NULL OR s.label = '')
      AND s.label IS DISTINCT FROM mm.label`;
  return { updated };
}

/** A task batch of the mapped members, each with the mapped call type as its prediction. */
export async function batchFromMapping(
  { db }: DbContext,
  access: GroupAccess,
  input: { runId: string; name: string; clusterIds?: string[] | undefined },
) {
  const run = await findRunInGroup({ db }, access, input.runId);
  if (run.status !== "completed")
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The run is ${run.status}; only a completed run's mapping can be reviewed`,
    );
  const scope = run.scope as unknown as StoredScope | null;
  try {
    return await inTransaction(
      db,
      async (tx) => {
        const batch = await tx.taskBatch.create({
          data: {
            groupId: access.groupId,
            name: input.name,
            description: `Review of the cluster → call type mapping of clustering run "${run.name}"`,
            projectId: run.projectId,
            speciesId: scope?.speciesId ?? null,
            status: "ready",
            progress: 1,
            orderMode: "onset",
            // no segmentation/run pairs: readers of TaskBatch.source treat it as Partial<StoredSource>
            source: {
              request: { kind: "clustering", runId: run.id, clusterIds: input.clusterIds ?? null },
              pairs: [],
              confidenceThreshold: null,
              orderMode: "onset",
            } as Prisma.InputJsonValue,
            createdById: access.userId,
          },
        });
        const tasks = await tx.$executeRaw`
          INSERT INTO "Task" (id, "groupId", "batchId", "recordingId", "segmentId", "speciesId", position,
            onset, "offset", "predictedLabel", confidence, "updatedAt")
          SELECT gen_random_uuid()::text, ${access.groupId}, ${batch.id}, sg."recordingId", s.id, rec."speciesId",
            (row_number() OVER (ORDER BY rec.name, rec.id, s.onset, s.id))::int, s.onset, s."offset",
            mm.label, mm.confidence, now()
          FROM (${mappedMembersSql(run.id, input.clusterIds, undefined)}) mm
          JOIN "Segment" s ON s.id = mm."segmentId"
          JOIN "Segmentation" sg ON sg.id = s."segmentationId"
          JOIN "Recording" rec ON rec.id = sg."recordingId"`;
        if (tasks === 0) throw badRequest("No mapped cluster has calls: map a cluster to a call type first");
        return { batchId: batch.id, tasks };
      },
      { timeout: 120_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`A batch named "${input.name}" already exists`);
    throw err;
  }
}
