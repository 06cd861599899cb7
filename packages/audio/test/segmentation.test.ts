import { describe, expect, it } from "vitest";
import { matchSegments, SEGMENTATION_ALGORITHMS, type Segment, segment } from "../src/segmentation/index.ts";
import { movingAverageSame, runsAbove } from "../src/segmentation/mask.ts";
import { backgroundSigma, shapedCall } from "./fixtures/confounders.ts";
import { type CallSpec, gaussian, synthRecording, whiteNoise } from "./fixtures/synth.ts";

describe("original algorithms (BattyCoda segmentation.py)", () => {
  it("moving average equals numpy convolve mode='same' for odd and even windows", () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
    // np.convolve([1..6], ones(3)/3, 'same') and ones(4)/4
    expect(Array.from(movingAverageSame(x, 3))).toEqual(
      [1, 2, 3, 4, 5, 11 / 3].map((v) => expect.closeTo(v, 12)),
    );
    expect(Array.from(movingAverageSame(x, 4))).toEqual(
      [0.75, 1.5, 2.5, 3.5, 4.5, 3.75].map((v) => expect.closeTo(v, 12)),
    );
  });

  it("runs: onset = first sample above, offset = first sample below; last sample when a run reaches the end", () => {
    const x = Float64Array.from([0, 1, 1, 1, 0, 0, 1, 1]);
    expect(runsAbove(x, 0.5, 1000, 0)).toEqual([
      { onset: 0.001, offset: 0.004 },
      { onset: 0.006, offset: 0.007 },
    ]);
    // min duration int(2/1000*1000) = 2 samples drops the 1-sample-long final run (7 - 6 = 1).
    expect(runsAbove(x, 0.5, 1000, 2)).toEqual([{ onset: 0.001, offset: 0.004 }]);
  });

  it("threshold finds a loud tone burst in silence with sample-exact bounds", () => {
    const sr = 44100;
    const x = new Float32Array(sr);
    for (let i = 10000; i < 12000; i++) x[i] = 0.5 * Math.sin(i * 0.3) + 0.6; // DC-offset burst: |x| > 0
    const segs = segment(x, sr, { algorithm: "threshold", params: { smooth_window: 1 } });
    expect(segs).toEqual([{ onset: 10000 / sr, offset: 12000 / sr }]);
  });

  it("energy finds a burst to within one 0.4 ms frame", () => {
    const sr = 250000;
    const rec = synthRecording({
      sampleRate: sr,
      duration: 0.5,
      calls: [{ onset: 0.2, duration: 0.02, f0: 40000, taper: 0 }],
    });
    const segs = segment(rec.samples, sr, { algorithm: "energy" });
    expect(segs.length).toBe(1);
    expect(Math.abs(segs[0]!.onset - 0.2)).toBeLessThan(0.0008);
    expect(Math.abs(segs[0]!.offset - 0.22)).toBeLessThan(0.0008);
  });

  it("applies the optional Butterworth pre-filter: a band-pass removes an out-of-band burst", () => {
    const sr = 250000;
    const rec = synthRecording({
      sampleRate: sr,
      duration: 0.5,
      calls: [
        { onset: 0.1, duration: 0.02, f0: 5000, taper: 0 },
        { onset: 0.3, duration: 0.02, f0: 50000, taper: 0, amplitude: 0.2 },
      ],
    });
    // A wide smoothing window bridges the zero crossings of the 5 kHz tone, so unfiltered it is one run.
    const params = { smooth_window: 201 };
    const all = segment(rec.samples, sr, { algorithm: "threshold", params });
    expect(all.some((s) => s.onset < 0.15)).toBe(true);
    const filtered = segment(rec.samples, sr, {
      algorithm: "threshold",
      params: { ...params, low_hz: 30000, high_hz: 80000 },
    });
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((s) => s.onset > 0.29 && s.offset < 0.33)).toBe(true);
  });

  it("rejects unknown algorithms and parameters", () => {
    expect(() => segment(new Float32Array(10), 1000, { algorithm: "nope" as never })).toThrow(
      /unknown segmentation algorithm/,
    );
    expect(() =>
      segment(new Float32Array(10), 1000, { algorithm: "threshold", params: { bogus: 1 } }),
    ).toThrow(/unknown parameter/);
  });
});

const CALLS_384K: Omit<CallSpec, "onset">[] = [
  { duration: 0.0005, f0: 90000, f1: 40000, kind: "linear" },
  { duration: 0.002, f0: 80000, f1: 30000, kind: "linear" },
  { duration: 0.006, f0: 100000, f1: 40000, kind: "hyperbolic" },
  { duration: 0.004, f0: 60000, f1: 25000, kind: "exponential" },
  { duration: 0.01, f0: 40000, kind: "cf" },
];

