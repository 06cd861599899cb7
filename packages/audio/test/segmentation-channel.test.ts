// The default channel of a multichannel recording (src/segmentation/channel.ts): with microphones apart, every call
// reaches the other one later and weaker, and a microphone may be dead. Synthetic two-channel scenes from the
// confounder set: the channel where calls stand out is picked whichever its position, and detecting in it beats the
// channels' mean, which holds every call twice.
import { describe, expect, it } from "vitest";
import { callChannel } from "../src/segmentation/channel.ts";
import { matchSegments, segment } from "../src/segmentation/index.ts";
import { makeScene, type Scene, sceneSigma } from "./fixtures/confounders.ts";
import { gaussian } from "./fixtures/synth.ts";

const RATES = [384000, 250000, 96000];

/** The scene as a far microphone hears it: `delayS` later, `db` weaker, with its own noise at the scene's level. */
function farMic(sc: Scene, delayS: number, db: number, seed: number): Float32Array {
  const d = Math.round(delayS * sc.sampleRate);
  const gain = 10 ** (db / 20);
  const g = gaussian(seed);
  const sigma = sceneSigma(sc.kind);
  const out = new Float32Array(sc.samples.length);
  for (let i = 0; i < out.length; i++) out[i] = (i >= d ? gain * sc.samples[i - d]! : 0) + sigma * g();
  return out;
}

const mean = (a: Float32Array, b: Float32Array) => a.map((v, i) => (v + b[i]!) / 2);
const noise = (n: number, sigma: number, seed: number) => {
  const g = gaussian(seed);
  return Float32Array.from({ length: n }, () => sigma * g());
};

describe("default channel of a multichannel recording", () => {
  for (const sr of RATES)
    describe(`${sr / 1000} kHz`, () => {
      const near = makeScene("field", sr, 1);
      const far = farMic(near, 0.004, -6, 11);

      it("picks the microphone the calls reach first and loudest, in either position", () => {
        expect(callChannel([near.samples, far], sr)).toBe(0);
        expect(callChannel([far, near.samples], sr)).toBe(1);
      });

      it("never picks a dead microphone, silent or hissing", () => {
        const n = near.samples.length;
        expect(callChannel([new Float32Array(n), near.samples], sr)).toBe(1);
        expect(callChannel([noise(n, 3 * sceneSigma("field"), 5), near.samples], sr)).toBe(1);
        expect(callChannel([near.samples], sr)).toBe(0);
      });

      it("detects the calls more precisely in that channel than in the channels' mean", () => {
        const picked = [near.samples, far][callChannel([near.samples, far], sr)]!;
        const inPicked = matchSegments(near.calls, segment(picked, sr));
        const inMean = matchSegments(near.calls, segment(mean(near.samples, far), sr));
        expect(inPicked.recall).toBeGreaterThanOrEqual(0.9);
        expect(inPicked.precision).toBeGreaterThanOrEqual(0.85);
        expect(inPicked.precision).toBeGreaterThan(inMean.precision);
      });
    });
});
