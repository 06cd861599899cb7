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
    .input(ZListClassifiersRequest)
    .output(ZListClassifiersResponse)
    .query(({ ctx, input }) => listClassifiers(ctx.db, ctx.access, input)),
  get: groupProcedure
    .input(ZClassifierIdRequest)
    .output(ZClassifierDetail)
    .query(({ ctx, input }) => getClassifier(ctx.db, ctx.access, input.classifierId)),
  confusionCell: groupProcedure
    .input(ZConfusionCellRequest)
    .output(ZConfusionCellResponse)
    .query(({ ctx, input }) => confusionCell(ctx.db, ctx.access, input, ctx.config.mediaRoot)),
  trainingPreview: groupProcedure
    .input(ZTrainingPreviewRequest)
    .output(ZTrainingPreviewResponse)
    .query(({ ctx, input }) => trainingPreview(ctx.db, ctx.access, input)),
  train: groupProcedure
    .input(ZTrainRequest)
    .output(ZTrainResponse)
    .mutation(({ ctx, input }) =>
      createTrainingJob(ctx.db, ctx.boss, ctx.access, input, { mediaRoot: ctx.config.mediaRoot }),
    ),
  listTrainingJobs: groupProcedure
    .input(ZListTrainingJobsRequest)
    .output(ZListTrainingJobsResponse)
    .query(({ ctx, input }) => listTrainingJobs(ctx.db, ctx.access, input)),
  delete: groupProcedure
    .input(ZClassifierIdRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) =>
      deleteClassifier(ctx.db, ctx.access, input.classifierId, ctx.config.mediaRoot),
    ),
});
