import {
  listGroupStorage,
  setGroupStorageQuota,
  ZGroupStorage,
  ZListGroupStorageResponse,
  ZSetGroupStorageQuotaRequest,
} from "@battycoda/core";
import {
  adminCancelJob,
  adminRetryJob,
  getProcedureRun,
  listAdminGroups,
  listAdminJobs,
  listAdminUsers,
  listBackups,
  listProcedureRuns,
  listSchedules,
  setUserActive,
  setUserSiteAdmin,
  startProcedure,
  systemStatus,
  ZAdminGroup,
  ZAdminJob,
  ZAdminUser,
  ZBackupList,
  ZJobIdRequest,
  ZListAdminJobsRequest,
  ZListAdminUsersRequest,
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
import { listCspReports, ZListCspReportsRequest, ZListCspReportsResponse } from "../http/csp-reports.ts";
import { uploadLimits } from "../http/upload-limits.ts";
import { createTRPCRouter, siteAdminProcedure } from "../trpc.ts";
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
    .query(async ({ ctx, input }) => ({ items: await listCspReports(ctx.config.dataDir, input.limit) })),

  /** Media each group stores against its quota (see GROUP_STORAGE_QUOTA_MB). */
  groupStorage: siteAdminProcedure
    .output(ZListGroupStorageResponse)
    .query(({ ctx }) => listGroupStorage(ctx, uploadLimits(ctx.config))),

  /** null = the site default, 0 = unlimited. */
  setGroupStorageQuota: siteAdminProcedure
    .input(ZSetGroupStorageQuotaRequest)
    .output(ZGroupStorage)
    .mutation(({ ctx, input }) =>
      setGroupStorageQuota(ctx, input.groupId, input.quotaBytes, uploadLimits(ctx.config)),
    ),

  // ── maintenance procedures (packages/core/src/maintenance) ──

  /** Queues a procedure for the worker; follow it with maintenanceRun. */
  startMaintenance: siteAdminProcedure
    .input(ZProcedureRequest)
    .output(ZProcedureRun)
    .mutation(async ({ ctx, input }) => {
      const boss = requireBoss(ctx.boss);
      const job = await startProcedure({ db: ctx.db, boss }, input, { userId: ctx.user.id, via: "panel" });
      await ctx.db.auditEntry.create({
        data: {
          actorId: ctx.user.id,
          action: "maintenance.run",
          targetType: "job",
          targetId: job.id,
          details: { procedure: input.procedure },
        },
      });
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
    .mutation(({ ctx, input }) => adminCancelJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, input.jobId)),

  retryJob: siteAdminProcedure
    .input(ZJobIdRequest)
    .output(ZAdminJob)
    .mutation(({ ctx, input }) => adminRetryJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, input.jobId)),

  // ── users and groups ──

  users: siteAdminProcedure
    .input(ZListAdminUsersRequest)
    .output(z.array(ZAdminUser))
    .query(({ ctx, input }) => listAdminUsers(ctx, input)),

  setUserActive: siteAdminProcedure
    .input(ZSetUserFlagRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setUserActive(ctx, ctx.user.id, input.userId, input.value);
      return { ok: true as const };
    }),

  setSiteAdmin: siteAdminProcedure
    .input(ZSetUserFlagRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setUserSiteAdmin(ctx, ctx.user.id, input.userId, input.value);
      return { ok: true as const };
    }),

  groups: siteAdminProcedure.output(z.array(ZAdminGroup)).query(({ ctx }) => listAdminGroups(ctx)),

  /** Database, R server, worker heartbeats, disks, memory, queue depths, last backup, alerts. */
  systemStatus: siteAdminProcedure.output(ZSystemStatus).query(({ ctx }) => systemStatus(ctx)),
});

function requireBoss<T>(boss: T | null): T {
  if (!boss) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "The job queue is not available" });
  return boss;
}
