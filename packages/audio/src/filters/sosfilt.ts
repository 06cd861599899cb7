// Filtering with second-order sections (transposed direct form II, as scipy.signal.sosfilt).
import type { Sos } from "./butterworth.ts";

/** Causal filter from zero initial state, in place on a Float64Array copy. Matches scipy.signal.sosfilt. */
export function sosfilt(sos: Sos[], x: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(x as ArrayLike<number>);
  for (const [b0, b1, b2, , a1, a2] of sos) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < y.length; i++) {
      const xi = y[i]!;
      const yi = b0 * xi + s1;
      s1 = b1 * xi - a1 * yi + s2;
      s2 = b2 * xi - a2 * yi;
      y[i] = yi;
    }
  }
  return y;
}

/**
 * Zero-phase forward-backward filtering (magnitude response squared, no delay). Edges are handled with an odd
 * reflection of 3*(2*sections+1) samples like scipy's sosfiltfilt default padding, but each pass starts from
 * zero state rather than scipy's steady-state initial conditions, so the first and last few padding lengths
 * differ slightly from scipy.
 */
export function sosfiltfilt(sos: Sos[], x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const pad = Math.min(n - 1, 3 * (2 * sos.length + 1));
  const ext = new Float64Array(n + 2 * pad);
  const x0 = x[0] ?? 0;
  const xn = x[n - 1] ?? 0;
  for (let i = 0; i < pad; i++) ext[i] = 2 * x0 - x[pad - i]!;
  for (let i = 0; i < n; i++) ext[pad + i] = x[i]!;
  for (let i = 0; i < pad; i++) ext[pad + n + i] = 2 * xn - x[n - 2 - i]!;
  const fwd = sosfilt(sos, ext);
  fwd.reverse();
  const back = sosfilt(sos, fwd);
  back.reverse();
  return back.slice(pad, pad + n);
}
