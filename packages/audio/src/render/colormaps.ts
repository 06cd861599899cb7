import { COLORMAP_DATA } from "./colormap-data.ts";

export type ColormapName = keyof typeof COLORMAP_DATA;
export const COLORMAP_NAMES = Object.keys(COLORMAP_DATA) as ColormapName[];
export const DEFAULT_COLORMAP: ColormapName = "roseus";

const cache = new Map<ColormapName, Uint8Array>();

/** 256 × RGB lookup table (768 bytes), index 0 for the lowest value. */
export function colormapLut(name: ColormapName = DEFAULT_COLORMAP): Uint8Array {
  let lut = cache.get(name);
  if (!lut) {
    const hex = COLORMAP_DATA[name];
    if (!hex) throw new Error(`Unknown colormap "${name}" (known: ${COLORMAP_NAMES.join(", ")})`);
    lut = Uint8Array.from(Buffer.from(hex, "hex"));
    cache.set(name, lut);
  }
  return lut;
}

export function isColormapName(name: string): name is ColormapName {
  return Object.hasOwn(COLORMAP_DATA, name);
}
