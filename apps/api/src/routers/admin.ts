import {
  listGroupStorage,
  setGroupStorageQuota,
  ZGroupStorage,
  ZListGroupStorageResponse,
  ZSetGroupStorageQuotaRequest,
} from "@battycoda/core";
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
});
