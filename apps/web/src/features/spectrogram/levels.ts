import {
  adjustLevels,
  autoLevels,
  type BcsgWindow,
  DbHistogram,
  histogramOfQuantised,
  type Levels,
  windowExtent,
} from "@battycoda/audio/browser";

/** Each tile's histogram, computed once from the bytes it came with. */
const histograms = new WeakMap<BcsgWindow, DbHistogram>();

export function tileHistogram(w: BcsgWindow): DbHistogram {
  let h = histograms.get(w);
  if (!h) {
    h = histogramOfQuantised(w.values, w.dbMin, w.dbMax);
    histograms.set(w, h);
  }
  return h;
}

/**
 * Display levels of the view: the noise floor from the tiles on screen (as pooled for this zoom,
 * since that is what is drawn), the top from the loudest tile seen in this recording so far, so
 * zooming into a quiet stretch does not blow its noise up into false calls. Brightness and
 * contrast adjust around them.
 */
export function viewLevels(
  tiles: readonly BcsgWindow[],
  loudestSeen: number,
  brightness: number,
  contrast: number,
): Levels & { auto: Levels } {
  const h = new DbHistogram();
  for (const w of tiles) h.merge(tileHistogram(w));
  if (Number.isFinite(loudestSeen) && loudestSeen > h.max) h.max = loudestSeen;
  const auto = autoLevels(h);
  return { ...adjustLevels(auto, brightness, contrast), auto };
}

/**
 * A frequency range of width `span` Hz centred on the band with the most energy inside [fMin, fMax]
 * over the visible time range of `tiles` (the 0 Hz row left out), or null without data. The caller
 * clamps it to the axis.
 */
export function loudestBand(
  tiles: readonly BcsgWindow[],
  view: { t0: number; t1: number; fMin: number; fMax: number },
  span: number,
): [number, number] | null {
  const first = tiles[0];
  if (!first || first.bins < 2) return null;
  const bins = first.bins;
  const df = (first.f1 - first.f0) / (bins - 1);
  const energy = new Float64Array(bins);
  for (const w of tiles) {
    if (w.bins !== bins || w.frames < 1) continue;
    const e = windowExtent(w);
    const dt = (e.tEnd - e.tStart) / w.frames;
    const c0 = Math.max(0, Math.floor((view.t0 - e.tStart) / dt));
    const c1 = Math.min(w.frames - 1, Math.ceil((view.t1 - e.tStart) / dt));
    const scale = (w.dbMax - w.dbMin) / 255;
    for (let r = 0; r < bins; r++) {
      const k = bins - 1 - r; // rows come highest frequency first
      let s = 0;
      for (let t = c0; t <= c1; t++) s += 10 ** ((w.dbMin + w.values[r * w.frames + t]! * scale) / 10);
      energy[k] = energy[k]! + s;
    }
  }
  const rowOf = (f: number) => Math.round((f - first.f0) / df);
  const lo = Math.max(1, rowOf(view.fMin));
  const hi = Math.min(bins - 1, rowOf(view.fMax));
  if (hi <= lo) return null;
  // The loudest row after smoothing over an eighth of the new span (a call's band, not one bin),
  // and the new span centred on it.
  const half = Math.max(1, Math.round(span / df / 16));
  let best = -1;
  let bestAt = lo;
  for (let k = lo; k <= hi; k++) {
    let sum = 0;
    for (let j = Math.max(lo, k - half); j <= Math.min(hi, k + half); j++) sum += energy[j]!;
    if (sum > best) {
      best = sum;
      bestAt = k;
    }
  }
  if (!(best > 0)) return null;
  // Centred on the energy centroid of that band (a plateau of equal sums would otherwise pick its first row).
  let w = 0;
  let wk = 0;
  for (let j = Math.max(lo, bestAt - half); j <= Math.min(hi, bestAt + half); j++) {
    w += energy[j]!;
    wk += energy[j]! * j;
  }
  const centre = first.f0 + (w > 0 ? wk / w : bestAt) * df;
  return [centre - span / 2, centre + span / 2];
}
