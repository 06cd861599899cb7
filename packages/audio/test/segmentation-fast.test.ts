// The fast route of smoothed.ts (re-anchored running sums, shifted per-chunk variance sums, block min/max) against
// the array definitions of mask.ts on energy envelopes: it must either give exactly the array version's segments
// or decline (null), and it must answer on ordinary envelopes (else it would be dead code).
import { describe, expect, it } from "vitest";
import { meanStd, movingAverageSame, runsAbove } from "../src/segmentation/mask.ts";
import { fastSmoothedThresholdRuns } from "../src/segmentation/smoothed.ts";
import { InterpolatedStream } from "../src/segmentation/stream.ts";
import { rng } from "./fixtures/synth.ts";

function arrayVersion(stream: InterpolatedStream, w: number, factor: number, sr: number, minMs: number) {
  const x = new Float64Array(stream.length);
  stream.reset();
  stream.next(x, 0, x.length);
  const s = movingAverageSame(x, w);
  const { mean, std } = meanStd(s);
  return runsAbove(s, mean + factor * std, sr, minMs);
}

/** Frame energies of noise with bursts (calls) of varying loudness and length. */
function envelope(nFrames: number, seed: number, burstEvery: number): Float64Array {
  const r = rng(seed);
  const e = new Float64Array(nFrames);
  for (let f = 0; f < nFrames; f++) e[f] = 1e-4 * (0.5 + r());
  for (let f = 7; f < nFrames; f += burstEvery) {
    const len = 1 + Math.floor(r() * 40);
    const level = 1e-3 * 10 ** (3 * r());
    for (let k = f; k < Math.min(nFrames, f + len); k++) e[k] = e[k]! + level * (0.5 + r());
  }
  return e;
}

describe("fast route of the energy thresholding", () => {
  const sr = 384000;
  const cases: [string, Float64Array, number][] = [];
  for (const [i, n] of [200_000, 16384 * 5 + 77, 1_000_003].entries()) {
    const frame = 153;
    cases.push([`bursts n=${n}`, envelope(Math.floor(n / frame), 10 + i, 30 + 20 * i), n]);
    cases.push([`dense n=${n}`, envelope(Math.floor(n / frame), 20 + i, 3), n]);
  }
  const params: [number, number, number][] = [
    [3, 0.5, 10],
    [1, 0.5, 10],
    [4, 2, 1],
    [201, 1, 2],
    [64, 3, 0.2],
    [7, 1.5, 0.3],
    [3, 0, 5],
    [2, -0.5, 0.01],
  ];
  let answered = 0;
  for (const [name, e, n] of cases)
    for (const [w, factor, minMs] of params)
      it(`equals the array version or declines: ${name} w=${w} k=${factor} min=${minMs}`, () => {
        const fast = fastSmoothedThresholdRuns(new InterpolatedStream(e, n), w, factor, sr, minMs);
        if (fast !== null) {
          answered++;
          expect(fast).toEqual(arrayVersion(new InterpolatedStream(e, n), w, factor, sr, minMs));
        }
      });
  it("answers on ordinary envelopes", () => {
    expect(answered).toBeGreaterThanOrEqual(Math.floor(0.8 * cases.length * params.length));
  });

  it("declines on a constant envelope (every sample on the threshold, up to rounding)", () => {
    // w = 1: no window edge, s is 0.1 everywhere and the threshold is 0.1 up to rounding.
    const e = new Float64Array(1000).fill(0.1);
    expect(fastSmoothedThresholdRuns(new InterpolatedStream(e, 153_000), 1, 0.5, sr, 1)).toBeNull();
    expect(
      fastSmoothedThresholdRuns(new InterpolatedStream(new Float64Array(1000), 153_000), 3, 0.5, sr, 1),
    ).toBeNull();
    // w = 3: the two edge samples are lower, so the threshold clears the plateau by far more than rounding.
    const stream = new InterpolatedStream(e, 153_000);
    expect(fastSmoothedThresholdRuns(stream, 3, 0.5, sr, 1)).toEqual(arrayVersion(stream, 3, 0.5, sr, 1));
  });

  it("declines on NaN or infinite energies", () => {
    const e = envelope(1000, 3, 40);
    e[500] = Number.NaN;
    expect(fastSmoothedThresholdRuns(new InterpolatedStream(e, 153_000), 3, 0.5, sr, 1)).toBeNull();
    e[500] = Number.POSITIVE_INFINITY;
    expect(fastSmoothedThresholdRuns(new InterpolatedStream(e, 153_000), 3, 0.5, sr, 1)).toBeNull();
  });
});
