// A long recording segmented a piece at a time (src/segmentation/pieces.ts) gives the segments of the whole recording
// at once: field scenes with echoes, reverberation, clicks and calls, wind, and calls placed across the pieces' seams.
import { describe, expect, it } from "vitest";
import { CallChannelPicker, callChannel } from "../src/segmentation/channel.ts";
import {
  planPieces,
  type Segment,
  segment,
  segmentInPieces,
  spectralPieces,
} from "../src/segmentation/index.ts";
import { addAt, addWind, callFor, makeScene, REPERTOIRE } from "./fixtures/confounders.ts";
import { gaussian } from "./fixtures/synth.ts";

describe("planPieces", () => {
  it("covers the recording once with own stretches on the grid, each read with its context", () => {
    const pieces = planPieces(1_000_003, 100_000, 30_000, 4096);
    expect(pieces[0]).toEqual({ start: 0, end: 102_400 + 32_768, keepFrom: 0, keepTo: 102_400 });
    for (const [i, p] of pieces.entries()) {
      expect(p.keepFrom % 4096).toBe(0);
      expect(p.start % 4096).toBe(0);
      expect(p.keepFrom).toBe(i === 0 ? 0 : pieces[i - 1]!.keepTo);
      expect(p.keepFrom - p.start).toBe(i === 0 ? 0 : 32_768);
      expect(p.end - p.keepTo).toBe(i === pieces.length - 1 ? 0 : 32_768);
    }
    expect(pieces.at(-1)!.keepTo).toBe(1_000_003);
    // Short enough for one read: one piece.
    expect(planPieces(160_000, 100_000, 30_000, 4096)).toEqual([
      { start: 0, end: 160_000, keepFrom: 0, keepTo: 160_000 },
    ]);
  });
});

/** Pieces as the worker reads them: a copy of each piece's samples. */
function inPieces(x: Float32Array, sr: number, pieceSeconds: number): Promise<Segment[]> {
  const pieces = spectralPieces(x.length, sr, {}, pieceSeconds);
  expect(pieces.length).toBeGreaterThan(3);
  return segmentInPieces(
    pieces,
    sr,
    async (s, e) => x.slice(s, e),
    async (samples) => segment(samples, sr),
  );
}

function expectSame(got: Segment[], want: Segment[]) {
  expect(got.length).toBe(want.length);
  got.forEach((s, i) => {
    const w = want[i]!;
    expect(s.onset).toBeCloseTo(w.onset, 9);
    expect(s.offset).toBeCloseTo(w.offset, 9);
    expect(s.lowFreq).toBe(w.lowFreq);
    expect(s.highFreq).toBe(w.highFreq);
  });
}

describe("segmenting a long recording in pieces", () => {
  for (const sr of [250000, 44100]) {
    it(`${sr / 1000} kHz: the whole recording's segments, also across the seams`, async () => {
      const pieceSeconds = 3;
      const x = makeScene("field", sr, 3, { seconds: 16 }).samples;
      addWind(x, sr, gaussian(11), { cornerHz: 400, gust: 0.05, rateHz: 0.2, phase: 0 });
      // Calls (with an echo) that start just before, on, and just after each seam.
      const call = callFor(sr, REPERTOIRE[Object.keys(REPERTOIRE)[0]!]!);
      for (const p of spectralPieces(x.length, sr, {}, pieceSeconds).slice(1)) {
        for (const d of [-0.004, 0, 0.0007]) {
          const at = p.keepFrom + Math.round(d * sr);
          addAt(x, call, at, 0.8);
          addAt(x, call, at + Math.round(0.006 * sr), 0.2);
        }
      }
      const whole = segment(x, sr);
      expect(whole.length).toBeGreaterThan(40);
      expectSame(await inPieces(x, sr, pieceSeconds), whole);
    });
  }

  it("reports progress, and the channel choice over stretches is the whole recording's", async () => {
    const sr = 96000;
    const x = makeScene("echo", sr, 5, { seconds: 12 }).samples;
    const fractions: number[] = [];
    await segmentInPieces(
      spectralPieces(x.length, sr, {}, 2),
      sr,
      async (s, e) => x.slice(s, e),
      async (samples) => segment(samples, sr),
      (f) => {
        fractions.push(f);
      },
    );
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);

    // Two microphones: the far one hears the calls 6 dB weaker, so channel 1 (the near one) is picked.
    const far = x.map((v, i) => 0.5 * v + 0.002 * Math.sin(i));
    expect(callChannel([far, x], sr)).toBe(1);
    const picker = new CallChannelPicker(2, sr);
    for (const p of spectralPieces(x.length, sr, {}, 2)) {
      picker.add([far.subarray(p.keepFrom, p.keepTo), x.subarray(p.keepFrom, p.keepTo)]);
    }
    expect(picker.pick()).toBe(1);
  });
});