function scene(sampleRate: number, snrDb: number, seed: number, scaleFreq = 1) {
  const calls: CallSpec[] = [];
  let t = 0.05;
  for (let i = 0; i < 20; i++) {
    const c = CALLS_384K[i % CALLS_384K.length]!;
    calls.push({ ...c, f0: c.f0 * scaleFreq, f1: (c.f1 ?? c.f0) * scaleFreq, onset: t });
    t += c.duration + 0.025 + (i % 3) * 0.015;
  }
  return synthRecording({ sampleRate, duration: t + 0.05, calls, snrDb, seed });
}

const truth = (calls: { onset: number; offset: number }[]): Segment[] =>
  calls.map(({ onset, offset }) => ({ onset, offset }));

describe("spectral detector (default)", () => {
  it("is the default and is described for the UI", () => {
    expect(SEGMENTATION_ALGORITHMS[0]!.name).toBe("spectral");
    for (const a of SEGMENTATION_ALGORITHMS) {
      for (const p of a.params) {
        expect(p.label.length).toBeGreaterThan(0);
        expect(p.help.length).toBeGreaterThan(0);
      }
    }
  });

  for (const sr of [192000, 384000, 500000]) {
    it(`finds 0.5-10 ms calls at ${sr / 1000} kHz, 20 dB SNR, with onsets and offsets within 1 ms`, () => {
      const rec = scene(sr, 20, 11);
      const det = segment(rec.samples, sr);
      const m = matchSegments(truth(rec.calls), det);
      expect(m.recall).toBe(1);
      expect(m.precision).toBe(1);
      expect(Math.max(...m.onsetErrors)).toBeLessThanOrEqual(0.001);
      expect(Math.max(...m.offsetErrors)).toBeLessThanOrEqual(0.001);
    });
  }

  it("keeps recall >= 0.9 at 3 dB broadband SNR (384 kHz) where the original threshold finds nothing", () => {
    const rec = scene(384000, 3, 5);
    const m = matchSegments(truth(rec.calls), segment(rec.samples, 384000));
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
    expect(m.precision).toBeGreaterThanOrEqual(0.9);
    const orig = matchSegments(truth(rec.calls), segment(rec.samples, 384000, { algorithm: "threshold" }));
    expect(orig.recall).toBeLessThan(0.5);
  });

  it("degrades gracefully at 44.1 kHz (audible calls, 20 dB)", () => {
    const rec = scene(44100, 20, 7, 0.2);
    const m = matchSegments(truth(rec.calls), segment(rec.samples, 44100));
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
    expect(m.precision).toBeGreaterThanOrEqual(0.9);
  });

  it("reports almost nothing in pure noise (<= 1 false alarm in 10 s at each rate)", () => {
    for (const sr of [44100, 192000, 384000]) {
      const det = segment(whiteNoise(sr * 10, 0.01, 3), sr);
      expect(det.length, `${sr} Hz`).toBeLessThanOrEqual(1);
    }
  });

  it("finds faint calls beside a loud steady tone (an insect, a device's whine) at every screened rate", () => {
    // A 30 kHz tone 25 dB over the noise's standard deviation and a faint 42-36 kHz call every 100 ms. The first
    // stage's Walsh-Hadamard bands leak, so the tone raised their floors beyond what a faint call adds: before, none
    // of these calls were scored at 192, 384 and 500 kHz, and a sixth were missed at 250 kHz (the per-bin floor alone
    // finds them all).
    for (const sr of [192000, 250000, 384000, 500000]) {
      const g = gaussian(sr);
      const sigma = backgroundSigma();
      const x = new Float32Array(2 * sr);
      for (let i = 0; i < x.length; i++)
        x[i] = sigma * g() + sigma * 10 ** (25 / 20) * Math.sin((2 * Math.PI * 30000 * i) / sr);
      const w = shapedCall(sr, {
        duration: 0.005,
        track: [
          [0, 42000],
          [1, 36000],
        ],
        amplitude: 0.05,
      });
      const calls: Segment[] = [];
      for (let t = 0.1; t < 1.9; t += 0.1) {
        const at = Math.round(t * sr);
        for (let i = 0; i < w.length; i++) x[at + i] = x[at + i]! + w[i]!;
        calls.push({ onset: at / sr, offset: (at + w.length) / sr });
      }
      const det = segment(x, sr);
      expect(matchSegments(calls, det).truePositives, `${sr} Hz`).toBe(calls.length);
      expect(det.length, `${sr} Hz`).toBe(calls.length);
    }
  });

  it("reports progress from 0 to 1", () => {
    const seen: number[] = [];
    segment(scene(250000, 20, 1).samples, 250000, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});
