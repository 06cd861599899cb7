import { SEGMENTATION_ALGORITHMS } from "@battycoda/audio";
import { describe, expect, it } from "vitest";
import { DomainError } from "../access/errors.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { withRecordingAudio } from "./common.ts";
import { algorithmDefaults, sanitizeStoredParams, validateParams } from "./params.ts";

const issuesOf = (fn: () => unknown): { path: string; message: string }[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return ((err as DomainError).details as { issues: { path: string; message: string }[] }).issues;
  }
  throw new Error("expected a validation error");
};

describe("segmentation parameters", () => {
  it("accepts every algorithm's own defaults", () => {
    for (const a of SEGMENTATION_ALGORITHMS)
      expect(() => validateParams(a.name, algorithmDefaults(a.name))).not.toThrow();
  });

  it("enforces names, types, ranges, nullability and the cross-field rules of the descriptions", () => {
    expect(issuesOf(() => validateParams("spectral", { nope: 1 }))[0]?.message).toMatch(/nope|Unrecognized/i);
    expect(issuesOf(() => validateParams("spectral", { threshold_db: 2, release_db: 1 }))).toEqual([
      { path: "threshold_db", message: "must be at least 3" },
    ]);
    expect(issuesOf(() => validateParams("threshold", { smooth_window: 1.5 }))[0]?.path).toBe(
      "smooth_window",
    );
    expect(issuesOf(() => validateParams("threshold", { min_duration_ms: null }))[0]?.path).toBe(
      "min_duration_ms",
    );
    expect(validateParams("threshold", { low_hz: null })).toEqual({ low_hz: null });
    expect(issuesOf(() => validateParams("spectral", { threshold_db: 10, release_db: 12 }))[0]?.path).toBe(
      "release_db",
    );
    expect(
      issuesOf(() => validateParams("spectral", { min_duration_ms: 20, max_duration_ms: 5 }))[0]?.path,
    ).toBe("max_duration_ms");
    expect(issuesOf(() => validateParams("energy", { low_hz: 30_000, high_hz: 20_000 }))[0]?.path).toBe(
      "high_hz",
    );
    expect(issuesOf(() => validateParams("spectral", { low_hz: 30_000 }, 44_100))[0]?.message).toMatch(
      /Nyquist/,
    );
    expect(() => validateParams("wavelet", {})).toThrow(/Unknown segmentation algorithm/);
  });

  it("keeps only valid stored values when overlaying a species' last parameters", () => {
    expect(
      sanitizeStoredParams("spectral", { threshold_db: 15, gone: 3, release_db: "x", merge_gap_ms: -1 }),
    ).toEqual({
      threshold_db: 15,
    });
    expect(sanitizeStoredParams("spectral", null)).toEqual({});
  });

  it("refuses stored audio keys that leave the media store, before touching it", async () => {
    const untouched = new LocalMediaStore("/nonexistent-media-root");
    for (const bad of ["../etc/passwd", "/etc/passwd", "g1/../../x.wav"]) {
      await expect(
        withRecordingAudio(untouched, bad, async () => "read"),
        bad,
      ).rejects.toThrow(DomainError);
    }
  });
});
