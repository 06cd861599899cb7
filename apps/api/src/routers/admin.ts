import {
  listAuditEntries,
  listCspReports,
  listGroupStorage,
  setGroupStorageQuota,
  startImpersonation,
  writeAudit,
  ZGroupStorage,
  ZImpersonateRequest,
  ZImpersonateResponse,
  ZListCspReportsRequest,
  ZListCspReportsResponse,
  ZListGroupStorageResponse,
  ZSetGroupStorageQuotaRequest,
} from "@battycoda/core";
import {
  type AdminActor,
  adminCancelJob,
  adminRetryJob,
  adminStartProcedure,
  getProcedureRun,
  listAdminGroups,
  listAdminJobs,
  listAdminUsers,
  listBackups,
  listProcedureRuns,
  listSchedules,
  setUserActive,
  setUserSiteAdmin,
  systemStatus,
  ZAdminGroup,
  ZAdminJob,
  ZAdminUser,
  ZAuditEntry,
  ZBackupList,
  ZJobIdRequest,
  ZListAdminJobsRequest,
  ZListAdminUsersRequest,
  ZListAuditRequest,
  ZListProcedureRunsRequest,
  ZProcedureRequest,
  ZProcedureRun,
  ZRunIdRequest,
  ZSchedule,
  ZSetUserFlagRequest,
  ZSystemStatus,
} from "@battycoda/core/maintenance/index";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { uploadLimits } from "../http/upload-limits.ts";
import { type Context, createTRPCRouter, siteAdminProcedure } from "../trpc.ts";
import { ZAdminStatsResponse } from "./placeholders.schemas.ts";

