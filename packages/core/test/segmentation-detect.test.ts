// A detection run reads its recording from the media store a piece at a time (segmentation/detect.ts): the segments
// and the channel choice are those of the whole recording held at once, and the original algorithms refuse a recording
// too long to hold with a message that says what to use instead.
import path from "node:path";
import { callChannel, segment, writeWavFile } from "@battycoda/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeScene } from "../../audio/test/fixtures/confounders.ts";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { detectCalls } from "../src/segmentation/detect.ts";

let dir: string;
let media: LocalMediaStore;
const SR = 192000;

beforeAll(async () => {
  dir = await makeTempDir("detect-");
  media = new LocalMediaStore(dir);
});
afterAll(() => removeTempDir(dir));

describe("detectCalls", () => {
  it("reads a long two-channel recording in pieces: the whole recording's channel and segments", async () => {
    const near = makeScene("field", SR, 7, { seconds: 14 }).samples;
    // The far microphone: the calls 8 dB weaker and 9 ms later, over its own noise.
    const delay = Math.round(0.009 * SR);
    const far = makeScene("clean", SR, 8, { seconds: 14 }).samples.map(
      (v, i) => 0.2 * v + (i >= delay ? 0.4 * (near[i - delay] as number) : 0),
    );
    await writeWavFile(path.join(dir, "two.wav"), [far, near], {
      sampleRate: SR,
      bitsPerSample: 32,
      format: "float",
    });
    const fractions: number[] = [];
    const got = await detectCalls(
      media,
      "two.wav",
      { algorithm: "spectral", params: {}, channel: null },
      null,
      async (f) => {
        fractions.push(f);
      },
      2,
    );
    expect(callChannel([far, near], SR)).toBe(1);
    expect(got.channelUsed).toBe(1);
    const whole = segment(near, SR);
    expect(whole.length).toBeGreaterThan(20);
    expect(got.segments.map((s) => s.onset)).toEqual(whole.map((s) => expect.closeTo(s.onset, 9)));
    expect(got.segments.map((s) => s.highFreq)).toEqual(whole.map((s) => s.highFreq));
    expect(fractions.length).toBeGreaterThan(4);
    expect(fractions.at(-1)).toBe(1);

    // A channel asked for is read as asked; a channel the file lacks is a clear error.
    const asked = await detectCalls(
      media,
      "two.wav",
      { algorithm: "spectral", params: {}, channel: 0 },
      null,
      async () => {},
    );
    expect(asked.channelUsed).toBe(0);
    await expect(
      detectCalls(media, "two.wav", { algorithm: "spectral", params: {}, channel: 2 }, null, async () => {}),
    ).rejects.toThrow(/Channel 2 does not exist \(the file has 2\)/);
  });

  it("runs the original algorithms on the whole recording, and refuses one too long to hold", async () => {
    const x = makeScene("clean", 48000, 2, { seconds: 3 }).samples;
    await writeWavFile(path.join(dir, "mono.wav"), [x], {
      sampleRate: 48000,
      bitsPerSample: 16,
      format: "pcm",
    });
    const got = await detectCalls(
      media,
      "mono.wav",
      { algorithm: "threshold", params: {}, channel: null },
      null,
      async () => {},
    );
    const whole = segment(
      Float32Array.from(x, (v) => Math.round(v * 32767) / 32767),
      48000,
      { algorithm: "threshold" },
    );
    expect(got).toEqual({ segments: whole, channelUsed: null });

    // A 12-minute 384 kHz header over a few samples: refused before anything is read.
    const { buildWavHeader } = await import("@battycoda/audio");
    const frames = 12 * 60 * 384000;
    const header = buildWavHeader({ sampleRate: 384000, bitsPerSample: 16, format: "pcm" }, 1, frames * 2);
    const { writeFile, truncate } = await import("node:fs/promises");
    await writeFile(path.join(dir, "long.wav"), header);
    await truncate(path.join(dir, "long.wav"), header.length + frames * 2);
    await expect(
      detectCalls(
        media,
        "long.wav",
        { algorithm: "energy", params: {}, channel: null },
        null,
        async () => {},
      ),
    ).rejects.toThrow(
      /energy algorithm holds the whole recording in memory .* 11\.7 min .* lasts 12\.0 min\. The spectral detector/,
    );
  });
});
