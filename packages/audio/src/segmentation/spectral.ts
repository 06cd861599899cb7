// "spectral": the default detector. Band-limited spectral peak energy against a running per-bin noise floor.
//
// 1. STFT with a ~0.5 ms frame (power of two; 256 samples at 384 kHz, 32 at 44.1 kHz) and hop = frame:
//    one FFT per frame keeps it fast, and the boundary refinement below recovers the time resolution.
// 2. Per bin, power summed over 3 neighbouring bins (so a sweep crossing bins in one frame still counts).
// 3. Noise floor per bin: the median over ~100 ms blocks, then the median of those over +-5 blocks (~1 s).
//    Medians ignore calls as long as they fill under half of the time around them.
// 4. Frame score = max over in-band bins of power / floor, in dB. Tonal and FM calls put their energy in a few
//    bins while white noise spreads over all of them, so this is ~15-20 dB more sensitive than broadband energy.
// 5. Hysteresis: frames >= threshold_db start an event, which extends while >= release_db; events closer than
//    merge_gap_ms are merged; events outside [min_duration_ms, max_duration_ms] are dropped.
// 6. Each boundary is re-measured with frames hopped by 1/8 frame around it: the onset (offset) is the centre of
//    the first (last) fine frame >= release_db, so boundaries land within about half a frame (< 0.4 ms).
//
// Works on one channel: for multichannel recordings the caller picks a channel (or passes a mix).
import { magnitudesSquared } from "./power.ts";
import type { ProgressCallback, Segment } from "./types.ts";

export interface SpectralParams {
  /** Lower band edge; null = auto: min(15 kHz, 10 % of Nyquist). */
  low_hz: number | null;
  /** Upper band edge; null = auto: 95 % of Nyquist. */
  high_hz: number | null;
  threshold_db: number;
  release_db: number;
  min_duration_ms: number;
  max_duration_ms: number;
  merge_gap_ms: number;
  /** Target frame length; rounded to a power of two in samples. */
  frame_ms: number;
}

export const SPECTRAL_DEFAULTS: SpectralParams = {
  low_hz: null,
  high_hz: null,
  threshold_db: 12,
  release_db: 8,
  min_duration_ms: 0.5,
  max_duration_ms: 150,
  merge_gap_ms: 1,
  frame_ms: 0.5,
};

const BLOCK_MS = 100;
const FLOOR_BLOCKS = 5;
const REFINE_STEPS = 8;

interface Analysis {
  n: number;
  loBin: number;
  hiBin: number;
  window: Float64Array;
}

