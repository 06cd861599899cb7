// A WAV cut short (the first 30 000 bytes of the real 8.9 s bat1_angie_19.wav) uploaded alone and
// inside a ZIP: kept as a recording, and said so in the upload's answer and in the batch report; and a
// time-expanded one, which the report says is read in real time.
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { encodeWav } from "@battycoda/audio";
import { createMediaStore, createUploadProcessHandler } from "@battycoda/core";
import { QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { copyShared, createRecordingsEnv, type RecordingsEnv, upload } from "./recordings-fixtures.ts";

let env: RecordingsEnv;
let cut: Buffer;

beforeAll(async () => {
  env = await createRecordingsEnv();
  // Shared data missing in CI must fail the run, not skip it.
  cut = (await readFile(await copyShared(env, "bat1_angie_19.wav"))).subarray(0, 30_000);
  await registerJobHandler(
    { db: env.t.deps.db, boss: env.boss },
    QUEUES.uploadProcess,
    createUploadProcessHandler({ media: createMediaStore(env.t.config) }),
    { pollingIntervalSeconds: 0.5 },
  );
});
afterAll(async () => {
  await env?.close();
});

/** Uploads one WAV inside a ZIP and waits for the batch report's entry for it. */
async function zipReportEntry(wav: Buffer, entryPath: string) {
  const zip = new yazl.ZipFile();
  zip.addBuffer(wav, entryPath);
  zip.end();
  const file = path.join(env.dir, `${path.basename(entryPath)}.zip`);
  await pipeline(zip.outputStream as unknown as Readable, createWriteStream(file));
  const res = await upload(env.app, "/api/recordings/upload-zip", { cookie: env.a.token }, {}, [
    { field: "file", filename: path.basename(file), content: await readFile(file) },
  ]);
  expect(res.statusCode, res.body).toBe(202);
  const { uploadId } = res.json();
  let report = null;
  for (let i = 0; i < 120 && !report; i++) {
    const u = await env.a.caller.recordings.uploadReport({ uploadId });
    if (u.status === "completed" || u.status === "failed") report = u.report;
    else await new Promise((r) => setTimeout(r, 250));
  }
  return report?.entries.find((e) => e.path === entryPath);
}

describe("truncated WAV uploads", () => {
  it("a single upload answers with the recording flagged, declared and actual lengths", async () => {
    const res = await upload(env.app, "/api/recordings/upload", { cookie: env.a.token }, {}, [
      { field: "file", filename: "angie_cut.wav", content: cut },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const { recording } = res.json();
    expect(recording).toMatchObject({ truncated: true });
    expect(recording.declaredDuration).toBeCloseTo(8.9, 1);
    expect(recording.duration).toBeCloseTo(0.17, 2);
  });

  it("the batch report keeps the file and carries a warning with both lengths", async () => {
    const entry = await zipReportEntry(cut, "night/angie_cut.wav");
    expect(entry?.status).toBe("created");
    expect(entry?.warning).toMatch(/declares 8\.\d\d s of audio but the file holds only 0\.17 s/);
  });

  it("the batch report says a time-expanded WAV is read in real time", async () => {
    const te = encodeWav([new Float32Array(44_100)], {
      sampleRate: 44_100,
      bitsPerSample: 16,
      format: "pcm",
      metadata: { guano: { fields: { "GUANO|Version": "1.0", TE: "10" } } },
    });
    const entry = await zipReportEntry(Buffer.from(te), "night/te_x10.wav");
    expect(entry?.status).toBe("created");
    expect(entry?.warning).toBe(
      "Time-expanded x10 file: its header says 44.1 kHz; read in real time at 441 kHz, 0.10 s of the bat's time",
    );
  });
});
