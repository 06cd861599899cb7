// Display levels, Raven-style measurements, DC-offset removal and the WAV window renderer, on
// synthetic signals with known answers.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adjustLevels,
  autoLevels,
  DbHistogram,
  decodeSpectrogramBinary,
  displayRange,
  encodeSpectrogramBinary,
  gridFromQuantised,
  histogramOfQuantised,
  levelsOf,
  measureSelection,
  readWavSpectrogramWindow,
} from "../src/render/index.ts";
import {
  dcOffsetOf,
  readSpectrogramAttrs,
  readSpectrogramWindow,
  SPECTROGRAM_DB_SCALE,
  SPECTROGRAM_FRAMES_PER_COLUMN,
  stft,
  writeSpectrogramFile,
} from "../src/spectrogram/index.ts";
import {
  addNoise,
  makeTempDir,
  removeTempDir,
  synthCall,
  tone,
  whiteNoise,
  writeFixture,
} from "./fixtures/generate.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

const SR = 384_000;
const HOP_S = 128 / SR;
const BIN_HZ = SR / 512;

/** A whole-signal STFT as a measurable grid. */
function gridOf(x: Float32Array) {
  const s = stft(x);
  return { data: s.data, frames: s.frames, bins: s.bins, t0: 0, dt: HOP_S, f0: 0, df: BIN_HZ };
}

/** Where a dB value lands on the colour map (0–1) for a display range. */
const position = (db: number, lo: number, hi: number) => Math.max(0, Math.min(1, (db - lo) / (hi - lo)));

describe("DbHistogram", () => {
  it("gives percentiles and the exact maximum", () => {
    const h = new DbHistogram();
    for (let v = 0; v < 100; v++) h.add(v - 90.1);
    expect(h.total).toBe(100);
    expect(h.max).toBeCloseTo(8.9, 9);
    // 20 % of the values are ≤ −71.1 (−90.1 … −71.1 is 20 values), on the 0.25 dB grid.
    expect(Math.abs(h.percentile(0.2) - -71.1)).toBeLessThanOrEqual(0.125);
    expect(Math.abs(h.percentile(0.5) - -41.1)).toBeLessThanOrEqual(0.125);
    expect(new DbHistogram().percentile(0.5)).toBeNaN();
  });

  it("from a quantised window matches the float data within a quantisation step", () => {
    const x = tone(40_000, 0.05, SR, 0.3);
    addNoise(x, 30, 3, 0.3);
    const s = stft(x);
    const buf = encodeSpectrogramBinary(s, { t0: 0, t1: 1, f0: 0, f1: SR / 2, sampleRate: SR });
    const w = decodeSpectrogramBinary(buf);
    const fromFloat = new DbHistogram().addAll(s.data);
    const fromQ = histogramOfQuantised(w.values, w.dbMin, w.dbMax);
    const step = (w.dbMax - w.dbMin) / 255;
    for (const p of [0.1, 0.2, 0.5, 0.9])
      expect(Math.abs(fromQ.percentile(p) - fromFloat.percentile(p))).toBeLessThan(step + 0.25);
    expect(Math.abs(fromQ.max - fromFloat.max)).toBeLessThan(step);
  });
});

describe("auto levels", () => {
  // bat1_angie_19.wav: 16-bit noise of σ ≈ 11 LSB with calls peaking at 53 of 32767.
  const quiet = () => {
    const x = whiteNoise(SR, 11 / 32768, 7);
    synthCall(x, SR, {
      onset: 0.3,
      duration: 0.008,
      f0: 60_000,
      f1: 30_000,
      kind: "linear",
      amplitude: 53 / 32768,
    });
    return x;
  };

  it("draws a quiet recording's noise dark and its call bright, where the fixed range washes it out", () => {
    const s = stft(quiet());
    const h = new DbHistogram().addAll(s.data);
    const median = h.percentile(0.5);
    const { lo, hi } = levelsOf(s.data);
    expect(hi).toBe(h.max);
    expect(position(median, lo, hi)).toBeLessThan(0.35);
    // The call's ridge (the loudest cell of each of its frames) is in the top quarter of the map.
    const f0 = Math.ceil(0.3 / HOP_S);
    const f1 = Math.floor(0.308 / HOP_S);
    let ridge = 0;
    for (let t = f0; t <= f1; t++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 1; k < s.bins; k++) m = Math.max(m, s.data[k * s.frames + t]!);
      ridge += m / (f1 - f0 + 1);
    }
    expect(position(ridge, lo, hi)).toBeGreaterThan(0.75);
    // The old fixed range (loudest − 80 dB) put the same noise in the upper half of the map.
    const old = displayRange(h.max, 0, 1);
    expect(position(median, old.lo, old.hi)).toBeGreaterThan(0.5);
  });

  it("is the same picture at any gain: levels move with the recording level", () => {
    const q = quiet();
    const loud = q.map((v) => v * 200);
    const a = levelsOf(stft(q).data);
    const b = levelsOf(stft(loud).data);
    const gain = 20 * Math.log10(200);
    expect(b.hi - a.hi).toBeCloseTo(gain, 3);
    expect(Math.abs(b.lo - a.lo - gain)).toBeLessThan(0.3);
  });

  it("never stretches pure noise over less than the minimum range, nor beyond the maximum", () => {
    const noise = levelsOf(stft(whiteNoise(SR / 4, 0.01, 2)).data);
    expect(noise.hi - noise.lo).toBeCloseTo(30, 9);
    const h = new DbHistogram();
    h.add(-200, 1000);
    h.add(0, 1);
    expect(autoLevels(h)).toEqual({ lo: -80, hi: 0 });
    expect(autoLevels(new DbHistogram())).toEqual({ lo: -80, hi: 0 });
  });

  it("brightness shifts and contrast narrows the range from its top", () => {
    expect(adjustLevels({ lo: -60, hi: -20 }, 10, 1)).toEqual({ lo: -70, hi: -30 });
    expect(adjustLevels({ lo: -60, hi: -20 }, 0, 2)).toEqual({ lo: -40, hi: -20 });
  });
});

