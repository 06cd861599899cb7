// Task batches: what a batch is built from (a run, a segmentation, or every active segmentation of a
// scope with its latest completed run), the candidate calls (threshold, order), creation inline or
// through the `tasks.create-batch` job, listing, reading and deleting. Every query is scoped to the
// caller's group; another group's rows are NOT_FOUND.
import { type Db, type DbOrTx, type DbTransaction, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, conflict, DomainError, isUniqueViolation, notFound } from "../access/errors.ts";
import { float8Text } from "../access/exact-float.ts";
import { mappedMembersSql } from "../clustering/members-sql.ts";
import { cancelJob, enqueueJob } from "../jobs/enqueue.ts";
import type { JobHandler } from "../jobs/handler.ts";
import { speciesImageUrl } from "../species/species.ts";
import { lockSpeciesForLabels } from "../taxonomy/labels.ts";
import {
  type TBatchSource,
  type TBatchSummary,
  type TCreateBatchPreviewRequest,
  type TCreateBatchRequest,
  type TListBatchesRequest,
  type TOrderMode,
  ZCreateBatchPreviewRequest,
  ZCreateBatchRequest,
  ZListBatchesRequest,
} from "./schemas.ts";

export const CREATE_BATCH_QUEUE = "tasks.create-batch";
export const BATCH_SUBJECT = "taskBatch";
/** Batches with more tasks than this are built by the background job. */
export const INLINE_TASK_LIMIT = 2000;
export const DEFAULT_PAGE_SIZE = 1000;

const precondition = (m: string) => new DomainError("PRECONDITION_FAILED", m);

/** One segmentation and the run whose predictions its tasks carry (null: no completed run). */
export interface SourcePair {
  segmentationId: string;
  runId: string | null;
}

/** A clustering run's mapped members (a batch made from a cluster → call type mapping). */
export interface ClusteringSource {
  runId: string;
  clusterIds: string[] | null;
}

/** What is stored in TaskBatch.source: the request plus what the job builds from (pairs or a mapping). */
export interface StoredSource {
  request: TBatchSource;
  pairs: SourcePair[];
  clustering?: ClusteringSource | undefined;
  confidenceThreshold: number | null;
  orderMode: TOrderMode;
}

/** Where a batch's candidates come from. */
type CandidateSource = Pick<StoredSource, "pairs" | "clustering">;

interface Resolved extends CandidateSource {
  projectId: string | null;
  speciesId: string | null;
}

async function latestCompletedRuns(
  { db }: DbContext,
  segmentationIds: string[],
): Promise<Map<string, string>> {
  if (segmentationIds.length === 0) return new Map();
  const runs = await db.classificationRun.findMany({
    where: { segmentationId: { in: segmentationIds }, status: "completed" },
    orderBy: [{ finishedAt: { sort: "asc", nulls: "first" } }, { createdAt: "asc" }, { id: "asc" }],
    select: { id: true, segmentationId: true },
  });
  // ascending, so the newest run of each segmentation wins
  return new Map(runs.map((r) => [r.segmentationId as string, r.id]));
}

