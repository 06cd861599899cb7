import { describe, expect, it } from "vitest";
import { heatColor, luminance, matrixLayout, rowNormalise, textColorOn } from "./confusion";
import { addSample, formatEta, runEta } from "./eta";
import { histogramLayout, niceTicks } from "./histogram";

describe("runEta", () => {
  const run = { processedCount: 300, totalCount: 1000, startedAt: "2026-01-01T00:00:00.000Z" };
  const t0 = Date.parse("2026-01-01T00:00:00.000Z");

  it("uses the rate between the oldest and newest recent samples", () => {
    // 100 calls in 10 s → 10/s; 700 left → 70 s, whatever the average since the start says.
    const samples = [
      { at: t0 + 100_000, processed: 200 },
      { at: t0 + 110_000, processed: 300 },
    ];
    expect(runEta(run, samples, t0 + 110_000)).toBeCloseTo(70, 6);
  });

  it("ignores samples older than the window (a run that waited for R and resumed)", () => {
    const samples = [
      { at: t0, processed: 0 },
      { at: t0 + 200_000, processed: 100 },
      { at: t0 + 205_000, processed: 300 },
    ];
    // within 60 s: 200 calls in 5 s = 40/s → 700 / 40 = 17.5 s
    expect(runEta(run, samples, t0 + 205_000)).toBeCloseTo(17.5, 6);
  });

  it("falls back to the average since startedAt, and gives null when it cannot know", () => {
    // 300 in 30 s → 10/s → 70 s
    expect(runEta(run, [], t0 + 30_000)).toBeCloseTo(70, 6);
    expect(runEta({ ...run, processedCount: 0 }, [], t0 + 30_000)).toBeNull();
    expect(runEta({ ...run, startedAt: null }, [], t0 + 30_000)).toBeNull();
    expect(runEta({ ...run, processedCount: 1000 }, [], t0 + 30_000)).toBeNull();
    expect(runEta({ ...run, totalCount: 0, processedCount: 0 }, [], t0 + 30_000)).toBeNull();
  });

  it("addSample keeps only changes and restarts after a retry", () => {
    let s = addSample([], { at: 1, processed: 5 });
    s = addSample(s, { at: 2, processed: 5 });
    expect(s).toEqual([{ at: 1, processed: 5 }]);
    s = addSample(s, { at: 3, processed: 9 });
    expect(s).toHaveLength(2);
    s = addSample(s, { at: 4, processed: 0 });
    expect(s).toEqual([{ at: 4, processed: 0 }]);
  });
});

describe("formatEta", () => {
  it("formats seconds, minutes and hours", () => {
    expect(formatEta(0.2)).toBe("1 s");
    expect(formatEta(42.1)).toBe("43 s");
    expect(formatEta(185)).toBe("3 min 05 s");
    expect(formatEta(7440)).toBe("2 h 04 min");
    expect(formatEta(null)).toBe("");
    expect(formatEta(Number.NaN)).toBe("");
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe("");
  });
});

describe("histogram", () => {
  it("niceTicks covers the maximum with 1/2/5 steps of whole counts", () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 50, 100]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0)).toEqual([0, 1]);
    const big = niceTicks(12_345);
    expect(big[big.length - 1]).toBeGreaterThanOrEqual(12_345);
    expect(big.length).toBeLessThanOrEqual(6);
  });

  it("lays bars out left to right, heights proportional to counts", () => {
    const edges = Array.from({ length: 21 }, (_, i) => i / 20);
    const counts = Array.from({ length: 20 }, (_, i) => (i === 19 ? 8 : i === 10 ? 4 : 0));
    const h = histogramLayout(edges, counts, 456, 140);
    expect(h.bars).toHaveLength(20);
    expect(h.total).toBe(12);
    expect(h.plot).toEqual({ left: 44, top: 10, width: 400, height: 100 });
    const last = h.bars[19];
    const mid = h.bars[10];
    // y axis 0…8: the tallest bar fills the plot, the 4-count one half of it.
    expect(last?.height).toBeCloseTo(100, 6);
    expect(mid?.height).toBeCloseTo(50, 6);
    expect(h.bars[0]?.height).toBe(0);
    // bin 10 starts at 0.5 → x = 44 + 200 (+ half the 1 px gap)
    expect(mid?.x).toBeCloseTo(244.5, 6);
    expect(mid?.width).toBeCloseTo(19, 6);
    expect(h.xTicks.map((t) => t.x)).toEqual([44, 124, 204, 284, 364, 444]);
    expect(h.yTicks.at(-1)).toEqual({ value: 8, y: 10 });
  });

  it("refuses edges that do not match the counts", () => {
    expect(() => histogramLayout([0, 0.5, 1], [1, 2, 3], 100, 100)).toThrow(/3 edges for 3 bins/);
  });
});

