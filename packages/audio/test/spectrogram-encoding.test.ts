// The spectrogram files written today (uint16 dB codes of the maximum of each group of 3 frames, encoding.ts)
// against float32 files of every frame of the same audio, viewed as the app views them (close-ups from the audio with
// the file's DC offset, everything else from the file; closeUpNeedsAudio decides, as in the API): rendered PNGs of
// the same windows may differ by at most one level of the 8-bit colour-map index (auto levels and fixed narrow
// ranges), BCSG tiles by at most one quantisation level, on synthetic signals and on the real recordings in
// ../shared/data (which must be there). Plus the size on a known signal and the legacy detection.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeBcsg, renderWindowPng } from "../src/render/index.ts";
import type { RenderOptions } from "../src/render/png.ts";
import {
  isLegacySpectrogramFile,
  readSpectrogramAttrs,
  readSpectrogramEncoding,
  readSpectrogramWindow,
  SPECTROGRAM_DB_OFFSET,
  SPECTROGRAM_DB_SCALE,
  SPECTROGRAM_FRAMES_PER_COLUMN,
  type SpectrogramWindowRequest,
  writeSpectrogramFile,
  writeSpectrogramFromSamples,
} from "../src/spectrogram/index.ts";
import { writeWavFile } from "../src/wav/index.ts";
import { bcsgPair, type SpectrogramFiles as Files, pngPair } from "./fixtures/app-view.ts";
import { makeScene } from "./fixtures/confounders.ts";
import { gaussian, makeTempDir, removeTempDir, sweep, synthCall, tone } from "./fixtures/generate.ts";
import { type LevelDifference, levelDifference, NO_DIFFERENCE, worse } from "./fixtures/png-levels.ts";

const SHARED = new URL("../../../../shared/data/recordings/", import.meta.url).pathname;
const REAL = [
  "batdetect2/20170701_213954-MYOMYS-LR_0_0.5.wav",
  "batdetect2/20180530_213516-EPTSER-LR_0_0.5.wav",
  "batdetect2/20180627_215323-RHIFER-LR_0_0.5.wav",
  "bat1_angie_19.wav",
];

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("battycoda-enc-");
});
afterAll(async () => {
  await removeTempDir(dir);
});

interface View {
  req: SpectrogramWindowRequest;
  opts: RenderOptions & { colormap: string };
}

/** Median dB of a window of the float32 file: where a narrow range shows the noise texture. */
async function medianDb(path: string, req: SpectrogramWindowRequest): Promise<number> {
  const w = await readSpectrogramWindow(path, req);
  const sorted = Float32Array.from(w.data).sort();
  return sorted[sorted.length >> 1]!;
}

async function maxDb(path: string, req: SpectrogramWindowRequest): Promise<number> {
  const w = await readSpectrogramWindow(path, req);
  let m = Number.NEGATIVE_INFINITY;
  for (const v of w.data) if (v > m) m = v;
  return m;
}

/** The app's views: auto levels (what its PNGs use). */
function autoViews(duration: number, sampleRate: number): View[] {
  const nyq = sampleRate / 2;
  return [
    // The whole file shrunk (max-pooled) to a page-sized image.
    { req: {}, opts: { width: 900, height: 300, colormap: "roseus" } },
    // A 40 ms zoom at one pixel per frame and bin (a close-up: from the audio), another colour map.
    { req: { start: duration * 0.3, end: duration * 0.3 + 0.04 }, opts: { colormap: "viridis" } },
    // Views that shrink frames from the middle of a stored group: 6 and 9 frames per pixel at 384 kHz.
    { req: { start: duration * 0.37, end: duration * 0.37 + 0.12 }, opts: { width: 100, colormap: "hot" } },
    { req: { start: duration * 0.51, end: duration * 0.51 + 0.1 }, opts: { width: 50, colormap: "magma" } },
    // A frequency band, grey, enlarged.
    {
      req: { start: 0, end: Math.min(duration, 0.2), fmin: 0.1 * nyq, fmax: 0.6 * nyq },
      opts: { width: 1200, height: 500, colormap: "gray" },
    },
  ];
}

