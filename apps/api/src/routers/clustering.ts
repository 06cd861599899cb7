// Clustering runs and the explorer (logic in @battycoda/core/clustering). Every procedure is scoped
// to the caller's group: another group's runs, clusters and mappings answer NOT_FOUND.
//   previewScope / createRun / listRuns / getRun / cancelRun / retryRun / deleteRun
//   points (base64 typed arrays for the scatter) / members (paged)
//   updateCluster / splitCluster / mergeClusters
//   setMapping / mappings / applyMapping / mappingBatch
//   clustersCsv / mappingsCsv (text for a download)
import {
  applyMapping,
  batchFromMapping,
  cancelRun,
  clusterMembers,
  clustersCsv,
  createRun,
  deleteRun,
  getRun,
  listMappings,
  listRuns,
  mappingsCsv,
  mergeClusters,
  previewScope,
  retryRun,
  runPoints,
  setMapping,
  splitCluster,
  updateCluster,
  ZApplyMappingRequest,
  ZApplyMappingResponse,
  ZClusteringScope,
  ZCreateRunRequest,
  ZCreateRunResponse,
  ZListRunsRequest,
  ZListRunsResponse,
  ZMappingBatchRequest,
  ZMappingBatchResponse,
  ZMappingsResponse,
  ZMembersRequest,
  ZMembersResponse,
  ZMergeRequest,
  ZMergeResponse,
  ZOk,
  ZPointsResponse,
  ZRunDetail,
  ZRunIdRequest,
  ZScopePreview,
  ZSetMappingRequest,
  ZSplitRequest,
  ZSplitResponse,
  ZUpdateClusterRequest,
} from "@battycoda/core/clustering/index";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListClusteringRunsResponse } from "./placeholders.schemas.ts";

const ZCsv = z.object({ filename: z.string(), csv: z.string() });

export const clusteringRouter = createTRPCRouter({
  /** The short list the Workflow overview shows (listRuns has the details). */
  runs: groupProcedure.output(ZListClusteringRunsResponse).query(async ({ ctx }) => {
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
  previewScope: groupProcedure
    .input(z.object({ scope: ZClusteringScope }))
    .output(ZScopePreview)
    .query(({ ctx, input }) => previewScope(ctx, ctx.access, input.scope)),
  createRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/clustering-runs",
        tag: "clustering",
        summary: "Cluster the calls of a segmentation or a project/species scope (queued)",
        status: 202,
      },
    })
    .input(ZCreateRunRequest)
    .output(ZCreateRunResponse)
    .mutation(({ ctx, input }) => createRun(ctx, ctx.access, input)),
  listRuns: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clustering-runs",
        tag: "clustering",
        summary: "Clustering runs of the group, newest first",
      },
    })
    .input(ZListRunsRequest)
    .output(ZListRunsResponse)
    .query(({ ctx, input }) => listRuns(ctx, ctx.access, input)),
  getRun: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clustering-runs/:runId",
        tag: "clustering",
        summary: "One clustering run with its clusters",
      },
    })
    .input(ZRunIdRequest)
    .output(ZRunDetail)
    .query(({ ctx, input }) => getRun(ctx, ctx.access, input.runId)),
  cancelRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/clustering-runs/:runId/cancel",
        tag: "clustering",
        summary: "Cancel a queued or running clustering run",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => cancelRun(ctx, ctx.access, input.runId)),
  retryRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/clustering-runs/:runId/retry",
        tag: "clustering",
        summary: "Queue a failed or cancelled clustering run again",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => retryRun(ctx, ctx.access, input.runId)),
  deleteRun: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/clustering-runs/:runId",
        tag: "clustering",
        summary: "Delete a clustering run",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => deleteRun(ctx, ctx.access, input.runId)),
  points: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clustering-runs/:runId/points",
        tag: "clustering",
        summary: "Every clustered call with its 2-D embedding and cluster",
      },
    })
    .input(ZRunIdRequest)
    .output(ZPointsResponse)
    .query(({ ctx, input }) => runPoints(ctx, ctx.access, input.runId)),
  members: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clusters/:clusterId/members",
        tag: "clustering",
        summary: "Calls of one cluster, paged",
      },
    })
    .input(ZMembersRequest)
    .output(ZMembersResponse)
    .query(({ ctx, input }) => clusterMembers(ctx, ctx.access, input)),
  updateCluster: groupProcedure
    .input(ZUpdateClusterRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => updateCluster(ctx, ctx.access, input)),
  splitCluster: groupProcedure
    .input(ZSplitRequest)
    .output(ZSplitResponse)
    .mutation(({ ctx, input }) => splitCluster(ctx, ctx.access, input)),
  mergeClusters: groupProcedure
    .input(ZMergeRequest)
    .output(ZMergeResponse)
    .mutation(({ ctx, input }) => mergeClusters(ctx, ctx.access, input)),
  setMapping: groupProcedure
    .input(ZSetMappingRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => setMapping(ctx, ctx.access, input)),
  mappings: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/clustering-runs/:runId/mappings",
        tag: "clustering",
        summary: "Cluster to call-type mappings of a run",
      },
    })
    .input(ZRunIdRequest)
    .output(ZMappingsResponse)
    .query(({ ctx, input }) => listMappings(ctx, ctx.access, input.runId)),
  applyMapping: groupProcedure
    .input(ZApplyMappingRequest)
    .output(ZApplyMappingResponse)
    .mutation(({ ctx, input }) => applyMapping(ctx, ctx.access, input)),
  mappingBatch: groupProcedure
    .input(ZMappingBatchRequest)
    .output(ZMappingBatchResponse)
    .mutation(({ ctx, input }) => batchFromMapping(ctx, ctx.access, input)),
  clustersCsv: groupProcedure
    .input(ZRunIdRequest)
    .output(ZCsv)
    .query(({ ctx, input }) => clustersCsv(ctx, ctx.access, input.runId)),
  mappingsCsv: groupProcedure
    .input(ZRunIdRequest)
    .output(ZCsv)
    .query(({ ctx, input }) => mappingsCsv(ctx, ctx.access, input.runId)),
});
