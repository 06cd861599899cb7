// The audio package's browser entry, run in the web project's DOM environment: it must work without
// Node APIs (no Buffer), and decode what the server's encoder writes.
import { encodeSpectrogramBinary } from "@battycoda/audio";
import {
  COLORMAP_NAMES,
  colormapLut,
  decodeBcsg,
  displayRange,
  levelTable,
  windowExtent,
} from "@battycoda/audio/browser";
import { describe, expect, it } from "vitest";

describe("BCSG decoder", () => {
  it("decodes the audio package encoder's output exactly", () => {
    const frames = 7;
    const bins = 5;
    const data = new Float32Array(frames * bins);
    for (let k = 0; k < bins; k++) for (let t = 0; t < frames; t++) data[k * frames + t] = -80 + k * 10 + t;
    const buf = encodeSpectrogramBinary(
      { data, frames, bins },
      { t0: 1.25, t1: 2.5, f0: 0, f1: 125000, sampleRate: 250000 },
    );
    // As delivered by fetch: an ArrayBuffer.
    const copy = buf.slice().buffer;
    const w = decodeBcsg(copy);
    expect(w).toMatchObject({ frames, bins, t0: 1.25, t1: 2.5, f0: 0, f1: 125000, sampleRate: 250000 });
    expect(w.values.length).toBe(frames * bins);
    // Highest-frequency row first; loudest cell (top row, last column) is 255, quietest 0.
    expect(w.values[frames - 1]).toBe(255);
    expect(w.values[(bins - 1) * frames]).toBe(0);
    // Values reconstruct the dB within a quantisation step.
    const step = (w.dbMax - w.dbMin) / 255;
    for (let row = 0; row < bins; row++) {
      const k = bins - 1 - row;
      for (let t = 0; t < frames; t++) {
        const db = w.dbMin + (w.values[row * frames + t]! / 255) * (w.dbMax - w.dbMin);
        expect(Math.abs(db - data[k * frames + t]!)).toBeLessThanOrEqual(step);
      }
    }
    const e = windowExtent(w);
    expect(e.tStart).toBeCloseTo(1.25 - 1.25 / 6 / 2);
    expect(e.fHigh).toBeCloseTo(125000 + 125000 / 4 / 2);
  });

  it("decodes a max-pooled window", () => {
    const frames = 1000;
    const bins = 64;
    const data = new Float32Array(frames * bins).fill(-60);
    data[10 * frames + 500] = 0;
    const buf = encodeSpectrogramBinary(
      { data, frames, bins },
      { t0: 0, t1: 1, f0: 0, f1: 1, sampleRate: 2 },
      { maxFrames: 100 },
    );
    const w = decodeBcsg(buf);
    // 10 frames per column, rounded up to whole groups of 3 stored frames: 12.
    expect(w.frames).toBe(Math.ceil(1000 / 12));
    expect(Math.max(...w.values)).toBe(255);
  });

  it("rejects other buffers", () => {
    expect(() => decodeBcsg(new Uint8Array(80))).toThrow(/BCSG/);
    const buf = encodeSpectrogramBinary(
      { data: new Float32Array(4), frames: 2, bins: 2 },
      { t0: 0, t1: 1, f0: 0, f1: 1, sampleRate: 2 },
    );
    expect(() => decodeBcsg(buf.subarray(0, 66))).toThrow(/Truncated/);
  });
});

describe("colormaps", () => {
  it("builds 256-entry RGB tables for all nine maps; unknown names fall back to roseus", () => {
    expect(COLORMAP_NAMES).toHaveLength(9);
    for (const name of COLORMAP_NAMES) expect(colormapLut(name)).toHaveLength(768);
    expect(colormapLut("no-such-map")).toEqual(colormapLut("roseus"));
    // viridis starts dark purple and ends yellow
    const v = colormapLut("viridis");
    expect(Array.from(v.subarray(0, 3))).toEqual([68, 1, 84]);
    expect(Array.from(v.subarray(765, 768))).toEqual([253, 231, 37]);
  });

  it("maps window levels onto the shared display range", () => {
    const t = levelTable(-80, 0, -80, 0);
    expect(t[0]).toBe(0);
    expect(t[255]).toBe(255);
    // A window whose range is the top half of the display range lands in the upper half.
    const half = levelTable(-40, 0, -80, 0);
    expect(half[0]).toBe(128);
    const r = displayRange(-10, 5, 2);
    expect(r).toEqual({ lo: -55, hi: -15 });
  });
});
