import { describe, expect, it } from "vitest";
import { isSegmentFileName, isWavName, matchSegmentFiles } from "../src/index.ts";

describe("matchSegmentFiles", () => {
  it("pairs <wav name>.ext and <stem>.ext, extensions case-insensitive", () => {
    const r = matchSegmentFiles(
      ["bat1.wav", "Bat2.WAV", "site/bat3.wav", "bat4.wav", "lonely.wav"],
      ["bat1.wav.pickle", "Bat2.WAV.CSV", "site/bat3.txt", "bat4.Pkl", "orphan.csv", "readme.md"],
    );
    expect(r.pairs).toEqual([
      { wav: "bat1.wav", segmentFile: "bat1.wav.pickle" },
      { wav: "Bat2.WAV", segmentFile: "Bat2.WAV.CSV" },
      { wav: "site/bat3.wav", segmentFile: "site/bat3.txt" },
      { wav: "bat4.wav", segmentFile: "bat4.Pkl" },
    ]);
    expect(r.unmatchedWavs).toEqual(["lonely.wav"]);
    expect(r.unmatchedSegmentFiles).toEqual(["orphan.csv", "readme.md"]);
    expect(r.ambiguous).toEqual([]);
  });

  it("prefers the WAV's own folder, then the full-name form", () => {
    const r = matchSegmentFiles(
      ["a/x.wav", "b/x.wav", "c/y.wav"],
      ["a/x.csv", "b/x.wav.csv", "b/x.csv", "segs/y.wav.pickle"],
    );
    expect(r.pairs).toEqual([
      { wav: "a/x.wav", segmentFile: "a/x.csv" },
      { wav: "b/x.wav", segmentFile: "b/x.wav.csv" },
      { wav: "c/y.wav", segmentFile: "segs/y.wav.pickle" },
    ]);
    expect(r.unmatchedSegmentFiles).toEqual(["b/x.csv"]);
  });

  it("reports, rather than guesses, ambiguous pairings", () => {
    const r = matchSegmentFiles(["a/x.wav", "b/x.wav", "z.wav"], ["other/x.csv", "z.csv", "z.txt"]);
    expect(r.pairs).toEqual([]);
    expect(r.ambiguous).toEqual([
      { wav: "a/x.wav", candidates: ["other/x.csv"] },
      { wav: "b/x.wav", candidates: ["other/x.csv"] },
      { wav: "z.wav", candidates: ["z.csv", "z.txt"] },
    ]);
    expect(r.unmatchedWavs).toEqual([]);
  });

  it("falls back to a case-insensitive stem only when exact fails", () => {
    const r = matchSegmentFiles(["REC_001.wav"], ["rec_001.csv"]);
    expect(r.pairs).toEqual([{ wav: "REC_001.wav", segmentFile: "rec_001.csv" }]);
    const two = matchSegmentFiles(["A.wav", "a.wav"], ["a.csv"]);
    expect(two.pairs).toEqual([{ wav: "a.wav", segmentFile: "a.csv" }]);
    expect(two.unmatchedWavs).toEqual(["A.wav"]);
  });

  it("classifies names", () => {
    expect(isWavName("x.WAV")).toBe(true);
    expect(isWavName("x.wav.csv")).toBe(false);
    expect(isSegmentFileName("x.wav.PICKLE")).toBe(true);
    expect(isSegmentFileName("x.json")).toBe(false);
  });
});