/** Fixed user ranges of `width` dB over the noise (median ± width/2) and under the loudest value. */
async function fixedViews(floatPath: string, duration: number, width: number): Promise<View[]> {
  const req = { start: 0, end: Math.min(duration, 0.3) };
  const mid = await medianDb(floatPath, req);
  const top = await maxDb(floatPath, req);
  return [
    // Shrunk to 300 pixels (group maxima from the file) and a close-up at a pixel per frame (from the audio).
    { req, opts: { colormap: "magma", dbMin: mid - width / 2, dbMax: mid + width / 2, width: 300 } },
    { req, opts: { colormap: "inferno", dbMin: top - width, dbMax: top, width: 300 } },
    { req, opts: { colormap: "magma", dbMin: mid - width / 2, dbMax: mid + width / 2 } },
  ];
}

async function renderDifference(files: Files, views: View[], channel?: number): Promise<LevelDifference> {
  let d = NO_DIFFERENCE;
  for (const v of views) {
    const req = channel === undefined ? v.req : { ...v.req, channel };
    const [a, b] = await pngPair(files, req, v.opts);
    d = worse(d, levelDifference(a, b, v.opts.colormap));
  }
  return d;
}

/**
 * BCSG tiles (the browser viewer's data) of the same windows: one transport level at most, or two where the tile's
 * range is under 30 dB (a quiet window whose range stops at the -80 dB floor: a value and the window's maximum each
 * move by up to half a code step, up to two levels of a 14 dB range, while the viewer's own levels span 30 dB or
 * more).
 */
async function tileDifference(files: Files, views: View[], channel?: number) {
  let worst = 0;
  for (const v of views) {
    const req = channel === undefined ? v.req : { ...v.req, channel };
    for (const maxFrames of [256, 20000]) {
      const [a, b] = await bcsgPair(files, req, maxFrames);
      const ta = decodeBcsg(a);
      const tb = decodeBcsg(b);
      expect(tb.frames).toBe(ta.frames);
      expect(Math.abs(tb.dbMax - ta.dbMax)).toBeLessThanOrEqual(SPECTROGRAM_DB_SCALE / 2 + 1e-4);
      const narrow = ta.dbMax - ta.dbMin < 30 ? 1 : 0;
      for (let i = 0; i < ta.values.length; i++)
        worst = Math.max(worst, Math.abs(ta.values[i]! - tb.values[i]!) - narrow);
    }
  }
  return worst;
}

/**
 * Every check of one signal. Auto levels and fixed ranges down to the viewer's narrowest (10 dB: contrast 3 on the
 * 30 dB minimum): within one level, the guarantee of the 0.05 dB step (a fixed range of W dB moves a pixel by at most
 * 255 * 0.025 / W levels, < 1 for W > 6.4 dB).
 */
async function expectSameLook(files: Files, duration: number, sampleRate: number, channel?: number) {
  const auto = autoViews(duration, sampleRate);
  const autoDiff = await renderDifference(files, auto, channel);
  expect(autoDiff.worst, "auto levels").toBeLessThanOrEqual(1);
  for (const width of [30, 12, 10]) {
    const d = await renderDifference(files, await fixedViews(files.float, duration, width), channel);
    expect(d.worst, `fixed ${width} dB range`).toBeLessThanOrEqual(1);
  }
  expect(await tileDifference(files, auto, channel)).toBeLessThanOrEqual(1);
}

/** The audio as a float WAV (the samples exactly) and both spectrogram files of it. */
async function filesOf(
  base: string,
  samples: Float32Array,
  sampleRate: number,
  coded: Parameters<typeof writeSpectrogramFromSamples>[3] = {},
): Promise<Files> {
  const files = {
    wav: join(dir, `${base}.wav`),
    float: join(dir, `${base}-f32.h5`),
    coded: join(dir, `${base}-u16.h5`),
  };
  await writeWavFile(files.wav, [samples], { sampleRate, bitsPerSample: 32, format: "float" });
  writeSpectrogramFromSamples([samples], sampleRate, files.float, { encoding: "float32-db" });
  writeSpectrogramFromSamples([samples], sampleRate, files.coded, coded);
  return files;
}

const SR = 384000;
const SECONDS = 0.6;
const n = Math.round(SR * SECONDS);

function noise(sigma: number, seed: number): Float32Array {
  const g = gaussian(seed);
  return Float32Array.from({ length: n }, () => sigma * g());
}

function mix(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(n);
  for (const p of parts) for (let i = 0; i < Math.min(n, p.length); i++) out[i] = out[i]! + p[i]!;
  return out;
}

