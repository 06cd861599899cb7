import { DB_FLOOR, SPECTROGRAM_FRAMES_PER_COLUMN } from "../spectrogram/params.ts";

/** A spectrogram window as produced by the STFT or read from HDF5: frequency-major dB values. */
export interface DbGrid {
  data: Float32Array;
  /** Columns of `data`. */
  frames: number;
  bins: number;
  /**
   * STFT frames behind each column (default 1). Spectrogram files store the maximum of each group of frames
   * (spectrogram/encoding.ts says why); their windows have that group's size here.
   */
  framesPerColumn?: number;
}

export interface DbRange {
  dbMin: number;
  dbMax: number;
}

/**
 * Default display range: the window's maximum down to 80 dB below it (never under the -80 dB
 * floor of the STFT), so faint calls stay visible whatever the recording gain.
 */
export function autoRange(grid: DbGrid, dynamicRange = 80): DbRange {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < grid.data.length; i++) if (grid.data[i]! > max) max = grid.data[i]!;
  if (!Number.isFinite(max)) max = 0;
  const dbMin = Math.max(DB_FLOOR, max - dynamicRange);
  return { dbMin, dbMax: Math.max(max, dbMin + 1) };
}

/**
 * STFT frames per displayed column when `frames` frames are shrunk to at most `width` columns: fewer than `group`
 * as they come, else a multiple of `group` (SPECTROGRAM_FRAMES_PER_COLUMN), so that every column is the maximum over
 * whole groups of frames. A window read from a spectrogram file (the maximum of each group) and one computed frame
 * by frame then pool to the same values; views below `group` frames per pixel are drawn from the audio.
 */
export function framesPerPixel(frames: number, width: number, group = SPECTROGRAM_FRAMES_PER_COLUMN): number {
  const f = Math.max(1, Math.ceil(frames / Math.max(1, width)));
  return f < group ? f : Math.ceil(f / group) * group;
}

/**
 * Reduces `grid` to at most `width` columns and `height` rows by taking the maximum over each group
 * (a low-pass in the display sense: short calls can't fall between kept columns the way they do
 * when columns are skipped). Time groups are whole groups of stored frames (framesPerPixel). Grids already small
 * enough are returned unchanged.
 */
export function poolMax(grid: DbGrid, width: number, height: number): DbGrid {
  const perColumn = grid.framesPerColumn ?? 1;
  const fx = Math.max(1, Math.floor(framesPerPixel(grid.frames * perColumn, width) / perColumn));
  const fy = Math.max(1, Math.ceil(grid.bins / Math.max(1, height)));
  if (fx === 1 && fy === 1) return grid;
  const frames = Math.ceil(grid.frames / fx);
  const bins = Math.ceil(grid.bins / fy);
  const data = new Float32Array(frames * bins).fill(Number.NEGATIVE_INFINITY);
  for (let k = 0; k < grid.bins; k++) {
    const row = Math.floor(k / fy) * frames;
    for (let t = 0; t < grid.frames; t++) {
      const v = grid.data[k * grid.frames + t]!;
      const o = row + Math.floor(t / fx);
      if (v > data[o]!) data[o] = v;
    }
  }
  return { data, frames, bins, framesPerColumn: perColumn * fx };
}

/** Maps dB to 0–255 for a range; values outside clip. */
export function quantize(value: number, range: DbRange): number {
  const q = Math.round(((value - range.dbMin) / (range.dbMax - range.dbMin)) * 255);
  return q < 0 ? 0 : q > 255 ? 255 : q;
}
