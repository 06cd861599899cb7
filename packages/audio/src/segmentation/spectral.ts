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
//
// Implementation: frames are analysed a block at a time and only the last FLOOR_BLOCKS + 1 blocks of band power
// are kept (a block's floor needs the medians of the FLOOR_BLOCKS blocks after it), so memory does not grow with
// the recording and the working set stays in cache; the input is read in place (no float64 copy); boundary
// refinement reuses the scores of frames on the coarse grid. Results are identical to the straightforward
// whole-recording version (see test/segmentation-characterisation.test.ts).
import { RealFftPower } from "./fft-real.ts";
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
const GUESS_LO = 0.8;
const GUESS_HI = 1.25;

function frameLength(sampleRate: number, frameMs: number): number {
  const target = (sampleRate * frameMs) / 1000;
  return Math.max(16, 2 ** Math.round(Math.log2(Math.max(target, 1))));
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/** The element of rank len >> 1 of arr[0 .. len) (Hoare quickselect; reorders arr). */
function quickMedian(arr: Float64Array, len: number): number {
  const k = len >> 1;
  let lo = 0;
  let hi = len - 1;
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

/**
 * The same element as quickMedian (the value of rank len >> 1) without its data-dependent branches, which
 * mispredict about every other comparison on noise: branch-free Lomuto partitions (< pivot | == pivot | > pivot)
 * around a median-of-3 pivot, ~2x faster. The rank-k value is unique, so both agree whenever no value is NaN
 * (comparisons with NaN make the result order-dependent): then the original quickselect is used.
 */
function selectMedian(a: Float64Array, len: number): number {
  let check = 0;
  for (let i = 0; i < len; i++) check += a[i]! * 0; // NaN if any value is NaN or infinite
  if (check !== 0) return quickMedian(a, len);
  return selectRank(a, len, len >> 1);
}

/** The element of rank k of a[0 .. len) (no NaN), branch-free (see selectMedian); reorders a. */
function selectRank(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len;
  while (hi - lo > 1) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi - 1]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let s = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[s]!;
      a[s] = v;
      s += Number(v < pivot);
    }
    if (k < s) {
      hi = s;
      continue;
    }
    let e = s;
    for (let i = s; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[e]!;
      a[e] = v;
      e += Number(v <= pivot);
    }
    if (k < e) return pivot;
    lo = e;
  }
  return a[lo]!;
}

/**
 * Band power of frames f0 .. f1-1 (hop = frame) into slot, bin-major: bin j of frame f at slot[j * stride + f - f0].
 */
function bandBlock(
  x: Float32Array | Float64Array,
  f0: number,
  f1: number,
  fft: RealFftPower,
  loBin: number,
  hiBin: number,
  power: Float64Array,
  slot: Float64Array,
  stride: number,
): void {
  const n = fft.n;
  for (let f = f0; f < f1; f++) fft.bandSums(x, f * n, loBin, hiBin, power, slot, f - f0, stride);
}

/**
 * Per bin, the median over the block's `frames` frames of slot (bin-major, row stride), into med[at + k].
 * The previous block's median of the bin (prev[k], if given) is a good guess: one branch-free pass counts the
 * values below guess * GUESS_LO and gathers those within [guess * GUESS_LO, guess * GUESS_HI]; when the rank
 * sought falls among the gathered ones (noise is stationary over ~100 ms) it is selected among them only. Exact:
 * otherwise, or if any value is NaN or infinite, the whole row is selected as before.
 */
function blockMedians(
  slot: Float64Array,
  frames: number,
  stride: number,
  nb: number,
  tmp: Float64Array,
  med: Float64Array,
  at: number,
  prev: number,
): void {
  const k = frames >> 1;
  for (let j = 0; j < nb; j++) {
    const row = j * stride;
    if (prev >= 0) {
      const g = med[prev + j]!;
      const lo = g * GUESS_LO;
      const hi = g * GUESS_HI;
      let below = 0;
      let c = 0;
      let check = 0;
      for (let f = 0; f < frames; f++) {
        const v = slot[row + f]!;
        check += v * 0;
        below += Number(v < lo);
        tmp[c] = v;
        c += Number(v >= lo) & Number(v <= hi);
      }
      if (check === 0 && below <= k && k < below + c) {
        med[at + j] = selectRank(tmp, c, k - below);
        continue;
      }
    }
    tmp.set(slot.subarray(row, row + frames));
    med[at + j] = selectMedian(tmp, frames);
  }
}

