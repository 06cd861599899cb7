// The scatter's data and drawing, free of React: decoding the server's base64 typed arrays, the
// view transform (pan/zoom), one-pass rasterisation of every point into a pixel buffer, nearest
// point for hover, and lasso hit-testing.

export interface ScatterData {
  count: number;
  /** x, y interleaved (data units). */
  xy: Float32Array;
  /** Cluster position per point (index into the run's cluster list). */
  cluster: Int32Array;
  recording: Int32Array;
  onset: Float64Array;
  offset: Float64Array;
  segmentIds: string[];
}

function bytes(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function decodePoints(p: {
  count: number;
  xy: string;
  cluster: string;
  recording: string;
  onset: string;
  offset: string;
  segmentIds: string[];
}): ScatterData {
  return {
    count: p.count,
    xy: new Float32Array(bytes(p.xy)),
    cluster: new Int32Array(bytes(p.cluster)),
    recording: new Int32Array(bytes(p.recording)),
    onset: new Float64Array(bytes(p.onset)),
    offset: new Float64Array(bytes(p.offset)),
    segmentIds: p.segmentIds,
  };
}

/** screen = data * scale + offset (y flipped so up is up). */
export interface View {
  scale: number;
  ox: number;
  oy: number;
}

/** The view that fits every point into width x height with a margin. */
export function fitView(xy: Float32Array, width: number, height: number, margin = 16): View {
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i] as number;
    const y = xy[i + 1] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (!Number.isFinite(minX)) return { scale: 1, ox: width / 2, oy: height / 2 };
  const w = Math.max(1e-9, maxX - minX);
  const h = Math.max(1e-9, maxY - minY);
  const scale = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h);
  return {
    scale,
    ox: width / 2 - ((minX + maxX) / 2) * scale,
    oy: height / 2 + ((minY + maxY) / 2) * scale,
  };
}

export const toScreenX = (v: View, x: number) => x * v.scale + v.ox;
export const toScreenY = (v: View, y: number) => v.oy - y * v.scale;

/** Zoom by `factor` keeping the data point under (sx, sy) in place. */
export function zoomAt(v: View, sx: number, sy: number, factor: number): View {
  const scale = Math.min(1e9, Math.max(1e-9, v.scale * factor));
  const k = scale / v.scale;
  return { scale, ox: sx - (sx - v.ox) * k, oy: sy - (sy - v.oy) * k };
}

export const panBy = (v: View, dx: number, dy: number): View => ({ ...v, ox: v.ox + dx, oy: v.oy + dy });

/** Distinct colours for clusters (noise is drawn grey); ABGR words for a little-endian Uint32 view of RGBA bytes. */
const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
  "#393b79",
  "#637939",
  "#8c6d31",
  "#843c39",
  "#7b4173",
  "#3182bd",
  "#e6550d",
];
export const NOISE_COLOUR = "#b0b0b0";

export function clusterColour(clusterIndex: number): string {
  return clusterIndex < 0 ? NOISE_COLOUR : (PALETTE[clusterIndex % PALETTE.length] as string);
}

export function rgbaWord(hex: string, alpha = 255): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * Side of a point's square in pixels: 3 keeps 50 000 points apart, but a run over one recording's 20 calls then
 * looks empty; fewer points are drawn larger (9 px up to ~25 points, 6 at 1 000, 3 from 10 000 on).
 */
export function pointSize(count: number): number {
  return Math.max(3, Math.min(9, Math.round(13 - 2.5 * Math.log10(Math.max(1, count)))));
}

/**
 * Every point as a size x size square into `pixels` (RGBA words, width x height), in one pass over
 * the typed arrays: no per-point objects or canvas calls, so 50 000 points cost a few milliseconds.
 * `colours[k]` is the word of cluster position k; `selected` points are drawn black on top.
 */
export function rasterise(
  pixels: Uint32Array,
  width: number,
  height: number,
  data: ScatterData,
  view: View,
  colours: Uint32Array,
  size: number,
  selected: Uint8Array | null,
  background: number,
): void {
  pixels.fill(background);
  const { xy, cluster, count } = data;
  const half = size >> 1;
  const black = 0xff000000;
  for (let pass = 0; pass < (selected ? 2 : 1); pass++) {
    for (let i = 0; i < count; i++) {
      const isSel = selected ? selected[i] === 1 : false;
      if (pass === 0 && isSel) continue;
      if (pass === 1 && !isSel) continue;
      const sx = Math.round((xy[2 * i] as number) * view.scale + view.ox) - half;
      const sy = Math.round(view.oy - (xy[2 * i + 1] as number) * view.scale) - half;
      if (sx >= width || sy >= height || sx + size <= 0 || sy + size <= 0 || Number.isNaN(sx)) continue;
      const c = isSel ? black : (colours[cluster[i] as number] ?? black);
      const x0 = Math.max(sx, 0);
      const x1 = Math.min(sx + size, width);
      const y0 = Math.max(sy, 0);
      const y1 = Math.min(sy + size, height);
      for (let y = y0; y < y1; y++) {
        const row = y * width;
        for (let x = x0; x < x1; x++) pixels[row + x] = c;
      }
    }
  }
}

/** The point nearest (sx, sy) on screen within maxPx, or -1. */
export function nearestPoint(data: ScatterData, view: View, sx: number, sy: number, maxPx: number): number {
  let best = -1;
  let bestD = maxPx * maxPx;
  const { xy, count } = data;
  for (let i = 0; i < count; i++) {
    const dx = (xy[2 * i] as number) * view.scale + view.ox - sx;
    const dy = view.oy - (xy[2 * i + 1] as number) * view.scale - sy;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Even-odd rule: is (x, y) inside the polygon (flat [x0, y0, x1, y1, …])? */
export function insidePolygon(poly: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i] as number;
    const yi = poly[2 * i + 1] as number;
    const xj = poly[2 * j] as number;
    const yj = poly[2 * j + 1] as number;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Points whose screen position lies inside the lasso (screen coordinates), as a 0/1 mask. */
export function lassoSelect(data: ScatterData, view: View, poly: readonly number[]): Uint8Array {
  const mask = new Uint8Array(data.count);
  if (poly.length < 6) return mask;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < poly.length; k += 2) {
    minX = Math.min(minX, poly[k] as number);
    maxX = Math.max(maxX, poly[k] as number);
    minY = Math.min(minY, poly[k + 1] as number);
    maxY = Math.max(maxY, poly[k + 1] as number);
  }
  for (let i = 0; i < data.count; i++) {
    const sx = (data.xy[2 * i] as number) * view.scale + view.ox;
    const sy = view.oy - (data.xy[2 * i + 1] as number) * view.scale;
    if (sx < minX || sx > maxX || sy < minY || sy > maxY) continue;
    if (insidePolygon(poly, sx, sy)) mask[i] = 1;
  }
  return mask;
}
