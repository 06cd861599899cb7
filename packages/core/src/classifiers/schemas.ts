import { RunStatus } from "@battycoda/db";
// zod contract of `classifiers.*` (see /tmp/bc/contract.md, kept by the lead). Dates are ISO strings.
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

export const TRAINABLE_TYPES = ["knn", "lda", "rf", "ensemble"] as const;
export const ZTrainableType = z.enum(TRAINABLE_TYPES);
export type TrainableType = z.infer<typeof ZTrainableType>;

/** A CSV upload is held in memory by the API; this keeps the request (and R's input) reasonable. */
export const MAX_TRAINING_CSV_CHARS = 50 * 1024 * 1024;

export const ZListClassifiersRequest = z.object({ speciesId: ZId.optional() });

export const ZClassifierSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  speciesId: z.string().nullable(),
  speciesName: z.string().nullable(),
  isGlobal: z.boolean(),
  version: z.number().int(),
  trainingRows: z.number().int().nullable(),
  accuracy: z.number().nullable(),
  balancedAccuracy: z.number().nullable(),
  classes: z.array(z.string()),
  createdAt: ZIsoDate,
});
export type TClassifierSummary = z.input<typeof ZClassifierSummary>;
export const ZListClassifiersResponse = z.array(ZClassifierSummary);

export const ZPerClassMetrics = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});

export const ZClassifierMetrics = z.object({
  folds: z.number().int(),
  seed: z.number().int(),
  n: z.number().int(),
  accuracy: z.number(),
  balancedAccuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(ZPerClassMetrics),
  confusionMatrix: z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number().int())) }),
});
export type ClassifierMetrics = z.infer<typeof ZClassifierMetrics>;

export const ZTrainingSource = z.looseObject({ kind: z.enum(["segments", "csv", "defaults"]) });

export const ZClassifierDetail = ZClassifierSummary.extend({
  metrics: ZClassifierMetrics.nullable(),
  parameters: z.unknown(),
  featureNames: z.array(z.string()),
  trainingDataHash: z.string().nullable(),
  rInfo: z.unknown(),
  source: ZTrainingSource.nullable(),
});

export const ZClassifierIdRequest = z.object({ classifierId: ZId });

export const ZConfusionCellRequest = z.object({
  classifierId: ZId,
  trueLabel: z.string().min(1).max(200),
  predictedLabel: z.string().min(1).max(200),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type TConfusionCellRequest = z.input<typeof ZConfusionCellRequest>;

export const ZConfusionCellResponse = z.object({
  items: z.array(
    z.object({
      /** Segment training: the row's position in the training table; CSV training: its line in the file. */
      row: z.number().int(),
      segmentId: z.string().nullable(),
      recordingId: z.string().nullable(),
      recordingName: z.string().nullable(),
      onset: z.number().nullable(),
      offset: z.number().nullable(),
    }),
  ),
  total: z.number().int(),
});

export const ZTrainingPreviewRequest = z.object({ speciesId: ZId, projectId: ZId.optional() });
export type TTrainingPreviewRequest = z.infer<typeof ZTrainingPreviewRequest>;
export const ZTrainingPreviewResponse = z.object({
  total: z.number().int(),
  perLabel: z.array(z.object({ label: z.string(), count: z.number().int() })),
  /** Of the total, the calls labelled only in task batches (annotation), not in the segmentation editor. */
  fromTasks: z.number().int(),
});

/** Options passed through to R (its own checks name bad values); folds and seed are fixed. */
export const ZTrainOptions = z
  .strictObject({
    k: z.number().int().min(1).max(1000),
    weighting: z.enum(["uniform", "distance"]),
    prior: z.enum(["proportional", "uniform"]),
    numTrees: z.number().int().min(1).max(5000),
    mtry: z.number().int().min(1).max(1000),
    minNodeSize: z.number().int().min(1).max(1000),
    classWeights: z.enum(["balanced", "none"]),
  })
  .partial();
export type TrainOptions = z.infer<typeof ZTrainOptions>;

export const ZTrainRequest = z.object({
  name: z.string().trim().min(1).max(200),
  speciesId: ZId,
  type: ZTrainableType,
  source: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("segments"), projectId: ZId.optional() }),
    z.object({ kind: z.literal("csv"), csvText: z.string().min(1).max(MAX_TRAINING_CSV_CHARS) }),
  ]),
  options: ZTrainOptions.optional(),
});
export type TTrainRequest = z.infer<typeof ZTrainRequest>;
export const ZTrainResponse = z.object({ trainingJobId: z.string(), jobId: z.string() });

export const ZListTrainingJobsRequest = z.object({ speciesId: ZId.optional() });
export const ZTrainingJobSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.enum(RunStatus),
  progress: z.number(),
  error: z.string().nullable(),
  classifierId: z.string().nullable(),
  createdAt: ZIsoDate,
});
export const ZListTrainingJobsResponse = z.array(ZTrainingJobSummary);
