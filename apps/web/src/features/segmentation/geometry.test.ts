import { describe, expect, it } from "vitest";
import {
  DRAG_THRESHOLD_PX,
  dragSpan,
  drawSpan,
  hitTest,
  MIN_DURATION,
  nudgeSpan,
  nudgeStep,
} from "./geometry";

// 1000 px per second, viewport starting at t = 0.
const timeToX = (t: number) => t * 1000;
const segs = [
  { key: "a", onset: 0.1, offset: 0.2 }, // 100–200 px
  { key: "b", onset: 0.3, offset: 0.305 }, // 300–305 px: narrow
  { key: "c", onset: 0.5, offset: 0.7 }, // 500–700 px
  { key: "d", onset: 0.55, offset: 0.6 }, // inside c
];

describe("hitTest", () => {
  it("finds edges within the tolerance, nearest first", () => {
    expect(hitTest(segs, 103, timeToX)).toEqual({ kind: "segment", key: "a", part: "onset" });
    expect(hitTest(segs, 196, timeToX)).toEqual({ kind: "segment", key: "a", part: "offset" });
    expect(hitTest(segs, 94, timeToX)).toEqual({ kind: "segment", key: "a", part: "onset" });
    expect(hitTest(segs, 93, timeToX)).toEqual({ kind: "empty" });
  });
  it("grabs the body between the edges", () => {
    expect(hitTest(segs, 150, timeToX)).toEqual({ kind: "segment", key: "a", part: "body" });
    expect(hitTest(segs, 250, timeToX)).toEqual({ kind: "empty" });
  });
  it("a narrow segment is moved by its middle and resized by its halves", () => {
    expect(hitTest(segs, 302.5, timeToX)).toEqual({ kind: "segment", key: "b", part: "body" });
    expect(hitTest(segs, 300.5, timeToX)).toEqual({ kind: "segment", key: "b", part: "onset" });
    expect(hitTest(segs, 304.8, timeToX)).toEqual({ kind: "segment", key: "b", part: "offset" });
    expect(hitTest(segs, 309, timeToX)).toEqual({ kind: "segment", key: "b", part: "offset" });
  });
  it("overlapping bodies: the shortest wins, unless another is selected", () => {
    expect(hitTest(segs, 575, timeToX)).toEqual({ kind: "segment", key: "d", part: "body" });
    expect(hitTest(segs, 575, timeToX, { preferKey: "c" })).toEqual({
      kind: "segment",
      key: "c",
      part: "body",
    });
    expect(hitTest(segs, 520, timeToX)).toEqual({ kind: "segment", key: "c", part: "body" });
  });
  it("an edge beats a body under the pointer", () => {
    expect(hitTest(segs, 552, timeToX)).toEqual({ kind: "segment", key: "d", part: "onset" });
  });
  it("respects the viewport mapping", () => {
    const zoomed = (t: number) => (t - 0.1) * 10_000; // 10 px per ms from 0.1 s
    expect(hitTest(segs, 0, zoomed)).toEqual({ kind: "segment", key: "a", part: "onset" });
    expect(hitTest(segs, 500, zoomed)).toEqual({ kind: "segment", key: "a", part: "body" });
  });
  it("has a click threshold", () => expect(DRAG_THRESHOLD_PX).toBeGreaterThan(0));
});

describe("drawSpan", () => {
  const bounds = { duration: 2 };
  it("orders the ends either way", () => {
    expect(drawSpan(0.5, 0.3, bounds)).toEqual({ onset: 0.3, offset: 0.5 });
    expect(drawSpan(0.3, 0.5, bounds)).toEqual({ onset: 0.3, offset: 0.5 });
  });
  it("clamps to the recording", () => {
    expect(drawSpan(-0.2, 0.1, bounds)).toEqual({ onset: 0, offset: 0.1 });
    expect(drawSpan(1.9, 2.5, bounds)).toEqual({ onset: 1.9, offset: 2 });
  });
  it("never shorter than the minimum, even at the end", () => {
    expect(drawSpan(1, 1, bounds)).toEqual({ onset: 1, offset: 1 + MIN_DURATION });
    const end = drawSpan(2, 2.1, bounds);
    expect(end.offset).toBe(2);
    expect(end.offset - end.onset).toBeCloseTo(MIN_DURATION, 9);
  });
  it("rounds to microseconds", () => {
    expect(drawSpan(0.1 + 0.2, 0.70000000001, bounds)).toEqual({ onset: 0.3, offset: 0.7 });
  });
});

describe("dragSpan", () => {
  const bounds = { duration: 1 };
  const s = { onset: 0.2, offset: 0.3 };
  it("moves the body rigidly", () => {
    expect(dragSpan(s, "body", 0.05, bounds)).toEqual({ onset: 0.25, offset: 0.35 });
    expect(dragSpan(s, "body", -0.5, bounds)).toEqual({ onset: 0, offset: 0.1 });
    expect(dragSpan(s, "body", 0.9, bounds)).toEqual({ onset: 0.9, offset: 1 });
  });
  it("resizes one edge and never crosses the other", () => {
    expect(dragSpan(s, "onset", -0.1, bounds)).toEqual({ onset: 0.1, offset: 0.3 });
    expect(dragSpan(s, "onset", 0.5, bounds)).toEqual({ onset: 0.2998, offset: 0.3 });
    expect(dragSpan(s, "onset", -1, bounds)).toEqual({ onset: 0, offset: 0.3 });
    expect(dragSpan(s, "offset", 0.05, bounds)).toEqual({ onset: 0.2, offset: 0.35 });
    expect(dragSpan(s, "offset", -0.5, bounds)).toEqual({ onset: 0.2, offset: 0.2002 });
    expect(dragSpan(s, "offset", 5, bounds)).toEqual({ onset: 0.2, offset: 1 });
  });
  it("honours a custom minimum duration", () => {
    expect(dragSpan(s, "offset", -1, { duration: 1, minDuration: 0.01 })).toEqual({
      onset: 0.2,
      offset: 0.21,
    });
  });
});

describe("nudge", () => {
  it("steps one pixel, ten with Shift, at least 10 µs", () => {
    expect(nudgeStep(0.001, false)).toBe(0.001);
    expect(nudgeStep(0.001, true)).toBe(0.01);
    expect(nudgeStep(1e-7, false)).toBe(1e-5);
  });
  it("moves the chosen part", () => {
    const s = { onset: 0.2, offset: 0.3 };
    expect(nudgeSpan(s, "body", 1, 0.01, { duration: 1 })).toEqual({ onset: 0.21, offset: 0.31 });
    expect(nudgeSpan(s, "onset", -1, 0.01, { duration: 1 })).toEqual({ onset: 0.19, offset: 0.3 });
    expect(nudgeSpan(s, "offset", 1, 0.01, { duration: 0.305 })).toEqual({ onset: 0.2, offset: 0.305 });
  });
});
