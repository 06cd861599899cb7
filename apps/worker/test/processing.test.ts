// The recording pipeline through a real worker: pg-boss, Job rows, pool, files.
import fs from "node:fs";
import path from "node:path";
import { readSpectrogramAttrs, readWavInfo } from "@battycoda/audio";
import { loadConfig } from "@battycoda/config";
import { type Boss, createBoss, enqueueJob } from "@battycoda/core/jobs";
import { resolveStoredPath } from "@battycoda/core/media/media";
import { createGroup, createRecordingFromWav } from "@battycoda/core/processing/testing";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exactSamples,
  generateAll,
  makeTempDir,
  removeTempDir,
  writeFixture,
} from "../../../packages/audio/test/fixtures/generate.ts";
import { type RunningWorker, startWorker } from "../src/worker.ts";

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let worker: RunningWorker;
let sender: Boss;
let groupId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-worker-processing-");
  mediaRoot = path.join(dir, "media");
  const config = loadConfig(
    {
      DATA_DIR: path.join(dir, "data"),
      MEDIA_ROOT: mediaRoot,
      LOG_LEVEL: "warn",
      RECORDING_SPLIT_SECONDS: "60",
    },
    { persistSecretKey: false },
  );
  worker = await startWorker({
    config,
    databaseUrl: t.url,
    handlerOptions: { pollingIntervalSeconds: 0.5 },
    housekeepingCron: null,
    poolThreads: 1,
  });
  sender = await createBoss(t.url);
  groupId = await createGroup(t);
});
afterAll(async () => {
  await sender?.stop({ graceful: false, wait: true });
  await worker?.stop(10_000);
  await t?.drop();
  await removeTempDir(dir);
});

const ingest = (recordingId: string) =>
  enqueueJob(
    { db: t.db, boss: sender },
    {
      type: "recording.ingest",
      payload: { recordingId },
      groupId,
      subjectType: "recording",
      subjectId: recordingId,
    },
  );

const job = (id: string) => t.db.job.findUniqueOrThrow({ where: { id } });

describe("worker: recording processing", () => {
  it("ingests, splits and generates a spectrogram per part", async () => {
    const sampleRate = 48000;
    const wav = await writeFixture(dir, "long", exactSamples(sampleRate * 75, 1, 11), {
      sampleRate,
      bitsPerSample: 24,
    });
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav, { name: "Pond" });
    const ingestJob = await ingest(rec.id);

    await expect.poll(async () => (await job(ingestJob.id)).status, { timeout: 30_000 }).toBe("completed");
    const parts = await t.db.recording.findMany({
      where: { parentRecordingId: rec.id },
      orderBy: { partIndex: "asc" },
    });
    expect(parts.map((p) => p.name)).toEqual(["Pond (Part 1/2)", "Pond (Part 2/2)"]);
    await expect
      .poll(
        async () =>
          (await t.db.recording.findMany({ where: { parentRecordingId: rec.id } })).map(
            (p) => p.processingStatus,
          ),
        { timeout: 60_000, interval: 250 },
      )
      .toEqual(["ready", "ready"]);
    for (const part of await t.db.recording.findMany({ where: { parentRecordingId: rec.id } })) {
      expect(part.bitDepth).toBe(24);
      const attrs = await readSpectrogramAttrs(resolveStoredPath(mediaRoot, part.spectrogramPath ?? ""));
      const info = await readWavInfo(resolveStoredPath(mediaRoot, part.filePath));
      expect(attrs.nFrames).toBe(1 + Math.floor(info.frames / 128));
      const specJob = await t.db.job.findFirstOrThrow({
        where: { type: "spectrogram.generate", subjectId: part.id },
      });
      expect(specJob).toMatchObject({ status: "completed", progress: 1, attempts: 1, groupId });
    }
    expect(await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({
      processingStatus: "ready",
      partCount: 2,
    });
    expect((await job(ingestJob.id)).result).toMatchObject({
      status: "ready",
      parts: parts.map((p) => p.id),
    });
  });

  it("fails a corrupt upload once, with the WAV error on the job and the recording", async () => {
    const { malformed } = await generateAll(await makeTempDir("battycoda-bad-"));
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, malformed.get("text-file") ?? "");
    const ingestJob = await ingest(rec.id);
    await expect.poll(async () => (await job(ingestJob.id)).status, { timeout: 30_000 }).toBe("failed");
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toMatch(/RIFF/);
    // permanent: no retries burnt on a file that cannot get better
    expect(await job(ingestJob.id)).toMatchObject({ attempts: 1, error: row.processingError });
    expect(fs.existsSync(resolveStoredPath(mediaRoot, rec.filePath))).toBe(true);
  });
});
