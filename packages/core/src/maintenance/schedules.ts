// The recurring work an admin sees in the panel: the maintenance procedures scheduled here
// (pg-boss cron, minute granularity) and the worker's own cadences (classification queue tick,
// hourly housekeeping), each with its last run and result.
import type { Db } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { DbContext } from "../access/context.ts";
import { QUEUES } from "../jobs/queues.ts";
import { MAINTENANCE_SUBJECT, startProcedure } from "./jobs.ts";
import type { ProcedureName } from "./procedures.ts";

export interface MaintenanceSchedule {
  procedure: ProcedureName;
  cron: string;
  description: string;
}

export const MAINTENANCE_SCHEDULES: MaintenanceSchedule[] = [
  { procedure: "backup-database", cron: "30 3 * * 0", description: "weekly, Sunday 03:30" },
  { procedure: "check-disk", cron: "7 * * * *", description: "hourly" },
  { procedure: "cleanup", cron: "45 4 * * *", description: "daily, 04:45 (stale uploads, expired tokens)" },
];

/** pg-boss v10 keeps one schedule per queue, so each procedure has its own cron queue. */
export const cronQueue = (procedure: ProcedureName) => `maintenance.cron.${procedure}`;

/**
 * Creates the cron queues, (re)writes their schedules and consumes them: each tick queues the
 * procedure as a normal maintenance.run Job (skipped while the previous one is still active).
 */
export async function startMaintenanceSchedules(
  { db, boss }: { db: Db; boss: PgBoss },
  options: { onError?: (err: unknown) => void; schedules?: MaintenanceSchedule[] } = {},
): Promise<string[]> {
  const queues: string[] = [];
  for (const s of options.schedules ?? MAINTENANCE_SCHEDULES) {
    const name = cronQueue(s.procedure);
    await boss.createQueue(name, { name, retryLimit: 0, expireInSeconds: 300 });
    await boss.schedule(name, s.cron);
    await boss.work(name, async () => {
      try {
        await startProcedure({ db, boss }, { procedure: s.procedure } as never, {
          userId: null,
          via: "schedule",
        });
      } catch (err) {
        // the previous run still going is the normal reason; anything else is worth a log line
        if (!/already queued or running/.test(String((err as Error)?.message))) options.onError?.(err);
      }
    });
    queues.push(name);
  }
  return queues;
}

export interface ScheduleView {
  name: string;
  cadence: string;
  lastRunAt: Date | null;
  lastStatus: string | null;
  lastError: string | null;
  lastJobId: string | null;
}

/** pg-boss's own record of a queue's last job (active, completed or failed), archive included. */
async function lastBossJob({ db }: { db: Db }, queue: string) {
  try {
    const rows = await db.$queryRawUnsafe<{ state: string; at: Date | null; output: unknown }[]>(
      `SELECT state::text AS state, COALESCE(completed_on, started_on, created_on) AS at, output
         FROM (SELECT state, completed_on, started_on, created_on, output FROM pgboss.job WHERE name = $1
               UNION ALL
               SELECT state, completed_on, started_on, created_on, output FROM pgboss.archive WHERE name = $1) j
        WHERE state IN ('active', 'completed', 'failed')
        ORDER BY COALESCE(completed_on, started_on, created_on) DESC LIMIT 1`,
      queue,
    );
    return rows[0] ?? null;
  } catch {
    return null; // pg-boss not installed in this database yet
  }
}

export async function listSchedules({ db }: DbContext & { db: Db }): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  for (const [name, cadence] of [
    ["classification.process-queue", "every 30 s and when a run is queued or ends"],
    ["maintenance.housekeeping", "hourly (expired sessions, codes, tokens; lost jobs; stale uploads)"],
  ] as const) {
    const j = await lastBossJob({ db }, name);
    const error = j?.state === "failed" ? JSON.stringify(j.output ?? null).slice(0, 500) : null;
    out.push({
      name,
      cadence,
      lastRunAt: j?.at ?? null,
      lastStatus: j?.state ?? null,
      lastError: error,
      lastJobId: null,
    });
  }
  for (const s of MAINTENANCE_SCHEDULES) {
    const j = await db.job.findFirst({
      where: { type: QUEUES.maintenanceRun, subjectType: MAINTENANCE_SUBJECT, subjectId: s.procedure },
      orderBy: { createdAt: "desc" },
      select: { id: true, status: true, error: true, createdAt: true, finishedAt: true },
    });
    out.push({
      name: s.procedure,
      cadence: `${s.description} (cron ${s.cron})`,
      lastRunAt: j ? (j.finishedAt ?? j.createdAt) : null,
      lastStatus: j?.status ?? null,
      lastError: j?.error ?? null,
      lastJobId: j?.id ?? null,
    });
  }
  return out;
}
