// Background worker: `pnpm --filter @battycoda/worker start` (scripts/start.sh and the systemd
// unit run it). Needs DATABASE_URL; everything else comes from @battycoda/config.
import { getConfig } from "@battycoda/config";
import { createLogger } from "@battycoda/config/logger";
import { limitHeapGrowth } from "@battycoda/core/monitor";
import * as Sentry from "@sentry/node";
import { startWorker } from "./worker.ts";

// a process-wide V8 setting, before any work: see heap.ts
limitHeapGrowth();

const config = getConfig();
const log = createLogger("worker", config.logLevel);

if (config.sentry.dsn) {
  Sentry.init({ dsn: config.sentry.dsn, environment: config.sentry.environment, serverName: "worker" });
}
if (!config.databaseUrl) {
  log.error("DATABASE_URL is not set (./scripts/start.sh sets it, also for the embedded database)");
  process.exit(2);
}

const worker = await startWorker({
  config,
  databaseUrl: config.databaseUrl,
  log,
  onJobError: (err) => Sentry.captureException(err),
});
log.info("worker started");

let shuttingDown = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`${signal}: finishing running jobs`);
    worker
      .stop()
      .then(() => Sentry.close(2000))
      .then(() => {
        log.info("worker stopped");
        process.exit(0);
      })
      .catch((err) => {
        log.error("shutdown failed", err);
        process.exit(1);
      });
  });
}