function frameLength(sampleRate: number, frameMs: number): number {
  const target = (sampleRate * frameMs) / 1000;
  return Math.max(16, 2 ** Math.round(Math.log2(Math.max(target, 1))));
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/** Band power of the frame at `start`, 3-bin sums, into `s` (indices loBin..hiBin). */
function bandPower(x: Float64Array, start: number, a: Analysis, power: Float64Array, s: Float64Array): void {
  magnitudesSquared(x, start, a.n, a.window, power);
  for (let k = a.loBin; k <= a.hiBin; k++) s[k] = power[k - 1]! + power[k]! + power[k + 1]!;
}

function quickMedian(values: Float64Array): number {
  const arr = values;
  const k = arr.length >> 1;
  let lo = 0;
  let hi = arr.length - 1;
  while (lo < hi) {
    const pivot = arr[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (arr[i]! < pivot) i++;
      while (arr[j]! > pivot) j--;
      if (i <= j) {
        const t = arr[i]!;
        arr[i] = arr[j]!;
        arr[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return arr[k]!;
}

export function spectralSegment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: SpectralParams,
  onProgress?: ProgressCallback,
): Segment[] {
  const x = samples instanceof Float64Array ? samples : new Float64Array(samples);
  const n = frameLength(sampleRate, p.frame_ms);
  const nyq = sampleRate / 2;
  const lowHz = p.low_hz ?? Math.min(15000, 0.1 * nyq);
  const highHz = Math.min(p.high_hz ?? 0.95 * nyq, nyq);
  const binHz = sampleRate / n;
  const loBin = Math.max(1, Math.ceil(lowHz / binHz));
  const hiBin = Math.min(n / 2 - 1, Math.floor(highHz / binHz));
  const nFrames = Math.floor(x.length / n);
  if (nFrames < 2 || hiBin < loBin) return [];
  const a: Analysis = { n, loBin, hiBin, window: hann(n) };
  const nb = hiBin - loBin + 1;

  // Band power, frame-major.
  const S = new Float64Array(nFrames * nb);
  const power = new Float64Array(n / 2 + 1);
  const s = new Float64Array(n / 2 + 1);
  const progressEvery = Math.max(1, Math.floor(nFrames / 20));
  for (let f = 0; f < nFrames; f++) {
    bandPower(x, f * n, a, power, s);
    S.set(s.subarray(loBin, hiBin + 1), f * nb);
    if (onProgress && f % progressEvery === 0) onProgress((0.8 * f) / nFrames);
  }

  // Noise floor per bin: block medians, then a median across neighbouring blocks.
  const blockFrames = Math.max(8, Math.round((BLOCK_MS / 1000) * (sampleRate / n)));
  const nBlocks = Math.ceil(nFrames / blockFrames);
  const blockMed = new Float64Array(nBlocks * nb);
  const tmp = new Float64Array(blockFrames);
  for (let b = 0; b < nBlocks; b++) {
    const f0 = b * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    for (let k = 0; k < nb; k++) {
      const view = tmp.subarray(0, f1 - f0);
      for (let f = f0; f < f1; f++) view[f - f0] = S[f * nb + k]!;
      blockMed[b * nb + k] = quickMedian(view);
    }
  }
  const floor = new Float64Array(nBlocks * nb);
  const around = new Float64Array(2 * FLOOR_BLOCKS + 1);
  for (let b = 0; b < nBlocks; b++) {
    const b0 = Math.max(0, b - FLOOR_BLOCKS);
    const b1 = Math.min(nBlocks - 1, b + FLOOR_BLOCKS);
    for (let k = 0; k < nb; k++) {
      const view = around.subarray(0, b1 - b0 + 1);
      for (let j = b0; j <= b1; j++) view[j - b0] = blockMed[j * nb + k]!;
      // Guard against an all-zero stretch (digital silence): nothing is "above" zero noise by a ratio.
      floor[b * nb + k] = Math.max(quickMedian(view), 1e-30);
    }
  }

  const scoreAt = (sv: Float64Array, block: number): number => {
    let best = 0;
    const base = block * nb;
    for (let k = 0; k < nb; k++) {
      const r = sv[loBin + k]! / floor[base + k]!;
      if (r > best) best = r;
    }
    return 10 * Math.log10(best + 1e-300);
  };
  const score = new Float64Array(nFrames);
  for (let f = 0; f < nFrames; f++) {
    const b = Math.floor(f / blockFrames);
    let best = 0;
    const base = f * nb;
    const fb = b * nb;
    for (let k = 0; k < nb; k++) {
      const r = S[base + k]! / floor[fb + k]!;
      if (r > best) best = r;
    }
    score[f] = 10 * Math.log10(best + 1e-300);
  }
  if (onProgress) onProgress(0.9);

  // Hysteresis on frames.
  const events: [number, number][] = [];
  let f = 0;
  while (f < nFrames) {
    if (score[f]! >= p.threshold_db) {
      let a0 = f;
      while (a0 > 0 && score[a0 - 1]! >= p.release_db) a0--;
      let a1 = f;
      while (a1 + 1 < nFrames && score[a1 + 1]! >= p.release_db) a1++;
      const last = events[events.length - 1];
      if (last && a0 <= last[1] + 1) last[1] = Math.max(last[1], a1);
      else events.push([a0, a1]);
      f = a1 + 1;
    } else f++;
  }

  // Refine boundaries with a fine hop, in samples.
  const fine = Math.max(1, Math.floor(n / REFINE_STEPS));
  const fineScore = (start: number): number => {
    if (start < 0 || start + n > x.length) return Number.NEGATIVE_INFINITY;
    bandPower(x, start, a, power, s);
    const block = Math.min(nBlocks - 1, Math.floor(Math.floor((start + n / 2) / n) / blockFrames));
    return scoreAt(s, block);
  };
  const refined: Segment[] = [];
  for (const [f0, f1] of events) {
    // Onset: earliest fine frame above release_db, scanning from one frame before the event start.
    let onsetCentre = f0 * n + n / 2;
    for (let t = Math.max(0, (f0 - 1) * n); t <= f0 * n + n; t += fine) {
      if (fineScore(t) >= p.release_db) {
        onsetCentre = t + n / 2;
        break;
      }
    }
    let offsetCentre = f1 * n + n / 2;
    for (let t = Math.min(x.length - n, (f1 + 1) * n); t >= f1 * n - n; t -= fine) {
      if (fineScore(t) >= p.release_db) {
        offsetCentre = t + n / 2;
        break;
      }
    }
    if (offsetCentre <= onsetCentre) offsetCentre = onsetCentre + fine;
    refined.push({ onset: onsetCentre / sampleRate, offset: offsetCentre / sampleRate });
  }

  // Merge short gaps, then apply the duration limits.
  const merged: Segment[] = [];
  const gap = p.merge_gap_ms / 1000;
  for (const e of refined) {
    const last = merged[merged.length - 1];
    if (last && e.onset - last.offset < gap) last.offset = Math.max(last.offset, e.offset);
    else merged.push({ ...e });
  }
  if (onProgress) onProgress(1);
  const minD = p.min_duration_ms / 1000;
  const maxD = p.max_duration_ms / 1000;
  return merged.filter((e) => e.offset - e.onset >= minD && e.offset - e.onset <= maxD);
}
