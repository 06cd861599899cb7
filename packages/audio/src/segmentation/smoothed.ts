// The original thresholding (movingAverageSame -> mean + factor * std -> runsAbove, see mask.ts) without
// materialising any signal-sized array, with bit-identical results.
//
// The smoothed value s_i is recomputed in each pass by exactly the same running-sum recurrence as
// movingAverageSame (same additions in the same order, so the same rounding drift), a chunk at a time, reading
// the values either straight from the input or from a stream through a small sliding buffer. Passes:
//  1. sum of s (sequentially, as meanStd) -> the exact mean; also the sum of s^2, for an estimate of the threshold,
//     and (for min durations of at least 2 blocks) the minimum of s in each block of B samples.
//  2. the exact sum of (s - mean)^2 (sequentially, as meanStd) -> exact std and threshold; in the same pass, the
//     runs against the *estimated* threshold: every sample further than `delta` from it is classified for sure
//     once the exact threshold is known to lie within delta / 2 of the estimate (checked at the end); samples
//     inside the band are recorded with their values and resolved against the exact threshold afterwards.
//     With block minima, only blocks next to a block entirely above the band are examined sample by sample: a run
//     of at least 2B - 1 samples always contains a whole such block, and shorter runs are dropped anyway.
//  3. only if that check fails (or too many samples sit in the band: digital silence, NaN input, ...): the runs
//     again, against the exact threshold.
// So results never depend on the estimate, which only decides whether the cheap two-pass route applies.
import type { ValueStream } from "./stream.ts";
import type { Segment } from "./types.ts";

/** Samples per chunk (a multiple of every block size). */
const CHUNK = 16384;
const MAX_AMBIGUOUS = 1 << 16;

/**
 * Where the values come from: the input itself (|x_i| read in place) or a stream of values (|v_i| of a sliding
 * buffer). `provide(i0, i1)` makes src[j - base] hold value j for j in [i0 - left, i1 + right] (clipped).
 */
class Values {
  readonly n: number;
  readonly left: number;
  readonly right: number;
  src: Float32Array | Float64Array;
  base = 0;
  private bufHi = 0;
  private readonly buf: Float64Array | null;

  constructor(
    input: Float32Array | Float64Array | ValueStream,
    readonly w: number,
  ) {
    this.n = input.length;
    this.left = w > 1 ? Math.floor(w / 2) : 0;
    this.right = w > 1 ? Math.floor((w - 1) / 2) : 0;
    if (input instanceof Float32Array || input instanceof Float64Array) {
      this.src = input;
      this.buf = null;
      this.stream = null;
    } else {
      this.buf = new Float64Array(Math.min(this.n, 2 * CHUNK + this.left + this.right + 1) + 1);
      this.src = this.buf;
      this.stream = input;
    }
  }

  private readonly stream: ValueStream | null;

  /** Restarts; returns the initial running sum of movingAverageSame. */
  start(): number {
    this.base = 0;
    this.bufHi = 0;
    this.stream?.reset();
    this.provide(0, Math.min(this.n, CHUNK));
    let acc = 0;
    if (this.w > 1) {
      const last = Math.min(this.right, this.n - 1);
      for (let j = 0; j <= last; j++) acc += Math.abs(this.src[j - this.base]!);
    }
    return acc;
  }

  provide(i0: number, i1: number): void {
    const buf = this.buf;
    if (buf === null || this.stream === null) return;
    const lo = Math.max(0, i0 - this.left);
    const hi = Math.min(this.n, i1 + this.right + 1);
    if (lo > this.base) {
      buf.copyWithin(0, lo - this.base, this.bufHi - this.base);
      this.base = lo;
    }
    if (hi > this.bufHi) {
      this.stream.next(buf, this.bufHi - this.base, hi - this.bufHi);
      this.bufHi = hi;
    }
  }
}

// Hot loops live in small kernels called once per chunk: they get optimised as whole functions with stable
// types (a long loop inside a function called once per pass runs in on-stack-replaced code, measured ~3x slower).

/**
 * Pass-1 kernel for s_i0 .. s_(i1-1): st = [acc, sum, sum2] updated in place; minimum of s per block of `block`
 * samples into blockMin (i0 is a multiple of block).
 */
