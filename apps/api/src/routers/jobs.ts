import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListJobsRequest, ZListJobsResponse } from "./placeholders.schemas.ts";

export const jobsRouter = createTRPCRouter({
  /** Background jobs of the current group, newest first. */
  list: groupProcedure
    .input(ZListJobsRequest)
    .output(ZListJobsResponse)
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.job.findMany({
        where: { groupId: ctx.access.groupId, ...(input.status ? { status: input.status } : {}) },
        orderBy: { createdAt: "desc" },
        take: input.limit,
      });
      return rows.map((j) => ({
        id: j.id,
        type: j.type,
        status: j.status,
        progress: j.progress,
        message: j.message,
        error: j.error,
        subjectType: j.subjectType,
        subjectId: j.subjectId,
        createdAt: j.createdAt,
        startedAt: j.startedAt,
        finishedAt: j.finishedAt,
      }));
    }),
});
