// Browser-safe (no Node APIs): the web app imports this through the package's browser entry.
import { COLORMAP_DATA } from "./colormap-data.ts";

export type ColormapName = keyof typeof COLORMAP_DATA;
export const COLORMAP_NAMES = Object.keys(COLORMAP_DATA) as ColormapName[];
export const DEFAULT_COLORMAP: ColormapName = "roseus";

const cache = new Map<ColormapName, Uint8Array>();

export function isColormapName(name: string): name is ColormapName {
  return Object.hasOwn(COLORMAP_DATA, name);
}

/**
 * 256 × RGB lookup table (768 bytes), index 0 for the lowest value. An unknown name (say, a
 * profile saved by a newer version) falls back to the default rather than breaking the display.
 */
export function colormapLut(name: string = DEFAULT_COLORMAP): Uint8Array {
  const key: ColormapName = isColormapName(name) ? name : DEFAULT_COLORMAP;
  let lut = cache.get(key);
  if (!lut) {
    const hex = COLORMAP_DATA[key];
    lut = new Uint8Array(hex.length / 2);
    for (let i = 0; i < lut.length; i++) lut[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    cache.set(key, lut);
  }
  return lut;
}

/**
 * Display mapping: quantised value q of a window with its own [dbMin, dbMax] → LUT index 0..255 on
 * the shared display range [lo, hi] dB. Returned as a 256-entry table so a window is mapped with one
 * lookup per pixel.
 */
export function levelTable(dbMin: number, dbMax: number, lo: number, hi: number): Uint8Array {
  const t = new Uint8Array(256);
  const span = hi - lo || 1;
  for (let q = 0; q < 256; q++) {
    const db = dbMin + (q / 255) * (dbMax - dbMin);
    const x = Math.round(((db - lo) / span) * 255);
    t[q] = Math.max(0, Math.min(255, x));
  }
  return t;
}

/** Shared display range from the loudest level seen, brightness (dB shift) and contrast (×). */
export function displayRange(
  refMax: number,
  brightness: number,
  contrast: number,
  dynamicRange = 80,
): { lo: number; hi: number } {
  const range = dynamicRange / Math.max(0.1, contrast);
  const hi = refMax - brightness;
  return { lo: hi - range, hi };
}
