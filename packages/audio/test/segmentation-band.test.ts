// Known answers for the frequency box of detected calls (src/segmentation/band.ts): a tone's box sits on the tone, a
// sweep's spans the sweep, a second harmonic and a click during the call stay out of it. On drawn pictures exactly, and
// through the detector at field rates and low rates (frequencies as fractions of the rate; tolerances in the
// detector's bins: its frame is the power of two at or above 0.5 ms, which smears a fast sweep's ends by a few bins).
import { describe, expect, it, vi } from "vitest";
import { RealFftPower } from "../src/dsp/fft-real.ts";
import { mainBand } from "../src/segmentation/band.ts";
import type { Shape } from "../src/segmentation/calls.ts";
import { measureBands, type Segment, segment } from "../src/segmentation/index.ts";
import { SPECTRAL_DEFAULTS, spectralDetections } from "../src/segmentation/spectral.ts";
import { makeScene, mixInNoise } from "./fixtures/confounders.ts";
import { synthCall } from "./fixtures/synth.ts";

const RATES = [500000, 384000, 250000, 192000, 96000, 44100];
const binHz = (sr: number) => sr / 2 ** Math.ceil(Math.log2(0.0005 * sr));

/** `seconds` of the confounder set's 24 dB SNR noise with calls drawn in (synthCall specs). */
function scene(sr: number, calls: Parameters<typeof synthCall>[2][], extra?: (x: Float32Array) => void) {
  const x = mixInNoise(sr, 0.3, []);
  for (const c of calls) synthCall(x, sr, c);
  extra?.(x);
  return x;
}

function only(det: Segment[]): Required<Segment> {
  expect(det).toHaveLength(1);
  const d = det[0]!;
  expect(d.lowFreq, "the detector measures a band").toBeTypeOf("number");
  expect(d.highFreq).toBeTypeOf("number");
  return d as Required<Segment>;
}

describe("frequency box of a detected call (main harmonic)", () => {
  for (const sr of RATES) {
    const bin = binHz(sr);
    describe(`${sr / 1000} kHz`, () => {
      it("a constant-frequency call: a box a few bins tall on the tone", () => {
        const f = 0.2 * sr;
        const d = only(segment(scene(sr, [{ onset: 0.1, duration: 0.02, f0: f, taper: 0.05 }]), sr));
        expect(d.lowFreq).toBeLessThanOrEqual(f);
        expect(d.highFreq).toBeGreaterThanOrEqual(f);
        expect(f - d.lowFreq).toBeLessThanOrEqual(2.5 * bin);
        expect(d.highFreq - f).toBeLessThanOrEqual(2.5 * bin);
      });

      it("an FM sweep: from its lowest to its highest frequency", () => {
        const [f0, f1] = [0.25 * sr, 0.1 * sr];
        const d = only(
          segment(scene(sr, [{ onset: 0.1, duration: 0.004, f0, f1, kind: "linear", taper: 0.02 }]), sr),
        );
        expect(Math.abs(d.lowFreq - f1)).toBeLessThanOrEqual(4 * bin);
        expect(Math.abs(d.highFreq - f0)).toBeLessThanOrEqual(4 * bin);
      });

      // (Below 192 kHz a frame's smear bridges the few bins between a low fundamental and its harmonic.)
      if (sr >= 192000)
        it("a sweep with its second harmonic 6 dB under it: the box holds the fundamental only", () => {
          const [f0, f1] = [0.13 * sr, 0.065 * sr];
          const call = { onset: 0.1, duration: 0.004, kind: "linear" as const, taper: 0.02 };
          const d = only(
            segment(
              scene(sr, [
                { ...call, f0, f1 },
                { ...call, f0: 2 * f0, f1: 2 * f1, amplitude: 0.25 },
              ]),
              sr,
            ),
          );
          expect(Math.abs(d.lowFreq - f1)).toBeLessThanOrEqual(4 * bin);
          expect(Math.abs(d.highFreq - f0)).toBeLessThanOrEqual(4 * bin);
        });

      it("a click in the middle of a tone does not stretch the tone's box", () => {
        const f = 0.2 * sr;
        const click = (x: Float32Array) => {
          const at = Math.round(0.11 * sr);
          for (let i = 0; i < 3; i++) x[at + i] = x[at + i]! + (i === 1 ? 0.9 : -0.45);
        };
        const d = only(segment(scene(sr, [{ onset: 0.1, duration: 0.02, f0: f, taper: 0.05 }], click), sr));
        expect(f - d.lowFreq).toBeLessThanOrEqual(2.5 * bin);
        expect(d.highFreq - f).toBeLessThanOrEqual(2.5 * bin);
      });
    });
  }
});

