// The seewave building blocks warbleR's spectro_analysis relies on, reproduced step by step
// (seewave 2.2.x: spec, specprop, sh, th, sfm, sspectro, stdft, meanspec, afilter).
// Amplitude scale factors (seewave's /wl, *2, /max) are kept only where they change a result.
import { magnitudes } from "./dft.ts";
import { rColon, rSeqBy } from "./rsemantics.ts";
import { seewaveHann } from "./window.ts";

/**
 * seewave::spec(wave, wl, wn = "hanning"): one FFT of the *whole* segment under a Hann window as long as the
 * segment (wl is ignored without `at`), amplitude of bins 0 .. floor(n/2)-1, normalised to a maximum of 1.
 */
export function spec(x: Float64Array): Float64Array {
  const n = x.length;
  const half = Math.floor(n / 2);
  const mags = new Float64Array(half + 1);
  magnitudes(x, 0, n, seewaveHann(n), mags);
  const y = mags.subarray(0, half);
  let max = 0;
  for (let i = 0; i < half; i++) if (y[i]! > max) max = y[i]!;
  if (max > 0) for (let i = 0; i < half; i++) y[i] = y[i]! / max;
  return y;
}

export interface SpecProps {
  /** Hz */
  mean: number;
  sd: number;
  median: number;
  Q25: number;
  Q75: number;
  IQR: number;
  skewness: number;
  kurtosis: number;
  sfm: number;
  sh: number;
}

/**
 * warbleR's specprop_wrblr_int (seewave::specprop) on a spec() amplitude spectrum, limited to flim (kHz).
 * The band is cut by *index* (flim * g, truncated like R), and the frequency axis is then re-drawn as an
 * even grid from flim[0] to flim[1] with as many points as bins kept: every frequency statistic inherits
 * that grid, which is why warbleR's median/quartiles are multiples of (band / (bins - 1)), not bin centres.
 */
export function specprop(amp: Float64Array, f: number, flim: [number, number]): SpecProps {
  const L0 = amp.length;
  const wl = L0 * 2;
  const g = (1000 * wl) / 2 / (f / 2 - f / wl);
  const idx = rColon(flim[0] * g, flim[1] * g);
  const kept: number[] = [];
  for (const v of idx) {
    const i = Math.trunc(v); // R truncates fractional indices; index 0 selects nothing.
    if (i >= 1 && i <= L0) kept.push(amp[i - 1]!);
  }
  const L = kept.length;
  let total = 0;
  for (const v of kept) total += v;
  const a = new Float64Array(L);
  for (let i = 0; i < L; i++) a[i] = kept[i]! / total;
  const freq = new Float64Array(L);
  const lo = flim[0] * 1000;
  const hi = flim[1] * 1000;
  if (L === 1) freq[0] = lo;
  else {
    const by = (hi - lo) / (L - 1);
    for (let i = 0; i < L; i++) freq[i] = lo + i * by;
    freq[L - 1] = hi;
  }
  let mean = 0;
  for (let i = 0; i < L; i++) mean += a[i]! * freq[i]!;
  let v2 = 0;
  for (let i = 0; i < L; i++) v2 += a[i]! * (freq[i]! - mean) ** 2;
  const sd = Math.sqrt(v2);
  const quant = (p: number): number => {
    // freq[length(cumamp[cumamp <= p]) + 1]
    let cum = 0;
    let count = 0;
    for (let i = 0; i < L; i++) {
      cum += a[i]!;
      if (cum <= p) count++;
    }
    return count < L ? freq[count]! : Number.NaN;
  };
  const median = quant(0.5);
  const Q25 = quant(0.25);
  const Q75 = quant(0.75);
  // Skewness and kurtosis of the *amplitude values* (not of the frequency distribution), with R's sd().
  const meanAmp = 1 / L;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < L; i++) {
    const z = a[i]! - meanAmp;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
  }
  const w = Math.sqrt(s2 / (L - 1));
  const skewness = s3 / (L - 1) / w ** 3;
  const kurtosis = s4 / (L - 1) / w ** 4;
  return { mean, sd, median, Q25, Q75, IQR: Q75 - Q25, skewness, kurtosis, sfm: sfm(a), sh: sh(a) };
}