async function resolveSource(
  { db }: DbContext,
  access: GroupAccess,
  source: TBatchSource,
): Promise<Resolved> {
  if (source.kind === "run") {
    const run = await db.classificationRun.findFirst({
      where: { id: source.runId, groupId: access.groupId },
      include: { recording: { select: { projectId: true, speciesId: true } } },
    });
    if (!run) throw notFound("Classification run");
    if (run.status !== "completed")
      throw precondition(`The run is ${run.status}; tasks can be made from a completed run`);
    if (!run.segmentationId) throw precondition("The segmentation of this run was deleted");
    return {
      pairs: [{ segmentationId: run.segmentationId, runId: run.id }],
      projectId: run.recording.projectId,
      speciesId: run.recording.speciesId,
    };
  }
  if (source.kind === "clustering") return resolveClustering({ db }, access, source);
  if (source.kind === "segmentation") {
    const seg = await db.segmentation.findFirst({
      where: { id: source.segmentationId, groupId: access.groupId },
      include: { recording: { select: { projectId: true, speciesId: true } } },
    });
    if (!seg) throw notFound("Segmentation");
    if (seg.status !== "completed")
      throw precondition(`The segmentation is ${seg.status}; tasks can be made from a completed one`);
    const runs = await latestCompletedRuns({ db }, [seg.id]);
    return {
      pairs: [{ segmentationId: seg.id, runId: runs.get(seg.id) ?? null }],
      projectId: seg.recording.projectId,
      speciesId: seg.recording.speciesId,
    };
  }
  if (source.projectId) await findProjectInGroup({ db }, access, source.projectId);
  if (source.speciesId) await findSpeciesForRead({ db }, access, source.speciesId);
  if (source.recordingId) {
    const rec = await db.recording.findFirst({ where: { id: source.recordingId, groupId: access.groupId } });
    if (!rec) throw notFound("Recording");
  }
  const segs = await db.segmentation.findMany({
    where: {
      groupId: access.groupId,
      isActive: true,
      status: "completed",
      ...(source.recordingId ? { recordingId: source.recordingId } : {}),
      recording: {
        ...(source.projectId ? { projectId: source.projectId } : {}),
        ...(source.speciesId ? { speciesId: source.speciesId } : {}),
      },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, recording: { select: { projectId: true, speciesId: true } } },
  });
  const runs = await latestCompletedRuns(
    { db },
    segs.map((s) => s.id),
  );
  const single = (values: (string | null)[]) => {
    const set = new Set(values);
    return set.size === 1 ? ([...set][0] ?? null) : null;
  };
  return {
    pairs: segs.map((s) => ({ segmentationId: s.id, runId: runs.get(s.id) ?? null })),
    projectId: source.projectId ?? single(segs.map((s) => s.recording.projectId)),
    speciesId: source.speciesId ?? single(segs.map((s) => s.recording.speciesId)),
  };
}

async function resolveClustering(
  { db }: DbContext,
  access: GroupAccess,
  source: Extract<TBatchSource, { kind: "clustering" }>,
): Promise<Resolved> {
  const run = await db.clusteringRun.findFirst({ where: { id: source.runId, groupId: access.groupId } });
  if (!run) throw notFound("Clustering run");
  if (run.status !== "completed")
    throw precondition(`The run is ${run.status}; only a completed run's mapping can be reviewed`);
  const clusterIds = source.clusterIds ?? null;
  if (clusterIds) {
    const found = await db.cluster.count({ where: { id: { in: clusterIds }, runId: run.id } });
    if (found !== new Set(clusterIds).size) throw notFound("Cluster");
  }
  const mapped = await db.clusterCallMapping.count({
    where: { cluster: { runId: run.id, ...(clusterIds ? { id: { in: clusterIds } } : {}) } },
  });
  if (mapped === 0) throw badRequest("No cluster of this run is mapped to a call type yet");
  const scope = run.scope as { speciesId?: string | null } | null;
  return {
    pairs: [],
    clustering: { runId: run.id, clusterIds },
    projectId: run.projectId,
    speciesId: scope?.speciesId ?? null,
  };
}

// Least certain first: calls without a prediction (too short to measure) are the least known.
const ORDER_SQL: Record<TOrderMode, Prisma.Sql> = {
  onset: Prisma.sql`rec.name, rec.id, s.onset, s.id`,
  confidence: Prisma.sql`r.confidence ASC NULLS FIRST, rec.name, rec.id, s.onset, s.id`,
  entropy: Prisma.sql`ent.entropy DESC NULLS FIRST, rec.name, rec.id, s.onset, s.id`,
};

/**
 * The batch's calls with their rank (rn, from 1). Entropy is Shannon's in nats over the stored
 * probabilities. Calls without a prediction pass any threshold: nothing says they are certain.
 * Times are copied column to column inside PostgreSQL, so they stay the exact doubles.
 */
function candidatesSql(src: CandidateSource, threshold: number | null, order: TOrderMode): Prisma.Sql {
  if (src.clustering) return mappedCandidatesSql(src.clustering, threshold, order);
  const { pairs } = src;
  const segIds = pairs.map((p) => p.segmentationId);
  const runIds = pairs.map((p) => p.runId);
  const t = float8Text(threshold);
  return Prisma.sql`
    SELECT s.id AS "segmentId", sg."recordingId", rec."speciesId", r.id AS "resultId",
           r."predictedLabel", r.confidence, ent.entropy, s.onset, s."offset",
           row_number() OVER (ORDER BY ${ORDER_SQL[order]}) AS rn
    FROM unnest(${segIds}::text[], ${runIds}::text[]) AS src(seg_id, run_id)
    JOIN "Segmentation" sg ON sg.id = src.seg_id
    JOIN "Recording" rec ON rec.id = sg."recordingId"
    JOIN "Segment" s ON s."segmentationId" = sg.id
    LEFT JOIN "ClassificationResult" r ON r."runId" = src.run_id AND r."segmentId" = s.id
    LEFT JOIN LATERAL (
      SELECT sum(CASE WHEN p.probability > 0 THEN -p.probability * ln(p.probability) ELSE 0 END)::float8 AS entropy
      FROM "CallProbability" p WHERE p."resultId" = r.id
    ) ent ON true
    WHERE (${t}::float8 IS NULL OR r.confidence IS NULL OR r.confidence <= ${t}::float8)`;
}

