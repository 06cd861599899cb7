export { ColumnMax, columnCount } from "./column-max.ts";
export { decimate, lowpassFir } from "./decimate.ts";
export {
  decodeDb,
  encodingOf,
  isCurrentEncoding,
  isLegacySpectrogramFile,
  readSpectrogramEncoding,
  SPECTROGRAM_DB_OFFSET,
  SPECTROGRAM_DB_SCALE,
  type SpectrogramEncoding,
  type StoredEncoding,
} from "./encoding.ts";
export {
  CHUNK_FRAMES,
  type SpectrogramFileSummary,
  type SpectrogramJobOptions,
  SpectrogramSink,
  writeSpectrogramFile,
  writeSpectrogramFromSamples,
} from "./job.ts";
export * from "./params.ts";
export {
  dcOffsetOf,
  readSpectrogramAttrs,
  readSpectrogramWindow,
  type SpectrogramFileAttrs,
  type SpectrogramWindow,
  type SpectrogramWindowRequest,
  windowFrames,
} from "./read.ts";
export { type SpectrogramBlock, StftKernel, StreamingStft, stft } from "./stft.ts";
