import { DomainError } from "@battycoda/core";
import {
  cancelGroupJob,
  countJobs,
  getJob,
  listJobs,
  retryGroupJob,
  ZCountJobsResponse,
  ZJobDetail,
  ZJobIdRequest,
  ZListJobsRequest,
  ZListJobsResponse,
} from "@battycoda/core/jobs";
import type PgBoss from "pg-boss";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

function requireBoss(boss: PgBoss | null): PgBoss {
  if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background processing is not available");
  return boss;
}

/** Background jobs of the caller's current group (the Jobs page and each recording's status). */
export const jobsRouter = createTRPCRouter({
  /**
   * Newest first; filters by status, type, subject and creation date. Pages: pass the last id of
   * a page as `cursor` for the next one.
   */
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/jobs",
        tag: "jobs",
        summary: "Background jobs of the group, newest first",
      },
    })
    .input(ZListJobsRequest)
    .output(ZListJobsResponse)
    .query(({ ctx, input }) => listJobs(ctx, ctx.access, input)),

  /** Total matching the same filters, for "n of N" and page counts. */
  count: groupProcedure
    .input(ZListJobsRequest)
    .output(ZCountJobsResponse)
    .query(({ ctx, input }) => countJobs(ctx, ctx.access, input)),

  get: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/jobs/:jobId",
        tag: "jobs",
        summary: "One job: status, progress, error",
      },
    })
    .input(ZJobIdRequest)
    .output(ZJobDetail)
    .query(({ ctx, input }) => getJob(ctx, ctx.access, input.jobId)),

  /** queued/running → cancelled (a running job stops at its next check). */
  cancel: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/jobs/:jobId/cancel",
        tag: "jobs",
        summary: "Cancel a queued or running job",
      },
    })
    .input(ZJobIdRequest)
    .output(ZJobDetail)
    .mutation(({ ctx, input }) =>
      cancelGroupJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input.jobId),
    ),

  /** failed/cancelled → queued again. */
  retry: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/jobs/:jobId/retry",
        tag: "jobs",
        summary: "Queue a failed or cancelled job again",
      },
    })
    .input(ZJobIdRequest)
    .output(ZJobDetail)
    .mutation(({ ctx, input }) =>
      retryGroupJob({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input.jobId),
    ),
});
