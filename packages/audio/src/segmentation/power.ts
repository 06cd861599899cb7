// Squared FFT magnitudes of a windowed power-of-two frame (the detector's only FFT use: fft.js directly).
import FFT from "fft.js";

const plans = new Map<number, { fft: FFT; inp: Float64Array; out: number[] }>();

export function magnitudesSquared(
  x: Float64Array,
  start: number,
  n: number,
  window: Float64Array,
  out: Float64Array,
): void {
  let p = plans.get(n);
  if (!p) {
    const fft = new FFT(n);
    p = { fft, inp: new Float64Array(n), out: fft.createComplexArray() as number[] };
    plans.set(n, p);
  }
  const { inp, fft } = p;
  for (let i = 0; i < n; i++) inp[i] = x[start + i]! * window[i]!;
  fft.realTransform(p.out, inp as unknown as number[]);
  const o = p.out;
  for (let k = 0; k <= n / 2; k++) {
    const re = o[2 * k]!;
    const im = o[2 * k + 1]!;
    out[k] = re * re + im * im;
  }
}
