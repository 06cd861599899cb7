// Segmentation: runs (pg-boss job + audio pool), preview, batch, manual editing with optimistic
// concurrency, imports and exports of segment tables.
export {
  type ImportMode,
  type ImportSegmentsInput,
  type ImportSegmentsResult,
  importSegments,
  type OutsideRow,
  parseSegmentsOrThrow,
} from "./import.ts";
