// The spectral detector's real FFT (src/segmentation/fft-real.ts) against a naive DFT in extended precision
// (compensated sums of exactly reduced angles) on random frames at every power-of-two size in use, to 1e-9 relative.
import FFT from "fft.js";
import { describe, expect, it } from "vitest";
import { RealFftPower } from "../src/segmentation/fft-real.ts";
import { rng } from "./fixtures/synth.ts";

/** |DFT(x * w)[k]|^2 for k = 0 .. n/2, summed naively (angles reduced modulo n exactly). */
function naivePower(x: Float64Array, w: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      const v = x[t]! * w[t]!;
      sr += v * Math.cos(a);
      si += v * Math.sin(a);
    }
    out[k] = sr * sr + si * si;
  }
  return out;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

describe("RealFftPower", () => {
  const r = rng(123);
  for (const n of [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]) {
    it(`matches a naive DFT at n = ${n} (all bins, random frames, offsets, Float32 and Float64 input)`, () => {
      const w = hann(n);
      const f = new RealFftPower(n, w);
      const out = new Float64Array(n / 2 + 1);
      for (let trial = 0; trial < 6; trial++) {
        const offset = trial * 3;
        const buf = trial % 2 ? new Float32Array(n + offset) : new Float64Array(n + offset);
        for (let i = 0; i < buf.length; i++)
          buf[i] = (r() - 0.5) * (trial === 5 ? 1e-6 : 1) + (trial === 4 ? 0.3 : 0);
        const frame = new Float64Array(buf.subarray(offset, offset + n));
        const ref = naivePower(frame, w);
        f.power(buf, offset, 0, n / 2, out);
        let energy = 0;
        for (const v of ref) energy = Math.max(energy, v);
        for (let k = 0; k <= n / 2; k++) {
          // Relative to the bin, or to the frame's largest bin for bins near zero.
          expect(Math.abs(out[k]! - ref[k]!), `n=${n} k=${k}`).toBeLessThanOrEqual(
            1e-9 * Math.max(ref[k]!, 1e-3 * energy),
          );
        }
      }
    });
  }

  it("gives fft.js's power to rounding, and bandSums writes 3-bin sums with a stride", () => {
    const n = 256;
    const w = hann(n);
    const f = new RealFftPower(n, w);
    const fft = new FFT(n);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.7) + (r() - 0.5);
    const inp = new Float64Array(n);
    for (let i = 0; i < n; i++) inp[i] = x[i]! * w[i]!;
    const spec = fft.createComplexArray() as number[];
    fft.realTransform(spec, inp as unknown as number[]);
    const p = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) p[k] = spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
    const lo = 10;
    const hi = 121;
    const out = new Float64Array(3 * (hi - lo + 1) + 1);
    f.bandSums(x, 0, lo, hi, new Float64Array(hi - lo + 3), out, 1, 3);
    for (let k = lo; k <= hi; k++) {
      const ref = p[k - 1]! + p[k]! + p[k + 1]!;
      expect(Math.abs(out[1 + 3 * (k - lo)]! - ref)).toBeLessThanOrEqual(1e-12 * ref);
    }
  });

  it("rejects sizes that are not powers of two", () => {
    expect(() => new RealFftPower(48, new Float64Array(48))).toThrow(RangeError);
    expect(() => new RealFftPower(2, new Float64Array(2))).toThrow(RangeError);
  });
});
