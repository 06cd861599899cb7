// The Jobs page's view of background work: list/get/cancel/retry, scoped to the caller's group.
// Jobs without a group (e.g. email delivery) and other groups' jobs are NOT_FOUND.
import type { Job, Prisma } from "@battycoda/db";
import { JobStatus } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { z } from "zod";
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { cancelRunOfJob, retryRunOfJob } from "../classification/runs.ts";
import {
  RUN_SUBJECT as CLUSTERING_RUN_SUBJECT,
  cancelRunOfJob as cancelClusteringRunOfJob,
  retryRunOfJob as retryClusteringRunOfJob,
} from "../clustering/runs.ts";
import { ZId } from "../groups/groups.schemas.ts";
import { markRecordingJobLost } from "../processing/status.ts";
import { cancelJob, retryJob } from "./enqueue.ts";

export const ZJobStatus = z.enum(JobStatus);
const ZDateInput = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

export const ZListJobsRequest = z
  .object({
    /** One status or several. */
    status: z.union([ZJobStatus, z.array(ZJobStatus).min(1)]).optional(),
    type: z.string().trim().min(1).max(100).optional(),
    subjectType: z.string().trim().min(1).max(50).optional(),
    subjectId: ZId.optional(),
    /** Created at or after / before (ISO 8601). */
    createdFrom: ZDateInput.optional(),
    createdTo: ZDateInput.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    /**
     * Keyset pagination: the id of the last job of the previous page (pages are newest first; a
     * page shorter than `limit` is the last one).
     */
    cursor: ZId.optional(),
  })
  .default({ limit: 100 });
export type TListJobsRequest = z.input<typeof ZListJobsRequest>;

export const ZJobSubject = z.object({
  type: z.string(),
  id: z.string(),
  /** Display name when the subject still exists (e.g. the recording's name). */
  name: z.string().nullable(),
  exists: z.boolean(),
  /** The recording a segmentation or classification run belongs to (its pages live under the recording). */
  recordingId: z.string().nullable(),
});

