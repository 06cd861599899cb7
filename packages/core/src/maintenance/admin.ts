// The admin panel's site-wide views and actions: every group's users, groups and jobs, and the
// system's health. Only site admins reach these (siteAdminProcedure), so nothing here is scoped
// by group.
import type { Job, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { z } from "zod";
import { type CoreContext, type DbContext, inTransaction } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { writeAudit } from "../auth/audit.ts";
import { classifierServiceStatus } from "../classification/service.ts";
import { cancelJob, retryJob } from "../jobs/enqueue.ts";
import { QUEUES } from "../jobs/queues.ts";
import { listWorkers } from "../monitor/heartbeat.ts";
import type { ZAdminGroup, ZAdminUser, ZQueueDepth, ZSystemStatus } from "./admin.schemas.ts";
import { checkDisk } from "./disk.ts";
import { MAINTENANCE_SUBJECT, redactRequest, startProcedure } from "./jobs.ts";
import type { TProcedureRequestInput } from "./procedures.ts";
import { silentReporter } from "./reporter.ts";

export async function listAdminUsers(
  { db }: DbContext,
  input: { search?: string | undefined; limit: number },
): Promise<z.input<typeof ZAdminUser>[]> {
  const q = input.search?.trim();
  const rows = await db.user.findMany({
    where: q
      ? {
          OR: [
            { username: { contains: q, mode: "insensitive" } },
            { email: { contains: q, mode: "insensitive" } },
          ],
        }
      : {},
    orderBy: { username: "asc" },
    take: input.limit,
    include: { _count: { select: { memberships: true } } },
  });
  return rows.map((u) => ({
    id: u.id,
    username: u.username,
    email: u.email,
    isSiteAdmin: u.isSiteAdmin,
    isActive: u.isActive,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
    groups: u._count.memberships,
  }));
}

/** Who did it, from where: the audit log's actor and IP. */
export interface AdminActor {
  id: string;
  ip?: string | null | undefined;
}

/**
 * Deactivating signs the user out everywhere (their sessions are deleted). An admin cannot
 * deactivate or demote themself, so the site never loses its last way in by accident.
 */
export async function setUserActive({ db }: DbContext, actor: AdminActor, userId: string, active: boolean) {
  const actorId = actor.id;
  if (userId === actorId && !active)
    throw new DomainError("BAD_REQUEST", "You cannot deactivate your own account");
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User");
  await inTransaction(db, async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { isActive: active } });
    if (!active) await tx.session.deleteMany({ where: { userId } });
  });
  await writeAudit(
    { db },
    {
      actorId,
      action: active ? "user.activate" : "user.deactivate",
      target: { type: "user", id: userId },
      details: { username: user.username },
      ip: actor.ip,
    },
  );
}

export async function setUserSiteAdmin({ db }: DbContext, actor: AdminActor, userId: string, admin: boolean) {
  const actorId = actor.id;
  if (userId === actorId && !admin)
    throw new DomainError("BAD_REQUEST", "You cannot remove your own site-admin role");
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User");
  await db.user.update({ where: { id: userId }, data: { isSiteAdmin: admin } });
  await writeAudit(
    { db },
    {
      actorId,
      action: admin ? "user.make-admin" : "user.revoke-admin",
      target: { type: "user", id: userId },
      details: { username: user.username },
      ip: actor.ip,
    },
  );
}

export async function listAdminGroups({ db }: DbContext): Promise<z.input<typeof ZAdminGroup>[]> {
  const rows = await db.group.findMany({
    orderBy: [{ isPersonal: "asc" }, { name: "asc" }],
    take: 1000,
    include: { _count: { select: { memberships: true, recordings: true } } },
  });
  return rows.map((g) => ({
    id: g.id,
    name: g.name,
    isPersonal: g.isPersonal,
    members: g._count.memberships,
    recordings: g._count.recordings,
    createdAt: g.createdAt,
  }));
}

/** Jobs waiting, running and failed per queue (from the Job rows every queue mirrors). */
export async function queueDepths({ db }: DbContext): Promise<z.input<typeof ZQueueDepth>[]> {
  const rows = await db.job.groupBy({
    by: ["type", "status"],
    where: { status: { in: ["queued", "running", "failed"] } },
    _count: { _all: true },
  });
  const byType = new Map<string, { queued: number; running: number; failed: number }>();
  for (const t of Object.values(QUEUES)) byType.set(t, { queued: 0, running: 0, failed: 0 });
  for (const r of rows) {
    const entry = byType.get(r.type) ?? { queued: 0, running: 0, failed: 0 };
    entry[r.status as "queued" | "running" | "failed"] = r._count._all;
    byType.set(r.type, entry);
  }
  return [...byType].map(([type, c]) => ({ type, ...c }));
}