/** Scores of a block's frames: per frame, max over bins of power / floor (bin-major slot), in dB. */
function blockScores(
  slot: Float64Array,
  frames: number,
  stride: number,
  floor: Float64Array,
  fb: number,
  nb: number,
  best: Float64Array,
  score: Float64Array,
  at: number,
): void {
  best.fill(0, 0, frames);
  for (let k = 0; k < nb; k++) {
    const fk = floor[fb + k]!;
    const row = k * stride;
    for (let f = 0; f < frames; f++) {
      const r = slot[row + f]! / fk;
      if (r > best[f]!) best[f] = r;
    }
  }
  for (let f = 0; f < frames; f++) score[at + f] = 10 * Math.log10(best[f]! + 1e-300);
}

/** Frame score: max over bins of power / floor, in dB. */
function frameScore(sv: Float64Array, at: number, floor: Float64Array, fb: number, nb: number): number {
  let best = 0;
  for (let k = 0; k < nb; k++) {
    const r = sv[at + k]! / floor[fb + k]!;
    if (r > best) best = r;
  }
  return 10 * Math.log10(best + 1e-300);
}

export function spectralSegment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: SpectralParams,
  onProgress?: ProgressCallback,
): Segment[] {
  const x = samples;
  const n = frameLength(sampleRate, p.frame_ms);
  const nyq = sampleRate / 2;
  const lowHz = p.low_hz ?? Math.min(15000, 0.1 * nyq);
  const highHz = Math.min(p.high_hz ?? 0.95 * nyq, nyq);
  const binHz = sampleRate / n;
  const loBin = Math.max(1, Math.ceil(lowHz / binHz));
  const hiBin = Math.min(n / 2 - 1, Math.floor(highHz / binHz));
  const nFrames = Math.floor(x.length / n);
  if (nFrames < 2 || hiBin < loBin) return [];
  const fft = new RealFftPower(n, hann(n));
  const nb = hiBin - loBin + 1;
  const power = new Float64Array(nb + 2);

  // Per block: band power (kept for the last FLOOR_BLOCKS + 1 blocks only) and its per-bin medians; once the
  // medians of the FLOOR_BLOCKS following blocks are known, the block's noise floor (median of the block medians
  // within +-FLOOR_BLOCKS) and its frames' scores.
  const blockFrames = Math.max(8, Math.round((BLOCK_MS / 1000) * (sampleRate / n)));
  const nBlocks = Math.ceil(nFrames / blockFrames);
  const ring = Array.from({ length: FLOOR_BLOCKS + 1 }, () => new Float64Array(blockFrames * nb));
  const blockMed = new Float64Array(nBlocks * nb);
  const floor = new Float64Array(nBlocks * nb);
  const score = new Float64Array(nFrames);
  const tmp = new Float64Array(Math.max(blockFrames, 2 * FLOOR_BLOCKS + 1));
  const best = new Float64Array(blockFrames);
  const finalize = (b: number): void => {
    const b0 = Math.max(0, b - FLOOR_BLOCKS);
    const b1 = Math.min(nBlocks - 1, b + FLOOR_BLOCKS);
    for (let k = 0; k < nb; k++) {
      for (let j = b0; j <= b1; j++) tmp[j - b0] = blockMed[j * nb + k]!;
      // Guard against an all-zero stretch (digital silence): nothing is "above" zero noise by a ratio.
      floor[b * nb + k] = Math.max(selectMedian(tmp, b1 - b0 + 1), 1e-30);
    }
    const slot = ring[b % ring.length]!;
    const f0 = b * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    blockScores(slot, f1 - f0, blockFrames, floor, b * nb, nb, best, score, f0);
  };
  const progressEvery = Math.max(1, Math.floor(nBlocks / 20));
  for (let b = 0; b < nBlocks; b++) {
    const f0 = b * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    const slot = ring[b % ring.length]!;
    bandBlock(x, f0, f1, fft, loBin, hiBin, power, slot, blockFrames);
    blockMedians(slot, f1 - f0, blockFrames, nb, tmp, blockMed, b * nb, b > 0 ? (b - 1) * nb : -1);
    if (b >= FLOOR_BLOCKS) finalize(b - FLOOR_BLOCKS);
    if (onProgress && b % progressEvery === 0) onProgress((0.9 * b) / nBlocks);
  }
  for (let b = Math.max(0, nBlocks - FLOOR_BLOCKS); b < nBlocks; b++) finalize(b);
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
  const sv = new Float64Array(nb);
  const fineScore = (start: number): number => {
    if (start < 0 || start + n > x.length) return Number.NEGATIVE_INFINITY;
    // A frame on the coarse grid: the same computation as its score above.
    if (start % n === 0) return score[start / n]!;
    fft.bandSums(x, start, loBin, hiBin, power, sv, 0, 1);
    const block = Math.min(nBlocks - 1, Math.floor(Math.floor((start + n / 2) / n) / blockFrames));
    return frameScore(sv, 0, floor, block * nb, nb);
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