function sumsKernel(
  src: Float32Array | Float64Array,
  base: number,
  i0: number,
  i1: number,
  n: number,
  w: number,
  left: number,
  right: number,
  block: number,
  blockMin: Float64Array,
  st: Float64Array,
): void {
  let acc = st[0]!;
  let sum = st[1]!;
  let sum2 = st[2]!;
  for (let b0 = i0; b0 < i1; b0 += block) {
    const b1 = Math.min(i1, b0 + block);
    let mn = Number.POSITIVE_INFINITY;
    if (w > 1) {
      for (let i = b0; i < b1; i++) {
        const si = acc / w;
        sum += si;
        sum2 += si * si;
        if (si < mn) mn = si;
        const add = i + right + 1;
        if (add < n) acc += Math.abs(src[add - base]!);
        const drop = i - left;
        if (drop >= 0) acc -= Math.abs(src[drop - base]!);
      }
    } else {
      for (let i = b0; i < b1; i++) {
        const si = Math.abs(src[i - base]!);
        sum += si;
        sum2 += si * si;
        if (si < mn) mn = si;
      }
    }
    blockMin[(b0 / block) | 0] = mn;
  }
  st[0] = acc;
  st[1] = sum;
  st[2] = sum2;
}

/** s_i0 .. s_(i1-1) into out[0 ..]; st = [acc, v]: v accumulates (s - mean)^2 in order unless mean is NaN. */
function smoothKernel(
  src: Float32Array | Float64Array,
  base: number,
  i0: number,
  i1: number,
  n: number,
  w: number,
  left: number,
  right: number,
  mean: number,
  out: Float64Array,
  st: Float64Array,
): void {
  let acc = st[0]!;
  let v = st[1]!;
  if (w > 1) {
    for (let i = i0; i < i1; i++) {
      const si = acc / w;
      out[i - i0] = si;
      const d = si - mean;
      v += d * d;
      const add = i + right + 1;
      if (add < n) acc += Math.abs(src[add - base]!);
      const drop = i - left;
      if (drop >= 0) acc -= Math.abs(src[drop - base]!);
    }
  } else {
    for (let i = i0; i < i1; i++) {
      const si = Math.abs(src[i - base]!);
      out[i - i0] = si;
      const d = si - mean;
      v += d * d;
    }
  }
  st[0] = acc;
  st[1] = v;
}

/**
 * Pass 1: sequential sums of s and s^2 (as meanStd), and block minima; the running sum at the start of each chunk
 * into accStart (so pass 2 can recompute chunks independently).
 */
function pass1(
  vs: Values,
  block: number,
  blockMin: Float64Array,
  accStart: Float64Array,
): { sum: number; sum2: number } {
  const st = Float64Array.of(vs.start(), 0, 0);
  for (let i0 = 0; i0 < vs.n; i0 += CHUNK) {
    const i1 = Math.min(vs.n, i0 + CHUNK);
    accStart[i0 / CHUNK] = st[0]!;
    vs.provide(i0, i1);
    sumsKernel(vs.src, vs.base, i0, i1, vs.n, vs.w, vs.left, vs.right, block, blockMin, st);
  }
  return { sum: st[1]!, sum2: st[2]! };
}

