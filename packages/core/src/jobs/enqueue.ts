import { randomUUID } from "node:crypto";
import { type Db, type DbOrTx, type DbTransaction, type Job, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import type { JobPayloads, QueueName } from "./queues.ts";

/** What travels through pg-boss; everything else is read from the Job row. */
export interface BossJobData {
  jobId: string;
}

export interface EnqueueJobInput<T extends QueueName> {
  type: T;
  payload: JobPayloads[T];
  groupId?: string | null;
  userId?: string | null;
  /** What the job is about, for links from the Jobs page ("recording", recordingId). */
  subjectType?: string | null;
  subjectId?: string | null;
  message?: string;
  /** Overrides of the queue's policy (see QUEUE_OPTIONS). */
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  startAfter?: Date;
  priority?: number;
}

/**
 * pg-boss accepts a `db` per call; this one runs its SQL on a Prisma transaction, so the Job row
 * and the pg-boss job are committed (or rolled back) together.
 */
export function bossDbForTransaction(tx: DbTransaction): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const params = values.map((v) =>
        v === undefined
          ? null
          : v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
            ? JSON.stringify(v)
            : v,
      );
      const rows = await tx.$queryRawUnsafe<unknown[]>(text, ...params);
      return { rows: Array.isArray(rows) ? rows : [] };
    },
  };
}

async function sendBossJob(
  tx: DbTransaction,
  boss: PgBoss,
  type: string,
  jobId: string,
  options: Omit<EnqueueJobInput<QueueName>, "type" | "payload">,
): Promise<string> {
  const bossJobId = randomUUID();
  const sendOptions: PgBoss.SendOptions = { id: bossJobId, db: bossDbForTransaction(tx) };
  if (options.retryLimit !== undefined) sendOptions.retryLimit = options.retryLimit;
  if (options.retryDelay !== undefined) sendOptions.retryDelay = options.retryDelay;
  if (options.retryBackoff !== undefined) sendOptions.retryBackoff = options.retryBackoff;
  if (options.startAfter !== undefined) sendOptions.startAfter = options.startAfter;
  if (options.priority !== undefined) sendOptions.priority = options.priority;
  const data: BossJobData = { jobId };
  const id = await boss.send(type, data, sendOptions);
  if (!id) throw new Error(`pg-boss did not accept a job for queue ${type}`);
  return id;
}

/**
 * Records a Job row and queues its pg-boss job atomically. Pass a transaction client to make
 * the job part of a larger change (e.g. "create a Segmentation and run it").
 */
export async function enqueueJob<T extends QueueName>(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  input: EnqueueJobInput<T>,
): Promise<Job> {
  const { type, payload, groupId, userId, subjectType, subjectId, message, ...options } = input;
  return inTransaction(db, async (tx) => {
    const job = await tx.job.create({
      data: {
        type,
        payload: payload as unknown as Prisma.InputJsonValue,
        groupId: groupId ?? null,
        userId: userId ?? null,
        subjectType: subjectType ?? null,
        subjectId: subjectId ?? null,
        message: message ?? "",
      },
    });
    const bossJobId = await sendBossJob(tx, boss, type, job.id, options);
    return tx.job.update({ where: { id: job.id }, data: { bossJobId } });
  });
}

const ACTIVE: Job["status"][] = ["queued", "running"];
const RETRYABLE: Job["status"][] = ["failed", "cancelled"];

/**
 * Stops a queued job from starting. A running handler is not interrupted; it can poll
 * `ctx.isCancelled()` and its result is discarded. Finished jobs are returned unchanged.
 */
export async function cancelJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  jobId: string,
): Promise<Job> {
  const job = await db.job.findUnique({ where: { id: jobId } });
  if (!job) throw notFound("Job");
  if (!ACTIVE.includes(job.status)) return job;
  return inTransaction(db, async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: { in: ACTIVE } },
      data: { status: "cancelled", finishedAt: new Date(), message: "Cancelled" },
    });
    if (count > 0 && job.bossJobId)
      await boss.cancel(job.type, job.bossJobId, { db: bossDbForTransaction(tx) });
    return tx.job.findUniqueOrThrow({ where: { id: jobId } });
  });
}

/** Runs a failed or cancelled job again from the start, as a new pg-boss job. */
export async function retryJob(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  jobId: string,
): Promise<Job> {
  const job = await db.job.findUnique({ where: { id: jobId } });
  if (!job) throw notFound("Job");
  if (!RETRYABLE.includes(job.status)) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Only failed or cancelled jobs can be retried (this one is ${job.status})`,
    );
  }
  return inTransaction(db, async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: { in: RETRYABLE } },
      data: {
        status: "queued",
        progress: 0,
        message: "Queued again",
        error: null,
        result: Prisma.DbNull,
        startedAt: null,
        finishedAt: null,
      },
    });
    if (count === 0) throw new DomainError("CONFLICT", "The job changed while it was being retried");
    const bossJobId = await sendBossJob(tx, boss, job.type, job.id, {});
    return tx.job.update({ where: { id: jobId }, data: { bossJobId } });
  });
}
