// The classification queue. Runs wait as `pending` with a queued Job row but no pg-boss job; the
// dispatcher starts them: at most one run that needs the R server at a time (the server is
// single-threaded, and two runs would only interleave their batches), dummy runs at once. It runs
// when a run is queued or finishes, and every 30 s from `classification.process-queue` as a safety
// net (pg-boss 10's cron has minute granularity, so the tick re-sends itself with startAfter).
import { randomUUID } from "node:crypto";
import type { Db, DbTransaction } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { bossDbForTransaction } from "../jobs/enqueue.ts";
import { QUEUE_OPTIONS, QUEUES } from "../jobs/queues.ts";

export const PROCESS_QUEUE = "classification.process-queue";
export const RUN_SUBJECT = "classificationRun";
export const WAITING_FOR_R = "waiting for classifier service";

/** Arbitrary constant: the advisory lock key that serialises dispatching across processes. */
const DISPATCH_LOCK = 7_126_031_309;

/** The newest Job row of a run (a retried run reuses it; one created before a lost row is replaced). */
export async function jobOfRun({ db }: DbContext, runId: string) {
  return db.job.findFirst({
    where: { subjectType: RUN_SUBJECT, subjectId: runId, type: QUEUES.classificationRun },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** A Job row for a queued run; its pg-boss job is sent by the dispatcher, not now. */
export async function createQueuedJob(
  tx: DbTransaction,
  run: { id: string; groupId: string; createdById: string | null },
) {
  return tx.job.create({
    data: {
      type: QUEUES.classificationRun,
      payload: { runId: run.id },
      groupId: run.groupId,
      userId: run.createdById,
      subjectType: RUN_SUBJECT,
      subjectId: run.id,
      message: "Waiting in the classification queue",
    },
  });
}

async function startQueuedRun(
  tx: DbTransaction,
  boss: PgBoss,
  run: { id: string; groupId: string; createdById: string | null },
) {
  await tx.classificationRun.update({
    where: { id: run.id },
    data: { status: "running", waitingReason: null, error: null, finishedAt: null },
  });
  let job = await jobOfRun({ db: tx }, run.id);
  if (job?.status !== "queued") job = await createQueuedJob(tx, run);
  const bossJobId = randomUUID();
  const opts = QUEUE_OPTIONS[QUEUES.classificationRun];
  const sent = await boss.send(
    QUEUES.classificationRun,
    { jobId: job.id },
    {
      id: bossJobId,
      db: bossDbForTransaction(tx),
      retryLimit: opts.retryLimit,
      retryDelay: opts.retryDelay,
      retryBackoff: opts.retryBackoff,
    },
  );
  if (!sent) throw new Error("pg-boss did not accept the classification job");
  await tx.job.update({ where: { id: job.id }, data: { bossJobId, message: "Starting" } });
}

/**
 * A run marked running whose job is over (failed for good, cancelled from elsewhere, lost) would
 * hold the R slot forever: give it the job's outcome.
 */
async function repairOrphans(tx: DbTransaction): Promise<number> {
  const running = await tx.classificationRun.findMany({
    where: { status: "running" },
    select: { id: true },
    take: 100,
  });
  let n = 0;
  for (const r of running) {
    const job = await jobOfRun({ db: tx }, r.id);
    if (job && (job.status === "queued" || job.status === "running")) continue;
    const data = !job
      ? { status: "pending" as const }
      : job.status === "cancelled"
        ? { status: "cancelled" as const, finishedAt: new Date(), waitingReason: null }
        : {
            status: "failed" as const,
            finishedAt: new Date(),
            waitingReason: null,
            error: job.error ?? "The job running this classification stopped before it finished",
          };
    await tx.classificationRun.updateMany({ where: { id: r.id, status: "running" }, data });
    n++;
  }
  return n;
}

/** Starts what may start now; returns the ids of the runs started. Safe to call from anywhere, any time. */
export async function dispatchQueuedRuns({
  db,
  boss,
  rSlots = 1,
}: Pick<CoreContext, "db"> & {
  boss: PgBoss;
  /** R-backed runs allowed at once: one per R server (R_SERVER_URLS). Callers without the config pass nothing: the worker's next tick fills the other slots. */
  rSlots?: number;
}): Promise<string[]> {
  return inTransaction(
    db,
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${DISPATCH_LOCK}::bigint)::text AS locked`;
      await repairOrphans(tx);
      const select = { id: true, groupId: true, createdById: true } as const;
      const order = [{ createdAt: "asc" as const }, { id: "asc" as const }];
      const toStart = await tx.classificationRun.findMany({
        where: { status: "pending", isDummy: true },
        orderBy: order,
        select,
        take: 20,
      });
      const busy = await tx.classificationRun.count({ where: { status: "running", isDummy: false } });
      if (busy < rSlots) {
        const next = await tx.classificationRun.findMany({
          where: { status: "pending", isDummy: false },
          orderBy: order,
          select,
          take: rSlots - busy,
        });
        toStart.push(...next);
      }
      for (const run of toStart) await startQueuedRun(tx, boss, run);
      // Tell waiting runs their place (a pending run always has the running one ahead of it); this also keeps their Job rows fresh, so housekeeping never
      // mistakes a long wait in this queue for a lost job.
      await tx.$executeRaw`
        UPDATE "Job" j SET message = 'Waiting in the classification queue (' || q.pos || ' ahead)', "updatedAt" = now()
        FROM (
          SELECT id, row_number() OVER (ORDER BY "createdAt", id) AS pos
          FROM "ClassificationRun" WHERE status = 'pending' AND "isDummy" = false
        ) q
        WHERE j."subjectType" = ${RUN_SUBJECT} AND j."subjectId" = q.id AND j.status = 'queued'`;
      return toStart.map((r) => r.id);
    },
    { timeout: 30_000, maxWait: 15_000 },
  );
}

export interface QueueTickOptions {
  intervalSeconds?: number;
  /** One per R server (R_SERVER_URLS). */
  rSlots?: number;
  onError?: (err: unknown) => void;
}

/**
 * Worker side: creates the tick queue ("stately": at most one waiting and one running tick, so
 * several workers never multiply the chain), consumes it and sends the first tick.
 */
export async function startClassificationQueue(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  options: QueueTickOptions = {},
): Promise<string> {
  const interval = options.intervalSeconds ?? 30;
  await boss.createQueue(PROCESS_QUEUE, {
    name: PROCESS_QUEUE,
    policy: "stately",
    retryLimit: 0,
    expireInSeconds: 300,
  });
  const next = () =>
    boss.send(PROCESS_QUEUE, {}, { startAfter: interval }).catch((err) => options.onError?.(err));
  const id = await boss.work(PROCESS_QUEUE, { pollingIntervalSeconds: Math.min(2, interval) }, async () => {
    // The next tick is queued first, so a failing dispatch never breaks the chain.
    await next();
    try {
      await dispatchQueuedRuns({ db, boss, rSlots: options.rSlots ?? 1 });
    } catch (err) {
      options.onError?.(err);
    }
  });
  await boss.send(PROCESS_QUEUE, {}).catch((err) => options.onError?.(err));
  return id;
}