/** Growable list of runs: start, end (n = reaches the end of the signal). */
class Runs {
  data = new Int32Array(64);
  length = 0;
  push(start: number, end: number): void {
    if (this.length + 2 > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = start;
    this.data[this.length++] = end;
  }
}

/** Samples whose class depends on the exact threshold, with their values. */
class Ambiguous {
  readonly index = new Int32Array(MAX_AMBIGUOUS);
  readonly value = new Float64Array(MAX_AMBIGUOUS);
  count = 0;
  add(i: number, v: number): void {
    if (this.count < MAX_AMBIGUOUS) {
      this.index[this.count] = i;
      this.value[this.count] = v;
    }
    this.count++;
  }
}

/**
 * Sample-by-sample runs of s >= loT over one chunk (s in `s`, first index i0); state = [start] (-1: none).
 * In-band samples go to `amb`.
 */
function runsKernel(
  s: Float64Array,
  i0: number,
  i1: number,
  loT: number,
  hiT: number,
  minSamples: number,
  state: Int32Array,
  runs: Runs,
  amb: Ambiguous,
): void {
  let start = state[0]!;
  for (let i = i0; i < i1; i++) {
    const si = s[i - i0]!;
    if (si < loT) {
      if (start >= 0) {
        if (i - start >= minSamples) runs.push(start, i);
        start = -1;
      }
    } else {
      if (start < 0) start = i;
      if (!(si > hiT)) amb.add(i, si);
    }
  }
  state[0] = start;
}

/**
 * Block version: only blocks next to a block with all s >= loT are examined sample by sample (valid when
 * minSamples >= 2 * block - 1). state = [lastLow]: the last index with s < loT (or the start of a block known to
 * hold one when no run reaching past it can be long enough).
 */
function blockRunsKernel(
  s: Float64Array,
  i0: number,
  i1: number,
  loT: number,
  hiT: number,
  minSamples: number,
  block: number,
  blockMin: Float64Array,
  state: Int32Array,
  runs: Runs,
  amb: Ambiguous,
): void {
  const nBlocks = blockMin.length;
  let lastLow = state[0]!;
  for (let b0 = i0; b0 < i1; b0 += block) {
    const b1 = Math.min(i1, b0 + block);
    const bi = (b0 / block) | 0;
    const mn = blockMin[bi]!;
    if (mn >= loT) {
      // No sample below the band: runs continue through; only in-band samples need recording.
      if (mn <= hiT) for (let i = b0; i < b1; i++) if (!(s[i - i0]! > hiT)) amb.add(i, s[i - i0]!);
    } else if ((bi > 0 && blockMin[bi - 1]! >= loT) || (bi + 1 < nBlocks && blockMin[bi + 1]! >= loT)) {
      let firstLow = -1;
      let lastLowHere = -1;
      for (let i = b0; i < b1; i++) {
        const si = s[i - i0]!;
        if (si < loT) {
          if (firstLow < 0) firstLow = i;
          lastLowHere = i;
        } else if (!(si > hiT)) amb.add(i, si);
      }
      if (firstLow >= 0) {
        if (firstLow - lastLow - 1 >= minSamples) runs.push(lastLow + 1, firstLow);
        lastLow = lastLowHere;
      }
    } else lastLow = b0; // holds a sample below; any run touching this block is shorter than 2 blocks
  }
  state[0] = lastLow;
}

/**
 * Pass 2: the sequential sum of (s - mean)^2 (as meanStd), and the runs of s >= loT (a superset of the runs above
 * the exact threshold when it lies in [loT, hiT]) that pass the minimum length; samples in [loT, hiT] (or NaN)
 * go to `amb`.
 */
function pass2(
  vs: Values,
  mean: number,
  loT: number,
  hiT: number,
  minSamples: number,
  block: number,
  blockMin: Float64Array | null,
  runs: Runs,
  amb: Ambiguous,
  accStart: Float64Array,
): number {
  const n = vs.n;
  const { w, left, right } = vs;
  vs.start();
  // Two chunks at a time where no window edge is involved: their running sums (restarted from pass 1's saved
  // states) are independent chains, computed interleaved, while the previous pair's values are added to v in
  // order - the serial work per sample drops from two dependent additions to one.
  let cur = new Float64Array(2 * CHUNK);
  let pend = new Float64Array(2 * CHUNK);
  let pending = 0;
  const st = new Float64Array(2);
  const state = Int32Array.of(-1);
  const runChunk = (s: Float64Array, i0: number, i1: number): void => {
    if (blockMin) blockRunsKernel(s, i0, i1, loT, hiT, minSamples, block, blockMin, state, runs, amb);
    else runsKernel(s, i0, i1, loT, hiT, minSamples, state, runs, amb);
  };
  for (let i0 = 0; i0 < n; ) {
    const c = i0 / CHUNK;
    if (w > 1 && i0 >= left && i0 + 2 * CHUNK + right < n) {
      vs.provide(i0, i0 + 2 * CHUNK);
      st[1] = pairKernel(
        vs.src,
        vs.base,
        i0,
        w,
        left,
        right,
        mean,
        accStart[c]!,
        accStart[c + 1]!,
        cur,
        pend,
        pending,
        st[1]!,
      );
      runChunk(cur, i0, i0 + CHUNK);
      runChunk(cur.subarray(CHUNK), i0 + CHUNK, i0 + 2 * CHUNK);
      const t = pend;
      pend = cur;
      cur = t;
      pending = 2 * CHUNK;
      i0 += 2 * CHUNK;
    } else {
      st[1] = addSquares(pend, pending, mean, st[1]!);
      pending = 0;
      const i1 = Math.min(n, i0 + CHUNK);
      vs.provide(i0, i1);
      st[0] = accStart[c]!;
      smoothKernel(vs.src, vs.base, i0, i1, n, w, left, right, mean, cur, st);
      runChunk(cur, i0, i1);
      i0 = i1;
    }
  }
  st[1] = addSquares(pend, pending, mean, st[1]!);
  if (blockMin) {
    const lastLow = state[0]!;
    if (lastLow < n - 1 && n - 2 - lastLow >= minSamples) runs.push(lastLow + 1, n);
  } else if (state[0]! >= 0 && n - 1 - state[0]! >= minSamples) runs.push(state[0]!, n);
  return st[1]!;
}

/** v + the sum of (s - mean)^2 over s[0 .. count), in order. */
function addSquares(s: Float64Array, count: number, mean: number, v: number): number {
  for (let i = 0; i < count; i++) {
    const d = s[i]! - mean;
    v += d * d;
  }
  return v;
}

/**
 * s for the two chunks [i0, i0 + CHUNK) and [i0 + CHUNK, i0 + 2 CHUNK) (no window edge inside: i0 >= left,
 * i0 + 2 CHUNK + right < n) into out, from their saved running sums accA and accB; meanwhile, if pending > 0 (it is
 * then 2 CHUNK), (s - mean)^2 of prev[0 .. pending) added to v in order. Returns v.
 */
function pairKernel(
  src: Float32Array | Float64Array,
  base: number,
  i0: number,
  w: number,
  left: number,
  right: number,
  mean: number,
  accA: number,
  accB: number,
  out: Float64Array,
  prev: Float64Array,
  pending: number,
  v: number,
): number {
  const addA = i0 + right + 1 - base;
  const dropA = i0 - left - base;
  const addB = addA + CHUNK;
  const dropB = dropA + CHUNK;
  if (pending > 0) {
    for (let t = 0; t < CHUNK; t++) {
      out[t] = accA / w;
      out[t + CHUNK] = accB / w;
      accA += Math.abs(src[addA + t]!);
      accB += Math.abs(src[addB + t]!);
      accA -= Math.abs(src[dropA + t]!);
      accB -= Math.abs(src[dropB + t]!);
      const d0 = prev[2 * t]! - mean;
      const d1 = prev[2 * t + 1]! - mean;
      v += d0 * d0;
      v += d1 * d1;
    }
  } else {
    for (let t = 0; t < CHUNK; t++) {
      out[t] = accA / w;
      out[t + CHUNK] = accB / w;
      accA += Math.abs(src[addA + t]!);
      accB += Math.abs(src[addB + t]!);
      accA -= Math.abs(src[dropA + t]!);
      accB -= Math.abs(src[dropB + t]!);
    }
  }
  return v;
}

/** Pass 3 (fallback): runsAbove against the exact threshold. */
function pass3(vs: Values, threshold: number, minSamples: number, sampleRate: number): Segment[] {
  const n = vs.n;
  const st = Float64Array.of(vs.start(), 0);
  const s = new Float64Array(CHUNK);
  const out: Segment[] = [];
  let start = -1;
  for (let i0 = 0; i0 < n; i0 += CHUNK) {
    const i1 = Math.min(n, i0 + CHUNK);
    vs.provide(i0, i1);
    smoothKernel(vs.src, vs.base, i0, i1, n, vs.w, vs.left, vs.right, Number.NaN, s, st);
    for (let i = i0; i < i1; i++) {
      const above = s[i - i0]! > threshold;
      if (above && start < 0) start = i;
      else if (!above && start >= 0) {
        if (i - start >= minSamples) out.push({ onset: start / sampleRate, offset: i / sampleRate });
        start = -1;
      }
    }
  }
  if (start >= 0 && n - 1 - start >= minSamples)
    out.push({ onset: start / sampleRate, offset: (n - 1) / sampleRate });
  return out;
}

/** Appends the run [start, end) as runsAbove would report it (end = n: the run reaches the last sample). */
function pushRun(
  out: Segment[],
  start: number,
  end: number,
  n: number,
  minSamples: number,
  sampleRate: number,
): void {
  if (start >= end) return;
  if (end === n) {
    if (n - 1 - start >= minSamples) out.push({ onset: start / sampleRate, offset: (n - 1) / sampleRate });
  } else if (end - start >= minSamples) out.push({ onset: start / sampleRate, offset: end / sampleRate });
}

/**
 * runsAbove(movingAverageSame(|values|, w), mean + factor * std, sampleRate, minDurationMs), bit-identical to the
 * array version. `values` is the input itself or a stream (absolute values are taken here).
 */
export function smoothedThresholdRuns(
  values: Float32Array | Float64Array | ValueStream,
  smoothWindow: number,
  factor: number,
  sampleRate: number,
  minDurationMs: number,
): Segment[] {
  const n = values.length;
  if (n === 0) return [];
  const vs = new Values(values, smoothWindow);
  const minSamples = Math.trunc((minDurationMs / 1000) * sampleRate);
  // Block mode when runs must span at least 2 blocks of >= 16 samples.
  let block = 256;
  while (block >= 16 && 2 * block - 1 > minSamples) block >>= 1;
  const blockMin = block >= 16 ? new Float64Array(Math.ceil(n / block)) : null;
  const accStart = new Float64Array(Math.ceil(n / CHUNK));
  const { sum, sum2 } = pass1(
    vs,
    blockMin ? block : CHUNK,
    blockMin ?? new Float64Array(Math.ceil(n / CHUNK)),
    accStart,
  );
  const mean = sum / n;
  const stdEstimate = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
  const thresholdEstimate = mean + factor * stdEstimate;
  const delta = 1e-7 * (Math.abs(mean) + (1 + Math.abs(factor)) * stdEstimate);
  const runs = new Runs();
  const amb = new Ambiguous();
  const v = pass2(
    vs,
    mean,
    thresholdEstimate - delta,
    thresholdEstimate + delta,
    minSamples,
    block,
    blockMin,
    runs,
    amb,
    accStart,
  );
  const threshold = mean + factor * Math.sqrt(v / n);
  if (!(Math.abs(threshold - thresholdEstimate) <= delta / 2) || amb.count > MAX_AMBIGUOUS)
    return pass3(vs, threshold, minSamples, sampleRate);

  // Every sample outside the band is classified as for the exact threshold; split the kept runs at in-band
  // samples that turn out not to be above it.
  const out: Segment[] = [];
  const r = runs.data;
  let a = 0;
  for (let j = 0; j < runs.length; j += 2) {
    const start = r[j]!;
    const end = r[j + 1]!;
    while (a < amb.count && amb.index[a]! < start) a++;
    let pieceStart = start;
    for (; a < amb.count && amb.index[a]! < end; a++) {
      if (amb.value[a]! > threshold) continue;
      pushRun(out, pieceStart, amb.index[a]!, n, minSamples, sampleRate);
      pieceStart = amb.index[a]! + 1;
    }
    pushRun(out, pieceStart, end, n, minSamples, sampleRate);
  }
  return out;
}

// ---- Fast route (same segments, not the same float rounding) --------------------------------------------------
// For sources that can be read at any position (the input itself, or the interpolated energy envelope), one pass
// computes s in chunks with the running sum re-anchored (summed afresh) every SUB samples, as four independent
// chains, and the mean and variance from shifted per-chunk sums; per block of FB samples it keeps min and max of s.
// s and the threshold then differ from the original's (serial running sums, serial meanStd) only by rounding,
// ~1e-13 relative in practice. Blocks entirely further than `delta` (1e-9 relative) from the threshold are
// classified whole; the others are recomputed sample by sample. If any sample lies within delta of the threshold
// (digital silence, a constant signal, threshold_factor 0 on a flat envelope, ...) or anything is not finite, the
// caller falls back to the bit-identical route above. So the fast route only answers when no rounding difference
// of that size can change which samples are above the threshold.

/** Values v_i (already non-negative: |x_i| or the energy envelope) for i in [i0, i0 + count) into out[at ..]. */
export interface RangeSource {
  readonly length: number;
  read(out: Float64Array, at: number, i0: number, count: number): void;
  /** A value close to the mean of v (only used as a shift for the variance sums). */
  meanEstimate(): number;
}

const FCHUNK = 16384;
const SUB = FCHUNK / 4;
const FB = 128;

/** Fills xb[k] = v_(i0 - left + k) for k in [0, count), zeros outside [0, n). */
function readPadded(src: RangeSource, xb: Float64Array, start: number, count: number): void {
  const n = src.length;
  let k = 0;
  let i = start;
  for (; i < 0 && k < count; i++, k++) xb[k] = 0;
  const m = Math.min(count - k, n - i);
  if (m > 0) {
    src.read(xb, k, i, m);
    k += m;
  }
  for (; k < count; k++) xb[k] = 0;
}

/** s for the FCHUNK (or fewer) samples of a chunk from xb (window j -> xb[j .. j + w - 1]) into sb: 4 chains. */
function fastSmoothKernel(xb: Float64Array, sb: Float64Array, count: number, w: number): void {
  if (w === 1) {
    for (let t = 0; t < count; t++) sb[t] = xb[t]!;
    return;
  }
  const inv = 1 / w;
  if (count === FCHUNK) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < w; j++) {
      a0 += xb[j]!;
      a1 += xb[j + SUB]!;
      a2 += xb[j + 2 * SUB]!;
      a3 += xb[j + 3 * SUB]!;
    }
    for (let t = 0; t < SUB; t++) {
      sb[t] = a0 * inv;
      sb[t + SUB] = a1 * inv;
      sb[t + 2 * SUB] = a2 * inv;
      sb[t + 3 * SUB] = a3 * inv;
      a0 += xb[t + w]! - xb[t]!;
      a1 += xb[t + SUB + w]! - xb[t + SUB]!;
      a2 += xb[t + 2 * SUB + w]! - xb[t + 2 * SUB]!;
      a3 += xb[t + 3 * SUB + w]! - xb[t + 3 * SUB]!;
    }
  } else smoothRange(xb, sb, 0, count, w);
}

