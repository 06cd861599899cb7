import { describe, expect, it } from "vitest";
import { paramHint, paramSections, parseParams, textFromValues } from "./ParamForm";
import { matchesSearch } from "./SegmentList";

const spec = [
  {
    name: "threshold_db",
    label: "Detection threshold",
    type: "number",
    default: 12,
    min: 3,
    max: 60,
    unit: "dB",
    help: "",
  },
  {
    name: "smooth_window",
    label: "Smoothing",
    type: "integer",
    default: 3,
    min: 1,
    unit: "samples",
    help: "",
  },
  { name: "low_hz", label: "Band from", type: "number", default: null, min: 0, unit: "Hz", help: "" },
] as const;

describe("parameter form", () => {
  it("round-trips values, empty = unset for nullable parameters", () => {
    const text = textFromValues({ threshold_db: 12, smooth_window: 3, low_hz: null });
    expect(text).toEqual({ threshold_db: "12", smooth_window: "3", low_hz: "" });
    expect(parseParams([...spec], text)).toEqual({
      values: { threshold_db: 12, smooth_window: 3, low_hz: null },
      errors: {},
    });
  });
  it("checks type and range from the description", () => {
    const r = parseParams([...spec], { threshold_db: "80", smooth_window: "2.5", low_hz: "x" });
    expect(r.errors).toEqual({
      threshold_db: "At most 60",
      smooth_window: "Whole number",
      low_hz: "Not a number",
    });
    expect(parseParams([...spec], { threshold_db: "", smooth_window: "0", low_hz: "" }).errors).toEqual({
      threshold_db: "Required",
      smooth_window: "At least 1",
    });
  });
});

describe("parameter sections and hints", () => {
  it("keeps sections in order of first appearance, members in spec order", () => {
    const params = [
      { name: "a", group: "Detection" },
      { name: "b", group: "Echoes" },
      { name: "c", group: "Detection" },
      { name: "d", group: undefined },
    ];
    expect(paramSections(params).map((s) => [s.group, s.params.map((p) => p.name)])).toEqual([
      ["Detection", ["a", "c"]],
      ["Echoes", ["b"]],
      [undefined, ["d"]],
    ]);
  });
  it("names the default only where the value leaves it", () => {
    const [threshold, , band] = spec;
    expect(paramHint(threshold, "12", false)).toBeUndefined();
    expect(paramHint(threshold, " 12.0 ", false)).toBeUndefined();
    expect(paramHint(threshold, "9", false)).toBe("default 12");
    expect(paramHint(threshold, "9", true)).toBe("species' last value; default 12");
    expect(paramHint(threshold, "12", true)).toBe("species' last value");
    expect(paramHint(band, "", false)).toBeUndefined();
    expect(paramHint(band, "15000", false)).toBe("default auto");
  });
});

describe("segment search", () => {
  const row = {
    key: "a",
    index: 7,
    onset: 0.1,
    offset: 0.14,
    notes: "FM sweep",
    label: "echo",
    lowFreq: null,
    highFreq: null,
  };
  it("matches notes, label, #number and a time inside the segment", () => {
    expect(matchesSearch(row, "")).toBe(true);
    expect(matchesSearch(row, "sweep")).toBe(true);
    expect(matchesSearch(row, "ECHO")).toBe(true);
    expect(matchesSearch(row, "#7")).toBe(true);
    expect(matchesSearch(row, "#8")).toBe(false);
    expect(matchesSearch(row, "120 ms")).toBe(true);
    expect(matchesSearch(row, "120")).toBe(true);
    expect(matchesSearch(row, "0.13 s")).toBe(true);
    expect(matchesSearch(row, "0.2 s")).toBe(false);
    expect(matchesSearch(row, "social")).toBe(false);
  });
});