export const adminRouter = createTRPCRouter({
  stats: siteAdminProcedure.output(ZAdminStatsResponse).query(async ({ ctx }) => {
    const [users, groups, projects, species, recordings, segments, jobs] = await Promise.all([
      ctx.db.user.count(),
      ctx.db.group.count(),
      ctx.db.project.count(),
      ctx.db.species.count(),
      ctx.db.recording.count(),
      ctx.db.segment.count(),
      ctx.db.job.groupBy({ by: ["status"], _count: { _all: true } }),
    ]);
    return {
      users,
      groups,
      projects,
      species,
      recordings,
      segments,
      jobsByStatus: Object.fromEntries(jobs.map((j) => [j.status, j._count._all])),
    };
  }),

  /** Content-Security-Policy violations browsers reported (POST /api/csp-report), newest first. */
  cspReports: siteAdminProcedure
    .input(ZListCspReportsRequest)
    .output(ZListCspReportsResponse)
    .query(async ({ ctx, input }) => ({ items: await listCspReports(ctx, input.limit) })),

  /** Media each group stores against its quota (see GROUP_STORAGE_QUOTA_MB). */
  groupStorage: siteAdminProcedure
    .output(ZListGroupStorageResponse)
    .query(({ ctx }) => listGroupStorage(ctx, uploadLimits(ctx.config))),

  /** null = the site default, 0 = unlimited. */
  setGroupStorageQuota: siteAdminProcedure
    .input(ZSetGroupStorageQuotaRequest)
    .output(ZGroupStorage)
    .mutation(async ({ ctx, input }) => {
      const result = await setGroupStorageQuota(
        ctx,
        input.groupId,
        input.quotaBytes,
        uploadLimits(ctx.config),
      );
      await writeAudit(ctx, {
        actorId: ctx.user.id,
        action: "group.storage-quota",
        target: { type: "group", id: input.groupId },
        details: { quotaBytes: input.quotaBytes },
        ip: ctx.meta.ip,
      });
      return result;
    }),

  // ── maintenance procedures (packages/core/src/maintenance) ──

  /** Queues a procedure for the worker; follow it with maintenanceRun. */
  startMaintenance: siteAdminProcedure
    .input(ZProcedureRequest)
    .output(ZProcedureRun)
    .mutation(async ({ ctx, input }) => {
      const job = await adminStartProcedure({ db: ctx.db, boss: requireBoss(ctx.boss) }, actorOf(ctx), input);
      return getProcedureRun(ctx, job.id);
    }),

  maintenanceRuns: siteAdminProcedure
    .input(ZListProcedureRunsRequest)
    .output(z.array(ZProcedureRun))
    .query(({ ctx, input }) => listProcedureRuns(ctx, input)),

  maintenanceRun: siteAdminProcedure
    .input(ZRunIdRequest)
    .output(ZProcedureRun)
    .query(({ ctx, input }) => getProcedureRun(ctx, input.jobId)),

  schedules: siteAdminProcedure.output(z.array(ZSchedule)).query(({ ctx }) => listSchedules({ db: ctx.db })),

  backups: siteAdminProcedure.output(ZBackupList).query(async ({ ctx }) => {
    const { bucket, prefix } = ctx.config.backup;
    try {
      return { bucket, prefix, items: await listBackups({ config: ctx.config }), error: null };
    } catch (err) {
      return { bucket, prefix, items: [], error: (err as Error).message || String(err) };
    }
  }),

  // ── job queues, site-wide ──

  jobs: siteAdminProcedure
    .input(ZListAdminJobsRequest)
    .output(z.array(ZAdminJob))
    .query(({ ctx, input }) => listAdminJobs(ctx, input)),

  cancelJob: siteAdminProcedure
    .input(ZJobIdRequest)
    .output(ZAdminJob)
    .mutation(({ ctx, input }) =>
      adminCancelJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, actorOf(ctx), input.jobId),
    ),

  retryJob: siteAdminProcedure
    .input(ZJobIdRequest)
    .output(ZAdminJob)
    .mutation(({ ctx, input }) =>
      adminRetryJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, actorOf(ctx), input.jobId),
    ),

  // ── users and groups ──

  users: siteAdminProcedure
    .input(ZListAdminUsersRequest)
    .output(z.array(ZAdminUser))
    .query(({ ctx, input }) => listAdminUsers(ctx, input)),

  setUserActive: siteAdminProcedure
    .input(ZSetUserFlagRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setUserActive(ctx, actorOf(ctx), input.userId, input.value);
      return { ok: true as const };
    }),

  setSiteAdmin: siteAdminProcedure
    .input(ZSetUserFlagRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setUserSiteAdmin(ctx, actorOf(ctx), input.userId, input.value);
      return { ok: true as const };
    }),

  /**
   * Acts as the user in this browser: their session replaces the admin's, whose token waits in a
   * second cookie for auth.stopImpersonating. Only through the admin's own cookie session.
   */
  impersonate: siteAdminProcedure
    .input(ZImpersonateRequest)
    .output(ZImpersonateResponse)
    .mutation(async ({ ctx, input }) => {
      const adminToken = ctx.cookies.current();
      if (!ctx.sessionId || !adminToken)
        throw new TRPCError({ code: "FORBIDDEN", message: "Sign in to the web app to act as another user" });
      const started = await startImpersonation(ctx, {
        adminId: ctx.user.id,
        adminSessionId: ctx.sessionId,
        targetUserId: input.userId,
        meta: ctx.meta,
      });
      ctx.cookies.adminSession.set(adminToken, started.adminSessionExpiresAt);
      ctx.cookies.set(started.token, started.expiresAt);
      return { user: started.user, expiresAt: started.expiresAt };
    }),

  /** What site admins changed, and who acted as whom; newest first. */
  auditLog: siteAdminProcedure
    .input(ZListAuditRequest)
    .output(z.array(ZAuditEntry))
    .query(({ ctx, input }) => listAuditEntries(ctx, input)),

  groups: siteAdminProcedure.output(z.array(ZAdminGroup)).query(({ ctx }) => listAdminGroups(ctx)),

  /** Database, R server, worker heartbeats, disks, memory, queue depths, last backup, alerts. */
  systemStatus: siteAdminProcedure.output(ZSystemStatus).query(({ ctx }) => systemStatus(ctx)),
});

function actorOf(ctx: Pick<Context, "meta"> & { user: { id: string } }): AdminActor {
  return { id: ctx.user.id, ip: ctx.meta.ip };
}

function requireBoss<T>(boss: T | null): T {
  if (!boss) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "The job queue is not available" });
  return boss;
}