describe("DC offset", () => {
  it("is removed before the STFT: the 0 Hz row and the first frame are no brighter than the rest", async () => {
    const x = whiteNoise(SR / 2, 0.01, 5);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + 0.05; // 5 % of full scale, as cheap recorders have
    const wav = await writeFixture(dir, "dc.wav", x, { sampleRate: SR });
    const out = join(dir, "dc.h5");
    await writeSpectrogramFile(wav, out);
    const w = await readSpectrogramWindow(out);
    const rowMean = (k: number) => {
      let s = 0;
      for (let t = 1; t < w.frames - 1; t++) s += w.data[k * w.frames + t]!;
      return s / (w.frames - 2);
    };
    const colMean = (t: number) => {
      let s = 0;
      for (let k = 1; k < w.bins; k++) s += w.data[k * w.frames + t]!;
      return s / (w.bins - 1);
    };
    const midRow = rowMean(100);
    const midCol = colMean(Math.floor(w.frames / 2));
    expect(rowMean(0)).toBeLessThanOrEqual(midRow + 1);
    expect(colMean(0)).toBeLessThanOrEqual(midCol + 1);
    expect(colMean(w.frames - 1)).toBeLessThanOrEqual(midCol + 1);
    // Without the removal the offset stands more than 20 dB above the noise in the 0 Hz row.
    const raw = stft(x);
    expect(raw.data[0 * raw.frames + 10]!).toBeGreaterThan(midRow + 20);
  });
});

describe("WAV window renderer", () => {
  it("gives the HDF5 file's frames and bins for any window", async () => {
    const x = tone(45_000, 0.6, SR, 0.2);
    addNoise(x, 30, 11, 0.2);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + 0.01; // a DC offset, which both remove
    const wav = await writeFixture(dir, "win.wav", x, { sampleRate: SR });
    const everyFrame = join(dir, "win-frames.h5");
    await writeSpectrogramFile(wav, everyFrame, { encoding: "float32-db" });
    const pooled = join(dir, "win.h5");
    await writeSpectrogramFile(wav, pooled);
    const dcOffset = dcOffsetOf(await readSpectrogramAttrs(pooled));
    expect(dcOffset).toBeCloseTo(0.01, 3);
    for (const req of [
      {},
      { start: 0, end: 0.05 },
      { start: 0.2, end: 0.31, fmin: 20_000, fmax: 70_000 },
      { start: 0.55 },
    ]) {
      const a = await readSpectrogramWindow(everyFrame, req);
      const b = await readWavSpectrogramWindow(wav, req);
      expect({ ...b, data: undefined }).toEqual({ ...a, data: undefined });
      // Only the DC estimate differs (the window's samples against the whole file's), which shows
      // in the 0 Hz and first bins alone.
      let worst = 0;
      for (let k = Math.max(0, 2 - a.startBin); k < a.bins; k++)
        for (let t = 0; t < a.frames; t++) {
          const i = k * a.frames + t;
          if (a.data[i]! > -60) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
        }
      expect(worst).toBeLessThan(0.2);
      // With the file's own DC offset, every bin: what close-ups of a pooled file are drawn from.
      const c = await readWavSpectrogramWindow(wav, { ...req, dcOffset });
      let all = 0;
      for (let i = 0; i < a.data.length; i++) all = Math.max(all, Math.abs(a.data[i]! - c.data[i]!));
      expect(all).toBeLessThan(1e-3);
      // The pooled file's columns are the maxima of the frame groups, to within half a code step.
      const G = SPECTROGRAM_FRAMES_PER_COLUMN;
      const p = await readSpectrogramWindow(pooled, req);
      const f = await readSpectrogramWindow(everyFrame, { ...req, alignFrames: G });
      expect(p.framesPerColumn).toBe(G);
      expect(p.frames).toBe(Math.ceil(f.frames / G));
      expect(p.startFrame).toBe(f.startFrame);
      let groups = 0;
      for (let k = 0; k < p.bins; k++)
        for (let t = 0; t < p.frames; t++) {
          const row = k * f.frames;
          const max = Math.max(...f.data.subarray(row + G * t, row + Math.min(f.frames, G * t + G)));
          groups = Math.max(groups, Math.abs(p.data[k * p.frames + t]! - max));
        }
      expect(groups).toBeLessThanOrEqual(SPECTROGRAM_DB_SCALE / 2 + 1e-4);
    }
  });
});

