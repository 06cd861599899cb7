// Classifiers of the caller's group and the global ones (contract: /tmp/bc/contract.md).
//   list({speciesId?}) · get({classifierId}) · confusionCell({classifierId, trueLabel, predictedLabel, limit?})
//   trainingPreview({speciesId, projectId?}) · train({name, speciesId, type, source, options?})
//   listTrainingJobs({speciesId?}) · delete({classifierId}) (group-owned only; global → FORBIDDEN)
// Another group's classifiers and training jobs answer NOT_FOUND.
import {
  confusionCell,
  createTrainingJob,
  deleteClassifier,
  getClassifier,
  listClassifiers,
  listTrainingJobs,
  trainingPreview,
  ZClassifierDetail,
  ZClassifierIdRequest,
  ZConfusionCellRequest,
  ZConfusionCellResponse,
  ZListClassifiersRequest,
  ZListClassifiersResponse,
  ZListTrainingJobsRequest,
  ZListTrainingJobsResponse,
  ZTrainingPreviewRequest,
  ZTrainingPreviewResponse,
  ZTrainRequest,
  ZTrainResponse,
} from "@battycoda/core/classifiers";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

export const classifiersRouter = createTRPCRouter({
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/classifiers",
        tag: "classifiers",
        summary: "Classifiers: global ones and the group's",
      },
    })
    .input(ZListClassifiersRequest)
    .output(ZListClassifiersResponse)
    .query(({ ctx, input }) => listClassifiers(ctx, ctx.access, input)),
  get: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/classifiers/:classifierId",
        tag: "classifiers",
        summary: "One classifier with its metrics",
      },
    })
    .input(ZClassifierIdRequest)
    .output(ZClassifierDetail)
    .query(({ ctx, input }) => getClassifier(ctx, ctx.access, input.classifierId)),
  confusionCell: groupProcedure
    .input(ZConfusionCellRequest)
    .output(ZConfusionCellResponse)
    .query(({ ctx, input }) => confusionCell(ctx, ctx.access, input)),
  trainingPreview: groupProcedure
    .input(ZTrainingPreviewRequest)
    .output(ZTrainingPreviewResponse)
    .query(({ ctx, input }) => trainingPreview(ctx, ctx.access, input)),
  train: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/classifiers",
        tag: "classifiers",
        summary: "Train a classifier from labelled segments or a features CSV (queued)",
        status: 202,
      },
    })
    .input(ZTrainRequest)
    .output(ZTrainResponse)
    .mutation(({ ctx, input }) => createTrainingJob(ctx, ctx.access, input)),
  listTrainingJobs: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/training-jobs",
        tag: "classifiers",
        summary: "Training jobs and their status",
      },
    })
    .input(ZListTrainingJobsRequest)
    .output(ZListTrainingJobsResponse)
    .query(({ ctx, input }) => listTrainingJobs(ctx, ctx.access, input)),
  delete: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/classifiers/:classifierId",
        tag: "classifiers",
        summary: "Delete one of the group's classifiers",
      },
    })
    .input(ZClassifierIdRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteClassifier(ctx, ctx.access, input.classifierId)),
});
