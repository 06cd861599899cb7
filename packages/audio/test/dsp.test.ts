// Shared DSP pieces used by the spectrogram: the table-based power → dB conversion against 10·log10, and the STFT
// kernel (radix-4 real FFT + table dB) against fft.js + Math.log10, the implementation it replaced.
import FFT from "fft.js";
import { describe, expect, it } from "vitest";
import { powerToDb } from "../src/dsp/db.ts";
import { DB_FLOOR, periodicHann, StftKernel } from "../src/spectrogram/index.ts";
import { rng } from "./fixtures/synth.ts";

const FLOOR = 1e-4 * 1e-4;

/** Float32 ulps between two float32 values of the same sign. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0]! - i[1]!);
}

function dbOf(p: Float64Array, out = new Float32Array(p.length), at = 0, stride = 1): Float32Array {
  powerToDb(
    p,
    new Int32Array(p.buffer, p.byteOffset, 2 * p.length),
    p.length,
    FLOOR,
    DB_FLOOR,
    out,
    at,
    stride,
  );
  return out;
}

describe("powerToDb", () => {
  it("equals Math.fround(10·log10(p)) to the float32 ulp (and almost always exactly) over 1e-8 .. 1e12", () => {
    const r = rng(7);
    const p = new Float64Array(200_000);
    // (10^x with a short dyadic x would put 10·log10 exactly on float32 rounding ties: perturb it.)
    for (let i = 0; i < p.length; i++) p[i] = 10 ** (-8 + 20 * r()) * (1 + 0.01 * r());
    const got = dbOf(p);
    let differing = 0;
    let maxErr = 0;
    for (let i = 0; i < p.length; i++) {
      const want = Math.fround(10 * Math.log10(p[i]!));
      if (got[i] !== want) differing++;
      expect(ulps(got[i]!, want), `p=${p[i]}`).toBeLessThanOrEqual(1);
      maxErr = Math.max(maxErr, Math.abs(got[i]! - 10 * Math.log10(p[i]!)) / Math.max(1, Math.abs(got[i]!)));
    }
    expect(differing).toBeLessThanOrEqual(2);
    expect(maxErr).toBeLessThan(1e-7); // float32 rounding only
  });

  it("is exact at powers of two and 1 (0 dB), floors at and below 1e-8, keeps NaN floored and +Infinity", () => {
    const p = new Float64Array([
      1,
      2,
      0.5,
      2 ** 40,
      2 ** -26,
      FLOOR,
      FLOOR * 0.99,
      0,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]);
    const got = dbOf(p);
    expect(got[0]).toBe(0);
    for (const i of [1, 2, 3, 4]) expect(got[i]).toBe(Math.fround(10 * Math.log10(p[i]!)));
    for (const i of [5, 6, 7, 8, 9]) expect(got[i]).toBe(-80);
    expect(got[10]).toBe(Number.POSITIVE_INFINITY);
    expect(dbOf(new Float64Array([FLOOR * 1.0000001]))[0]).toBeCloseTo(-80, 5);
  });

  it("writes with an offset and a stride", () => {
    const p = new Float64Array([1, 10, 100]);
    const out = new Float32Array(10).fill(7);
    dbOf(p, out, 1, 4);
    expect([...out]).toEqual([7, 0, 7, 7, 7, 10, 7, 7, 7, 20]);
  });
});

describe("StftKernel (radix-4 real FFT + table dB)", () => {
  it("matches fft.js + 10·log10 on random and tonal frames to the float32 ulp", () => {
    const n = 512;
    const w = periodicHann(n);
    const fft = new FFT(n);
    const spec = fft.createComplexArray() as number[];
    const kernel = new StftKernel();
    const r = rng(11);
    const src = new Float32Array(n + 40);
    const out = new Float32Array(257);
    let differing = 0;
    for (let trial = 0; trial < 60; trial++) {
      const amp = 10 ** (-6 + (trial % 7));
      for (let i = 0; i < src.length; i++)
        src[i] = trial % 3 === 0 ? amp * Math.sin(0.37 * i * (1 + trial / 60)) : amp * (r() - 0.5);
      const from = trial % 40;
      kernel.column(src, from, out, 0, 1);
      const frame = Array.from({ length: n }, (_, i) => src[from + i]! * w[i]!);
      fft.realTransform(spec, frame);
      for (let k = 0; k <= n / 2; k++) {
        const pw = spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
        const want = Math.fround(pw > FLOOR ? 10 * Math.log10(pw) : DB_FLOOR);
        if (out[k] !== want) differing++;
        // The two FFTs round differently (~1e-15 relative): near the floor the result may sit on either side.
        if (Math.abs(pw - FLOOR) > 1e-12 * FLOOR)
          expect(ulps(out[k]!, want), `trial ${trial} bin ${k}`).toBeLessThanOrEqual(1);
      }
    }
    expect(differing).toBeLessThan(20);
  });
});
