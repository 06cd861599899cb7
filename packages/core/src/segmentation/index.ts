// Segmentation: runs (pg-boss job + audio pool), preview, batch, manual editing with optimistic
// concurrency, imports and exports of segment tables.
export type { AudioTaskRunner } from "./audio.ts";
export {
  type SegmentationBandsDeps,
  type SegmentationBandsResult,
  segmentationBandsHandler,
} from "./bands-job.ts";
export { type SegmentDto, withRecordingAudio } from "./common.ts";
export { type ExportFormat, exportSegmentation, type SegmentExport } from "./export.ts";
export {
  type SegmentationHandlerDeps,
  type SegmentationRunResult,
  segmentationLink,
  segmentationRunHandler,
} from "./handler.ts";
export {
  type ImportMode,
  type ImportSegmentsInput,
  type ImportSegmentsResult,
  importSegments,
  type OutsideRow,
  parseSegmentsOrThrow,
} from "./import.ts";
export {
  ALGORITHM_KEYS,
  type AlgorithmKey,
  algorithmDefaults,
  paramsSchemaFor,
  validateParams,
  ZAlgorithmKey,
  ZParamValues,
} from "./params.ts";
export { type PreviewResult, previewSegmentation } from "./preview.ts";
export {
  createManualSegmentation,
  deleteSegmentation,
  getSegmentation,
  listSegmentations,
  type OverviewItem,
  type RunParameters,
  renameSegmentation,
  type SegmentationDefaults,
  type SegmentationRunPayload,
  type SegmentationSummary,
  type StartBatchResult,
  type StartSegmentationResult,
  segmentationDefaults,
  segmentationOverview,
  setActiveSegmentation,
  startBatchSegmentation,
  startSegmentation,
} from "./runs.ts";
export * from "./segmentation.schemas.ts";
export { type BatchEditResult, batchEditSegments, listSegments, segmentsInWindow } from "./segments.ts";
