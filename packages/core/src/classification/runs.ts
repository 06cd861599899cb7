// Classification runs as the API sees them: start (one segmentation × one classifier), list, read,
// results, cancel/retry/delete, apply labels, classify everything unclassified. Every query is
// scoped to the caller's group; another group's runs are NOT_FOUND.
import type { Db, DbTransaction, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { cancelJob } from "../jobs/enqueue.ts";
import { createQueuedJob, dispatchQueuedRuns, jobOfRun } from "./queue.ts";
import {
  type TClassifyUnclassifiedRequest,
  type TListResultsRequest,
  type TListRunsRequest,
  type TRunSummary,
  ZApplyLabelsRequest,
  ZClassifyUnclassifiedRequest,
  ZListResultsRequest,
  ZListRunsRequest,
} from "./schemas.ts";
import { methodsText } from "./stamp.ts";

const precondition = (m: string) => new DomainError("PRECONDITION_FAILED", m);

const RUN_INCLUDE = {
  recording: {
    select: {
      id: true,
      name: true,
      sampleRate: true,
      channels: true,
      duration: true,
      speciesId: true,
      project: { select: { id: true, name: true } },
      species: { select: { id: true, name: true } },
    },
  },
  classifier: { select: { id: true, name: true, type: true } },
} as const;

type RunRow = Prisma.ClassificationRunGetPayload<{ include: typeof RUN_INCLUDE }>;

async function jobIdsOf({ db }: DbContext, runIds: string[]): Promise<Map<string, string>> {
  const rows = await db.job.findMany({
    where: { subjectType: "classificationRun", subjectId: { in: runIds } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, subjectId: true },
  });
  // ascending, so the newest job of each run wins
  return new Map(rows.map((r) => [r.subjectId as string, r.id]));
}

function summary(r: RunRow, jobId: string | null): TRunSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    progress: r.progress,
    processedCount: r.processedCount,
    totalCount: r.totalCount,
    waitingReason: r.waitingReason,
    error: r.error,
    isDummy: r.isDummy,
    recording: { id: r.recording.id, name: r.recording.name },
    project: r.recording.project,
    species: r.recording.species,
    classifier: r.classifier,
    segmentationId: r.segmentationId,
    jobId,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export async function findRunInGroup({ db }: DbContext, access: GroupAccess, runId: string): Promise<RunRow> {
  const run = await db.classificationRun.findFirst({
    where: { id: runId, groupId: access.groupId },
    include: RUN_INCLUDE,
  });
  if (!run) throw notFound("Classification run");
  return run;
}

export async function listRuns({ db }: DbContext, access: GroupAccess, raw: TListRunsRequest = {}) {
  const input = ZListRunsRequest.parse(raw);
  const where: Prisma.ClassificationRunWhereInput = {
    groupId: access.groupId,
    ...(input.recordingId ? { recordingId: input.recordingId } : {}),
    ...(input.classifierId ? { classifierId: input.classifierId } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.projectId || input.speciesId
      ? {
          recording: {
            ...(input.projectId ? { projectId: input.projectId } : {}),
            ...(input.speciesId ? { speciesId: input.speciesId } : {}),
          },
        }
      : {}),
  };
  let page: Prisma.ClassificationRunWhereInput = {};
  if (input.cursor) {
    const after = await db.classificationRun.findFirst({
      where: { id: input.cursor, groupId: access.groupId },
      select: { createdAt: true, id: true },
    });
    if (!after) throw new DomainError("BAD_REQUEST", "Unknown cursor");
    page = {
      OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
    };
  }
  const rows = await db.classificationRun.findMany({
    where: { AND: [where, page] },
    include: RUN_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const jobs = await jobIdsOf(
    { db },
    items.map((r) => r.id),
  );
  return {
    items: items.map((r) => summary(r, jobs.get(r.id) ?? null)),
    nextCursor: rows.length > input.limit ? (items[items.length - 1]?.id ?? null) : null,
  };
}

export async function getRun({ db }: DbContext, access: GroupAccess, runId: string) {
  const run = await findRunInGroup({ db }, access, runId);
  const jobs = await jobIdsOf({ db }, [run.id]);
  const callTypes = run.recording.speciesId
    ? await db.callType.findMany({
        where: { speciesId: run.recording.speciesId },
        select: { id: true, shortName: true, longName: true },
        orderBy: { shortName: "asc" },
      })
    : [];
  const bins = await db.$queryRaw<{ b: number; n: number }[]>`
    SELECT LEAST(floor(confidence * 20), 19)::int AS b, count(*)::int AS n
    FROM "ClassificationResult" WHERE "runId" = ${run.id} AND confidence IS NOT NULL GROUP BY 1`;
  const counts = Array.from({ length: 20 }, () => 0);
  for (const { b, n } of bins) counts[Math.max(0, b)] = (counts[Math.max(0, b)] ?? 0) + n;
  const labels = await db.classificationResult.groupBy({
    by: ["predictedLabel"],
    where: { runId: run.id },
    _count: { _all: true },
  });
  return {
    ...summary(run, jobs.get(run.id) ?? null),
    recording: {
      id: run.recording.id,
      name: run.recording.name,
      sampleRate: run.recording.sampleRate,
      channels: run.recording.channels,
      duration: run.recording.duration,
    },
    callTypes,
    parameters: run.parameters,
    stamp: run.stamp ?? null,
    methodsText: methodsText(run.stamp),
    confidenceHistogram: { binEdges: Array.from({ length: 21 }, (_, i) => i / 20), counts },
    labelCounts: labels
      .map((l) => ({ label: l.predictedLabel, count: l._count._all }))
      .sort((a, b) => b.count - a.count),
  };
}

export async function listResults({ db }: DbContext, access: GroupAccess, raw: TListResultsRequest) {
  const input = ZListResultsRequest.parse(raw);
  const run = await findRunInGroup({ db }, access, input.runId);
  const where: Prisma.ClassificationResultWhereInput = {
    runId: run.id,
    ...(input.callType ? { predictedLabel: input.callType } : {}),
    ...(input.minConfidence !== undefined || input.maxConfidence !== undefined
      ? {
          confidence: {
            ...(input.minConfidence !== undefined ? { gte: input.minConfidence } : {}),
            ...(input.maxConfidence !== undefined ? { lte: input.maxConfidence } : {}),
          },
        }
      : {}),
  };
  const orderBy: Prisma.ClassificationResultOrderByWithRelationInput[] =
    input.order === "onset"
      ? [{ segment: { onset: "asc" } }, { id: "asc" }]
      : [
          { confidence: { sort: input.order === "confidence_asc" ? "asc" : "desc", nulls: "last" } },
          { id: "asc" },
        ];
  const skip = input.cursor ? Number(input.cursor) : 0;
  const [total, rows] = await Promise.all([
    db.classificationResult.count({ where }),
    db.classificationResult.findMany({
      where,
      orderBy,
      skip,
      take: input.limit,
      include: {
        segment: { select: { onset: true, offset: true, lowFreq: true, highFreq: true } },
        probabilities: { select: { probability: true, callType: { select: { shortName: true } } } },
      },
    }),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      segmentId: r.segmentId,
      onset: r.segment.onset,
      offset: r.segment.offset,
      lowFreq: r.segment.lowFreq,
      highFreq: r.segment.highFreq,
      predictedLabel: r.predictedLabel,
      confidence: r.confidence,
      probabilities: r.probabilities
        .map((p) => ({ callType: p.callType.shortName, probability: p.probability }))
        .sort((a, b) => b.probability - a.probability || a.callType.localeCompare(b.callType)),
    })),
    nextCursor: skip + rows.length < total ? String(skip + rows.length) : null,
    total,
  };
}

interface ResolvedClassifier {
  classifier: { id: string; name: string; type: string } | null;
  isDummy: boolean;
}

function balancedAccuracy(metrics: unknown): number {
  const m = metrics as { balancedAccuracy?: unknown } | null;
  return typeof m?.balancedAccuracy === "number" ? m.balancedAccuracy : -1;
}

/** The chosen classifier (must fit the species), else the species' best trained one, else dummy. */
/**
 * The species whose classifiers may classify this one's calls: itself and, for a group's own copy
 * of a species (every group starts with one), the system species of the same scientific name, whose
 * global default classifiers (`initialize-defaults --features`) would otherwise never apply to a
 * group's recordings. Call types are matched by short name, which the copies share.
 */
async function speciesServedBy({ db }: DbContext, speciesId: string): Promise<string[]> {
  const species = await db.species.findUnique({
    where: { id: speciesId },
    select: { name: true, groupId: true },
  });
  if (!species || species.groupId === null) return [speciesId];
  const system = await db.species.findMany({
    where: { groupId: null, name: { equals: species.name, mode: "insensitive" } },
    select: { id: true },
  });
  return [speciesId, ...system.map((s) => s.id)];
}

async function resolveClassifier(
  { db }: DbContext,
  access: GroupAccess,
  speciesId: string,
  classifierId: string | undefined,
): Promise<ResolvedClassifier> {
  const visible = { OR: [{ groupId: null }, { groupId: access.groupId }] };
  const speciesIds = await speciesServedBy({ db }, speciesId);
  if (classifierId) {
    const c = await db.classifier.findFirst({ where: { id: classifierId, ...visible } });
    if (!c) throw notFound("Classifier");
    if (c.type === "dummy") return { classifier: c, isDummy: true };
    if (!c.speciesId || !speciesIds.includes(c.speciesId))
      throw new DomainError(
        "BAD_REQUEST",
        `Classifier "${c.name}" was trained for another species than this recording's`,
      );
    if (!c.isActive) throw new DomainError("BAD_REQUEST", `Classifier "${c.name}" is not active`);
    if (!c.modelPath) throw new DomainError("BAD_REQUEST", `Classifier "${c.name}" has no trained model yet`);
    return { classifier: c, isDummy: false };
  }
  const trained = await db.classifier.findMany({
    where: {
      ...visible,
      speciesId: { in: speciesIds },
      isActive: true,
      type: { not: "dummy" },
      modelPath: { not: null },
    },
  });
  trained.sort(
    (a, b) =>
      balancedAccuracy(b.metrics) - balancedAccuracy(a.metrics) ||
      Number(b.groupId !== null) - Number(a.groupId !== null) ||
      b.createdAt.getTime() - a.createdAt.getTime(),
  );
  if (trained[0]) return { classifier: trained[0], isDummy: false };
  const dummy = await db.classifier.findFirst({
    where: { ...visible, type: "dummy", isActive: true, OR: [{ speciesId }, { speciesId: null }] },
    orderBy: [{ speciesId: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
  });
  return { classifier: dummy, isDummy: true };
}

export interface StartRunOptions {
  userId?: string | null;
  /** Segments per page (tests use small pages); default the worker's. */
  batchSize?: number;
}

const ZBatchSize = z.number().int().min(1).max(5000);

async function createRun(
  tx: DbTransaction,
  access: GroupAccess,
  seg: { id: string; name: string; recording: { id: string; name: string } },
  resolved: ResolvedClassifier,
  segments: number,
  options: StartRunOptions,
): Promise<string> {
  const classifierName = resolved.classifier?.name ?? "Dummy classifier";
  const run = await tx.classificationRun.create({
    data: {
      groupId: access.groupId,
      recordingId: seg.recording.id,
      segmentationId: seg.id,
      classifierId: resolved.classifier?.id ?? null,
      name: `${seg.recording.name} · ${classifierName}`,
      isDummy: resolved.isDummy,
      totalCount: segments,
      createdById: options.userId ?? null,
      parameters: {
        classifierType: resolved.isDummy ? "dummy" : (resolved.classifier?.type ?? "dummy"),
        ...(options.batchSize !== undefined ? { batchSize: ZBatchSize.parse(options.batchSize) } : {}),
      },
    },
  });
  await createQueuedJob(tx, run);
  return run.id;
}

async function checkSegmentation({ db }: DbContext, access: GroupAccess, segmentationId: string) {
  const seg = await db.segmentation.findFirst({
    where: { id: segmentationId, groupId: access.groupId },
    include: { recording: { select: { id: true, name: true, speciesId: true } } },
  });
  if (!seg) throw notFound("Segmentation");
  if (seg.status !== "completed")
    throw precondition(`The segmentation is ${seg.status}; only a completed segmentation can be classified`);
  if (!seg.recording.speciesId)
    throw precondition("The recording has no species: set it first, so its call types are known");
  const types = await db.callType.count({ where: { speciesId: seg.recording.speciesId } });
  if (types === 0) throw precondition("The recording's species has no call types to classify into");
  return { ...seg, speciesId: seg.recording.speciesId };
}

/** Queues a run; it starts as soon as the classifier service is free (see queue.ts). */
export async function startRun(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  input: { segmentationId: string; classifierId?: string | undefined },
  options: StartRunOptions = {},
): Promise<{ runId: string }> {
  const seg = await checkSegmentation({ db }, access, input.segmentationId);
  const resolved = await resolveClassifier({ db }, access, seg.speciesId, input.classifierId);
  const segments = await db.segment.count({ where: { segmentationId: seg.id } });
  if (segments === 0) throw precondition("The segmentation has no segments to classify");
  const runId = await inTransaction(db, (tx) => createRun(tx, access, seg, resolved, segments, options));
  await dispatchQueuedRuns({ db, boss });
  return { runId };
}

async function unclassifiedSegmentations(
  { db }: DbContext,
  access: GroupAccess,
  raw: TClassifyUnclassifiedRequest,
) {
  const input = ZClassifyUnclassifiedRequest.parse(raw);
  if (input.projectId) await findProjectInGroup({ db }, access, input.projectId);
  if (input.speciesId) await findSpeciesForRead({ db }, access, input.speciesId);
  let speciesId = input.speciesId;
  if (input.classifierId) {
    const c = await db.classifier.findFirst({
      where: { id: input.classifierId, OR: [{ groupId: null }, { groupId: access.groupId }] },
    });
    if (!c) throw notFound("Classifier");
    if (c.speciesId) {
      if (speciesId && speciesId !== c.speciesId)
        throw new DomainError("BAD_REQUEST", `Classifier "${c.name}" was trained for another species`);
      speciesId = c.speciesId;
    }
  }
  const rows = await db.segmentation.findMany({
    where: {
      groupId: access.groupId,
      isActive: true,
      status: "completed",
      segments: { some: {} },
      recording: {
        ...(input.projectId ? { projectId: input.projectId } : {}),
        speciesId: speciesId ? speciesId : { not: null },
        species: { callTypes: { some: {} } },
      },
      classificationRuns: { none: { status: { in: ["pending", "running", "completed"] } } },
    },
    include: { recording: { select: { id: true, name: true, speciesId: true } } },
    orderBy: { createdAt: "asc" },
    take: 2000,
  });
  return { input, rows };
}

export async function classifyUnclassifiedPreview(
  { db }: DbContext,
  access: GroupAccess,
  raw: TClassifyUnclassifiedRequest,
) {
  const { rows } = await unclassifiedSegmentations({ db }, access, raw);
  const segments = rows.length
    ? await db.segment.count({ where: { segmentationId: { in: rows.map((r) => r.id) } } })
    : 0;
  return { recordings: new Set(rows.map((r) => r.recordingId)).size, segmentations: rows.length, segments };
}

export async function classifyUnclassified(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  raw: TClassifyUnclassifiedRequest,
  options: StartRunOptions = {},
) {
  const { input, rows } = await unclassifiedSegmentations({ db }, access, raw);
  const runIds: string[] = [];
  for (const seg of rows) {
    const resolved = await resolveClassifier(
      { db },
      access,
      seg.recording.speciesId as string,
      input.classifierId,
    );
    const segments = await db.segment.count({ where: { segmentationId: seg.id } });
    runIds.push(await inTransaction(db, (tx) => createRun(tx, access, seg, resolved, segments, options)));
  }
  if (runIds.length > 0) await dispatchQueuedRuns({ db, boss });
  return { created: runIds.length, runIds };
}

/** pending/running → cancelled; a running handler stops before its next page. */
export async function cancelRun(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  runId: string,
) {
  const run = await findRunInGroup({ db }, access, runId);
  if (run.status !== "pending" && run.status !== "running")
    throw precondition(`Only queued or running runs can be cancelled (this one is ${run.status})`);
  await db.classificationRun.updateMany({
    where: { id: run.id, status: { in: ["pending", "running"] } },
    data: { status: "cancelled", waitingReason: null, nextAttemptAt: null, finishedAt: new Date() },
  });
  const job = await jobOfRun({ db }, run.id);
  if (job && (job.status === "queued" || job.status === "running")) await cancelJob({ db, boss }, job.id);
  await dispatchQueuedRuns({ db, boss });
  return { ok: true as const };
}

/** failed/cancelled → queued again; it resumes after the results already stored. */
export async function retryRun(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  runId: string,
) {
  const run = await findRunInGroup({ db }, access, runId);
  if (run.status !== "failed" && run.status !== "cancelled")
    throw precondition(`Only failed or cancelled runs can be retried (this one is ${run.status})`);
  await inTransaction(db, async (tx) => {
    const { count } = await tx.classificationRun.updateMany({
      where: { id: run.id, status: { in: ["failed", "cancelled"] } },
      data: { status: "pending", error: null, waitingReason: null, nextAttemptAt: null, finishedAt: null },
    });
    if (count === 0) throw new DomainError("CONFLICT", "The run changed while it was being retried");
    const job = await jobOfRun({ db: tx }, run.id);
    if (job && (job.status === "failed" || job.status === "cancelled")) {
      await tx.job.update({
        where: { id: job.id },
        data: {
          status: "queued",
          progress: run.progress,
          message: "Waiting in the classification queue",
          error: null,
          bossJobId: null,
          startedAt: null,
          finishedAt: null,
        },
      });
    } else if (!job || job.status === "completed") {
      await createQueuedJob(tx, run);
    }
  });
  await dispatchQueuedRuns({ db, boss });
  return { ok: true as const };
}

export async function deleteRun(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  runId: string,
) {
  const run = await findRunInGroup({ db }, access, runId);
  if (run.status === "pending" || run.status === "running") await cancelRun({ db, boss }, access, run.id);
  await db.classificationRun.deleteMany({ where: { id: run.id, groupId: access.groupId } });
  return { ok: true as const };
}

/**
 * Writes the run's predicted call types into Segment.label (only where the segment has no label,
 * unless overwrite), for results at or above minConfidence. Bumps the segmentation's version so
 * open editors reload instead of overwriting the new labels.
 */
export async function applyLabels(
  { db }: DbContext,
  access: GroupAccess,
  raw: z.input<typeof ZApplyLabelsRequest>,
) {
  const input = ZApplyLabelsRequest.parse(raw);
  const run = await findRunInGroup({ db }, access, input.runId);
  if (run.isDummy)
    throw precondition("A dummy run's results are not predictions; train a classifier to label calls");
  if (run.status !== "completed")
    throw precondition(`The run is ${run.status}; labels can be applied once it has completed`);
  if (!run.segmentationId) throw precondition("The segmentation of this run was deleted");
  const min = input.minConfidence ?? 0;
  return inTransaction(db, async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE "Segment" s SET label = r."predictedLabel", "updatedAt" = now()
      FROM "ClassificationResult" r
      WHERE r."runId" = ${run.id} AND r."segmentId" = s.id AND r."predictedLabel" IS NOT NULL
        AND r.confidence >= ${min}::float8
        AND (${input.overwrite}::boolean OR s.label IS NULL OR s.label = '')
        AND s.label IS DISTINCT FROM r."predictedLabel"`;
    if (updated > 0)
      await tx.segmentation.update({
        where: { id: run.segmentationId as string },
        data: { version: { increment: 1 } },
      });
    return { updated };
  });
}

/** Jobs page: a run's Job row is cancelled/retried through the run, so both stay in step. */
export async function cancelRunOfJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  runId: string,
) {
  const run = await db.classificationRun.findFirst({ where: { id: runId, groupId: access.groupId } });
  if (run && (run.status === "pending" || run.status === "running"))
    return cancelRun({ db, boss }, access, run.id);
  return null;
}

export async function retryRunOfJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  runId: string,
) {
  const run = await db.classificationRun.findFirst({ where: { id: runId, groupId: access.groupId } });
  if (run && (run.status === "failed" || run.status === "cancelled"))
    return retryRun({ db, boss }, access, run.id);
  return null;
}