describe("selection measurements", () => {
  it("finds a CF call's frequency, duration and the box values", () => {
    const x = whiteNoise(SR / 2, 0.001, 1);
    synthCall(x, SR, { onset: 0.2, duration: 0.01, f0: 45_000, taper: 0, amplitude: 0.3 });
    const m = measureSelection(gridOf(x), { start: 0.19, end: 0.22, fLow: 20_000, fHigh: 80_000 });
    expect(m).toMatchObject({ beginTime: 0.19, endTime: 0.22, lowFreq: 20_000, highFreq: 80_000 });
    expect(m.deltaTime).toBeCloseTo(0.03, 12);
    expect(m.deltaFreq).toBe(60_000);
    expect(Math.abs(m.peakFreq - 45_000)).toBeLessThanOrEqual(BIN_HZ / 2);
    expect(m.peakTime).toBeGreaterThanOrEqual(0.2);
    expect(m.peakTime).toBeLessThanOrEqual(0.21);
    expect(Math.abs(m.centerFreq - 45_000)).toBeLessThanOrEqual(BIN_HZ);
    expect(m.freq95 - m.freq5).toBeLessThanOrEqual(3 * BIN_HZ);
    // The signal inside the box: 10 ms at 45 kHz.
    expect(Math.abs(m.signal.duration - 0.01)).toBeLessThanOrEqual(HOP_S);
    expect(Math.abs(m.signal.start - 0.2)).toBeLessThanOrEqual(HOP_S);
    expect(Math.abs(m.signal.lowFreq - 45_000)).toBeLessThanOrEqual(BIN_HZ);
    expect(Math.abs(m.signal.highFreq - 45_000)).toBeLessThanOrEqual(BIN_HZ);
    // Raven's Dur 90 %: 90 % of a flat call's energy.
    expect(Math.abs(m.duration90 - 0.009)).toBeLessThanOrEqual(2 * HOP_S);
  });

  it("finds an FM sweep's band and duration inside a loose box", () => {
    const x = whiteNoise(SR / 2, 0.001, 4);
    synthCall(x, SR, {
      onset: 0.1,
      duration: 0.006,
      f0: 70_000,
      f1: 35_000,
      kind: "linear",
      taper: 0,
      amplitude: 0.3,
    });
    const m = measureSelection(gridOf(x), { start: 0.08, end: 0.13, fLow: 10_000, fHigh: 120_000 });
    expect(Math.abs(m.signal.duration - 0.006)).toBeLessThanOrEqual(HOP_S);
    expect(Math.abs(m.signal.lowFreq - 35_000)).toBeLessThanOrEqual(BIN_HZ);
    expect(Math.abs(m.signal.highFreq - 70_000)).toBeLessThanOrEqual(BIN_HZ);
    expect(m.freq5).toBeGreaterThan(34_000);
    expect(m.freq95).toBeLessThan(71_000);
  });

  it("measures the same from a quantised (BCSG) window of the box", () => {
    const x = whiteNoise(SR / 2, 0.001, 4);
    synthCall(x, SR, {
      onset: 0.1,
      duration: 0.006,
      f0: 70_000,
      f1: 35_000,
      kind: "linear",
      taper: 0,
      amplitude: 0.3,
    });
    const s = stft(x);
    const w = decodeSpectrogramBinary(
      encodeSpectrogramBinary(s, {
        t0: 0,
        t1: ((s.frames - 1) * 128) / SR,
        f0: 0,
        f1: SR / 2,
        sampleRate: SR,
      }),
    );
    const box = { start: 0.08, end: 0.13, fLow: 10_000, fHigh: 120_000 };
    const a = measureSelection(gridOf(x), box);
    const b = measureSelection(gridFromQuantised(w), box);
    expect(Math.abs(b.signal.duration - a.signal.duration)).toBeLessThanOrEqual(HOP_S / 2);
    expect(Math.abs(b.signal.lowFreq - a.signal.lowFreq)).toBeLessThanOrEqual(BIN_HZ);
    expect(Math.abs(b.signal.highFreq - a.signal.highFreq)).toBeLessThanOrEqual(BIN_HZ);
    // A flat sweep's loudest cells tie once quantised: the peak frequency may be any of them, the power not.
    expect(Math.abs(b.maxPowerDb - a.maxPowerDb)).toBeLessThanOrEqual((w.dbMax - w.dbMin) / 255);
  });

  it("an empty box gives the box and no signal", () => {
    const m = measureSelection(gridOf(new Float32Array(2048)), { start: 5, end: 6, fLow: 0, fHigh: 1000 });
    expect(m.cells).toBe(0);
    expect(m.deltaTime).toBe(1);
    expect(m.peakFreq).toBeNaN();
  });
});
