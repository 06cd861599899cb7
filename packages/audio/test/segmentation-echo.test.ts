// Known answers for the echo rule of the spectral detector (src/segmentation/calls.ts): what follows a call 5-20 ms
// later is suppressed when it is a weaker delayed copy of it, and kept when it is another call (another band, about
// as loud, or a sound that starts after a quiet gap in which a copy would already have shown). Synthetic scenes at a
// 44.1 kHz-like rate (coarse bins: the calls are scaled into the band), at 96 and at 384 kHz. Where the rule decides, the
// same scene also runs with the rule switched off, so the case tests the rule and not the signal.
import { describe, expect, it } from "vitest";
import { CALL_RULE_DEFAULTS, echoMatch, type Shape } from "../src/segmentation/calls.ts";
import { CALL_RULES_OFF, type Segment, segment } from "../src/segmentation/index.ts";
import { callFor, mixInNoise, REPERTOIRE } from "./fixtures/confounders.ts";

const RATES = [44100, 96000, 384000];
const T0 = 0.1;

const SECONDS = 0.3;
const scene = (sr: number, parts: Parameters<typeof mixInNoise>[2]) => mixInNoise(sr, SECONDS, parts);

const near = (det: Segment[], t: number) => det.filter((d) => Math.abs(d.onset - t) <= 0.002);
const rulesOn = { algorithm: "spectral" } as const;
const rulesOff = { algorithm: "spectral", params: CALL_RULES_OFF } as const;
const leadOff = { algorithm: "spectral", params: { echo_gap_db: 0 } } as const;

describe("echo rule: copies are suppressed, other calls kept", () => {
  for (const sr of RATES) {
    describe(`${sr / 1000} kHz`, () => {
      const loud = callFor(sr, REPERTOIRE.fmSteep!);
      for (const delay of [0.005, 0.012, 0.02]) {
        it(`a -12 dB copy ${delay * 1000} ms later is an echo: suppressed`, () => {
          const x = scene(sr, [
            { at: T0, wave: loud },
            { at: T0 + delay, wave: loud, db: -12 },
          ]);
          const det = segment(x, sr, rulesOn);
          expect(det).toHaveLength(1);
          expect(near(det, T0)).toHaveLength(1);
          // Without the rules the copy is a detection of its own: the rule removed it.
          expect(near(segment(x, sr, rulesOff), T0 + delay)).toHaveLength(1);
        });

        it(`a call 20 kHz lower at -3 dB ${delay * 1000} ms later is another call: kept`, () => {
          const other = callFor(sr, REPERTOIRE.fmSteep!, 20000);
          const x = scene(sr, [
            { at: T0, wave: loud },
            { at: T0 + delay, wave: other, db: -3 },
          ]);
          const det = segment(x, sr, rulesOn);
          expect(det).toHaveLength(2);
          expect(near(det, T0)).toHaveLength(1);
          expect(near(det, T0 + delay)).toHaveLength(1);
        });
      }

      // A 10 ms constant-frequency call, then 5 ms of quiet, then a 3 ms tone at its frequency 12 dB weaker. An echo
      // matching the tone (the last 3 ms of a copy delayed by 8 ms) would have begun during the quiet gap; a copy
      // delayed so that it begins with the tone would last 10 ms, not 3. So the tone is another call. At 44.1 kHz
      // (1.4 kHz bins, 0.7 ms frames) the coarse-grid rule already keeps both sounds: not a case for this check.
      if (sr < 96000) return;
      const cf = callFor(sr, REPERTOIRE.cf!, 0, { duration: 0.01 });
      const short = callFor(sr, REPERTOIRE.cf!, 0, { duration: 0.003 });
      const tAt = T0 + 0.015;

      it("a short tone after a quiet gap, where a matching copy would already have shown, is kept", () => {
        const x = scene(sr, [
          { at: T0, wave: cf },
          { at: tAt, wave: short, db: -12 },
        ]);
        expect(near(segment(x, sr, rulesOn), tAt)).toHaveLength(1);
        // Without the check the tone is taken for the end of an echo (the copy's start "hidden" in the gap).
        expect(near(segment(x, sr, leadOff), tAt)).toHaveLength(0);
      });

      it("a whole -12 dB copy of the same call after the same gap is still an echo", () => {
        const x = scene(sr, [
          { at: T0, wave: cf },
          { at: tAt, wave: cf, db: -12 },
        ]);
        const det = segment(x, sr, rulesOn);
        expect(det).toHaveLength(1);
        expect(near(segment(x, sr, rulesOff), tAt)).toHaveLength(1);
      });
    });
  }
});

describe("echoMatch with the recording before the candidate (lead)", () => {
  // The grid of the drawn pictures in segmentation-calls.test.ts: 1.5 kHz bins from 15 kHz, 1/6 ms steps.
  const HOP = 1 / 6000;
  const BINS = 110;
  const K0 = 10;
  const BIN_HZ = 1500;
  /** A picture from `start` s to `end` s with a tone at `hz` and `db` over [t0, t1] (zero elsewhere). */
  const tone = (start: number, end: number, hz: number, db: number, t0 = start, t1 = end): Shape => {
    const g0 = Math.round(start / HOP);
    const frames = Math.round(end / HOP) - g0 + 1;
    const out = new Float32Array(frames * BINS);
    const k = Math.round(hz / BIN_HZ) - K0;
    for (let f = 0; f < frames; f++) {
      const t = (g0 + f) * HOP;
      if (t >= t0 - 1e-9 && t <= t1 + 1e-9) out[f * BINS + k] = db;
    }
    return { start: g0, frames, bins: BINS, k0: K0, binHz: BIN_HZ, hop: HOP, db: out };
  };
  const callShape = tone(0.1, 0.11, 42000, 40);
  const candidate = tone(0.115, 0.118, 42000, 28);
  const match = (lead?: Shape) =>
    echoMatch(callShape, candidate, 8, 12, 4, 0.03, lead ? { before: lead, missingDb: 12 } : undefined);

  it("without a lead, the candidate matches the end of a copy whose start is taken as hidden", () => {
    expect(match().score).toBeGreaterThan(0.95);
  });

  it("a quiet lead rules those delays out; the copy that would begin with the candidate is too long", () => {
    const m = match(tone(0.11, 0.115, 42000, 0));
    expect(m.score).toBeLessThan(CALL_RULE_DEFAULTS.echo_match_pct / 100);
  });

  it("a lead holding the copy's start (the echo continues through it) leaves the match", () => {
    const m = match(tone(0.11, 0.115, 42000, 28, 0.108 + HOP, 0.115));
    expect(m.score).toBeGreaterThan(0.95);
  });
});
