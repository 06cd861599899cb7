// Maintenance procedures as background work: started from the admin panel or a schedule as a
// `maintenance.run` Job (subject "maintenance"/<procedure>, no group), run by the worker with
// progress and log on the Job row.
import type { Job } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { CoreContext } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { JobContext } from "../jobs/handler.ts";
import { QUEUES } from "../jobs/queues.ts";
import {
  type MaintenanceDeps,
  type ProcedureName,
  runProcedure,
  type TProcedureRequestInput,
  ZProcedureRequest,
} from "./procedures.ts";
import { jobReporter } from "./reporter.ts";

export const MAINTENANCE_SUBJECT = "maintenance";

/**
 * Queues a procedure. The request is validated now, so a bad option fails in the panel, not in
 * the worker. A procedure already queued or running is not started twice.
 */
export async function startProcedure(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  request: TProcedureRequestInput,
  startedBy: { userId: string | null; via: "panel" | "schedule" },
): Promise<Job> {
  const parsed = ZProcedureRequest.parse(request);
  const active = await db.job.findFirst({
    where: {
      type: QUEUES.maintenanceRun,
      subjectType: MAINTENANCE_SUBJECT,
      subjectId: parsed.procedure,
      status: { in: ["queued", "running"] },
    },
    select: { id: true },
  });
  if (active)
    throw new DomainError("CONFLICT", `${parsed.procedure} is already queued or running (job ${active.id})`);
  return enqueueJob(
    { db, boss },
    {
      type: QUEUES.maintenanceRun,
      payload: { request },
      userId: startedBy.userId,
      subjectType: MAINTENANCE_SUBJECT,
      subjectId: parsed.procedure,
      message: startedBy.via === "schedule" ? "Queued by schedule" : "Queued",
    },
  );
}

/** The worker's handler for maintenance.run. */
export function maintenanceRunHandler(deps: Omit<MaintenanceDeps, "db" | "boss">) {
  return async (ctx: JobContext<"maintenance.run">) => {
    const request = ZProcedureRequest.parse(ctx.payload.request);
    const report = jobReporter({ db: ctx.db }, ctx.job.id);
    await report.log(`${request.procedure} started (attempt ${ctx.attempt})`);
    try {
      const result = await runProcedure({ ...deps, db: ctx.db, boss: ctx.boss }, request, report);
      await report.log(`${request.procedure} finished`);
      return result ?? null;
    } catch (err) {
      await report.log(`${request.procedure} failed: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
  };
}

/** The payload as the panel may show it: the restore target's password is masked. */
export function redactRequest(payload: unknown): unknown {
  const request = (payload as { request?: Record<string, unknown> } | null)?.request;
  if (!request) return payload;
  const out: Record<string, unknown> = { ...request };
  if (typeof out.targetUrl === "string")
    out.targetUrl = out.targetUrl.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  if (typeof out.csv === "string") out.csv = `${(out.csv as string).length} characters of CSV`;
  return out;
}

export interface ProcedureRun {
  id: string;
  procedure: string;
  status: Job["status"];
  progress: number;
  message: string;
  error: string | null;
  log: string;
  options: unknown;
  result: unknown;
  userId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

function toRun(j: Job): ProcedureRun {
  return {
    id: j.id,
    procedure: j.subjectId ?? "",
    status: j.status,
    progress: j.progress,
    message: j.message,
    error: j.error,
    log: j.log,
    options: redactRequest(j.payload),
    result: j.result ?? null,
    userId: j.userId,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  };
}

/** Recent runs, newest first; `procedure` narrows to one. The log is cut to its last 20 000 characters. */
export async function listProcedureRuns(
  { db }: Pick<CoreContext, "db">,
  input: { procedure?: ProcedureName; limit?: number },
): Promise<ProcedureRun[]> {
  const rows = await db.job.findMany({
    where: {
      type: QUEUES.maintenanceRun,
      subjectType: MAINTENANCE_SUBJECT,
      ...(input.procedure ? { subjectId: input.procedure } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit ?? 50,
  });
  return rows.map((j) => ({ ...toRun(j), log: j.log.slice(-20_000) }));
}

export async function getProcedureRun({ db }: Pick<CoreContext, "db">, jobId: string): Promise<ProcedureRun> {
  const j = await db.job.findUnique({ where: { id: jobId } });
  if (!j || j.type !== QUEUES.maintenanceRun) throw notFound("Maintenance run");
  return toRun(j);
}
