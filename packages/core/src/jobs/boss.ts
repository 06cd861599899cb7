import pg from "pg";
import PgBoss from "pg-boss";
import { HOUSEKEEPING_QUEUE, QUEUE_NAMES, QUEUE_OPTIONS } from "./queues.ts";

export type Boss = PgBoss;
export { PgBoss };

export interface CreateBossOptions {
  /**
   * "worker" runs pg-boss maintenance and cron scheduling; "client" (API, CLI) only sends,
   * cancels and retries. Default "client".
   */
  role?: "worker" | "client";
  /** Pool size (pg-boss default 10). */
  max?: number;
  onError?: (err: Error) => void;
}

/**
 * Starts pg-boss on the application database (schema "pgboss", installed or migrated on first
 * start) and creates every queue with its retry/expiry policy. Call `boss.stop()` when done.
 */
export async function createBoss(url: string, options: CreateBossOptions = {}): Promise<PgBoss> {
  const worker = options.role === "worker";
  const boss = new PgBoss({
    connectionString: url,
    application_name: `battycoda-${options.role ?? "client"}`,
    max: options.max ?? (worker ? 10 : 4),
    supervise: worker,
    schedule: worker,
    // completed jobs stay visible in pg-boss for a week; our Job rows are the long-term record
    deleteAfterDays: 7,
  });
  boss.on("error", options.onError ?? ((err) => console.error("[pg-boss]", err)));
  await boss.start();
  await withSetupLock(url, () => ensureQueues(boss));
  return boss;
}

/**
 * pg-boss's create_queue deadlocks when two processes create the same queues at once (API and
 * worker starting together on a fresh database): serialise queue set-up across processes with a
 * session advisory lock held on a separate connection.
 */
async function withSetupLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "battycoda-queue-setup" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [QUEUE_SETUP_LOCK]);
    return await fn();
  } finally {
    await client.end(); // also releases the lock
  }
}

/** Arbitrary constant: the advisory lock key for queue set-up. */
const QUEUE_SETUP_LOCK = 7_126_031_201;

/** Idempotent: creates missing queues and brings existing ones to the current options. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const name of QUEUE_NAMES) {
    const opts = { name, ...QUEUE_OPTIONS[name] };
    await boss.createQueue(name, opts);
    await boss.updateQueue(name, opts);
  }
  await boss.createQueue(HOUSEKEEPING_QUEUE, {
    name: HOUSEKEEPING_QUEUE,
    retryLimit: 0,
    expireInSeconds: 900,
  });
}
