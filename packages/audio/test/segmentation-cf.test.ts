// Long tones: constant-frequency bats calling most of the time (occupied_floor: horseshoe and leaf-nosed bats' 30-60 ms
// tones fill 40-75 % of the time at their frequency, so the usual floor, a per-frequency median, is the calls' own level
// there), and faint CF and quasi-constant-frequency calls whose frames cross the threshold only in pieces (tone_join).
// Known answers on test/fixtures/cf-bats.ts at every rate of the confounder set; each case also runs with the rule off
// and checks that it fails there, so the thresholds test the rule and not the signal.
import { describe, expect, it } from "vitest";
import { matchSegments, type Segment, segment } from "../src/segmentation/index.ts";
import {
  CF_KINDS,
  FAINT_TONE_KINDS,
  makeCfScene,
  makeFaintToneScene,
  wholeCalls,
} from "./fixtures/cf-bats.ts";
import { SCENE_RATES } from "./fixtures/confounders.ts";

/** Recall, precision and the share of calls found whole (see wholeCalls). */
function score(truth: Segment[], det: Segment[]) {
  const m = matchSegments(truth, det);
  return { recall: m.recall, precision: m.precision, whole: wholeCalls(truth, det) / truth.length };
}

describe("constant-frequency bats at high duty cycle (occupied_floor)", () => {
  for (const kind of CF_KINDS)
    it(`${kind}: calls found whole at every rate, and not with the rule off`, () => {
      let on = { recall: 0, precision: 0, whole: 0 };
      let off = { recall: 0, precision: 0, whole: 0 };
      for (const sr of SCENE_RATES) {
        const sc = makeCfScene(kind, sr, 1);
        const a = score(sc.calls, segment(sc.samples, sr));
        const b = score(sc.calls, segment(sc.samples, sr, { params: { occupied_floor: 0 } }));
        // The second bat of a pair is 6-18 dB weaker and calls in the gaps: some of its calls may merge or be lost.
        expect(a.recall, `${sc.name} recall`).toBeGreaterThanOrEqual(kind === "cf-pair" ? 0.75 : 0.9);
        expect(a.precision, `${sc.name} precision`).toBeGreaterThanOrEqual(0.85);
        on = {
          recall: on.recall + a.recall,
          precision: on.precision + a.precision,
          whole: on.whole + a.whole,
        };
        off = {
          recall: off.recall + b.recall,
          precision: off.precision + b.precision,
          whole: off.whole + b.whole,
        };
      }
      const n = SCENE_RATES.length;
      expect(on.whole / n).toBeGreaterThanOrEqual(kind === "cf-pair" ? 0.75 : 0.9);
      // Without the rule most calls come out as their FM ends and pieces of their tone.
      expect(off.precision / n).toBeLessThan(0.75);
      expect(off.whole / n).toBeLessThan(on.whole / n - 0.2);
    });
});

describe("faint long tones (tone_join)", () => {
  for (const kind of FAINT_TONE_KINDS)
    it(`${kind}: one detection per call where frames cross the threshold only in pieces, and not with the rule off`, () => {
      const sum = (on: boolean) => {
        let calls = 0;
        let tp = 0;
        let det = 0;
        let whole = 0;
        for (const sr of SCENE_RATES) {
          const sc = makeFaintToneScene(kind, sr, 1);
          const found = segment(sc.samples, sr, { params: { tone_join: on ? 1 : 0 } });
          const m = score(sc.calls, found);
          calls += sc.calls.length;
          tp += m.recall * sc.calls.length;
          det += found.length;
          whole += m.whole * sc.calls.length;
        }
        return { recall: tp / calls, precision: tp / det, whole: whole / calls };
      };
      const on = sum(true);
      const off = sum(false);
      const cf = kind === "faint-cf";
      // Calls at ~9-10 dB per frame: some never cross the threshold at all (recall is not what this rule is about).
      expect(on.precision).toBeGreaterThanOrEqual(cf ? 0.75 : 0.9);
      expect(on.whole).toBeGreaterThanOrEqual(cf ? 0.5 : 0.85);
      // Without it the calls that are found come out in pieces.
      expect(off.precision).toBeLessThan(on.precision - 0.15);
      expect(off.whole).toBeLessThan(on.whole - 0.12);
    });
});