/**
 * A mapping's candidates, in the same columns: the prediction is the mapped call type, the confidence
 * the mapping's times the member's (aliased r and ent, so the orders above apply unchanged).
 */
function mappedCandidatesSql(src: ClusteringSource, threshold: number | null, order: TOrderMode): Prisma.Sql {
  const t = float8Text(threshold);
  return Prisma.sql`
    SELECT s.id AS "segmentId", sg."recordingId", rec."speciesId", NULL::text AS "resultId",
           r.label AS "predictedLabel", r.confidence, ent.entropy, s.onset, s."offset",
           row_number() OVER (ORDER BY ${ORDER_SQL[order]}) AS rn
    FROM (${mappedMembersSql(src.runId, src.clusterIds)}) r
    JOIN "Segment" s ON s.id = r."segmentId"
    JOIN "Segmentation" sg ON sg.id = s."segmentationId"
    JOIN "Recording" rec ON rec.id = sg."recordingId"
    CROSS JOIN (SELECT NULL::float8 AS entropy) ent
    WHERE (${t}::float8 IS NULL OR r.confidence IS NULL OR r.confidence <= ${t}::float8)`;
}

async function countCandidates({ db }: DbContext, src: CandidateSource, threshold: number | null) {
  if (src.pairs.length === 0 && !src.clustering) return { tasks: 0, recordings: 0, runs: 0 };
  const [row] = await db.$queryRaw<{ tasks: number; recordings: number; runs: number }[]>`
    SELECT count(*)::int AS tasks, count(DISTINCT c."recordingId")::int AS recordings,
           (SELECT count(DISTINCT x) FROM unnest(${src.pairs.map((p) => p.runId)}::text[]) x)::int AS runs
    FROM (${candidatesSql(src, threshold, "onset")}) c`;
  return row ?? { tasks: 0, recordings: 0, runs: 0 };
}

export async function createBatchPreview(
  { db }: DbContext,
  access: GroupAccess,
  raw: TCreateBatchPreviewRequest,
) {
  const input = ZCreateBatchPreviewRequest.parse(raw);
  const resolved = await resolveSource({ db }, access, input.source);
  return countCandidates({ db }, resolved, input.confidenceThreshold ?? null);
}

export async function batchNameAvailable({ db }: DbContext, access: GroupAccess, name: string) {
  const found = await db.taskBatch.findFirst({
    where: { groupId: access.groupId, name: name.trim() },
    select: { id: true },
  });
  return { available: !found };
}

/** Inserts ranks (from, to] of the candidates as tasks; returns how many were written. */
async function insertTasks(
  tx: DbTransaction,
  batch: { id: string; groupId: string; speciesId: string | null },
  src: StoredSource,
  from: number,
  to: number,
): Promise<number> {
  // predictions are call-type names: a concurrent merge/rename/split of the species waits (or we do)
  await lockSpeciesForLabels(tx, [batch.speciesId]);
  return tx.$executeRaw`
    INSERT INTO "Task" (id, "groupId", "batchId", "recordingId", "segmentId", "speciesId",
      "classificationResultId", position, onset, "offset", "predictedLabel", confidence, entropy,
      "updatedAt")
    SELECT gen_random_uuid()::text, ${batch.groupId}, ${batch.id}, c."recordingId", c."segmentId",
      c."speciesId", c."resultId", c.rn::int, c.onset, c."offset", c."predictedLabel", c.confidence,
      c.entropy, now()
    FROM (${candidatesSql(src, src.confidenceThreshold, src.orderMode)}) c
    WHERE c.rn > ${from} AND c.rn <= ${to}`;
}