export const ZJobSummary = z.object({
  id: z.string(),
  type: z.string(),
  status: ZJobStatus,
  /** 0..1 */
  progress: z.number(),
  message: z.string(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  subject: ZJobSubject.nullable(),
  canCancel: z.boolean(),
  canRetry: z.boolean(),
  createdAt: ZIsoDate,
  startedAt: ZIsoDate.nullable(),
  finishedAt: ZIsoDate.nullable(),
  updatedAt: ZIsoDate,
});
export type TJobSummary = z.input<typeof ZJobSummary>;

export const ZListJobsResponse = z.array(ZJobSummary);
export const ZCountJobsResponse = z.object({ total: z.number().int() });

export const ZJobIdRequest = z.object({ jobId: ZId });
export const ZJobDetail = ZJobSummary.extend({
  payload: z.unknown(),
  result: z.unknown(),
  userId: z.string().nullable(),
});

const ACTIVE: Job["status"][] = ["queued", "running"];
const RETRYABLE: Job["status"][] = ["failed", "cancelled"];

type SubjectRow = { id: string; name: string; recordingId?: string };

/**
 * The subject types the Jobs page names, each with its lookup of names by id within the group (one query per type
 * on a page). The types not here are linked by id only.
 */
const SUBJECT_NAMES: Record<string, (db: DbOrTx, ids: string[], groupId: string) => Promise<SubjectRow[]>> = {
  recording: (db, ids, groupId) =>
    db.recording.findMany({ where: { id: { in: ids }, groupId }, select: { id: true, name: true } }),
  segmentation: async (db, ids, groupId) =>
    (
      await db.segmentation.findMany({
        where: { id: { in: ids }, groupId },
        select: { id: true, name: true, recordingId: true, recording: { select: { name: true } } },
      })
    ).map((r) => ({ id: r.id, name: `${r.name} · ${r.recording.name}`, recordingId: r.recordingId })),
  upload: async (db, ids, groupId) =>
    (
      await db.upload.findMany({ where: { id: { in: ids }, groupId }, select: { id: true, filename: true } })
    ).map((r) => ({ id: r.id, name: r.filename })),
  classificationRun: async (db, ids, groupId) =>
    (
      await db.classificationRun.findMany({
        where: { id: { in: ids }, groupId },
        select: { id: true, name: true, recordingId: true, recording: { select: { name: true } } },
      })
    ).map((r) => ({ id: r.id, name: r.name || r.recording.name, recordingId: r.recordingId })),
  classifierTrainingJob: (db, ids, groupId) =>
    db.classifierTrainingJob.findMany({
      where: { id: { in: ids }, groupId },
      select: { id: true, name: true },
    }),
  taskBatch: (db, ids, groupId) =>
    db.taskBatch.findMany({ where: { id: { in: ids }, groupId }, select: { id: true, name: true } }),
  [CLUSTERING_RUN_SUBJECT]: (db, ids, groupId) =>
    db.clusteringRun.findMany({ where: { id: { in: ids }, groupId }, select: { id: true, name: true } }),
};

/** Names of the jobs' subjects by "type:id": the Jobs page names what each job works on, not just its kind. */
async function subjectNames(
  { db }: DbContext,
  groupId: string,
  jobs: Job[],
): Promise<Map<string, SubjectRow>> {
  const names = new Map<string, SubjectRow>();
  for (const [type, lookup] of Object.entries(SUBJECT_NAMES)) {
    const ids = [
      ...new Set(jobs.filter((j) => j.subjectType === type && j.subjectId).map((j) => j.subjectId as string)),
    ];
    if (ids.length === 0) continue;
    for (const r of await lookup(db, ids, groupId)) names.set(`${type}:${r.id}`, r);
  }
  return names;
}

function toSummary(j: Job, names: Map<string, SubjectRow>): TJobSummary {
  const key = j.subjectType && j.subjectId ? `${j.subjectType}:${j.subjectId}` : null;
  const known = j.subjectType !== null && Object.hasOwn(SUBJECT_NAMES, j.subjectType);
  return {
    id: j.id,
    type: j.type,
    status: j.status,
    progress: j.progress,
    message: j.message,
    error: j.error,
    attempts: j.attempts,
    subjectType: j.subjectType,
    subjectId: j.subjectId,
    subject:
      key && j.subjectType && j.subjectId
        ? {
            type: j.subjectType,
            id: j.subjectId,
            name: names.get(key)?.name ?? null,
            // for types we do not look up, assume it exists and let the link decide
            exists: known ? names.has(key) : true,
            recordingId: names.get(key)?.recordingId ?? null,
          }
        : null,
    canCancel: ACTIVE.includes(j.status),
    canRetry: RETRYABLE.includes(j.status),
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    updatedAt: j.updatedAt,
  };
}

function jobsWhere(access: GroupAccess, input: z.output<typeof ZListJobsRequest>): Prisma.JobWhereInput {
  return {
    groupId: access.groupId,
    ...(input.status ? { status: Array.isArray(input.status) ? { in: input.status } : input.status } : {}),
    ...(input.type ? { type: input.type } : {}),
    ...(input.subjectType ? { subjectType: input.subjectType } : {}),
    ...(input.subjectId ? { subjectId: input.subjectId } : {}),
    ...(input.createdFrom || input.createdTo
      ? {
          createdAt: {
            ...(input.createdFrom ? { gte: input.createdFrom } : {}),
            ...(input.createdTo ? { lt: input.createdTo } : {}),
          },
        }
      : {}),
  };
}

/** Newest first. */
export async function listJobs({ db }: DbContext, access: GroupAccess, raw: TListJobsRequest = {}) {
  const input = ZListJobsRequest.parse(raw);
  // Keyset pagination on (createdAt, id): stable while new jobs keep arriving at the top.
  let page: Prisma.JobWhereInput = {};
  if (input.cursor) {
    const after = await db.job.findFirst({
      where: { id: input.cursor, groupId: access.groupId },
      select: { createdAt: true, id: true },
    });
    if (!after) throw new DomainError("BAD_REQUEST", "Unknown cursor");
    page = {
      OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
    };
  }
  const rows = await db.job.findMany({
    where: { AND: [jobsWhere(access, input), page] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  const names = await subjectNames({ db }, access.groupId, rows);
  return rows.map((j) => toSummary(j, names));
}

/** How many jobs match the list filters (cursor and limit ignored). */
export async function countJobs({ db }: DbContext, access: GroupAccess, raw: TListJobsRequest = {}) {
  const input = ZListJobsRequest.parse(raw);
  return { total: await db.job.count({ where: jobsWhere(access, input) }) };
}

async function findJobInGroup({ db }: DbContext, access: GroupAccess, jobId: string): Promise<Job> {
  const job = await db.job.findUnique({ where: { id: jobId } });
  if (!job || job.groupId === null || job.groupId !== access.groupId) throw notFound("Job");
  return job;
}

async function detail({ db }: DbContext, access: GroupAccess, job: Job) {
  const names = await subjectNames({ db }, access.groupId, [job]);
  return { ...toSummary(job, names), payload: job.payload, result: job.result ?? null, userId: job.userId };
}

export async function getJob({ db }: DbContext, access: GroupAccess, jobId: string) {
  return detail({ db }, access, await findJobInGroup({ db }, access, jobId));
}

/**
 * queued/running → cancelled. A queued job never starts; a running one stops at its next
 * cancellation check (long handlers poll between blocks). Finished jobs cannot be cancelled.
 */
export async function cancelGroupJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  jobId: string,
) {
  const job = await findJobInGroup({ db }, access, jobId);
  if (!ACTIVE.includes(job.status))
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Only queued or running jobs can be cancelled (this one is ${job.status})`,
    );
  // A classification run's job is cancelled through its run, so the run and its queue slot follow.
  if (job.subjectType === "classificationRun" && job.subjectId) {
    if (await cancelRunOfJob({ db, boss }, access, job.subjectId))
      return detail({ db }, access, await findJobInGroup({ db }, access, jobId));
  }
  // A clustering run too: the run is marked cancelled, so its handler kills Rscript and stores nothing.
  if (job.subjectType === CLUSTERING_RUN_SUBJECT && job.subjectId) {
    if (await cancelClusteringRunOfJob({ db, boss }, access, job.subjectId))
      return detail({ db }, access, await findJobInGroup({ db }, access, jobId));
  }
  const updated = await cancelJob({ db, boss }, jobId);
  // A queued processing job will never run its handler, which would otherwise update the recording.
  if (updated.status === "cancelled" && job.status === "queued")
    await markRecordingJobLost({ db }, updated, "Processing was cancelled");
  return detail({ db }, access, updated);
}

/** failed/cancelled → queued again, as a new pg-boss job. */
export async function retryGroupJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  jobId: string,
) {
  const job = await findJobInGroup({ db }, access, jobId);
  // A classification run goes back into its queue (and resumes after its stored results).
  if (job.subjectType === "classificationRun" && job.subjectId && RETRYABLE.includes(job.status)) {
    if (await retryRunOfJob({ db, boss }, access, job.subjectId))
      return detail({ db }, access, await findJobInGroup({ db }, access, jobId));
  }
  if (job.subjectType === CLUSTERING_RUN_SUBJECT && job.subjectId && RETRYABLE.includes(job.status)) {
    if (await retryClusteringRunOfJob({ db, boss }, access, job.subjectId))
      return detail({ db }, access, await findJobInGroup({ db }, access, jobId));
  }
  return detail({ db }, access, await retryJob({ db, boss }, jobId));
}
