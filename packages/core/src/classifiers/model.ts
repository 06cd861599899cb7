// One training on the R server, shared by the job handler, `battycoda classifier train` and the
// default classifiers: table → hash → R → metrics + out-of-fold predictions + the model's bytes
// (downloaded from R, sha256 checked). Storing them is model-store.ts's business.
import { createHash } from "node:crypto";
import type { PingResponse, RClient, TrainResponse } from "@battycoda/r-client";
import { CV_FOLDS, CV_SEED } from "./features-csv.ts";
import type { ClassifierMetrics, TrainableType, TrainOptions } from "./schemas.ts";

/** Where a training row came from: a line of a CSV file or a labelled segment. */
export type RowOrigin = { line: number } | { segmentId: string };

export interface TrainingTable {
  featureNames: string[];
  /** Values in featureNames order. */
  rows: number[][];
  labels: string[];
  origins: RowOrigin[];
}

export interface CvPrediction {
  /** 1-based position in the training table. */
  row: number;
  line?: number;
  segmentId?: string;
  label: string;
  predicted: string;
}

export interface RInfo {
  rVersion: string | null;
  packages: Record<string, string | null>;
  trainedAt: string;
  elapsedSeconds: number;
}

export interface TrainedModel {
  method: TrainableType;
  /** sha256 of the model's .rds bytes: its name on every R server and in the media store. */
  modelSha256: string;
  modelSize: number;
  classes: string[];
  featureNames: string[];
  trainingDataHash: string;
  trainingRows: number;
  metrics: (ClassifierMetrics & Record<string, unknown>) | null;
  options: Record<string, unknown>;
  warnings: string[];
  rInfo: RInfo;
  cvPredictions: CvPrediction[] | null;
}

/**
 * sha256 over the rows in a canonical order (sorted lines of label + values), so the same calls
 * in another order are the same training data; Number→string is the shortest exact round trip.
 */
export function trainingDataHash(table: Pick<TrainingTable, "featureNames" | "rows" | "labels">): string {
  const lines = table.rows.map((r, i) => `${JSON.stringify(table.labels[i])}\t${r.join(",")}`);
  lines.sort();
  const h = createHash("sha256");
  h.update(`${table.featureNames.join(",")}\n`);
  for (const l of lines) h.update(`${l}\n`);
  return h.digest("hex");
}

function cvPredictionsOf(res: TrainResponse, table: TrainingTable): CvPrediction[] | null {
  // Older R servers do not report per-row predictions: then only the matrix counts are known.
  const predictions = res.cv?.predictions;
  if (!predictions) return null;
  return predictions.map((p) => {
    const origin = table.origins[p.row - 1];
    return {
      row: p.row,
      ...(origin && "line" in origin ? { line: origin.line } : {}),
      ...(origin && "segmentId" in origin ? { segmentId: origin.segmentId } : {}),
      label: p.label,
      predicted: p.predicted,
    };
  });
}

function metricsOf(res: TrainResponse): TrainedModel["metrics"] {
  const cv = res.cv;
  if (!cv) return null;
  return {
    folds: cv.folds,
    seed: cv.seed,
    n: cv.n,
    accuracy: cv.accuracy,
    balancedAccuracy: cv.balancedAccuracy,
    macroF1: cv.macroF1,
    perClass: cv.perClass.map(({ label, precision, recall, f1, support }) => ({
      label,
      precision,
      recall,
      f1,
      support,
    })),
    confusionMatrix: cv.confusionMatrix,
    stratified: cv.stratified,
    warnings: cv.warnings,
    droppedLabels: res.droppedLabels,
    droppedFeatures: res.droppedFeatures,
    nInputRows: res.nInputRows,
    nDuplicatesRemoved: res.nDuplicatesRemoved,
    tuning: res.tuning ?? null,
  };
}

export interface TrainModelInput {
  type: TrainableType;
  table: TrainingTable;
  options?: TrainOptions;
  signal?: AbortSignal;
  /** Fraction 0..1 of the training (cross-validation folds, final fit) as R reports it. */
  onProgress?: (fraction: number, stage: string | null) => void;
}

/** The trained model's description and its .rds bytes. */
export async function trainModel(
  client: RClient,
  input: TrainModelInput,
): Promise<{ model: TrainedModel; bytes: Buffer }> {
  const ping: PingResponse = await client.ping();
  const columns: Record<string, number[]> = {};
  input.table.featureNames.forEach((name, j) => {
    columns[name] = input.table.rows.map((r) => r[j] as number);
  });
  const res = await client.train(
    {
      method: input.type,
      features: columns,
      labels: input.table.labels,
      // A call type with one example cannot be cross-validated: leave it out (and say so) rather than fail.
      options: { cvFolds: CV_FOLDS, seed: CV_SEED, dropRareLabels: true, ...input.options },
    },
    {
      ...(input.signal ? { signal: input.signal } : {}),
      onProgress: (p) => input.onProgress?.(p.fraction, p.stage),
    },
  );
  const model: TrainedModel = {
    method: input.type,
    modelSha256: res.modelSha256,
    modelSize: res.modelSize,
    classes: res.classes,
    featureNames: res.featureNames,
    trainingDataHash: trainingDataHash(input.table),
    trainingRows: res.nTrainingRows,
    metrics: metricsOf(res),
    options: res.options,
    warnings: res.warnings,
    rInfo: {
      rVersion: res.rVersion ?? ping.rVersion,
      packages: res.packages ?? ping.packages,
      trainedAt: res.trainedAt,
      elapsedSeconds: res.elapsedSeconds,
    },
    cvPredictions: cvPredictionsOf(res, input.table),
  };
  return { model, bytes: res.model };
}

// ─── model card: <model>.json next to <model>.rds (model-store.ts reads and writes it) ───

export const MODEL_CARD_FORMAT = "battycoda-model-card";

export interface ModelCard extends TrainedModel {
  format: typeof MODEL_CARD_FORMAT;
  formatVersion: 1;
}

export function modelCard(model: TrainedModel): ModelCard {
  return { format: MODEL_CARD_FORMAT, formatVersion: 1, ...model };
}
