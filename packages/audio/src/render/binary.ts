import { autoRange, type DbGrid, type DbRange, poolMax, quantize } from "./scale.ts";

/**
 * Compact spectrogram window for the browser canvas ("BCSG" v1), little-endian:
 *   0  "BCSG"        4  u16 version (1)   6  u16 header bytes (64)
 *   8  u32 frames (columns)               12 u32 bins (rows)
 *   16 f32 dbMin      20 f32 dbMax        value = dbMin + q/255 · (dbMax − dbMin)
 *   24 f64 t0, 32 f64 t1  seconds of the first and last column
 *   40 f64 f0, 48 f64 f1  Hz of the lowest and highest row
 *   56 u32 sampleRate    60 u32 reserved
 *   64 u8[bins × frames]  rows from the HIGHEST frequency down (canvas row order), each row
 *                         `frames` bytes left to right — so it can be blitted through a LUT directly.
 */
export const BINARY_MAGIC = "BCSG";
const HEADER = 64;

export interface BinaryAxes {
  t0: number;
  t1: number;
  f0: number;
  f1: number;
  sampleRate: number;
}

export interface BinaryOptions extends Partial<DbRange> {
  /** Max columns/rows; larger windows are max-pooled down. */
  maxFrames?: number;
  maxBins?: number;
}

export type { BcsgWindow as DecodedBinary } from "./bcsg-decode.ts";

export function encodeSpectrogramBinary(
  grid: DbGrid,
  axes: BinaryAxes,
  options: BinaryOptions = {},
): Uint8Array {
  const range = {
    ...autoRange(grid),
    ...(options.dbMin !== undefined ? { dbMin: options.dbMin } : {}),
    ...(options.dbMax !== undefined ? { dbMax: options.dbMax } : {}),
  };
  const g = poolMax(grid, options.maxFrames ?? grid.frames, options.maxBins ?? grid.bins);
  const out = new Uint8Array(HEADER + g.frames * g.bins);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode(BINARY_MAGIC), 0);
  v.setUint16(4, 1, true);
  v.setUint16(6, HEADER, true);
  v.setUint32(8, g.frames, true);
  v.setUint32(12, g.bins, true);
  v.setFloat32(16, range.dbMin, true);
  v.setFloat32(20, range.dbMax, true);
  v.setFloat64(24, axes.t0, true);
  v.setFloat64(32, axes.t1, true);
  v.setFloat64(40, axes.f0, true);
  v.setFloat64(48, axes.f1, true);
  v.setUint32(56, axes.sampleRate, true);
  for (let row = 0; row < g.bins; row++) {
    const k = g.bins - 1 - row;
    const o = HEADER + row * g.frames;
    for (let t = 0; t < g.frames; t++) out[o + t] = quantize(g.data[k * g.frames + t]!, range);
  }
  return out;
}

/** The same decoder the browser uses (one implementation of the format's reading side). */
export { decodeBcsg as decodeSpectrogramBinary } from "./bcsg-decode.ts";
