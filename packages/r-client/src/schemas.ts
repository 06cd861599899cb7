/** zod schemas for the R server's JSON responses (see r_code/README.md). */
import { z } from "zod";

export const classifierMethods = ["knn", "lda", "rf", "ensemble"] as const;
export const ClassifierMethodSchema = z.enum(classifierMethods);
export type ClassifierMethod = z.infer<typeof ClassifierMethodSchema>;

export const PingResponseSchema = z.object({
  status: z.literal("ok"),
  service: z.string(),
  rVersion: z.string(),
  rVersionString: z.string(),
  packages: z.record(z.string(), z.string().nullable()),
  methods: z.array(z.string()),
  pid: z.number().int(),
  uptimeSeconds: z.number(),
  /** Trainings running in their own R processes (absent on servers before issue 9). */
  training: z
    .object({
      active: z.number().int(),
      max: z.number().int(),
      jobs: z.array(
        z.object({
          trainingId: z.string(),
          method: z.string(),
          progress: z.number(),
          stage: z.string().nullable().optional(),
          startedAt: z.string(),
        }),
      ),
    })
    .optional(),
  /** The server's model cache (absent on servers before models travelled over HTTP). */
  modelCache: z.object({ models: z.number().int(), bytes: z.number(), maxBytes: z.number() }).optional(),
});
export type PingResponse = z.infer<typeof PingResponseSchema>;

export const PerClassMetricsSchema = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
  predicted: z.number().int(),
});
export type PerClassMetrics = z.infer<typeof PerClassMetricsSchema>;

export const ConfusionMatrixSchema = z.object({
  labels: z.array(z.string()),
  /** rows = true label, columns = predicted label, in `labels` order */
  matrix: z.array(z.array(z.number().int())),
});
export type ConfusionMatrix = z.infer<typeof ConfusionMatrixSchema>;

export const CrossValidationSchema = z.object({
  folds: z.number().int(),
  seed: z.number().int(),
  stratified: z.boolean(),
  n: z.number().int(),
  accuracy: z.number(),
  balancedAccuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(PerClassMetricsSchema),
  confusionMatrix: ConfusionMatrixSchema,
  warnings: z.array(z.string()),
  /** Out-of-fold prediction of each trained row; `row` is its 1-based index in the request's rows
   * (duplicates and dropped rare labels are absent). */
  predictions: z
    .array(z.object({ row: z.number().int(), label: z.string(), predicted: z.string() }))
    .optional(),
});
export type CrossValidation = z.infer<typeof CrossValidationSchema>;

/** A model's name on every R server: the sha256 of its .rds bytes, lowercase hex. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

export const TrainResponseSchema = z.object({
  method: ClassifierMethodSchema,
  /** The trained model, in the server's model cache (GET /models/{sha256}). */
  modelSha256: Sha256Schema,
  modelSize: z.number().int(),
  classes: z.array(z.string()),
  classCounts: z.record(z.string(), z.number().int()),
  featureNames: z.array(z.string()),
  droppedFeatures: z.array(z.object({ name: z.string(), reason: z.string() })),
  droppedLabels: z.array(z.object({ label: z.string(), count: z.number().int() })),
  nInputRows: z.number().int(),
  nDuplicatesRemoved: z.number().int(),
  nTrainingRows: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  cv: CrossValidationSchema.nullable(),
  warnings: z.array(z.string()),
  trainedAt: z.string(),
  elapsedSeconds: z.number(),
  /** Hyper-parameters chosen by inner cross-validation (KNN's k). */
  tuning: z.object({ k: z.number().int() }).nullable().optional(),
  rVersion: z.string().optional(),
  packages: z.record(z.string(), z.string().nullable()).optional(),
});
export type TrainResponse = z.infer<typeof TrainResponseSchema>;

export const PredictionSchema = z.object({
  label: z.string(),
  confidence: z.number(),
  probabilities: z.record(z.string(), z.number()),
});
export type Prediction = z.infer<typeof PredictionSchema>;

export const PredictResponseSchema = z.object({
  method: ClassifierMethodSchema,
  modelSha256: Sha256Schema,
  classes: z.array(z.string()),
  featureNames: z.array(z.string()),
  predictions: z.array(PredictionSchema),
});
export type PredictResponse = z.infer<typeof PredictResponseSchema>;

export const TrainStartedSchema = z.object({
  trainingId: z.string(),
  status: z.literal("running"),
  method: ClassifierMethodSchema,
  statusUrl: z.string(),
});
export type TrainStarted = z.infer<typeof TrainStartedSchema>;

export const TrainingStatusSchema = z.object({
  trainingId: z.string(),
  method: ClassifierMethodSchema,
  status: z.enum(["running", "done", "failed"]),
  progress: z.number(),
  stage: z.string().nullable().optional(),
  startedAt: z.string(),
  result: TrainResponseSchema.optional(),
  error: z.string().optional(),
  /** HTTP status the failure stands for (4xx: the input; 500: a bug; 409: cancelled). */
  errorStatus: z.number().int().optional(),
  details: z.unknown().optional(),
});
export type TrainingStatus = z.infer<typeof TrainingStatusSchema>;

export const ErrorResponseSchema = z.object({
  error: z.string(),
  status: z.number().int().optional(),
  /** Names the errors a client reacts to: model_not_cached, sha256_mismatch, model_too_large. */
  code: z.string().optional(),
  details: z.unknown().optional(),
});

export const ModelUploadResponseSchema = z.object({
  sha256: Sha256Schema,
  bytes: z.number().int(),
  /** false: the server already had it. */
  stored: z.boolean(),
});
export type ModelUploadResponse = z.infer<typeof ModelUploadResponseSchema>;
