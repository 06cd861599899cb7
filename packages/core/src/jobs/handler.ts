import type { Db, Job, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { type JobOutcome, notifyJobOutcome } from "../notifications/job-outcomes.ts";
import type { BossJobData } from "./enqueue.ts";
import type { JobPayloads, QueueName } from "./queues.ts";

export interface JobContext<T extends QueueName> {
  /** The Job row as it was when this attempt started. */
  job: Job;
  payload: JobPayloads[T];
  db: Db;
  boss: PgBoss;
  /** 1 for the first try. */
  attempt: number;
  /** Retries left after this attempt, per the queue policy. */
  retriesLeft: number;
  /** Progress in 0..1 (clamped) and an optional human-readable message, written to the Job row. */
  setProgress(progress: number, message?: string): Promise<void>;
  setMessage(message: string): Promise<void>;
  /** True once someone cancelled the job; long handlers check it between steps and return. */
  isCancelled(): Promise<boolean>;
}

/** Returns the job's result (stored as JSON on the Job row) or nothing. Throw to fail the attempt. */
export type JobHandler<T extends QueueName> = (ctx: JobContext<T>) => Promise<unknown>;

export interface RegisterJobHandlerOptions {
  /** Jobs of this queue processed at once by this process (default 1). */
  concurrency?: number;
  /** How often an idle worker polls (pg-boss default 2 s, minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  onError?: (job: Job, err: unknown, willRetry: boolean) => void;
  /** Worker processes pass their JobLeases so crashed attempts are detected (see leases.ts). */
  leases?: JobLeaseHolder;
}

/**
 * Thrown by a handler when trying again cannot help (e.g. a corrupt input file): the Job row is
 * failed at once and pg-boss is not asked to retry.
 */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/**
 * Held by a worker for as long as it runs a job, so another process can tell a running job from
 * one whose worker died (see JobLeases in leases.ts).
 */
export interface JobLeaseHolder {
  /** Resolves once this process holds the job's lease; call the returned function to give it up. */
  acquire(jobId: string): Promise<() => Promise<void>>;
  /** Told which queues run under leases: only their running jobs can be judged dead by a free lease. */
  track(type: string): void;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Runs one pg-boss job with `handler` and mirrors its life on the Job row: running → completed,
 * or → queued (will be retried, with the error kept) → … → failed.
 */
export async function runJob<T extends QueueName>(
  { db, boss }: { db: Db; boss: PgBoss },
  bossJob: PgBoss.JobWithMetadata<BossJobData>,
  handler: JobHandler<T>,
  onError?: RegisterJobHandlerOptions["onError"],
  leases?: JobLeaseHolder,
): Promise<void> {
  const jobId = bossJob.data?.jobId;
  const attempt = bossJob.retryCount + 1;
  const retriesLeft = Math.max(0, bossJob.retryLimit - bossJob.retryCount);
  if (!jobId) return;
  // The lease is taken before the row says "running", so a running row without a held lease
  // always means its worker is gone.
  const release = leases ? await leases.acquire(jobId) : undefined;
  try {
    await startAttempt({ db, boss }, jobId, attempt, retriesLeft, handler, onError);
  } finally {
    await release?.();
  }
}

async function startAttempt<T extends QueueName>(
  { db, boss }: { db: Db; boss: PgBoss },
  jobId: string,
  attempt: number,
  retriesLeft: number,
  handler: JobHandler<T>,
  onError?: RegisterJobHandlerOptions["onError"],
): Promise<void> {
  // Only a queued row starts: a cancelled (or vanished) job is acknowledged without running.
  const { count } = await db.job.updateMany({
    where: { id: jobId, status: { in: ["queued", "running"] } },
    data: {
      status: "running",
      attempts: attempt,
      startedAt: new Date(),
      message: attempt > 1 ? `Attempt ${attempt}` : "Running",
    },
  });
  if (count === 0) return;
  const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
  await runAttempt({ db, boss }, job, attempt, retriesLeft, handler, onError);
}

async function runAttempt<T extends QueueName>(
  { db, boss }: { db: Db; boss: PgBoss },
  job: Job,
  attempt: number,
  retriesLeft: number,
  handler: JobHandler<T>,
  onError?: RegisterJobHandlerOptions["onError"],
): Promise<void> {
  const jobId = job.id;
  const stillRunning = { id: jobId, status: "running" as const };
  const ctx: JobContext<T> = {
    job,
    payload: job.payload as unknown as JobPayloads[T],
    db,
    boss,
    attempt,
    retriesLeft,
    async setProgress(progress, message) {
      const p = Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : 0;
      await db.job.updateMany({
        where: stillRunning,
        data: { progress: p, ...(message !== undefined ? { message } : {}) },
      });
    },
    async setMessage(message) {
      await db.job.updateMany({ where: stillRunning, data: { message } });
    },
    async isCancelled() {
      const row = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
      return !row || row.status === "cancelled";
    },
  };

  let result: unknown;
  try {
    result = await handler(ctx);
  } catch (err) {
    const permanent = err instanceof PermanentJobError;
    const willRetry = retriesLeft > 0 && !permanent;
    const error = errorText(err);
    await db.job.updateMany({
      where: stillRunning,
      data: willRetry
        ? { status: "queued", error, message: `Attempt ${attempt} failed; retrying` }
        : { status: "failed", error, message: "Failed", finishedAt: new Date() },
    });
    onError?.(job, err, willRetry);
    if (!willRetry) await notifyOutcome({ db }, job, { status: "failed", error });
    // A permanent failure completes the pg-boss job (nothing to retry); the Job row says failed.
    if (permanent) return;
    throw err; // pg-boss records the failure and schedules the retry
  }
  const done = await db.job.updateMany({
    where: stillRunning,
    data: {
      status: "completed",
      progress: 1,
      message: "Completed",
      error: null,
      finishedAt: new Date(),
      ...(result !== undefined ? { result: result as Prisma.InputJsonValue } : {}),
    },
  });
  if (done.count === 1) await notifyOutcome({ db }, job, { status: "completed", result });
}

/** The user's notification about how the job ended; a failure to notify never fails the job. */
async function notifyOutcome(ctx: { db: Db }, job: Job, outcome: JobOutcome): Promise<void> {
  try {
    await notifyJobOutcome(ctx, job, outcome);
  } catch (err) {
    console.warn(`Could not notify about job ${job.id}: ${errorText(err)}`);
  }
}

/** Starts consuming queue `type` in this process. Returns the pg-boss worker ids. */
export async function registerJobHandler<T extends QueueName>(
  { db, boss }: { db: Db; boss: PgBoss },
  type: T,
  handler: JobHandler<T>,
  options: RegisterJobHandlerOptions = {},
): Promise<string[]> {
  const ids: string[] = [];
  options.leases?.track(type);
  // pg-boss v10 workers fetch a batch and run it serially; N workers give N jobs in parallel.
  for (let i = 0; i < (options.concurrency ?? 1); i++) {
    let workerId: string | undefined;
    workerId = await boss.work<BossJobData>(
      type,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
      async (jobs) => {
        for (const j of jobs) await runJob({ db, boss }, j, handler, options.onError, options.leases);
        // pg-boss waits out the rest of its polling interval even after a job, which caps a slot
        // at one short job per interval (30/min): a slot that just found work fetches again at
        // once, and only an empty fetch waits.
        if (jobs.length > 0 && workerId) boss.notifyWorker(workerId);
      },
    );
    ids.push(workerId);
  }
  return ids;
}
