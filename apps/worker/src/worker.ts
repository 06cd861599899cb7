import type { Config } from "@battycoda/config";
import { createLogger, type Logger } from "@battycoda/config/logger";
import {
  createBoss,
  HOUSEKEEPING_QUEUE,
  JobLeases,
  type JobLeasesOptions,
  runHousekeeping,
} from "@battycoda/core/jobs";
import { createMailer } from "@battycoda/core/mail";
import { createMediaStore } from "@battycoda/core/media";
import { ActiveJobs, createMemoryMonitor, startHeartbeat } from "@battycoda/core/monitor";
import { markRecordingJobLost, ProcessingPool, type SpectrogramTiming } from "@battycoda/core/processing";
import { cleanStaleUploads } from "@battycoda/core/uploads";
import { createPrismaClient } from "@battycoda/db";
import { registerHandlers, type WorkerDeps } from "./handlers.ts";
import { registerMaintenance } from "./maintenance.ts";

export interface StartWorkerOptions {
  config: Config;
  databaseUrl: string;
  log?: Logger;
  handlerOptions?: WorkerDeps["handlerOptions"];
  onJobError?: (err: unknown) => void;
  /** Cron for housekeeping (minute granularity). Default: hourly at :17. */
  housekeepingCron?: string | null;
  /** Pool threads (default one per core). */
  poolThreads?: number;
  /** Crash-detection reaper settings (see JobLeases). */
  leases?: Pick<JobLeasesOptions, "graceSeconds" | "reapIntervalSeconds">;
  spectrogramTiming?: SpectrogramTiming;
  /** Cron schedules of the maintenance procedures (backup, check-disk, cleanup); default on. */
  maintenanceSchedules?: boolean;
  /** Heartbeat row and memory monitor (default on; see packages/core/src/monitor). */
  monitoring?: boolean;
}

export interface RunningWorker {
  queues: string[];
  /** This process's WorkerHeartbeat id (unset without monitoring). */
  heartbeatId?: string;
  /** Finishes running jobs (up to `timeoutMs`), then closes connections. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { config } = options;
  const log = options.log ?? createLogger("worker", config.logLevel);
  const db = createPrismaClient(options.databaseUrl);
  const boss = await createBoss(options.databaseUrl, {
    role: "worker",
    onError: (err) => log.error("pg-boss error", err),
  });
  const mailer = createMailer(config, {
    onOutboxWrite: (file, msg) => log.info(`email to ${msg.to.join(", ")} written to ${file}`),
  });
  log.info(
    `mail transport: ${mailer.transport === "ses" ? `AWS SES (${config.ses.region})` : `outbox ${config.outboxDir}`}`,
  );

  // One pool per process, shared by every handler; destroyed on stop.
  const pool = new ProcessingPool(options.poolThreads ? { threads: options.poolThreads } : {});
  const leases = await JobLeases.open(options.databaseUrl, db, boss, {
    ...options.leases,
    onFinalFailure: (job, error) => markRecordingJobLost({ db }, job, error),
    onReaped: (job, outcome) =>
      log.warn(`job ${job.type} ${job.id}: its worker died during attempt ${job.attempts} → ${outcome}`),
    onError: (err) => log.error("job lease error", err),
  });

  // every job runs under a lease: the wrapper knows which are running for heartbeats and dumps
  const active = new ActiveJobs(leases);
  const media = createMediaStore(config);
  const queues = await registerHandlers({
    db,
    boss,
    config,
    mailer,
    log,
    pool,
    media,
    leases: active,
    ...(options.spectrogramTiming ? { spectrogramTiming: options.spectrogramTiming } : {}),
    ...(options.handlerOptions ? { handlerOptions: options.handlerOptions } : {}),
    ...(options.onJobError ? { onJobError: options.onJobError } : {}),
  });

  queues.push(
    ...(await registerMaintenance(
      {
        db,
        boss,
        config,
        log,
        pool,
        media,
        leases: active,
        ...(options.handlerOptions ? { handlerOptions: options.handlerOptions } : {}),
      },
      { databaseUrl: options.databaseUrl, schedules: options.maintenanceSchedules !== false },
    )),
  );

  if (options.housekeepingCron !== null) {
    await boss.schedule(HOUSEKEEPING_QUEUE, options.housekeepingCron ?? "17 * * * *");
    await boss.work(HOUSEKEEPING_QUEUE, async () => {
      const r = await runHousekeeping({ db, boss });
      log.info("housekeeping", { ...r, ...(await cleanStaleUploads({ db, media })) });
    });
    queues.push(HOUSEKEEPING_QUEUE);
  }
  log.info(`consuming ${queues.join(", ")}`);
  // Jobs left "running" by a worker that died are handed back to pg-boss now, not after expiry.
  const reaped = await leases.start();
  if (reaped > 0) log.warn(`recovered ${reaped} job(s) interrupted by a stopped worker`);

  const monitoring = options.monitoring !== false;
  const activeJobs = () => active.list({ db });
  const heartbeat = monitoring
    ? await startHeartbeat(
        { db },
        {
          intervalMs: config.heartbeatSeconds * 1000,
          activeJobs,
          onError: (err) => log.warn(`heartbeat failed: ${String((err as Error)?.message ?? err)}`),
        },
      )
    : undefined;
  const memory = monitoring
    ? createMemoryMonitor({ db, boss, config }, { log, activeJobs }).start()
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    queues,
    ...(heartbeat ? { heartbeatId: heartbeat.id } : {}),
    stop(timeoutMs = 30_000) {
      stopping ??= (async () => {
        memory?.stop();
        await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
        await heartbeat?.stop().catch((err) => log.warn("could not remove the heartbeat row", err));
        await leases.close();
        await pool.destroy();
        await db.$disconnect();
      })();
      return stopping;
    },
  };
}
