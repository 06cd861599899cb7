import { describe, expect, it } from "vitest";
import { methodsText, type RunStamp } from "./stamp.ts";

const stamp = (parameters: unknown): RunStamp => ({
  stampVersion: 1,
  createdAt: "2026-12-07T00:00:00.000Z",
  recording: {
    id: "r",
    name: "pond",
    sha256: "a".repeat(64),
    sampleRate: 384_000,
    channels: 1,
    duration: 0.5,
  },
  spectrogram: null,
  segmentation: {
    id: "s",
    name: "Spectral run",
    source: "algorithm",
    algorithm: "spectral",
    parameters,
    version: 1,
    manuallyEdited: false,
    segments: 19,
  },
  features: { extractor: "warbleR port", version: "1", channel: 0, names: ["duration"] },
  classifier: {
    id: null,
    name: "Dummy",
    type: "dummy",
    version: null,
    trainingDataHash: null,
    trainingRows: null,
    classes: null,
    trainedWith: null,
  },
  dummy: true,
  r: null,
  warnings: [],
});

describe("methods text", () => {
  it("spells out a run's nested detector parameters as prose, unset ones as automatic", () => {
    const text = methodsText(
      stamp({ algorithm: "spectral", params: { threshold_db: 12, low_hz: null, end_cliff_db: 10 } }),
    );
    expect(text).toContain(
      "(algorithm = spectral, threshold_db = 12, low_hz = automatic, end_cliff_db = 10)",
    );
    // no JSON: it made one unbreakable word as long as the page is wide
    expect(text).not.toMatch(/[{}"]\w+":/);
  });
  it("says 'default parameters' when none were stored", () => {
    expect(methodsText(stamp(null))).toContain("segmentation algorithm (default parameters)");
    expect(methodsText(stamp({}))).toContain("segmentation algorithm (default parameters)");
  });
});
