// A detection run reads its recording from the media store a piece at a time (segmentation/detect.ts): the segments
// and the channel choice are those of the whole recording held at once, and the original algorithms refuse a recording
// too long to hold with a message that says what to use instead.
import path from "node:path";
import { callChannel, segment, writeWavFile } from "@battycoda/audio";
import type { Job } from "@battycoda/db";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeScene } from "../../audio/test/fixtures/confounders.ts";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { detectCalls } from "../src/segmentation/detect.ts";
import { segmentationRunHandler } from "../src/segmentation/handler.ts";

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

describe("a detection run of a long recording", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  it("stops at the next piece when cancelled, writing nothing; else completes", async () => {
    // 200 s of noise at 44.1 kHz: four pieces.
    const sr = 44100;
    const noise = new Float32Array(200 * sr);
    let seed = 1;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      noise[i] = 0.01 * (seed / 2 ** 31 - 0.5);
    }
    await writeWavFile(path.join(dir, "long-run.wav"), [noise], {
      sampleRate: sr,
      bitsPerSample: 16,
      format: "pcm",
    });
    const group = await t.db.group.create({ data: { name: "G" } });
    const rec = await t.db.recording.create({
      data: { groupId: group.id, name: "long", filePath: "long-run.wav" },
    });
    const run = async (cancelAfterChecks: number) => {
      const seg = await t.db.segmentation.create({
        data: {
          groupId: group.id,
          recordingId: rec.id,
          name: "run",
          parameters: { algorithm: "spectral", params: {} },
        },
      });
      let checks = 0;
      const progress: number[] = [];
      const ctx = {
        job: {} as Job,
        payload: { segmentationId: seg.id },
        db: t.db,
        boss: {} as PgBoss,
        attempt: 1,
        retriesLeft: 0,
        setProgress: async (p: number) => {
          progress.push(p);
        },
        setMessage: async () => {},
        isCancelled: async () => ++checks > cancelAfterChecks,
      };
      const result = await segmentationRunHandler({ media })(ctx);
      const after = await t.db.segmentation.findUniqueOrThrow({ where: { id: seg.id } });
      return { result, after, checks, progress };
    };

    const cancelled = await run(1);
    expect(cancelled.result).toMatchObject({ skipped: "cancelled" });
    expect(cancelled.after.status).toBe("cancelled");
    expect(cancelled.checks).toBe(2); // after the first piece, and the second: then it stopped
    expect(Math.max(...cancelled.progress)).toBeLessThan(0.9);
    expect(await t.db.segment.count({ where: { segmentationId: cancelled.after.id } })).toBe(0);

    const completed = await run(Number.POSITIVE_INFINITY);
    expect(completed.after.status).toBe("completed");
    expect(completed.progress).toContain(0.9);
  });
});
