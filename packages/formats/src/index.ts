export { neutralizeCell } from "./cells.ts";
export {
  isSegmentFileName,
  isWavName,
  type MatchResult,
  matchSegmentFiles,
  type SegmentPair,
} from "./matcher.ts";
export { PickleError, UnsafePickleError } from "./pickle/errors.ts";
export * from "./pickle/values.ts";
export { unpickle } from "./pickle/vm.ts";
export { type CsvExportOptions, exportSegmentsCsv, parseSegmentsCsv } from "./segments/csv.ts";
export * from "./segments/file.ts";
export { formatNotes, parseNotes } from "./segments/notes.ts";
export { formatNumber, parseDecimal, spanDuration } from "./segments/numbers.ts";
export { parseSegmentPickle } from "./segments/pickle.ts";
export {
  exportRavenTable,
  looksLikeRaven,
  parseRavenTable,
  type RavenExportOptions,
} from "./segments/raven.ts";
export * from "./segments/types.ts";
export * from "./zip/errors.ts";
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip/limits.ts";
export {
  inspectZip,
  openZip,
  type ZipEntry,
  type ZipFileEntry,
  ZipReader,
  type ZipRejectedEntry,
  type ZipSummary,
} from "./zip/reader.ts";
