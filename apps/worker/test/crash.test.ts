// The worker is SIGKILLed in the middle of a spectrogram; a new worker must finish the job with
// a complete file and no temp files left. Recovery is immediate (job leases, see
// packages/core/src/jobs/leases.ts), not after the queue's hour-long expiry.
import { type ChildProcess, spawn } from "node:child_process";
import { open, readdir } from "node:fs/promises";
import path from "node:path";
import { buildWavHeader, encodeFrames, readSpectrogramAttrs, readSpectrogramWindow } from "@battycoda/audio";
import { type Boss, createBoss, enqueueJob } from "@battycoda/core/jobs";
import { resolveStoredPath } from "@battycoda/core/media/media";
import { createGroup, createRecordingFromWav } from "@battycoda/core/processing/testing";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../../packages/audio/test/fixtures/generate.ts";

const WORKER_DIR = path.resolve(import.meta.dirname, "..");
const SAMPLE_RATE = 250_000;
const SECONDS = 150;

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let sender: Boss;
const children: ChildProcess[] = [];

/** A long 16-bit file written block by block (never the whole signal in memory). */
async function writeLongWav(file: string): Promise<void> {
  const frames = SAMPLE_RATE * SECONDS;
  const fmt = { sampleRate: SAMPLE_RATE, bitsPerSample: 16, format: "pcm" as const };
  const fh = await open(file, "w");
  try {
    await fh.write(buildWavHeader(fmt, 1, frames * 2));
    const block = new Float32Array(SAMPLE_RATE);
    for (let s = 0; s < SECONDS; s++) {
      // a 40 kHz tone with a slow chirp plus a little deterministic noise
      for (let i = 0; i < block.length; i++) {
        const n = s * SAMPLE_RATE + i;
        block[i] =
          0.3 * Math.sin((2 * Math.PI * (40_000 + (n % 25_000)) * n) / SAMPLE_RATE) +
          ((n * 7919) % 97) / 9700;
      }
      await fh.write(encodeFrames([block], fmt));
    }
  } finally {
    await fh.close();
  }
}

function startWorkerProcess(label: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: WORKER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      DATA_DIR: path.join(dir, "data"),
      MEDIA_ROOT: mediaRoot,
      LOG_LEVEL: "info",
      SENTRY_DSN: "",
      WORKER_CONCURRENCY: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  child.on("exit", (code, signal) => (out += `\n[${label} exited ${code ?? signal}]`));
  return { child, output: () => out };
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => c.once("exit", () => resolve()));

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-crash-");
  mediaRoot = path.join(dir, "media");
  sender = await createBoss(t.url);
});
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGKILL");
      await exited(c);
    }
  }
  await sender?.stop({ graceful: false, wait: true });
  await t?.drop();
  await removeTempDir(dir);
});

it("finishes a spectrogram after its worker is killed mid-job, leaving a complete file and no temp files", async () => {
  const groupId = await createGroup(t);
  const wav = path.join(dir, "long.wav");
  await writeLongWav(wav);
  const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav);
  const recDir = path.dirname(resolveStoredPath(mediaRoot, rec.filePath));
  const job = await enqueueJob(
    { db: t.db, boss: sender },
    {
      type: "spectrogram.generate",
      payload: { recordingId: rec.id },
      groupId,
      subjectType: "recording",
      subjectId: rec.id,
      retryDelay: 1, // the queue's 30 s backoff would only slow the test down
    },
  );
  const jobRow = () => t.db.job.findUniqueOrThrow({ where: { id: job.id } });

  const first = startWorkerProcess("worker 1");
  // Well into the job: also past the reaper's 5 s grace for start times.
  await expect
    .poll(async () => (await jobRow()).progress, { timeout: 90_000, interval: 200 })
    .toBeGreaterThan(0.3);
  const before = await jobRow();
  expect(before).toMatchObject({ status: "running", attempts: 1 });
  expect(before.message).toMatch(/^Spectrogram \d+% · about/);
  first.child.kill("SIGKILL");
  await exited(first.child);
  // the killed attempt's half-written HDF5 is still there
  expect((await readdir(recDir)).some((f) => f.startsWith("spectrogram.h5.") && f.endsWith(".tmp"))).toBe(
    true,
  );
  expect((await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).spectrogramPath).toBeNull();

  const second = startWorkerProcess("worker 2");
  try {
    await expect
      .poll(async () => (await jobRow()).status, { timeout: 120_000, interval: 500 })
      .toBe("completed");
  } catch (err) {
    console.error(second.output());
    throw err;
  }
  expect(second.output()).toMatch(/its worker died during attempt 1 → retry/);
  const done = await jobRow();
  expect(done).toMatchObject({ attempts: 2, progress: 1, error: null });

  const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
  expect(row).toMatchObject({ processingStatus: "ready", processingError: null });
  const h5 = resolveStoredPath(mediaRoot, row.spectrogramPath ?? "");
  const attrs = await readSpectrogramAttrs(h5);
  expect(attrs).toMatchObject({
    sampleRate: SAMPLE_RATE,
    nFreqBins: 257,
    nFrames: 1 + Math.floor((SAMPLE_RATE * SECONDS) / 128),
  });
  // the last chunk is readable and holds real values (a truncated file would fail here)
  const tail = await readSpectrogramWindow(h5, { start: SECONDS - 0.5 });
  expect(tail.frames * tail.framesPerColumn).toBeGreaterThan(900);
  expect(Array.from(tail.data).every(Number.isFinite)).toBe(true);
  expect((await readdir(recDir)).sort()).toEqual(["long.wav", "spectrogram.h5"]);

  second.child.kill("SIGTERM");
  await exited(second.child);
}, 300_000);
