// Sequential per-sample value sources for the original segmenters. The original materialised every
// intermediate signal (a Float64 copy, the filtered copy, |x|, the interpolated energy, the moving average), each
// as large as the input: on a 60 s 384 kHz file that is ~180 MB per array, and on this kind of machine the page
// faults of fresh allocations alone cost more CPU than the arithmetic. Streams produce the same values, bit for
// bit and in the same order, a block at a time into small reused buffers, and can be restarted for another pass.
import type { Sos } from "../filters/butterworth.ts";

export interface ValueStream {
  /** Total number of values. */
  readonly length: number;
  /** Restart from value 0. */
  reset(): void;
  /** Writes the next `count` values to out[at .. at + count). */
  next(out: Float64Array, at: number, count: number): void;
}

/**
 * The input samples through the prefilter's second-order sections, computed exactly as sosfilt does (transposed
 * direct form II, zero initial state, section after section), so each value is bit-identical to the whole-array
 * filter.
 */
export class SampleStream implements ValueStream {
  readonly length: number;
  private pos = 0;
  private readonly state: Float64Array;

  constructor(
    private readonly x: Float32Array | Float64Array,
    private readonly sos: readonly Sos[],
  ) {
    this.length = x.length;
    this.state = new Float64Array(2 * sos.length);
  }

  reset(): void {
    this.pos = 0;
    this.state.fill(0);
  }

  next(out: Float64Array, at: number, count: number): void {
    const x = this.x;
    const p = this.pos;
    this.pos = p + count;
    const end = at + count;
    for (let j = at, i = p; j < end; j++, i++) out[j] = x[i]!;
    const st = this.state;
    for (let s = 0; s < this.sos.length; s++) {
      const [b0, b1, b2, , a1, a2] = this.sos[s]!;
      let s1 = st[2 * s]!;
      let s2 = st[2 * s + 1]!;
      for (let j = at; j < end; j++) {
        const xi = out[j]!;
        const yi = b0 * xi + s1;
        s1 = b1 * xi - a1 * yi + s2;
        s2 = b2 * xi - a2 * yi;
        out[j] = yi;
      }
      st[2 * s] = s1;
      st[2 * s + 1] = s2;
    }
  }
}

/**
 * np.interp(np.linspace(0, nFrames, n), arange(nFrames), energy) one value at a time: position i * step,
 * linear between frame values, the last frame's value past it (and exactly nFrames at the last sample).
 */
export class InterpolatedStream implements ValueStream {
  private pos = 0;
  private readonly step: number;

  constructor(
    private readonly energy: Float64Array,
    readonly length: number,
  ) {
    this.step = length > 1 ? energy.length / (length - 1) : 0;
  }

  reset(): void {
    this.pos = 0;
  }

  /** Values i0 .. i0 + count - 1 into out[at ..] (random access, for the fast route of smoothed.ts). */
  read(out: Float64Array, at: number, i0: number, count: number): void {
    this.pos = i0;
    this.next(out, at, count);
  }

  /** The mean of the frame energies (close to the mean of the envelope). */
  meanEstimate(): number {
    const e = this.energy;
    let s = 0;
    for (let k = 0; k < e.length; k++) s += e[k]!;
    return s / e.length;
  }

  next(out: Float64Array, at: number, count: number): void {
    const e = this.energy;
    const nFrames = e.length;
    const lastValue = e[nFrames - 1]!;
    const lastIndex = this.length - 1;
    const step = this.step;
    let i = this.pos;
    const iEnd = i + count;
    this.pos = iEnd;
    let j = at;
    while (i < iEnd) {
      if (i === lastIndex) {
        out[j++] = lastValue;
        i++;
        continue;
      }
      const k = Math.floor(i * step);
      if (k >= nFrames - 1) {
        for (; i < iEnd; i++, j++) out[j] = lastValue;
        break;
      }
      // The samples with floor(i * step) = k: i * step is monotonic in i, so they run up to the first c with
      // c * step >= k + 1 (found from an estimate, checked with the same products).
      let c = Math.max(i + 1, Math.ceil((k + 1) / step));
      while (c - 1 > i && (c - 1) * step >= k + 1) c--;
      while (c * step < k + 1) c++;
      const stop = Math.min(iEnd, c, lastIndex);
      const e0 = e[k]!;
      const de = e[k + 1]! - e0;
      for (; i < stop; i++, j++) out[j] = e0 + (i * step - k) * de;
    }
  }
}