/** Synthetic signals with known content; levels in dBFS of the sample values. */
const SIGNALS: Record<string, () => Float32Array> = {
  // Linear, hyperbolic and exponential sweeps over -60 dBFS noise.
  chirps: () => {
    const x = noise(1e-3, 1);
    synthCall(x, SR, { onset: 0.05, duration: 0.1, f0: 20000, f1: 180000, kind: "linear", amplitude: 0.3 });
    synthCall(x, SR, {
      onset: 0.25,
      duration: 0.01,
      f0: 90000,
      f1: 30000,
      kind: "hyperbolic",
      amplitude: 0.5,
    });
    synthCall(x, SR, {
      onset: 0.4,
      duration: 0.05,
      f0: 120000,
      f1: 40000,
      kind: "exponential",
      amplitude: 0.05,
    });
    return x;
  },
  // Steady tones 40 dB apart (sidelobes, leakage) over faint noise.
  tones: () =>
    mix(
      tone(30000, SECONDS, SR, 0.5),
      tone(61000, SECONDS, SR, 0.005),
      tone(150000, SECONDS, SR, 0.05),
      noise(1e-4, 2),
    ),
  // White noise alone: auto levels stay at their narrowest (30 dB), the strictest case for the step.
  noise: () => noise(0.01, 3),
  // Near the STFT's -80 dB floor: most values sit on or just above it, a faint sweep over them.
  "very quiet": () => {
    const x = noise(1e-5, 4);
    synthCall(x, SR, { onset: 0.1, duration: 0.2, f0: 60000, f1: 25000, kind: "linear", amplitude: 2e-4 });
    return x;
  },
  // A sweep at 4x full scale hard-clipped to ±1 (harmonics everywhere) over noise.
  clipped: () => {
    const x = mix(sweep("linear", 80000, 20000, SECONDS, SR, 4), noise(0.003, 5));
    for (let i = 0; i < n; i++) x[i] = Math.max(-1, Math.min(1, x[i]!));
    return x;
  },
};

describe("quantised spectrogram files render like float32 ones", () => {
  for (const [name, make] of Object.entries(SIGNALS)) {
    it(`synthetic ${name}: auto levels and fixed ranges >= 10 dB within one colour-map level`, async () => {
      const files = await filesOf(name.replace(/\W/g, "_"), make(), SR);
      expect(await isLegacySpectrogramFile(files.float)).toBe(true);
      expect(await isLegacySpectrogramFile(files.coded)).toBe(false);
      await expectSameLook(files, SECONDS, SR);
    });
  }

  for (const [kind, sr] of [
    ["field", 384000],
    ["quiet", 250000],
    ["wind", 96000],
  ] as const) {
    it(`confounder scene ${kind} at ${sr / 1000} kHz`, async () => {
      const s = makeScene(kind, sr, 1, { seconds: 0.6 });
      await expectSameLook(await filesOf(`scene-${kind}`, s.samples, sr), 0.6, sr);
    });
  }

  for (const rel of REAL) {
    it(`real ${rel}`, async () => {
      const wav = join(SHARED, rel);
      const base = rel.replace(/\W/g, "_");
      const files = { wav, float: join(dir, `${base}-old.h5`), coded: join(dir, `${base}-new.h5`) };
      await writeSpectrogramFile(wav, files.float, { encoding: "float32-db" });
      await writeSpectrogramFile(wav, files.coded);
      const attrs = await readSpectrogramAttrs(files.coded);
      expect(attrs.encoding).toBe("uint16-db");
      expect(attrs.framesPerColumn).toBe(SPECTROGRAM_FRAMES_PER_COLUMN);
      await expectSameLook(files, attrs.duration, attrs.sampleRate);
      if (attrs.channels > 1) await expectSameLook(files, attrs.duration, attrs.sampleRate, 1);
    });
  }

  it("the check can fail: 1/4 dB steps are two levels off at 30 dB auto levels, far more at 10 dB", async () => {
    const files = await filesOf("coarse", SIGNALS.noise!(), SR, { dbScale: 0.25 });
    expect(await isLegacySpectrogramFile(files.coded)).toBe(true);
    expect((await renderDifference(files, autoViews(SECONDS, SR))).worst).toBeGreaterThanOrEqual(2);
    const narrow = await renderDifference(files, await fixedViews(files.float, SECONDS, 10));
    expect(narrow.worst).toBeGreaterThanOrEqual(4);
    await expect(expectSameLook(files, SECONDS, SR)).rejects.toThrow();
  });

  it("the check can fail: pooled frames without group-aligned views are several levels off", async () => {
    // The same pooled file drawn with columns that start on odd frames (no alignFrames in the reference) and with
    // close-ups from the file instead of the audio: what the design avoids, so the comparison must see it.
    const files = await filesOf("unaligned", SIGNALS.chirps!(), SR);
    let worst = 0;
    for (const v of autoViews(SECONDS, SR).filter((view) => view.opts.width)) {
      const a = await renderWindowPng(files.float, v.req, v.opts);
      const b = await renderWindowPng(files.coded, v.req, v.opts);
      worst = Math.max(worst, levelDifference(a, b, v.opts.colormap).worst);
    }
    expect(worst).toBeGreaterThanOrEqual(4);
  });
});

