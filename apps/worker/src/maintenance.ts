// The maintenance procedures (admin panel, schedules) in this worker: one maintenance.run at a
// time, so a backup and a spectrogram backlog never compete with each other as well as with users.

import { QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { maintenanceRunHandler, startMaintenanceSchedules } from "@battycoda/core/maintenance/index";
import type { WorkerDeps } from "./handlers.ts";

export async function registerMaintenance(
  deps: Pick<WorkerDeps, "db" | "boss" | "config" | "log" | "pool" | "media" | "leases" | "handlerOptions">,
  options: { databaseUrl: string; schedules: boolean },
): Promise<string[]> {
  const { db, boss, config, log } = deps;
  await registerJobHandler(
    { db, boss },
    QUEUES.maintenanceRun,
    maintenanceRunHandler({
      config,
      databaseUrl: options.databaseUrl,
      pool: deps.pool,
      ...(deps.media ? { media: deps.media } : {}),
    }),
    {
      ...(deps.leases ? { leases: deps.leases } : {}),
      ...deps.handlerOptions,
      concurrency: 1,
      onError: (job, err) =>
        log.warn(
          `maintenance ${job.subjectId ?? ""} (${job.id}) failed: ${String((err as Error)?.message ?? err)}`,
        ),
    },
  );
  const queues: string[] = [QUEUES.maintenanceRun];
  if (options.schedules)
    queues.push(
      ...(await startMaintenanceSchedules(
        { db, boss },
        { onError: (err) => log.warn(`maintenance schedule: ${String((err as Error)?.message ?? err)}`) },
      )),
    );
  return queues;
}
