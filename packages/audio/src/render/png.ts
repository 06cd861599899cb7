import { PNG } from "pngjs";
import { type ColormapName, colormapLut, DEFAULT_COLORMAP } from "./colormaps.ts";
import { levelsOf } from "./levels.ts";
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
  // Auto levels (noise floor to peak) unless the caller fixes the range.
  const auto = levelsOf(grid.data);
  const range = { dbMin: auto.lo, dbMax: auto.hi, ...definedRange(options) };
  const width = Math.max(1, Math.round(options.width ?? grid.frames));
  const height = Math.max(1, Math.round(options.height ?? grid.bins));
  const pooled = poolMax(grid, width, height);
  const lut = colormapLut(options.colormap ?? DEFAULT_COLORMAP);
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: false });
  const out = png.data; // RGBA
  for (let y = 0; y < height; y++) {
    const bin = pooled.bins - 1 - Math.min(pooled.bins - 1, Math.floor((y * pooled.bins) / height));
    for (let x = 0; x < width; x++) {
      const frame = Math.min(pooled.frames - 1, Math.floor((x * pooled.frames) / width));
      const v =
        pooled.frames > 0 && pooled.bins > 0 ? pooled.data[bin * pooled.frames + frame]! : range.dbMin;
      const c = quantize(v, range) * 3;
      const o = (y * width + x) * 4;
      out[o] = lut[c]!;
      out[o + 1] = lut[c + 1]!;
      out[o + 2] = lut[c + 2]!;
      out[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

function definedRange(o: Partial<DbRange>): Partial<DbRange> {
  const r: Partial<DbRange> = {};
  if (o.dbMin !== undefined) r.dbMin = o.dbMin;
  if (o.dbMax !== undefined) r.dbMax = o.dbMax;
  return r;
}