async function checkAssignees(
  { db }: DbContext,
  access: GroupAccess,
  ids: string[] | undefined,
): Promise<string[]> {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return [];
  const members = await db.membership.findMany({
    where: { groupId: access.groupId, userId: { in: unique } },
    select: { userId: true },
  });
  if (members.length !== unique.length) throw notFound("Assignee");
  return unique;
}

export interface CreateBatchOptions {
  userId?: string | null;
  /** Larger batches go through the job (tests lower it). */
  inlineLimit?: number;
}

export async function createBatch(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  raw: TCreateBatchRequest,
  options: CreateBatchOptions = {},
): Promise<{ batchId: string; jobId: string | null }> {
  const input = ZCreateBatchRequest.parse(raw);
  const assignees = await checkAssignees({ db }, access, input.assigneeIds);
  const resolved = await resolveSource({ db }, access, input.source);
  const threshold = input.confidenceThreshold ?? null;
  const { tasks } = await countCandidates({ db }, resolved, threshold);
  if (tasks === 0)
    throw badRequest(
      threshold === null
        ? "There are no calls to annotate in this selection"
        : `No call in this selection has a confidence at or below ${threshold}`,
    );
  const inline = tasks <= (options.inlineLimit ?? INLINE_TASK_LIMIT);
  if (!inline && !boss)
    throw precondition("Background jobs are not available on this server, and this batch needs one");
  const stored: StoredSource = {
    request: input.source,
    pairs: resolved.pairs,
    ...(resolved.clustering ? { clustering: resolved.clustering } : {}),
    confidenceThreshold: threshold,
    orderMode: input.orderMode,
  };
  try {
    return await inTransaction(
      db,
      async (tx) => {
        const batch = await tx.taskBatch.create({
          data: {
            groupId: access.groupId,
            name: input.name,
            description: input.description ?? "",
            projectId: resolved.projectId,
            speciesId: resolved.speciesId,
            classificationRunId: input.source.kind === "run" ? input.source.runId : null,
            status: inline ? "ready" : "creating",
            progress: inline ? 1 : 0,
            confidenceThreshold: threshold,
            orderMode: input.orderMode,
            blind: assignees.length >= 2,
            source: stored as unknown as Prisma.InputJsonValue,
            createdById: options.userId ?? access.userId,
            assignees: { create: assignees.map((userId) => ({ userId })) },
          },
        });
        if (threshold !== null)
          await tx.$executeRaw`UPDATE "TaskBatch" SET "confidenceThreshold" = ${float8Text(threshold)}::float8 WHERE id = ${batch.id}`;
        if (inline) {
          await insertTasks(tx, batch, stored, 0, tasks);
          return { batchId: batch.id, jobId: null };
        }
        const job = await enqueueJob(
          { db: tx, boss: boss as PgBoss },
          {
            type: CREATE_BATCH_QUEUE,
            payload: { batchId: batch.id },
            groupId: access.groupId,
            userId: options.userId ?? access.userId,
            subjectType: BATCH_SUBJECT,
            subjectId: batch.id,
            message: `Creating ${tasks} tasks`,
          },
        );
        return { batchId: batch.id, jobId: job.id };
      },
      { timeout: 60_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`A batch named "${input.name}" already exists`);
    throw err;
  }
}

/** Drops a batch's tasks and marks it failed, so nothing of a broken build is ever visible. */
export async function failBatch({ db }: DbContext, batchId: string, error: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.task.deleteMany({ where: { batchId } });
    await tx.taskBatch.updateMany({
      where: { id: batchId, status: { not: "ready" } },
      data: { status: "failed", error, progress: 0 },
    });
  });
}

export interface BuildOptions {
  pageSize?: number;
  /** Stop after this many pages (tests interrupt a build to check it resumes). */
  maxPages?: number;
  onPage?: (written: number, total: number) => Promise<void>;
  isCancelled?: () => Promise<boolean>;
}

/**
 * Adds a creating batch's tasks page by page, each page in one transaction with the batch's
 * progress. A retry resumes after the highest position already stored, so nothing is written twice.
 * Returns "ready" once every task exists, "stopped" when interrupted (maxPages, cancel, deleted).
 */
