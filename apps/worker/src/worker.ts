import type { Config } from "@battycoda/config";
import { createLogger, type Logger } from "@battycoda/config/logger";
import { createBoss, HOUSEKEEPING_QUEUE, runHousekeeping } from "@battycoda/core/jobs";
import { createMailer } from "@battycoda/core/mail";
import { cleanStaleUploads } from "@battycoda/core/uploads";
import { createPrismaClient } from "@battycoda/db";
import { registerHandlers, type WorkerDeps } from "./handlers.ts";

export interface StartWorkerOptions {
  config: Config;
  databaseUrl: string;
  log?: Logger;
  handlerOptions?: WorkerDeps["handlerOptions"];
  onJobError?: (err: unknown) => void;
  /** Cron for housekeeping (minute granularity). Default: hourly at :17. */
  housekeepingCron?: string | null;
}

export interface RunningWorker {
  queues: string[];
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

  const queues = await registerHandlers({
    db,
    boss,
    config,
    mailer,
    log,
    ...(options.handlerOptions ? { handlerOptions: options.handlerOptions } : {}),
    ...(options.onJobError ? { onJobError: options.onJobError } : {}),
  });

  if (options.housekeepingCron !== null) {
    await boss.schedule(HOUSEKEEPING_QUEUE, options.housekeepingCron ?? "17 * * * *");
    await boss.work(HOUSEKEEPING_QUEUE, async () => {
      const r = await runHousekeeping(db, boss);
      log.info("housekeeping", { ...r, ...(await cleanStaleUploads(db, config.mediaRoot)) });
    });
    queues.push(HOUSEKEEPING_QUEUE);
  }
  log.info(`consuming ${queues.join(", ")}`);

  let stopping: Promise<void> | undefined;
  return {
    queues,
    stop(timeoutMs = 30_000) {
      stopping ??= (async () => {
        await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
        await db.$disconnect();
      })();
      return stopping;
    },
  };
}