/** s for t in [t0, t1) (serial, anchored at t0) into sb[t]. */
function smoothRange(xb: Float64Array, sb: Float64Array, t0: number, t1: number, w: number): void {
  const inv = 1 / w;
  let a = 0;
  for (let j = t0; j < t0 + w; j++) a += xb[j]!;
  for (let t = t0; t < t1; t++) {
    sb[t] = a * inv;
    if (t - t0 === SUB - 1) {
      // re-anchor as the chunk kernel does
      a = 0;
      for (let j = t + 1; j < t + 1 + w; j++) a += xb[j]!;
    } else a += xb[t + w]! - xb[t]!;
  }
}

/** Per block of FB samples of sb[0 .. count): min and max into bmin/bmax at b; st += [sum(s - c), sum((s - c)^2)]. */
function fastStatsKernel(
  sb: Float64Array,
  count: number,
  c: number,
  bmin: Float64Array,
  bmax: Float64Array,
  b: number,
  st: Float64Array,
): void {
  let s1 = 0;
  let s2 = 0;
  for (let t0 = 0; t0 < count; t0 += FB, b++) {
    const t1 = Math.min(count, t0 + FB);
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    let p0 = 0;
    let p1 = 0;
    let q0 = 0;
    let q1 = 0;
    let t = t0;
    for (; t + 1 < t1; t += 2) {
      const u = sb[t]!;
      const v = sb[t + 1]!;
      if (u < mn) mn = u;
      if (u > mx) mx = u;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      const du = u - c;
      const dv = v - c;
      p0 += du;
      p1 += dv;
      q0 += du * du;
      q1 += dv * dv;
    }
    if (t < t1) {
      const u = sb[t]!;
      if (u < mn) mn = u;
      if (u > mx) mx = u;
      const du = u - c;
      p0 += du;
      q0 += du * du;
    }
    bmin[b] = mn;
    bmax[b] = mx;
    s1 += p0 + p1;
    s2 += q0 + q1;
  }
  st[0] = st[0]! + s1;
  st[1] = st[1]! + s2;
}

