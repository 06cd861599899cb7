import { describe, expect, it } from "vitest";
import {
  DEFAULT_CLUSTERING_BAND,
  extractClusteringFeatures,
  melEdges,
  melFilterbank,
  N_MELS,
} from "../src/features/index.ts";

function tone(sr: number, f: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(sr * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr),
  );
}

/** A call sampled at `sr`: Hann envelope, instantaneous frequency f(t/dur), 1 ms of silence either side. */
function call(sr: number, dur: number, freq: (t: number) => number, amp = 0.5) {
  const pad = Math.round(0.001 * sr);
  const n = Math.round(dur * sr);
  const x = new Float32Array(n + 2 * pad);
  let phase = 0;
  for (let k = 0; k < n; k++) {
    const t = (k + 0.5) / n;
    phase += (2 * Math.PI * freq(t)) / sr;
    x[pad + k] = amp * (0.5 - 0.5 * Math.cos(2 * Math.PI * t)) * Math.sin(phase);
  }
  return { x, segment: { onset: pad / sr, offset: (pad + n) / sr } };
}

const SHAPES = {
  fm: { dur: 0.003, freq: (t: number) => 95_000 - 55_000 * t },
  cf: { dur: 0.006, freq: () => 62_000 },
  hook: { dur: 0.005, freq: (t: number) => (t < 0.6 ? 30_000 : 30_000 - ((t - 0.6) / 0.4) * 18_000) },
};
type ShapeName = keyof typeof SHAPES;

const distance = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - (b[i] as number)));