describe("measureBands: the box of a span a user drew or moved", () => {
  for (const sr of [384000, 250000, 96000]) {
    const bin = binHz(sr);
    const [f0, f1] = [0.25 * sr, 0.1 * sr];
    const sweep = { onset: 0.3, duration: 0.004, f0, f1, kind: "linear" as const, taper: 0.02 };
    const tone = { onset: 0.6, duration: 0.02, f0: 0.2 * sr, taper: 0.05 };
    const x = (() => {
      const y = mixInNoise(sr, 1, []);
      for (const c of [sweep, tone]) synthCall(y, sr, c);
      return y;
    })();

    it(`${sr / 1000} kHz: a detected call's own span gets the detector's band`, () => {
      const found = segment(x, sr);
      expect(found).toHaveLength(2);
      const measured = measureBands(x, sr, found);
      expect(measured).toEqual(found.map((d) => ({ lowFreq: d.lowFreq, highFreq: d.highFreq })));
    });

    it(`${sr / 1000} kHz: a loose box, a trimmed call and a box on noise`, () => {
      const [loose, lastHalf, noise, tonal] = measureBands(x, sr, [
        { onset: 0.295, offset: 0.31 },
        // the sweep's second half: from its middle frequency down
        { onset: 0.302, offset: 0.305 },
        { onset: 0.45, offset: 0.47 },
        { onset: 0.605, offset: 0.612 },
      ]);
      expect(Math.abs(loose!.lowFreq - f1)).toBeLessThanOrEqual(4 * bin);
      expect(Math.abs(loose!.highFreq - f0)).toBeLessThanOrEqual(4 * bin);
      expect(Math.abs(lastHalf!.lowFreq - f1)).toBeLessThanOrEqual(4 * bin);
      expect(Math.abs(lastHalf!.highFreq - (f0 + f1) / 2)).toBeLessThanOrEqual(4 * bin);
      expect(noise).toBeNull();
      expect(0.2 * sr - tonal!.lowFreq).toBeLessThanOrEqual(2.5 * bin);
      expect(tonal!.highFreq - 0.2 * sr).toBeLessThanOrEqual(2.5 * bin);
    });
  }

  it("keeps a run's band limits, and rejects another algorithm's parameters", () => {
    const sr = 250000;
    const y = mixInNoise(sr, 1, []);
    synthCall(y, sr, {
      onset: 0.3,
      duration: 0.004,
      f0: 0.25 * sr,
      f1: 0.1 * sr,
      kind: "linear",
      taper: 0.02,
    });
    const [cut] = measureBands(y, sr, [{ onset: 0.299, offset: 0.305 }], { low_hz: 40000 });
    expect(cut!.lowFreq).toBeGreaterThanOrEqual(40000 - binHz(sr));
    expect(() => measureBands(y, sr, [], { threshold: 3 })).toThrow(/unknown parameter 'threshold'/);
  });
});

