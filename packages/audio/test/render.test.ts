import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COLORMAP_NAMES,
  colormapLut,
  decodeSpectrogramBinary,
  encodeSpectrogramBinary,
  poolMax,
  renderPng,
  renderWindowBinary,
  renderWindowPng,
} from "../src/render/index.ts";
import { stft, writeSpectrogramFromSamples } from "../src/spectrogram/index.ts";
import { makeTempDir, removeTempDir, tone } from "./fixtures/generate.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

const lum = (img: PNG, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return 0.2126 * img.data[o]! + 0.7152 * img.data[o + 1]! + 0.0722 * img.data[o + 2]!;
};

describe("colormaps", () => {
  it("has all nine maps, 256 entries each, roseus first (the default)", () => {
    expect(COLORMAP_NAMES).toEqual([
      "roseus",
      "viridis",
      "magma",
      "inferno",
      "plasma",
      "cividis",
      "hot",
      "gray",
      "classic",
    ]);
    for (const name of COLORMAP_NAMES) expect(colormapLut(name).length).toBe(768);
  });

  it("matches published endpoints", () => {
    const rgb = (name: (typeof COLORMAP_NAMES)[number], i: number) =>
      Array.from(colormapLut(name).subarray(i * 3, i * 3 + 3));
    expect(rgb("viridis", 0)).toEqual([68, 1, 84]); // #440154
    expect(rgb("viridis", 255)).toEqual([253, 231, 37]); // #fde725
    expect(rgb("magma", 255)).toEqual([252, 253, 191]); // #fcfdbf
    expect(rgb("inferno", 0)).toEqual([0, 0, 4]);
    expect(rgb("plasma", 0)).toEqual([13, 8, 135]); // #0d0887
    expect(rgb("gray", 0)).toEqual([0, 0, 0]);
    expect(rgb("gray", 255)).toEqual([255, 255, 255]);
    expect(rgb("hot", 255)).toEqual([255, 255, 255]);
    expect(rgb("roseus", 0)).toEqual([1, 1, 1]);
    expect(rgb("roseus", 255)).toEqual([254, 251, 249]);
  });

  it("perceptual maps increase in lightness", () => {
    for (const name of ["roseus", "viridis", "magma", "inferno", "gray"] as const) {
      const l = (i: number) => {
        const c = colormapLut(name);
        return 0.2126 * c[i * 3]! + 0.7152 * c[i * 3 + 1]! + 0.0722 * c[i * 3 + 2]!;
      };
      expect(l(255), name).toBeGreaterThan(l(128));
      expect(l(128), name).toBeGreaterThan(l(0));
    }
  });
});

describe("PNG rendering", () => {
  const sr = 384000;
  // Tone at 120 kHz: high in the band, so it must appear near the TOP of the image.
  const spec = stft(tone(120000, 0.05, sr, 0.5));

  it("has one pixel per frame/bin by default with high frequency at the top", () => {
    const img = PNG.sync.read(renderPng(spec, { colormap: "gray" }));
    expect(img.width).toBe(spec.frames);
    expect(img.height).toBe(257);
    const bin = Math.round((120000 * 512) / sr);
    const row = 256 - bin;
    const x = Math.floor(spec.frames / 2);
    expect(lum(img, x, row)).toBeGreaterThan(200);
    expect(lum(img, x, 256 - row)).toBeLessThan(100); // the mirrored position (low frequency) is dark
  });

  it("scales to a requested size, keeping a short event visible when shrinking", () => {
    const img = PNG.sync.read(renderPng(spec, { width: 40, height: 64, colormap: "viridis" }));
    expect([img.width, img.height]).toEqual([40, 64]);
    const narrow = { data: new Float32Array(257 * 1000).fill(-80), frames: 1000, bins: 257 };
    narrow.data[200 * 1000 + 501] = 0; // one loud frame/bin
    // 10 frames per pixel, rounded up to whole groups of 3 stored frames (framesPerPixel): 12.
    const pooled = poolMax(narrow, 100, 257);
    expect(pooled.frames).toBe(Math.ceil(1000 / 12));
    expect(pooled.data[200 * pooled.frames + Math.floor(501 / 12)]).toBe(0);
  });

  it("renders a window straight from an HDF5 file, with a frequency range", async () => {
    const x = tone(40000, 1, 250000, 0.5);
    const h5 = join(dir, "r.h5");
    writeSpectrogramFromSamples([x], 250000, h5);
    const img = PNG.sync.read(
      await renderWindowPng(h5, { start: 0.2, end: 0.3, fmin: 20000, fmax: 60000 }, { colormap: "gray" }),
    );
    const binHz = 250000 / 512;
    const bins = Math.floor(60000 / binHz) - Math.ceil(20000 / binHz) + 1;
    expect(img.height).toBe(bins);
    // One pixel per stored column: the maxima of the frame groups holding the window's frames.
    const fr0 = Math.round((0.2 * 250000) / 128);
    const fr1 = Math.round((0.3 * 250000) / 128) + 1;
    expect(img.width).toBe(Math.ceil(fr1 / 3) - Math.floor(fr0 / 3));
    // 40 kHz is in the middle of 20–60 kHz.
    expect(lum(img, 5, Math.floor(bins / 2))).toBeGreaterThan(200);
  });
});

describe("binary window format", () => {
  it("round-trips header, axes and quantised values with rows high-frequency first", async () => {
    const grid = { data: new Float32Array([-80, -40, 0, -80, -80, -20]), frames: 3, bins: 2 };
    const buf = encodeSpectrogramBinary(
      grid,
      { t0: 1, t1: 1.5, f0: 0, f1: 750, sampleRate: 384000 },
      { dbMin: -80, dbMax: 0 },
    );
    expect(buf.length).toBe(64 + 6);
    const d = decodeSpectrogramBinary(buf);
    expect(d).toMatchObject({
      frames: 3,
      bins: 2,
      dbMin: -80,
      dbMax: 0,
      t0: 1,
      t1: 1.5,
      f0: 0,
      f1: 750,
      sampleRate: 384000,
    });
    // Row 0 = bin 1 (higher frequency): [-80, -80, -20]; row 1 = bin 0: [-80, -40, 0].
    expect(Array.from(d.values)).toEqual([0, 0, 191, 0, 128, 255]);
  });

  it("encodes an HDF5 window, pooling to a maximum width", async () => {
    const h5 = join(dir, "b.h5");
    writeSpectrogramFromSamples([tone(50000, 0.5, 384000, 0.5)], 384000, h5);
    const d = decodeSpectrogramBinary(
      await renderWindowBinary(h5, { start: 0, end: 0.5 }, { maxFrames: 300 }),
    );
    expect(d.frames).toBeLessThanOrEqual(300);
    expect(d.bins).toBe(257);
    expect(d.f1).toBe(192000);
    expect(d.t1).toBeCloseTo(0.5, 3);
  });
});
