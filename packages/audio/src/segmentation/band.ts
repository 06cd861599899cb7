// The frequency box of a detected call: the band of its main harmonic, as experts box calls (one tight box per call
// around its main harmonic) and as Raven selection tables and the segment exports carry it.
import type { Shape } from "./calls.ts";

/**
 * Cells this far under their frame's loudest still belong to the call there: the visible call, as boxes are drawn. (A
 * 0.5 ms frame smears a fast sweep's ends by a few bins at -20 dB; at -15 dB the box stays within ~3 bins of them.)
 */
const BAND_SPREAD_DB = 15;
/** Cells under the level between two that reach it, still within the call's band (a line's own ripple). */
const BAND_GAP_CELLS = 1;
/** A frame lighting more than this share of the analysed band (and more than the call's loudest frame) is a click. */
const BAND_CLICK_SHARE = 0.5;
/** A frame's band continues the call's track when its loudest cell lies within this many cells of the last band. */
const BAND_TRACK_CELLS = 2;

export interface CallBand {
  lowHz: number;
  highHz: number;
}

/**
 * The band of a call's main harmonic, Hz, from its picture (dB over the noise floor). It starts from the frame where
 * the call is loudest at `seedHz` (the frequency the detector found it at; else the picture's loudest cell) and follows
 * the call's track outwards in time: in each frame, the loudest cell within BAND_TRACK_CELLS of the last frame's band,
 * if it reaches `cellDb`, and the cells around it within BAND_SPREAD_DB of it and at least `cellDb` over the floor.
 * So the box holds the call's sweep or tone and its faint ends, and neither a harmonic (at any moment they lie apart,
 * while their sweeps joined over time meet: a 25-50 kHz fundamental and its 50-100 kHz second harmonic) nor a sound
 * elsewhere in the band during the call, nor a click during it. `smearBins`: the picture's cells are sums over this
 * many neighbours either side (the detector's 3-bin sums), which widen every line as much. Null when nothing reaches
 * `cellDb`.
 */
export function mainBand(s: Shape, cellDb: number, smearBins = 0, seedHz?: number): CallBand | null {
  if (s.frames === 0 || s.bins === 0) return null;
  const at = (f: number, k: number) => s.db[f * s.bins + k]!;
  const loudestIn = (f: number, k0: number, k1: number): number => {
    let top = Math.max(0, k0);
    for (let k = top + 1; k <= Math.min(s.bins - 1, k1); k++) if (at(f, k) > at(f, top)) top = k;
    return top;
  };
  const around = (f: number, top: number): [number, number] => {
    const level = Math.max(cellDb, at(f, top) - BAND_SPREAD_DB);
    let a = top;
    for (let k = top - 1; k >= 0 && a - k <= BAND_GAP_CELLS + 1; k--) if (at(f, k) >= level) a = k;
    let b = top;
    for (let k = top + 1; k < s.bins && k - b <= BAND_GAP_CELLS + 1; k++) if (at(f, k) >= level) b = k;
    return [a, b];
  };
  // The seed: the frame where the call is loudest at `seedHz` (else anywhere), passing over frames a click lights.
  const clickShare = BAND_CLICK_SHARE * s.bins;
  const seedAmong = (k0: number, k1: number): [number, [number, number]] | null => {
    const tops: [number, number][] = [];
    for (let f = 0; f < s.frames; f++) {
      const top = loudestIn(f, k0, k1);
      if (at(f, top) >= cellDb) tops.push([f, top]);
    }
    tops.sort((p, q) => at(q[0], q[1]) - at(p[0], p[1]));
    if (tops.length === 0) return null;
    for (const [f, top] of tops) {
      const band = around(f, top);
      if (band[1] - band[0] + 1 <= clickShare) return [f, band];
    }
    const [f, top] = tops[0]!;
    return [f, around(f, top)];
  };
  const k = seedHz !== undefined && Number.isFinite(seedHz) ? Math.round(seedHz / s.binHz) - s.k0 : -1;
  const found = (k >= 0 && k < s.bins ? seedAmong(k - 1, k + 1) : null) ?? seedAmong(0, s.bins - 1);
  if (!found) return null;
  const [seedF, seed] = found;
  const clickCells = Math.max(seed[1] - seed[0] + 1, clickShare);
  let [lo, hi] = seed;
  for (const dir of [-1, 1]) {
    let [pa, pb] = seed;
    for (let f = seedF + dir; f >= 0 && f < s.frames; f += dir) {
      const top = loudestIn(f, pa - BAND_TRACK_CELLS, pb + BAND_TRACK_CELLS);
      if (!(at(f, top) >= cellDb)) continue;
      const band = around(f, top);
      // A click during the call lights the whole band at once: not the call's band.
      if (band[1] - band[0] + 1 > clickCells) continue;
      [pa, pb] = band;
      lo = Math.min(lo, pa);
      hi = Math.max(hi, pb);
    }
  }
  // Undo the sums' widening, keeping at least the line's own bin.
  const shrink = Math.min(smearBins, Math.floor((hi - lo) / 2));
  lo += shrink;
  hi -= shrink;
  return {
    lowHz: Math.max(0, (s.k0 + lo - 0.5) * s.binHz),
    highHz: (s.k0 + hi + 0.5) * s.binHz,
  };
}
