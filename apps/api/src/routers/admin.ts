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
});
