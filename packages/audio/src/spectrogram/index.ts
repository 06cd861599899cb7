export * from "./params.ts";
export { stft, StreamingStft, StftKernel, type SpectrogramBlock } from "./stft.ts";
export {
  CHUNK_FRAMES,
  SpectrogramSink,
  writeSpectrogramFile,
  writeSpectrogramFromSamples,
  type SpectrogramFileSummary,
  type SpectrogramJobOptions,
} from "./job.ts";
export {
  readSpectrogramAttrs,
  readSpectrogramWindow,
  type SpectrogramFileAttrs,
  type SpectrogramWindow,
  type SpectrogramWindowRequest,
} from "./read.ts";
export { decimate, lowpassFir } from "./decimate.ts";
