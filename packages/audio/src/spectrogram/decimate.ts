/**
 * Anti-aliased decimation. The original displayed long recordings by keeping every n-th sample,
 * which folds ultrasound down into the audible band; here a windowed-sinc low-pass at 0.9 × the
 * new Nyquist frequency runs first, and only the kept outputs are computed (polyphase-style).
 */

/** Blackman-windowed sinc low-pass with unit DC gain; `cutoff` is a fraction of the sample rate (0–0.5). */
export function lowpassFir(cutoff: number, taps: number): Float64Array {
  if (taps % 2 === 0) taps += 1; // odd length: linear phase with an integer delay
  const h = new Float64Array(taps);
  const m = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - m;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w =
      0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i] = h[i]! / sum;
  return h;
}

/**
 * Keeps every `factor`-th sample after low-pass filtering. Output sample j is aligned with input
 * sample j·factor (the filter delay is compensated); edges are zero-extended.
 */
export function decimate(samples: Float32Array, factor: number, tapsPerPhase = 16): Float32Array {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`decimation factor must be a positive integer, got ${factor}`);
  if (factor === 1) return samples.slice();
  const h = lowpassFir(0.45 / factor, tapsPerPhase * factor + 1);
  const m = (h.length - 1) / 2;
  const out = new Float32Array(Math.ceil(samples.length / factor));
  const n = samples.length;
  for (let j = 0; j < out.length; j++) {
    const centre = j * factor;
    let acc = 0;
    const lo = Math.max(0, centre - m);
    const hi = Math.min(n - 1, centre + m);
    for (let i = lo; i <= hi; i++) acc += samples[i]! * h[centre - i + m]!;
    out[j] = acc;
  }
  return out;
}
