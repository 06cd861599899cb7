import { describe, expect, it } from "vitest";
import {
  decodePoints,
  fitView,
  insidePolygon,
  lassoSelect,
  nearestPoint,
  pointSize,
  rasterise,
  rgbaWord,
  type ScatterData,
  toScreenX,
  toScreenY,
  zoomAt,
} from "./scatter";

function data(points: [number, number, number][]): ScatterData {
  const n = points.length;
  return {
    count: n,
    xy: Float32Array.from(points.flatMap(([x, y]) => [x, y])),
    cluster: Int32Array.from(points.map((p) => p[2])),
    recording: new Int32Array(n),
    onset: new Float64Array(n),
    offset: new Float64Array(n),
    segmentIds: points.map((_, i) => `s${i}`),
  };
}

const b64 = (a: Float32Array | Int32Array | Float64Array) =>
  btoa(String.fromCharCode(...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));

describe("scatter", () => {
  it("decodes the server's base64 typed arrays", () => {
    const d = decodePoints({
      count: 2,
      xy: b64(Float32Array.from([1.5, -2, 3, 4])),
      cluster: b64(Int32Array.from([0, 1])),
      recording: b64(Int32Array.from([0, 0])),
      onset: b64(Float64Array.from([0.1, 0.25])),
      offset: b64(Float64Array.from([0.105, 0.26])),
      segmentIds: ["a", "b"],
    });
    expect([...d.xy]).toEqual([1.5, -2, 3, 4]);
    expect([...d.cluster]).toEqual([0, 1]);
    expect([...d.onset]).toEqual([0.1, 0.25]);
  });

  it("fits every point into the canvas and zooms about the cursor", () => {
    const d = data([
      [-1, -1, 0],
      [1, 1, 0],
    ]);
    const v = fitView(d.xy, 200, 100, 10);
    expect(toScreenX(v, -1)).toBeCloseTo(60);
    expect(toScreenX(v, 1)).toBeCloseTo(140);
    expect(toScreenY(v, 1)).toBeCloseTo(10);
    expect(toScreenY(v, -1)).toBeCloseTo(90);
    const z = zoomAt(v, 140, 10, 2);
    expect(toScreenX(z, 1)).toBeCloseTo(140);
    expect(toScreenY(z, 1)).toBeCloseTo(10);
    expect(toScreenX(z, -1)).toBeCloseTo(-20);
  });

  it("rasterises each point as a square of its cluster's colour, selected ones black on top", () => {
    const d = data([
      [0, 0, 0],
      [10, 0, 1],
    ]);
    const view = { scale: 1, ox: 5, oy: 5 };
    const px = new Uint32Array(20 * 10);
    const colours = Uint32Array.from([rgbaWord("#ff0000"), rgbaWord("#00ff00")]);
    rasterise(px, 20, 10, d, view, colours, 3, Uint8Array.from([0, 1]), 0);
    const count = (w: number) => px.reduce((s, v) => s + (v === w ? 1 : 0), 0);
    expect(count(rgbaWord("#ff0000"))).toBe(9);
    expect(count(0xff000000)).toBe(9);
    expect(px[5 * 20 + 5]).toBe(rgbaWord("#ff0000"));
    expect(px[5 * 20 + 15]).toBe(0xff000000);
  });

  it("selects the points inside a lasso and finds the nearest point to the cursor", () => {
    const d = data([
      [0, 0, 0],
      [1, 0, 0],
      [5, 5, 1],
    ]);
    const view = { scale: 10, ox: 0, oy: 100 };
    // screen: (0,100), (10,100), (50,50)
    const mask = lassoSelect(d, view, [-5, 95, 15, 95, 15, 105, -5, 105]);
    expect([...mask]).toEqual([1, 1, 0]);
    expect(insidePolygon([0, 0, 10, 0, 10, 10, 0, 10], 5, 5)).toBe(true);
    expect(insidePolygon([0, 0, 10, 0, 10, 10, 0, 10], 15, 5)).toBe(false);
    expect(nearestPoint(d, view, 48, 52, 6)).toBe(2);
    expect(nearestPoint(d, view, 30, 30, 6)).toBe(-1);
  });
});

describe("point size", () => {
  it("draws a few calls large and many small, never under 3 px", () => {
    expect(pointSize(19)).toBe(9);
    expect(pointSize(1000)).toBe(6);
    expect(pointSize(10_000)).toBe(3);
    expect(pointSize(50_000)).toBe(3);
    expect(pointSize(0)).toBe(9);
    for (let n = 1; n < 100_000; n *= 3) expect(pointSize(n * 3)).toBeLessThanOrEqual(pointSize(n));
  });
});