describe("mainBand on drawn pictures", () => {
  /** A picture of `frames` x 40 cells at 1 kHz per cell from 10 kHz, noise at 0 dB, with cells set by `draw`. */
  function picture(frames: number, draw: (set: (f: number, k: number, db: number) => void) => void): Shape {
    const bins = 40;
    const db = new Float32Array(frames * bins);
    draw((f, k, v) => {
      db[f * bins + k] = v;
    });
    return { start: 0, frames, bins, k0: 10, binHz: 1000, hop: 0.0001, db };
  }

  it("follows a sweep down over its frames, from its faint top to its end", () => {
    // cells 30 -> 12 (40 -> 22 kHz), 2 cells a frame, loudest at the end, 30 dB down at the top
    const s = picture(10, (set) => {
      for (let f = 0; f < 10; f++) {
        set(f, 30 - 2 * f, 10 + 3 * f);
        set(f, 29 - 2 * f, 10 + 3 * f);
      }
    });
    expect(mainBand(s, 8)).toEqual({ lowHz: 20500, highHz: 40500 });
  });

  it("leaves out a harmonic, a click and a sound elsewhere at the call's edge", () => {
    const s = picture(8, (set) => {
      for (let f = 1; f < 7; f++) {
        set(f, 12, 30); // the call: a tone at 22 kHz
        set(f, 24, 24); // its second harmonic at 34 kHz (other cells between)
      }
      for (let k = 0; k < 40; k++) set(3, k, 20); // a click lights every cell of frame 3 under the tone
      set(3, 12, 30);
      set(0, 35, 12); // another sound in the first frame, alone there
    });
    expect(mainBand(s, 8)).toEqual({ lowHz: 21500, highHz: 22500 });
    // Seeded at the harmonic's frequency, the box is the harmonic's.
    expect(mainBand(s, 8, 0, 34000)).toEqual({ lowHz: 33500, highHz: 34500 });
  });

  it("undoes the widening of 3-bin sums, and finds nothing in noise", () => {
    const s = picture(3, (set) => {
      for (let f = 0; f < 3; f++) for (const k of [19, 20, 21]) set(f, k, 25);
    });
    expect(mainBand(s, 8, 1)).toEqual({ lowHz: 29500, highHz: 30500 });
    expect(
      mainBand(
        picture(3, () => {}),
        8,
      ),
    ).toBeNull();
  });
});

describe("pictures of the detector's frames", () => {
  // The detector keeps the dB rows of the frames it scored for the calls' pictures (boxes, the echo rule's shapes)
  // instead of transforming them again: the pictures must be the same to the bit, also where the bound on kept rows
  // is reached part-way and inside a gust (whose frames are measured against the burst's own floor).
  const P = { ...SPECTRAL_DEFAULTS };
  const transformsIn = (fn: () => void): number => {
    const spy = vi.spyOn(RealFftPower.prototype, "bandSums");
    try {
      fn();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  for (const kind of ["echo", "wind", "foliage", "tonal", "clipped"] as const) {
    it(`${kind}: the same pictures from kept rows as from frames transformed again`, () => {
      const sc = makeScene(kind, 384000, 3);
      const none = spectralDetections(sc.samples, sc.sampleRate, P, undefined, 0);
      const some = spectralDetections(sc.samples, sc.sampleRate, P, undefined, 4000);
      const all = spectralDetections(sc.samples, sc.sampleRate, P);
      expect(none.detections.length).toBeGreaterThan(0);
      expect(all.detections).toEqual(none.detections);
      expect(some.detections).toEqual(none.detections);
      const pictures = (d: typeof none) => none.detections.flatMap((e) => [d.bandPicture(e), d.shapeOf(e)]);
      const fresh = pictures(none);
      expect(pictures(all)).toEqual(fresh);
      expect(pictures(some)).toEqual(fresh);
      // The rows are used: far fewer frames transformed for the boxes.
      const again = transformsIn(() => none.detections.map((e) => none.bandPicture(e)));
      const kept = transformsIn(() => none.detections.map((e) => all.bandPicture(e)));
      expect(kept).toBeLessThan(again / 2);
    });
  }
});