export async function listAdminJobs(
  { db }: DbContext,
  input: { status?: Job["status"] | undefined; type?: string | undefined; limit: number },
): Promise<Job[]> {
  return db.job.findMany({
    where: { ...(input.status ? { status: input.status } : {}), ...(input.type ? { type: input.type } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
}

export async function adminCancelJob(
  ctx: Pick<CoreContext, "db"> & { boss: PgBoss },
  actor: AdminActor,
  jobId: string,
): Promise<Job> {
  const before = await ctx.db.job.findUnique({ where: { id: jobId }, select: { status: true } });
  const job = await cancelJob(ctx, jobId);
  // a job that had already finished is returned unchanged: nothing to record
  if (job.status === "cancelled" && before?.status !== "cancelled")
    await auditJob(ctx, actor, "job.cancel", job);
  return job;
}

export async function adminRetryJob(
  ctx: Pick<CoreContext, "db"> & { boss: PgBoss },
  actor: AdminActor,
  jobId: string,
): Promise<Job> {
  const job = await retryJob(ctx, jobId);
  await auditJob(ctx, actor, "job.retry", job);
  return job;
}

function auditJob({ db }: DbContext, actor: AdminActor, action: string, job: Job) {
  return writeAudit(
    { db },
    {
      actorId: actor.id,
      action,
      target: { type: "job", id: job.id },
      details: { type: job.type, groupId: job.groupId, subjectId: job.subjectId },
      ip: actor.ip,
    },
  );
}

/** A procedure started from the admin panel, with its audit entry. */
export async function adminStartProcedure(
  ctx: Pick<CoreContext, "db"> & { boss: PgBoss },
  actor: AdminActor,
  request: TProcedureRequestInput,
): Promise<Job> {
  const job = await startProcedure(ctx, request, { userId: actor.id, via: "panel" });
  await writeAudit(ctx, {
    actorId: actor.id,
    action: "maintenance.run",
    target: { type: "job", id: job.id },
    details: { procedure: request.procedure, options: redactRequest({ request }) as Prisma.InputJsonValue },
    ip: actor.ip,
  });
  return job;
}

export async function systemStatus(
  ctx: Pick<CoreContext, "db" | "boss" | "config">,
): Promise<z.input<typeof ZSystemStatus>> {
  const { db, config } = ctx;
  const started = performance.now();
  let database: z.input<typeof ZSystemStatus>["database"];
  try {
    await db.$queryRaw`SELECT 1`;
    database = { ok: true, latencyMs: Math.round(performance.now() - started), error: null };
  } catch (err) {
    database = { ok: false, latencyMs: null, error: (err as Error).message };
  }
  const [r, workers, disks, queues, backup, alerts] = await Promise.all([
    classifierServiceStatus(config.rServerUrl, null).catch(() => ({ state: "down", url: config.rServerUrl })),
    listWorkers({ db }, { includeStale: true }),
    checkDisk(ctx, { dryRun: true }, silentReporter).catch(() => []),
    queueDepths({ db }),
    db.job.findFirst({
      where: { type: QUEUES.maintenanceRun, subjectType: MAINTENANCE_SUBJECT, subjectId: "backup-database" },
      orderBy: { createdAt: "desc" },
    }),
    db.alertState.findMany({ orderBy: { lastSentAt: "desc" }, take: 20 }),
  ]);
  const mem = process.memoryUsage();
  return {
    database,
    rServer: { state: r.state, url: r.url },
    workers: workers.slice(0, 20).map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      version: w.version,
      lastSeenAt: w.lastSeenAt,
      rssBytes: w.rssBytes,
      heapUsedBytes: w.heapUsedBytes,
      activeJobs: w.activeJobs.length,
      live: w.live,
    })),
    disks: disks.map((d) => ({
      label: d.label,
      path: d.path,
      usedFraction: d.usedFraction,
      availableBytes: d.availableBytes,
      totalBytes: d.totalBytes,
    })),
    apiMemory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    queues,
    lastBackup: backup
      ? {
          jobId: backup.id,
          finishedAt: backup.finishedAt,
          status: backup.status,
          key: (backup.result as { key?: string } | null)?.key ?? null,
        }
      : null,
    alerts: alerts.map((a) => ({ key: a.key, lastSentAt: a.lastSentAt })),
  };
}
