// The streamed thresholding engine (src/segmentation/smoothed.ts) against the array definitions of mask.ts, on
// inputs chosen to reach every path: sample and block modes, chunk boundaries, chunk pairs in pass 2, windows wider than the input,
// samples exactly at the threshold (resolved after the pass), and the exact fallback (silence, NaN, infinities).
import { describe, expect, it } from "vitest";
import { butterworth } from "../src/filters/butterworth.ts";
import { sosfilt } from "../src/filters/sosfilt.ts";
import { meanStd, movingAverageSame, runsAbove } from "../src/segmentation/mask.ts";
import { smoothedThresholdRuns } from "../src/segmentation/smoothed.ts";
import { InterpolatedStream, SampleStream, type ValueStream } from "../src/segmentation/stream.ts";
import { rng, whiteNoise } from "./fixtures/synth.ts";

function arrayVersion(values: ArrayLike<number>, w: number, factor: number, sr: number, minMs: number) {
  const abs = new Float64Array(values.length);
  for (let i = 0; i < abs.length; i++) abs[i] = Math.abs(values[i]!);
  const s = movingAverageSame(abs, w);
  const { mean, std } = meanStd(s);
  return runsAbove(s, mean + factor * std, sr, minMs);
}

function drain(stream: ValueStream, chunk: number): Float64Array {
  const out = new Float64Array(stream.length);
  stream.reset();
  for (let i = 0; i < out.length; i += chunk) stream.next(out, i, Math.min(chunk, out.length - i));
  return out;
}

const CHUNK = 16384;

describe("streamed moving-average thresholding", () => {
  const sr = 1000; // min_duration_ms = samples
  const inputs: [string, Float32Array | Float64Array][] = [];
  const r = rng(5);
  for (const n of [1, 2, 5, 100, CHUNK - 1, CHUNK + 7, 3 * CHUNK + 100, 7 * CHUNK + 5]) {
    // Ties: values in {0, 1, 2} with mean of |x| often exactly 1, so many samples sit exactly on the threshold.
    const ties = new Float32Array(n);
    for (let i = 0; i < n; i++) ties[i] = Math.floor(r() * 3) * (r() < 0.5 ? -1 : 1);
    inputs.push([`ties n=${n}`, ties]);
    // Bursts in noise: long runs above, for the block mode.
    const bursts = new Float64Array(whiteNoise(n, 0.05, n));
    for (let b = 0; b < n; b += 5000)
      for (let i = b; i < Math.min(n, b + 700 + (b % 300)); i++) bursts[i] = bursts[i]! + 0.5;
    inputs.push([`bursts n=${n}`, bursts]);
  }
  inputs.push(["silence", new Float32Array(40000)]);
  const withNaN = new Float64Array(whiteNoise(30000, 0.1, 2));
  withNaN[12345] = Number.NaN;
  inputs.push(["NaN", withNaN]);
  const withInf = new Float64Array(whiteNoise(30000, 0.1, 3));
  withInf[777] = Number.POSITIVE_INFINITY;
  inputs.push(["Infinity", withInf]);
  // |x| has mean exactly 1 (as many 2s as 0s), so with factor 0 the threshold is exactly 1: the 1s inside the
  // runs of 2s sit on it and split the runs once resolved (1 > 1 is false).
  const exact = new Float32Array(64000);
  for (let i = 0; i < exact.length; i++) exact[i] = Math.floor(i / 800) % 2 ? 0 : i % 2 ? 2 : -2;
  for (let i = 0; i < exact.length; i += 1600) {
    exact[i + 300] = 1;
    exact[i + 301] = -1;
    exact[i + 1000] = 1; // among the 0s
    exact[i + 1001] = -1; // keeps the mean: the two 1s among the 2s removed 2
  }
  inputs.push(["exact ties", exact]);
  const square = new Float32Array(70000);
  for (let i = 0; i < square.length; i++) square[i] = Math.floor(i / 4000) % 2 ? 1 : 0.25;
  inputs.push(["square", square]);

  for (const [name, x] of inputs) {
    it(`equals the array version: ${name}`, () => {
      for (const w of [1, 2, 3, 4, 17, 1000, x.length + 5]) {
        for (const factor of [0, 0.5, 2]) {
          for (const minSamples of [-3, 0, 1, 30, 31, 63, 200, 600]) {
            const expected = arrayVersion(x, w, factor, sr, minSamples);
            expect(
              smoothedThresholdRuns(x, w, factor, sr, minSamples),
              `w=${w} f=${factor} min=${minSamples}`,
            ).toEqual(expected);
          }
        }
      }
    });
  }
});

describe("value streams", () => {
  it("SampleStream filters exactly like sosfilt on the whole array, whatever the chunking", () => {
    const x = whiteNoise(50000, 0.3, 9);
    const sos = butterworth({ order: 4, type: "bandpass", cutoff: [20000, 60000], sampleRate: 250000 });
    const whole = sosfilt(sos, new Float64Array(x));
    for (const chunk of [1, 7, 4096, 50000]) expect(drain(new SampleStream(x, sos), chunk)).toEqual(whole);
  });

  it("InterpolatedStream equals np.interp(linspace(0, nFrames, n), arange(nFrames), energy)", () => {
    const r = rng(3);
    for (const [nFrames, n] of [
      [1, 1],
      [1, 10],
      [3, 7],
      [153, 23456],
      [1000, 153000],
      [1000, 153999],
    ] as const) {
      const e = new Float64Array(nFrames);
      for (let i = 0; i < nFrames; i++) e[i] = r() < 0.1 ? 0 : r() * 10 ** Math.floor(r() * 6 - 3);
      const expected = new Float64Array(n);
      const step = n > 1 ? nFrames / (n - 1) : 0;
      for (let i = 0; i < n; i++) {
        const pos = i === n - 1 ? nFrames : i * step;
        const k = Math.floor(pos);
        expected[i] = k >= nFrames - 1 ? e[nFrames - 1]! : e[k]! + (pos - k) * (e[k + 1]! - e[k]!);
      }
      for (const chunk of [1, 100, 16384])
        expect(drain(new InterpolatedStream(e, n), chunk)).toEqual(expected);
    }
  });
});