describe("MFCC / mel / chroma summaries at the native sample rate", () => {
  it("the mel filterbank covers the band (default 10–120 kHz), not 0 Hz to Nyquist, each filter with area 1", () => {
    const sr = 384000;
    const nFft = 2048;
    const fb = melFilterbank(sr, nFft);
    expect(fb.length).toBe(N_MELS);
    expect(DEFAULT_CLUSTERING_BAND).toEqual({ minHz: 10_000, maxHz: 120_000 });
    const edges = melEdges();
    expect(edges[0]).toBeCloseTo(10_000, 6);
    expect(edges[N_MELS + 1]).toBeCloseTo(120_000, 6);
    const df = sr / nFft;
    const support = (row: Float64Array) => {
      const nz = [...row.keys()].filter((k) => (row[k] as number) > 0);
      return [(nz[0] as number) * df, (nz.at(-1) as number) * df];
    };
    expect(support(fb[0] as Float64Array)[0]).toBeGreaterThan(10_000 - df);
    expect(support(fb[N_MELS - 1] as Float64Array)[1]).toBeLessThan(120_000 + df);
    // Σ_k weight_k · bin width = the triangle's area (1), even for filters narrower than a bin
    for (const row of fb) expect(row.reduce((a, v) => a + v, 0) * df).toBeCloseTo(1, 9);
    // another band moves the filters with it
    const low = melFilterbank(sr, nFft, { minHz: 1000, maxHz: 20_000 });
    expect(support(low[N_MELS - 1] as Float64Array)[1]).toBeLessThan(20_000 + df);
    expect(() => melFilterbank(sr, nFft, { minHz: 50_000, maxHz: 40_000 })).toThrow(/must be above/);
  });

  it("the same call recorded at 250, 384 and 500 kHz gives near-identical MFCC and mel vectors; different shapes are far apart", () => {
    const rates = [250_000, 384_000, 500_000];
    const names = Object.keys(SHAPES) as ShapeName[];
    const feats = new Map<string, ReturnType<typeof extractClusteringFeatures>[number]>();
    for (const name of names)
      for (const sr of rates) {
        const { x, segment } = call(sr, SHAPES[name].dur, SHAPES[name].freq);
        feats.set(`${name}@${sr}`, extractClusteringFeatures(x, sr, [segment])[0] as never);
      }
    const f = (name: ShapeName, sr: number) =>
      feats.get(`${name}@${sr}`) as NonNullable<ReturnType<typeof feats.get>>;
    let within = 0;
    let withinMel = 0;
    for (const name of names)
      for (const sr of rates.slice(1)) {
        within = Math.max(within, distance(f(name, 250_000).mfccMean, f(name, sr).mfccMean));
        withinMel = Math.max(withinMel, distance(f(name, 250_000).melMean, f(name, sr).melMean));
      }
    let between = Number.POSITIVE_INFINITY;
    let betweenMel = Number.POSITIVE_INFINITY;
    for (const [i, a] of names.entries())
      for (const b of names.slice(i + 1))
        for (const sr of rates) {
          between = Math.min(between, distance(f(a, sr).mfccMean, f(b, sr).mfccMean));
          betweenMel = Math.min(betweenMel, distance(f(a, sr).melMean, f(b, sr).melMean));
        }
    console.log(
      `MFCC distance: same call across rates ≤ ${within.toFixed(3)}, different shapes ≥ ${between.toFixed(1)}; mel (dB): ≤ ${withinMel.toFixed(3)} vs ≥ ${betweenMel.toFixed(1)}`,
    );
    // MFCC are in dB-weighted units: c0 alone moves by ~11 per dB of level
    expect(within).toBeLessThan(1);
    expect(between).toBeGreaterThan(100);
    expect(within / between).toBeLessThan(0.01);
    expect(withinMel / betweenMel).toBeLessThan(0.01);
    // and chroma (inside the same band) agrees too
    for (const name of names)
      expect(distance(f(name, 250_000).chromaMean, f(name, 500_000).chromaMean)).toBeLessThan(0.05);
  });

  it("a band above Nyquist reads the floor there, the same at every rate that lacks it", () => {
    const { x, segment } = call(250_000, 0.003, SHAPES.fm.freq);
    const [f] = extractClusteringFeatures(x, 250_000, [segment], { band: { minHz: 10_000, maxHz: 200_000 } });
    const floor = Math.min(...f!.melMean);
    // the top filters lie above 125 kHz: all at the 80 dB floor below the call's maximum
    expect(f!.melMean.slice(-10).every((v) => v === floor)).toBe(true);
    expect(Math.max(...f!.melMean) - floor).toBeGreaterThan(60);
  });

  it("a 60 kHz tone at 384 kHz peaks in the mel band containing 60 kHz, with 13/128/12-long vectors", () => {
    const sr = 384000;
    const x = tone(sr, 60000, 0.02);
    const [f] = extractClusteringFeatures(x, sr, [{ onset: 0.002, offset: 0.018 }]);
    expect(f!.mfccMean.length).toBe(13);
    expect(f!.mfccStd.length).toBe(13);
    expect(f!.melMean.length).toBe(128);
    expect(f!.chromaMean.length).toBe(12);
    const fb = melFilterbank(sr, 2048);
    const best = f!.melMean.indexOf(Math.max(...f!.melMean));
    const bin60k = Math.round((60000 * 2048) / sr);
    expect(fb[best]![bin60k]).toBeGreaterThan(0);
    expect(f!.mfccMean.every(Number.isFinite)).toBe(true);
  });

  it("chroma puts an A (440 Hz x 2^7 = 56.32 kHz) in pitch class 9 and a C# (35.48 kHz) in class 1", () => {
    const sr = 384000;
    const [a] = extractClusteringFeatures(tone(sr, 440 * 2 ** 7, 0.02), sr, [{ onset: 0, offset: 0.02 }]);
    expect(a!.chromaMean.indexOf(Math.max(...a!.chromaMean))).toBe(9);
    const cSharp = 440 * 2 ** (4 / 12) * 2 ** 6; // C#, 4 semitones above A
    const [c] = extractClusteringFeatures(tone(sr, cSharp, 0.02), sr, [{ onset: 0, offset: 0.02 }]);
    expect(c!.chromaMean.indexOf(Math.max(...c!.chromaMean))).toBe(1);
  });

  it("a steady tone has ~zero frame-to-frame spread; very short segments give NaN", () => {
    const sr = 250000;
    const [f, short] = extractClusteringFeatures(tone(sr, 40000, 0.05), sr, [
      { onset: 0.01, offset: 0.04 },
      { onset: 0.01, offset: 0.01002 },
    ]);
    expect(Math.max(...f!.mfccStd)).toBeLessThan(0.5);
    expect(short!.mfccMean.every(Number.isNaN)).toBe(true);
  });
});
