import { getDashboard, ZDashboardResponse } from "@battycoda/core";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

/** The dashboard's counts and recent recordings, for the caller's current group only. */
export const dashboardRouter = createTRPCRouter({
  summary: groupProcedure.output(ZDashboardResponse).query(({ ctx }) => getDashboard(ctx, ctx.access)),
});
