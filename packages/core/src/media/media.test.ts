import { describe, expect, it } from "vitest";
import { parseByteRange } from "./audio.ts";
import { recordingDir, resolveStoredPath, safeFileName } from "./media.ts";

describe("media paths", () => {
  it("lays recordings out per group", () => {
    expect(recordingDir("g1", "r1")).toBe("g1/recordings/r1");
    expect(() => recordingDir("../g", "r1")).toThrow("Unsafe path segment");
  });

  it("resolves DB paths inside MEDIA_ROOT only", () => {
    expect(resolveStoredPath("/srv/media", "g/recordings/r/a.wav")).toBe("/srv/media/g/recordings/r/a.wav");
    for (const bad of ["../etc/passwd", "/etc/passwd", "g/../../x", "", "a\0b"])
      expect(() => resolveStoredPath("/srv/media", bad), bad).toThrow();
  });

  it("makes safe, readable file names", () => {
    expect(safeFileName("../../evil.wav")).toBe("evil.wav");
    expect(safeFileName("C:\\data\\night 1.WAV")).toBe("night 1.WAV");
    expect(safeFileName(".hidden.wav")).toBe("hidden.wav");
    expect(safeFileName('a<b>:"|?*.wav')).toBe("a_b______.wav");
    expect(safeFileName("")).toBe("recording.wav");
    expect(Buffer.byteLength(safeFileName(`${"é".repeat(200)}.wav`))).toBeLessThanOrEqual(120);
  });
});

describe("parseByteRange", () => {
  it.each([
    [undefined, null],
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100, end: 999 }],
    ["bytes=-100", { start: 900, end: 999 }],
    ["bytes=-5000", { start: 0, end: 999 }],
    ["bytes=900-5000", { start: 900, end: 999 }],
    ["bytes=1000-", "unsatisfiable"],
    ["bytes=5-2", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=0-1,5-6", null],
    ["items=0-1", null],
  ] as const)("%s", (header, expected) => {
    expect(parseByteRange(header, 1000)).toEqual(expected);
  });
});
