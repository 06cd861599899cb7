import { describe, expect, it } from "vitest";
import { decimalsFor, formatKHz, formatTime, ticks } from "./ticks";
import { TILE_COLUMNS, tileLength, tileLevel, tilesFor, tileUrl } from "./tiles";
import { clampFreq, clampTime, makeMapping, zoomAround } from "./viewport";

describe("viewport maths", () => {
  it("maps time and frequency both ways", () => {
    const m = makeMapping({ t0: 2, t1: 4, fMin: 0, fMax: 100_000 }, 800, 200);
    expect(m.timeToX(3)).toBe(400);
    expect(m.xToTime(200)).toBe(2.5);
    expect(m.freqToY(100_000)).toBe(0);
    expect(m.freqToY(0)).toBe(200);
    expect(m.yToFreq(50)).toBe(75_000);
  });

  it("clamps and zooms", () => {
    expect(clampTime(-1, 2, 10, 250000)).toEqual([0, 3]);
    expect(clampTime(9, 12, 10, 250000)).toEqual([7, 10]);
    expect(clampTime(0, 50, 10, 250000)).toEqual([0, 10]);
    const [a, b] = clampTime(5, 5, 10, 250000);
    expect(b - a).toBeCloseTo(0.001);
    expect(clampFreq(-5, 200_000, 125_000)).toEqual([0, 125_000]);
    expect(zoomAround(0, 10, 5, 0.5)).toEqual([2.5, 7.5]);
  });
});

describe("ticks", () => {
  it("chooses 1/2/5 steps", () => {
    expect(ticks(0, 19.3, 8).values).toEqual([0, 5, 10, 15]);
    expect(ticks(0, 19.3, 10).step).toBe(2);
    const t = ticks(1.23, 1.31, 5);
    expect(t.step).toBeCloseTo(0.02);
    expect(decimalsFor(t.step)).toBe(2);
    expect(formatTime(1.24, 0.02)).toBe("1.24 s");
    expect(formatKHz(125_000, 20_000)).toBe("125");
    expect(formatKHz(42_500, 500)).toBe("42.5");
  });
});

describe("tiles", () => {
  it("matches the tile resolution to the canvas width", () => {
    const level = tileLevel(0, 19, 1000);
    const len = tileLength(level);
    // one tile is ≥ 256 px wide but < 512 px
    const px = (len / 19) * 1000;
    expect(px).toBeGreaterThanOrEqual(TILE_COLUMNS);
    expect(px).toBeLessThan(2 * TILE_COLUMNS);
    expect(tilesFor(0, 19, 19, level)).toEqual([0, 1, 2]);
    expect(tilesFor(15, 30, 19, 2)).toEqual([3, 4]);
    expect(tileUrl({ recordingId: "r1", channel: 0, level: 2, index: 4 }, 19)).toBe(
      "/api/recordings/r1/spectrogram?start=16&end=19&channel=0&maxFrames=384",
    );
  });
});
