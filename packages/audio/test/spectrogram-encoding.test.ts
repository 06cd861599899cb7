// The quantised spectrogram encoding (uint16 dB codes, src/spectrogram/encoding.ts) against the older float32 files:
// rendered PNGs of the same windows may differ by at most one level of the 8-bit colour-map index, BCSG tiles by at
// most one quantisation level, on synthetic audio and on the real recordings in ../shared/data (which must be there).
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colormapLut, decodeBcsg, renderWindowBinary, renderWindowPng } from "../src/render/index.ts";
import type { RenderOptions } from "../src/render/png.ts";
import {
  isLegacySpectrogramFile,
  readSpectrogramAttrs,
  type SpectrogramWindowRequest,
  writeSpectrogramFile,
  writeSpectrogramFromSamples,
} from "../src/spectrogram/index.ts";
import { makeScene } from "./fixtures/confounders.ts";
import { makeTempDir, removeTempDir } from "./fixtures/generate.ts";

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

/** Colour-map index of every pixel (a colour used by several indices maps to all of them). */
function indices(png: Buffer, colormap: string): number[][] {
  const lut = colormapLut(colormap);
  const byColour = new Map<number, number[]>();
  for (let i = 0; i < 256; i++) {
    const key = (lut[3 * i]! << 16) | (lut[3 * i + 1]! << 8) | lut[3 * i + 2]!;
    byColour.set(key, [...(byColour.get(key) ?? []), i]);
  }
  const img = PNG.sync.read(png);
  const out: number[][] = [];
  for (let p = 0; p < img.width * img.height; p++) {
    const key = (img.data[4 * p]! << 16) | (img.data[4 * p + 1]! << 8) | img.data[4 * p + 2]!;
    const idx = byColour.get(key);
    if (!idx) throw new Error(`pixel ${p} is not a colour of ${colormap}`);
    out.push(idx);
  }
  return out;
}

/** Largest difference in colour-map index between two renderings of the same window. */
function maxLevelDifference(a: Buffer, b: Buffer, colormap: string): number {
  const ia = indices(a, colormap);
  const ib = indices(b, colormap);
  expect(ia.length).toBe(ib.length);
  let worst = 0;
  for (let p = 0; p < ia.length; p++) {
    let best = Number.POSITIVE_INFINITY;
    for (const x of ia[p]!) for (const y of ib[p]!) best = Math.min(best, Math.abs(x - y));
    worst = Math.max(worst, best);
  }
  return worst;
}

interface View {
  req: SpectrogramWindowRequest;
  opts: RenderOptions & { colormap: string };
}

function views(duration: number, sampleRate: number): View[] {
  const nyq = sampleRate / 2;
  return [
    // The whole file shrunk (max-pooled) to a page-sized image, auto levels.
    { req: {}, opts: { width: 900, height: 300, colormap: "roseus" } },
    // A 40 ms zoom at one pixel per frame and bin, another colour map.
    { req: { start: duration * 0.3, end: duration * 0.3 + 0.04 }, opts: { colormap: "viridis" } },
    // A frequency band, grey, enlarged.
    {
      req: { start: 0, end: Math.min(duration, 0.2), fmin: 0.1 * nyq, fmax: 0.6 * nyq },
      opts: { width: 1200, height: 500, colormap: "gray" },
    },
    // A fixed, narrow display range (30 dB: 0.12 dB per colour level).
    { req: { start: 0, end: Math.min(duration, 0.3) }, opts: { colormap: "magma", dbMin: -40, dbMax: -10 } },
  ];
}

async function compare(
  oldPath: string,
  newPath: string,
  duration: number,
  sampleRate: number,
  channel?: number,
) {
  expect(await isLegacySpectrogramFile(oldPath)).toBe(true);
  expect(await isLegacySpectrogramFile(newPath)).toBe(false);
  let worst = 0;
  for (const v of views(duration, sampleRate)) {
    const req = channel === undefined ? v.req : { ...v.req, channel };
    const a = await renderWindowPng(oldPath, req, v.opts);
    const b = await renderWindowPng(newPath, req, v.opts);
    worst = Math.max(worst, maxLevelDifference(a, b, v.opts.colormap));
    const ta = decodeBcsg(await renderWindowBinary(oldPath, req));
    const tb = decodeBcsg(await renderWindowBinary(newPath, req));
    expect(tb.frames).toBe(ta.frames);
    expect(Math.abs(tb.dbMax - ta.dbMax)).toBeLessThanOrEqual(1 / 24 + 1e-4);
    let tile = 0;
    for (let i = 0; i < ta.values.length; i++) tile = Math.max(tile, Math.abs(ta.values[i]! - tb.values[i]!));
    expect(tile).toBeLessThanOrEqual(1);
  }
  return worst;
}

describe("quantised spectrogram files render like the float32 ones", () => {
  for (const [kind, sr] of [
    ["field", 384000],
    ["quiet", 250000],
    ["clipped", 500000],
    ["wind", 96000],
  ] as const) {
    it(`synthetic ${kind} at ${sr / 1000} kHz: every pixel within one colour-map level`, async () => {
      const s = makeScene(kind, sr, 1, { seconds: 0.6 });
      const oldPath = join(dir, `${kind}-old.h5`);
      const newPath = join(dir, `${kind}-new.h5`);
      writeSpectrogramFromSamples([s.samples], sr, oldPath, { encoding: "float32-db" });
      writeSpectrogramFromSamples([s.samples], sr, newPath);
      expect(await compare(oldPath, newPath, 0.6, sr)).toBeLessThanOrEqual(1);
    });
  }

  for (const rel of REAL) {
    it(`real ${rel}: every pixel within one colour-map level`, async () => {
      const wav = join(SHARED, rel);
      const base = rel.replace(/\W/g, "_");
      const oldPath = join(dir, `${base}-old.h5`);
      const newPath = join(dir, `${base}-new.h5`);
      await writeSpectrogramFile(wav, oldPath, { encoding: "float32-db" });
      await writeSpectrogramFile(wav, newPath);
      const attrs = await readSpectrogramAttrs(newPath);
      expect(attrs.encoding).toBe("uint16-db");
      expect(await compare(oldPath, newPath, attrs.duration, attrs.sampleRate)).toBeLessThanOrEqual(1);
      if (attrs.channels > 1)
        expect(await compare(oldPath, newPath, attrs.duration, attrs.sampleRate, 1)).toBeLessThanOrEqual(1);
    });
  }

  it("a coarser step (the writer's dbScale option) does break the one-level bound: the check can fail", async () => {
    const s = makeScene("field", 384000, 2, { seconds: 0.4 });
    const oldPath = join(dir, "coarse-old.h5");
    const newPath = join(dir, "coarse-new.h5");
    writeSpectrogramFromSamples([s.samples], 384000, oldPath, { encoding: "float32-db" });
    writeSpectrogramFromSamples([s.samples], 384000, newPath, { dbScale: 1 });
    expect(await compare(oldPath, newPath, 0.4, 384000).catch(() => 99)).toBeGreaterThan(1);
  });
});