export async function buildBatchPages(
  { db }: DbContext,
  batchId: string,
  options: BuildOptions = {},
): Promise<"ready" | "stopped"> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const batch = await db.taskBatch.findUnique({ where: { id: batchId } });
  if (batch?.status !== "creating") return "stopped";
  const src = batch.source as unknown as StoredSource;
  const { tasks: total } = await countCandidates({ db }, src, src.confidenceThreshold);
  for (let page = 0; ; page++) {
    if (options.maxPages !== undefined && page >= options.maxPages) return "stopped";
    if (await options.isCancelled?.()) return "stopped";
    const step = await inTransaction(
      db,
      async (tx) => {
        const locked = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "TaskBatch" WHERE id = ${batchId} AND status = 'creating' FOR UPDATE`;
        if (locked.length === 0) return null;
        const agg = await tx.task.aggregate({ where: { batchId }, _max: { position: true } });
        const done = agg._max.position ?? 0;
        if (done >= total) {
          await tx.taskBatch.update({ where: { id: batchId }, data: { status: "ready", progress: 1 } });
          return { done, finished: true };
        }
        const written = await insertTasks(tx, batch, src, done, done + pageSize);
        const now = done + pageSize >= total || written === 0 ? total : done + written;
        await tx.taskBatch.update({
          where: { id: batchId },
          data: now >= total ? { status: "ready", progress: 1 } : { progress: now / total },
        });
        return { done: now, finished: now >= total };
      },
      { timeout: 120_000 },
    );
    if (!step) return "stopped";
    await options.onPage?.(step.done, total);
    if (step.finished) return "ready";
  }
}

export function createBatchHandler(options: { pageSize?: number } = {}): JobHandler<"tasks.create-batch"> {
  return async (ctx) => {
    const { batchId } = ctx.payload;
    const batch = await ctx.db.taskBatch.findUnique({ where: { id: batchId } });
    if (!batch) return { outcome: "deleted" };
    if (batch.status === "failed") {
      // a retry from the Jobs page starts over (the failed build left no tasks)
      await ctx.db.taskBatch.update({ where: { id: batchId }, data: { status: "creating", error: null } });
    }
    try {
      const outcome = await buildBatchPages(ctx, batchId, {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        isCancelled: () => ctx.isCancelled(),
        onPage: (done, total) => ctx.setProgress(total ? done / total : 1, `${done} of ${total} tasks`),
      });
      if (outcome === "stopped" && (await ctx.isCancelled())) await failBatch(ctx, batchId, "Cancelled");
      const tasks = await ctx.db.task.count({ where: { batchId } });
      return { outcome, tasks };
    } catch (err) {
      if (ctx.retriesLeft === 0) await failBatch(ctx, batchId, (err as Error)?.message ?? String(err));
      throw err;
    }
  };
}

// ─── reading ───

const BATCH_INCLUDE = {
  project: { select: { id: true, name: true } },
  species: true,
  createdBy: { select: { username: true } },
  assignees: {
    select: { userId: true, user: { select: { username: true } } },
    orderBy: { createdAt: "asc" },
  },
} as const;

type BatchRow = Prisma.TaskBatchGetPayload<{ include: typeof BATCH_INCLUDE }>;

export async function findBatchInGroup(
  { db }: DbContext,
  access: GroupAccess,
  batchId: string,
): Promise<BatchRow> {
  const batch = await db.taskBatch.findFirst({
    where: { id: batchId, groupId: access.groupId },
    include: BATCH_INCLUDE,
  });
  if (!batch) throw notFound("Task batch");
  return batch;
}

async function countsOf({ db }: DbContext, batchIds: string[]) {
  const rows = batchIds.length
    ? await db.task.groupBy({
        by: ["batchId", "status"],
        where: { batchId: { in: batchIds } },
        _count: { _all: true },
      })
    : [];
  const counts = new Map<string, { taskCount: number; doneCount: number; skippedCount: number }>();
  for (const id of batchIds) counts.set(id, { taskCount: 0, doneCount: 0, skippedCount: 0 });
  for (const r of rows) {
    const c = counts.get(r.batchId);
    if (!c) continue;
    c.taskCount += r._count._all;
    if (r.status === "done") c.doneCount += r._count._all;
    if (r.status === "skipped") c.skippedCount += r._count._all;
  }
  return counts;
}

function summaryOf(b: BatchRow, counts: { taskCount: number; doneCount: number; skippedCount: number }) {
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    progress: b.progress,
    error: b.error,
    ...counts,
    project: b.project,
    species: b.species ? { id: b.species.id, name: b.species.name } : null,
    blind: b.blind,
    assignees: b.assignees.map((a) => ({ userId: a.userId, username: a.user.username })),
    createdAt: b.createdAt,
    createdBy: b.createdBy?.username ?? null,
  } satisfies TBatchSummary;
}

const OPEN_TASK: Prisma.TaskWhereInput = { status: { in: ["pending", "in_progress"] } };

export async function listBatches({ db }: DbContext, access: GroupAccess, raw: TListBatchesRequest = {}) {
  const input = ZListBatchesRequest.parse(raw);
  const statusWhere: Prisma.TaskBatchWhereInput =
    input.status === "open"
      ? { status: "ready", tasks: { some: OPEN_TASK } }
      : input.status === "done"
        ? { status: "ready", tasks: { none: OPEN_TASK } }
        : input.status
          ? { status: input.status }
          : {};
  const where: Prisma.TaskBatchWhereInput = {
    groupId: access.groupId,
    ...(input.projectId ? { projectId: input.projectId } : {}),
    ...(input.speciesId ? { speciesId: input.speciesId } : {}),
    ...statusWhere,
  };
  let page: Prisma.TaskBatchWhereInput = {};
  if (input.cursor) {
    const after = await db.taskBatch.findFirst({
      where: { id: input.cursor, groupId: access.groupId },
      select: { createdAt: true, id: true },
    });
    if (!after) throw badRequest("Unknown cursor");
    page = {
      OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
    };
  }
  const rows = await db.taskBatch.findMany({
    where: { AND: [where, page] },
    include: BATCH_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const counts = await countsOf(
    { db },
    items.map((b) => b.id),
  );
  return {
    items: items.map((b) =>
      summaryOf(b, counts.get(b.id) ?? { taskCount: 0, doneCount: 0, skippedCount: 0 }),
    ),
    nextCursor: rows.length > input.limit ? (items[items.length - 1]?.id ?? null) : null,
  };
}

export async function getBatch({ db }: DbContext, access: GroupAccess, batchId: string) {
  const b = await findBatchInGroup({ db }, access, batchId);
  const counts = await countsOf({ db }, [b.id]);
  const callTypes = b.speciesId
    ? await db.callType.findMany({
        where: { speciesId: b.speciesId },
        select: { id: true, shortName: true, longName: true },
        orderBy: { shortName: "asc" },
      })
    : [];
  const src = b.source as unknown as Partial<StoredSource> | null;
  return {
    ...summaryOf(b, counts.get(b.id) ?? { taskCount: 0, doneCount: 0, skippedCount: 0 }),
    description: b.description,
    orderMode: (["onset", "confidence", "entropy"].includes(b.orderMode)
      ? b.orderMode
      : "onset") as TOrderMode,
    confidenceThreshold: b.confidenceThreshold,
    callTypes,
    species: b.species
      ? {
          id: b.species.id,
          name: b.species.name,
          detailPaddingMs: b.species.detailPaddingMs,
          overviewPaddingMs: b.species.overviewPaddingMs,
          imageUrl: b.species.imagePath ? speciesImageUrl(b.species.id, b.species.updatedAt) : null,
        }
      : null,
    source: src
      ? {
          ...(src.request ?? {}),
          runIds: [
            ...new Set((Array.isArray(src.pairs) ? src.pairs : []).map((p) => p.runId).filter(Boolean)),
          ],
        }
      : null,
  };
}

// ─── deleting ───

export async function deleteBatchPreview({ db }: DbContext, access: GroupAccess, batchId: string) {
  const b = await findBatchInGroup({ db }, access, batchId);
  const [tasks, labelled] = await Promise.all([
    db.task.count({ where: { batchId: b.id } }),
    db.task.count({ where: { batchId: b.id, OR: [{ label: { not: null } }, { labels: { some: {} } }] } }),
  ]);
  return { tasks, labelled };
}

export async function deleteBatch(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  batchId: string,
) {
  const b = await findBatchInGroup({ db }, access, batchId);
  if (b.status === "creating" && boss) {
    const jobs = await db.job.findMany({
      where: { subjectType: BATCH_SUBJECT, subjectId: b.id, status: { in: ["queued", "running"] } },
      select: { id: true },
    });
    for (const j of jobs) await cancelJob({ db, boss }, j.id);
  }
  await db.taskBatch.deleteMany({ where: { id: b.id, groupId: access.groupId } });
  return { ok: true as const };
}