describe("size and floor", () => {
  it("a known signal (384 kHz, noise at -50 dBFS, 10 calls/s) takes <= 25 MB per minute, 6.5-9.5x less than float32", async () => {
    // The bench's recording: white noise (sigma 0.003) and alternating FM / CF calls at -12 dBFS.
    const seconds = 3;
    const g = gaussian(42);
    const x = Float32Array.from({ length: SR * seconds }, () => 0.003 * g());
    for (let c = 0; c < 10 * seconds; c++)
      synthCall(
        x,
        SR,
        c % 2
          ? {
              onset: c * 0.1 + 0.01,
              duration: 0.004,
              f0: 90000,
              f1: 35000,
              kind: "hyperbolic",
              amplitude: 0.25,
            }
          : { onset: c * 0.1 + 0.01, duration: 0.015, f0: 42000, amplitude: 0.25 },
      );
    const floatPath = join(dir, "size-f32.h5");
    const codedPath = join(dir, "size-u16.h5");
    writeSpectrogramFromSamples([x], SR, floatPath, { encoding: "float32-db" });
    writeSpectrogramFromSamples([x], SR, codedPath);
    const floatSize = (await stat(floatPath)).size;
    const codedSize = (await stat(codedPath)).size;
    const ratio = floatSize / codedSize;
    // A third of the values (group maxima) at ~9.5 bits each: the noise's entropy at 0.05 dB steps is the floor.
    expect(ratio).toBeGreaterThan(6.5);
    expect(ratio).toBeLessThan(9.5);
    expect((codedSize / seconds) * 60).toBeLessThanOrEqual(25e6);
  });

  it("a higher floor (dbOffset) stores everything below it as code 0, and marks the file as legacy", async () => {
    const x = SIGNALS.chirps!();
    const path = join(dir, "floor.h5");
    writeSpectrogramFromSamples([x], SR, path, { dbOffset: -40 });
    expect(await readSpectrogramEncoding(path)).toEqual({
      encoding: "uint16-db",
      scale: SPECTROGRAM_DB_SCALE,
      offset: -40,
      framesPerColumn: SPECTROGRAM_FRAMES_PER_COLUMN,
    });
    const w = await readSpectrogramWindow(path);
    let min = Number.POSITIVE_INFINITY;
    let atFloor = 0;
    for (const v of w.data) {
      min = Math.min(min, v);
      if (v === -40) atFloor++;
    }
    expect(min).toBe(-40);
    // the -60 dBFS noise is around -38 dB per bin: a good share of it goes under the floor
    expect(atFloor / w.data.length).toBeGreaterThan(0.1);
    expect(await isLegacySpectrogramFile(path)).toBe(true);
    // Codes of every frame (this encoding before the group maxima) are legacy too: --rewrite-legacy shrinks them.
    const everyFrame = join(dir, "floor-every-frame.h5");
    writeSpectrogramFromSamples([x], SR, everyFrame, { framesPerColumn: 1 });
    expect(await isLegacySpectrogramFile(everyFrame)).toBe(true);
    const current = join(dir, "floor-default.h5");
    writeSpectrogramFromSamples([x], SR, current);
    expect(await readSpectrogramEncoding(current)).toEqual({
      encoding: "uint16-db",
      scale: SPECTROGRAM_DB_SCALE,
      offset: SPECTROGRAM_DB_OFFSET,
      framesPerColumn: SPECTROGRAM_FRAMES_PER_COLUMN,
    });
  });
});