describe("confusion matrix", () => {
  it("normalises each true-class row to 1 (empty rows stay 0)", () => {
    expect(
      rowNormalise([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });

  it("colour scale runs light → dark, monotonic, clamped", () => {
    const lums = [0, 0.25, 0.5, 0.75, 1].map((v) => luminance(heatColor(v)));
    for (let i = 1; i < lums.length; i++) expect(lums[i]).toBeLessThan(lums[i - 1] as number);
    expect(heatColor(-1)).toBe(heatColor(0));
    expect(heatColor(2)).toBe(heatColor(1));
    expect(heatColor(Number.NaN)).toBe(heatColor(0));
    expect(textColorOn(heatColor(0))).toBe("#000");
    expect(textColorOn(heatColor(1))).toBe("#fff");
  });

  it("lays out n × n cells with margins for the longest label", () => {
    const labels = ["FM", "QCF", "social_long"];
    const m = [
      [5, 1, 0],
      [2, 2, 0],
      [0, 0, 0],
    ];
    const l = matrixLayout(labels, m, 600, 7);
    expect(l.cells).toHaveLength(9);
    expect(l.left).toBe(11 * 7 + 14);
    expect(l.top).toBeGreaterThan(11 * 7 * 0.7);
    expect(l.cell).toBeGreaterThanOrEqual(22);
    expect(l.cell).toBeLessThanOrEqual(64);
    expect(l.width).toBeLessThanOrEqual(600);
    const c = l.cells.find((x) => x.row === 1 && x.col === 0);
    expect(c).toMatchObject({ trueLabel: "QCF", predictedLabel: "FM", count: 2, share: 0.5 });
    // many classes: cells shrink to the minimum and the plot may scroll
    const many = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const big = matrixLayout(
      many,
      many.map(() => many.map(() => 1)),
      600,
    );
    expect(big.cell).toBe(22);
    expect(() => matrixLayout(labels, [[1]], 600)).toThrow(/3 × 3/);
  });
});

describe("parseConfidence / pct", () => {
  it("reads fractions and percentages, rejects the rest", async () => {
    const { parseConfidence, pct } = await import("./format");
    expect(parseConfidence("0.7")).toBe(0.7);
    expect(parseConfidence("70")).toBe(0.7);
    expect(parseConfidence(" 70 % ")).toBe(0.7);
    expect(parseConfidence("1")).toBe(1);
    expect(parseConfidence("0.5%")).toBe(0.005);
    expect(parseConfidence("")).toBeUndefined();
    expect(parseConfidence("abc")).toBeUndefined();
    expect(parseConfidence("-0.1")).toBeUndefined();
    expect(parseConfidence("150")).toBeUndefined();
    expect(pct(0.8234)).toBe("82.3%");
    expect(pct(null)).toBe("—");
  });
});

describe("withParam", () => {
  it("sets, replaces and removes one parameter, keeping the others", async () => {
    const { withParam } = await import("./search");
    expect(withParam("?callType=SFM&order=onset", "order", "confidence_desc").toString()).toBe(
      "callType=SFM&order=confidence_desc",
    );
    expect(withParam("?callType=SFM&order=onset", "callType", "").toString()).toBe("order=onset");
    expect(withParam("", "min", "0.5").toString()).toBe("min=0.5");
  });
});
