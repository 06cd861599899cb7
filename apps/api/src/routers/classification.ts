// Classification runs (contract for apps/web/src/features/classification; logic in
// @battycoda/core/classification). Every procedure is scoped to the caller's group: another group's
// runs, results and segmentations answer NOT_FOUND.
//   listRuns / getRun / listResults          runs with status, progress, waiting reason, stamp, methods text
//   startRun({segmentationId, classifierId?}) queued; no classifier → the species' best trained one, else dummy
//   classifyUnclassifiedPreview / classifyUnclassified   every active segmentation without a run
//   cancelRun / retryRun / deleteRun / applyLabels
//   serviceStatus()                          the R server: up | down | busy
//   classifiers()                            kept for the Workflow page until classifiers.list replaces it
// Files (raw HTTP, see http/classification-files.ts): GET /api/classification-runs/:id/results.csv,
//   /features.csv, /parameters.json.

import { DomainError } from "@battycoda/core";
import {
  applyLabels,
  cancelRun,
  classifierServiceStatus,
  classifyUnclassified,
  classifyUnclassifiedPreview,
  deleteRun,
  getRun,
  listResults,
  listRuns,
  retryRun,
  startRun,
  ZApplyLabelsRequest,
  ZApplyLabelsResponse,
  ZClassifyUnclassifiedPreview,
  ZClassifyUnclassifiedRequest,
  ZClassifyUnclassifiedResponse,
  ZListResultsRequest,
  ZListResultsResponse,
  ZListRunsRequest,
  ZListRunsResponse,
  ZRunDetail,
  ZRunIdRequest,
  ZServiceStatus,
  ZStartRunRequest,
  ZStartRunResponse,
} from "@battycoda/core/classification/index";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListClassifiersResponse } from "./placeholders.schemas.ts";

const ZOk = z.object({ ok: z.literal(true) });

function requireBoss(boss: PgBoss | null): PgBoss {
  if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background jobs are not available on this server");
  return boss;
}

export const classificationRouter = createTRPCRouter({
  classifiers: groupProcedure.output(ZListClassifiersResponse).query(async ({ ctx }) => {
    const rows = await ctx.db.classifier.findMany({
      where: { isActive: true, OR: [{ groupId: null }, { groupId: ctx.access.groupId }] },
      include: { species: { select: { name: true } } },
      orderBy: { name: "asc" },
    });
    return rows.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      description: c.description,
      speciesId: c.speciesId,
      speciesName: c.species?.name ?? null,
      isGlobal: c.groupId === null,
      createdAt: c.createdAt,
    }));
  }),

  listRuns: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/classification-runs",
        tag: "classification",
        summary: "Classification runs of the group, with status and progress",
      },
    })
    .input(ZListRunsRequest)
    .output(ZListRunsResponse)
    .query(({ ctx, input }) => listRuns(ctx, ctx.access, input)),
  getRun: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/classification-runs/:runId",
        tag: "classification",
        summary: "One run with its reproducibility stamp",
      },
    })
    .input(ZRunIdRequest)
    .output(ZRunDetail)
    .query(({ ctx, input }) => getRun(ctx, ctx.access, input.runId)),
  listResults: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/classification-runs/:runId/results",
        tag: "classification",
        summary: "Per-call results with every call type's probability, paginated",
      },
    })
    .input(ZListResultsRequest)
    .output(ZListResultsResponse)
    .query(({ ctx, input }) => listResults(ctx, ctx.access, input)),
  startRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/classification-runs",
        tag: "classification",
        summary: "Classify a segmentation (queued); without classifierId the species' best classifier",
        status: 202,
      },
    })
    .input(ZStartRunRequest)
    .output(ZStartRunResponse)
    .mutation(({ ctx, input }) =>
      startRun({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input, { userId: ctx.access.userId }),
    ),
  classifyUnclassifiedPreview: groupProcedure
    .input(ZClassifyUnclassifiedRequest)
    .output(ZClassifyUnclassifiedPreview)
    .query(({ ctx, input }) => classifyUnclassifiedPreview(ctx, ctx.access, input)),
  classifyUnclassified: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/classification-runs/unclassified",
        tag: "classification",
        summary: "Queue a run for every active segmentation without one",
        status: 202,
      },
    })
    .input(ZClassifyUnclassifiedRequest)
    .output(ZClassifyUnclassifiedResponse)
    .mutation(({ ctx, input }) =>
      classifyUnclassified({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input, {
        userId: ctx.access.userId,
      }),
    ),
  cancelRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/classification-runs/:runId/cancel",
        tag: "classification",
        summary: "Cancel a queued or running run",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) =>
      cancelRun({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input.runId),
    ),
  retryRun: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/classification-runs/:runId/retry",
        tag: "classification",
        summary: "Queue a failed or cancelled run again",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) =>
      retryRun({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input.runId),
    ),
  deleteRun: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/classification-runs/:runId",
        tag: "classification",
        summary: "Delete a run and its results",
      },
    })
    .input(ZRunIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) =>
      deleteRun({ db: ctx.db, boss: requireBoss(ctx.boss) }, ctx.access, input.runId),
    ),
  applyLabels: groupProcedure
    .input(ZApplyLabelsRequest)
    .output(ZApplyLabelsResponse)
    .mutation(({ ctx, input }) => applyLabels(ctx, ctx.access, input)),
  serviceStatus: groupProcedure
    .input(z.void())
    .output(ZServiceStatus)
    .query(({ ctx }) => classifierServiceStatus(ctx.config.rServerUrl, ctx.db)),
});