/**
 * The segments of runsAbove(movingAverageSame(v, w), mean + factor * std, ...) computed by the fast route, or null
 * when they could depend on rounding (the caller then uses smoothedThresholdRuns).
 */
export function fastSmoothedThresholdRuns(
  src: RangeSource,
  w: number,
  factor: number,
  sampleRate: number,
  minDurationMs: number,
): Segment[] | null {
  const n = src.length;
  if (n < 2 * FCHUNK || w > SUB || !Number.isFinite(factor)) return null;
  const left = w > 1 ? Math.floor(w / 2) : 0;
  const minSamples = Math.trunc((minDurationMs / 1000) * sampleRate);
  const c = src.meanEstimate();
  if (!Number.isFinite(c)) return null;
  const xb = new Float64Array(FCHUNK + w);
  const sb = new Float64Array(FCHUNK);
  const nBlocks = Math.ceil(n / FB);
  const bmin = new Float64Array(nBlocks);
  const bmax = new Float64Array(nBlocks);
  const part = new Float64Array(2);
  let sum1 = 0;
  let sum2 = 0;
  for (let i0 = 0; i0 < n; i0 += FCHUNK) {
    const count = Math.min(FCHUNK, n - i0);
    readPadded(src, xb, i0 - left, count + w);
    fastSmoothKernel(xb, sb, count, w);
    part[0] = 0;
    part[1] = 0;
    fastStatsKernel(sb, count, c, bmin, bmax, i0 / FB, part);
    sum1 += part[0]!;
    sum2 += part[1]!;
  }
  const d = sum1 / n;
  const mean = c + d;
  const variance = Math.max(0, sum2 / n - d * d);
  const std = Math.sqrt(variance);
  const threshold = mean + factor * std;
  if (!Number.isFinite(threshold)) return null;
  // Rounding differences between the two routes grow like sqrt(n) ulps of the largest values involved (typically
  // ~1e-13 relative here); the band is 16 times that bound on a random walk of n roundings.
  let smax = 0;
  for (let b = 0; b < nBlocks; b++) if (bmax[b]! > smax) smax = bmax[b]!;
  const delta =
    16 * Math.sqrt(n) * Number.EPSILON * (smax + Math.abs(mean) + Math.abs(c) + (1 + Math.abs(factor)) * std);
  const skipFar = minSamples >= 2 * FB - 1;
  const lo = threshold - delta;
  const hi = threshold + delta;
  if (!(delta > 0)) return null;

  // Runs: blocks entirely below lo or above hi are classified whole, others sample by sample.
  const out: Segment[] = [];
  let start = -1;
  const close = (i: number): void => {
    if (i - start >= minSamples) out.push({ onset: start / sampleRate, offset: i / sampleRate });
    start = -1;
  };
  let chunkDone = -1;
  for (let b = 0; b < nBlocks; b++) {
    const b0 = b * FB;
    if (bmax[b]! < lo) {
      if (start >= 0) close(b0);
    } else if (bmin[b]! > hi) {
      if (start < 0) start = b0;
    } else if (
      skipFar &&
      !(bmin[b]! > lo) &&
      !(b > 0 && bmin[b - 1]! > lo) &&
      !(b + 1 < nBlocks && bmin[b + 1]! > lo)
    ) {
      // The block holds a sample below the threshold and no neighbour is entirely above it: a run touching it
      // holds no whole block above the threshold, so it is shorter than 2 FB - 1 <= minSamples.
      start = -1;
    } else {
      // Recompute s: over the whole chunk as in the first pass when many of its blocks need it, else over the
      // block alone (anchored at its start: within rounding of the first pass's values).
      const b1 = Math.min(n, b0 + FB);
      let i0 = b0 - (b0 % FCHUNK);
      if (chunkDone !== i0) {
        let mixed = 0;
        const bEnd = Math.min(nBlocks, (i0 + FCHUNK) / FB);
        for (let k = i0 / FB; k < bEnd; k++) if (!(bmax[k]! < lo) && !(bmin[k]! > hi)) mixed++;
        if (mixed > 8) {
          const count = Math.min(FCHUNK, n - i0);
          readPadded(src, xb, i0 - left, count + w);
          fastSmoothKernel(xb, sb, count, w);
          chunkDone = i0;
        }
      }
      if (chunkDone !== i0) {
        i0 = b0;
        readPadded(src, xb, b0 - left, b1 - b0 + w);
        smoothRange(xb, sb, 0, b1 - b0, w);
      }
      for (let i = b0; i < b1; i++) {
        const si = sb[i - i0]!;
        if (si >= lo && si <= hi) return null;
        if (si > threshold) {
          if (start < 0) start = i;
        } else if (start >= 0) close(i);
      }
    }
  }
  if (start >= 0 && n - 1 - start >= minSamples)
    out.push({ onset: start / sampleRate, offset: (n - 1) / sampleRate });
  return out;
}
