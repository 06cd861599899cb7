import { type ColormapName, colormapLut, DEFAULT_COLORMAP } from "./colormaps.ts";
import { levelsOf } from "./levels.ts";
import { encodeIndexedPng } from "./png-encode.ts";
import { type DbGrid, type DbRange, poolMax, quantize } from "./scale.ts";

export interface RenderOptions extends Partial<DbRange> {
  colormap?: ColormapName;
  /** Output size in pixels; defaults to one pixel per frame and per bin. Larger grids are max-pooled down, smaller ones repeated up. */
  width?: number;
  height?: number;
}

/**
 * Renders a spectrogram grid to PNG: time left → right, frequency bottom → top (the highest bin
 * is the first image row), as researchers read spectrograms. Levels as the browser viewer's
 * (levels.ts), so a quiet recording is as readable as a loud one.
 */
export function renderPng(grid: DbGrid, options: RenderOptions = {}): Buffer {
  const width = Math.max(1, Math.round(options.width ?? grid.frames));
  const height = Math.max(1, Math.round(options.height ?? grid.bins));
  const pooled = poolMax(grid, width, height);
  // Auto levels (noise floor to peak) of what is drawn, unless the caller fixes the range: the pooled values, as
  // the browser viewer takes them from its pooled tiles.
  const auto = levelsOf(pooled.data);
  const range = { dbMin: auto.lo, dbMax: auto.hi, ...definedRange(options) };
  const lut = colormapLut(options.colormap ?? DEFAULT_COLORMAP);
  // One colormap index per pixel: the image is written as an indexed PNG with the colormap as
  // its palette (png-encode.ts says why).
  const indices = new Uint8Array(width * height);
  const empty = pooled.frames === 0 || pooled.bins === 0;
  const frameOf = new Int32Array(width);
  for (let x = 0; x < width; x++)
    frameOf[x] = Math.min(pooled.frames - 1, Math.floor((x * pooled.frames) / width));
  for (let y = 0; y < height; y++) {
    const bin = pooled.bins - 1 - Math.min(pooled.bins - 1, Math.floor((y * pooled.bins) / height));
    const row = y * width;
    const src = bin * pooled.frames;
    for (let x = 0; x < width; x++)
      indices[row + x] = quantize(empty ? range.dbMin : pooled.data[src + frameOf[x]!]!, range);
  }
  return encodeIndexedPng(indices, width, height, lut);
}

function definedRange(o: Partial<DbRange>): Partial<DbRange> {
  const r: Partial<DbRange> = {};
  if (o.dbMin !== undefined) r.dbMin = o.dbMin;
  if (o.dbMax !== undefined) r.dbMax = o.dbMax;
  return r;
}
