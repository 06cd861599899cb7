export { decodeFrames, decodeWav, rangeToFrames } from "./decode.ts";
export {
  buildWavHeader,
  copyWavRange,
  encodeFrames,
  encodeWav,
  formatOf,
  type WavFormat,
  writeFileAtomic,
  writeWavFile,
} from "./encode.ts";
export { WavError, type WavErrorCode } from "./errors.ts";
export {
  type BlockReadOptions,
  type ByteSource,
  blocksFromHandle,
  readFrames,
  readInto,
  readWavBlocks,
  readWavFile,
  readWavInfo,
  readWavInfoFromHandle,
  type WavBlock,
} from "./file.ts";
export { type ParseOptions, parseWavHeader } from "./header.ts";
export { parseBext, parseGuano, parseListInfo } from "./metadata.ts";
export { timeExpansionRefusal, writeTimeExpansion } from "./set-time-expansion.ts";
export type {
  BextMetadata,
  ChunkEntry,
  DecodedWav,
  GuanoMetadata,
  SampleFormat,
  TimeRange,
  WamdMetadata,
  WavInfo,
  WavMetadata,
} from "./types.ts";
