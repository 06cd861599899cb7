import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListClusteringRunsResponse } from "./placeholders.schemas.ts";

export const clusteringRouter = createTRPCRouter({
  runs: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clustering-runs",
        tag: "clustering",
        summary: "Clustering runs of the group",
      },
    })
    .output(ZListClusteringRunsResponse)
    .query(async ({ ctx }) => {
      const rows = await ctx.db.clusteringRun.findMany({
        where: { groupId: ctx.access.groupId },
        include: { _count: { select: { clusters: true } } },
        orderBy: { createdAt: "desc" },
      });
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        progress: r.progress,
        featureSet: r.featureSet,
        clusterCount: r._count.clusters,
        createdAt: r.createdAt,
      }));
    }),
});