/** seewave::sfm: spectral flatness, geometric / arithmetic mean; zeros count as 1e-5; long spectra subsampled. */
export function sfm(spec: ArrayLike<number>): number {
  let s: ArrayLike<number> = spec;
  if (s.length > 4000) {
    const by = Math.round(s.length / 256);
    const sub: number[] = [];
    for (let i = 0; i < s.length; i += by) sub.push(s[i]!);
    s = sub;
  }
  const n = s.length;
  let logSum = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = s[i] === 0 ? 1e-5 : s[i]!;
    logSum += Math.log(v);
    sum += v;
  }
  return Math.exp(logSum / n) / (sum / n);
}

/** seewave::sh: Shannon spectral entropy normalised by log(N); zeros count as 1e-7. */
export function sh(spec: ArrayLike<number>): number {
  const n = spec.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += spec[i]!;
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const raw = spec[i] === 0 ? 1e-7 : spec[i]!;
    const p = raw / total;
    h -= p * Math.log(p);
  }
  return h / Math.log(n);
}

/** seewave::th: temporal entropy of an envelope, with seewave's "square signal" and empty-signal guards. */
export function th(env: ArrayLike<number>): number {
  const n = env.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += env[i]!;
  if (!(total > 0)) return 0;
  const p0 = env[0]! / total;
  let psum = 0;
  for (let i = 0; i < n; i++) psum += env[i]! / total;
  if (psum / (n * p0) === 1 || psum / n === 1) return 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    let p = env[i]! / total;
    if (p === 0) p = 1e-7;
    h -= p * Math.log(p);
  }
  return h / Math.log(n);
}

/**
 * seewave's internal sspectro: |FFT| of Hann-windowed frames starting at seq(1, n+1-wl, wl*(1-ovlp/100))
 * (R truncates the fractional starts an odd wl produces), rows = bins 1 .. floor(wl/2) (DC dropped).
 * Returned column-major: frames[c] holds the bins of frame c.
 */
export function sspectro(x: Float64Array, wl: number, ovlp: number): Float64Array[] {
  const starts = rSeqBy(1, x.length + 1 - wl, wl - (ovlp * wl) / 100);
  const rows = rColon(2, 1 + wl / 2).length; // z[2:(1+wl/2), ]
  const w = seewaveHann(wl);
  const mags = new Float64Array(Math.floor(wl / 2) + 1);
  return starts.map((s) => {
    magnitudes(x, Math.trunc(s) - 1, wl, w, mags);
    return mags.slice(1, 1 + rows);
  });
}

/**
 * seewave::stdft amplitude columns (before any scaling): bins 0 .. floor(wl/2)-1 of frames that start at the
 * given 1-based sample positions.
 */
export function stdft(x: Float64Array, wl: number, starts: number[]): Float64Array[] {
  const w = seewaveHann(wl);
  const rows = Math.floor(wl / 2);
  const mags = new Float64Array(rows + 1);
  return starts.map((s) => {
    magnitudes(x, s - 1, wl, w, mags);
    return mags.slice(0, rows);
  });
}

/** seewave::meanspec(wl, ovlp) without normalisation: mean amplitude per bin over frames; bin k is k*f/wl. */
export function meanspec(x: Float64Array, wl: number, ovlp: number): Float64Array {
  const starts = rSeqBy(1, x.length + 1 - wl, wl - (ovlp * wl) / 100).map((s) => Math.trunc(s));
  const cols = stdft(x, wl, starts);
  const rows = Math.floor(wl / 2);
  const mean = new Float64Array(rows);
  for (const c of cols) for (let r = 0; r < rows; r++) mean[r] = mean[r]! + c[r]!;
  for (let r = 0; r < rows; r++) mean[r] = mean[r]! / cols.length;
  return mean;
}

/** seewave::afilter: zero every sample whose magnitude is <= threshold% of the maximum magnitude. */
export function afilter(x: Float64Array, thresholdPercent: number): Float64Array {
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > max) max = a;
  }
  const t = (max * thresholdPercent) / 100;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]!) <= t ? 0 : x[i]!;
  return out;
}
