// Scale-out, shown with real processes: two API processes and three workers on one PostgreSQL,
// media on one S3-compatible store (s3rver), each process with its own data folder as if it ran
// on its own host. 50 uploads are spread over both APIs; one worker is SIGKILLed while it holds a
// job. Every job must complete exactly once, nothing may be lost, and nothing may be written
// under MEDIA_ROOT. Then one recording goes through the rest of the journey across hosts
// (Range playback and spectrogram from the other API, segmentation, export, delete).
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { encodeWav } from "@battycoda/audio";
import { generateApiKey, registerUser } from "@battycoda/core";
import { type LocalS3, startLocalS3 } from "@battycoda/core/maintenance/testing";
import { S3MediaStore } from "@battycoda/core/media/s3-store";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const API_MAIN = path.join(ROOT, "apps/api/src/main.ts");
const WORKER_MAIN = path.join(ROOT, "apps/worker/src/main.ts");
const UPLOADS = 50;
const SAMPLE_RATE = 250_000;
const SECONDS = 3;
const WORKER_CONCURRENCY = 2;

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}

let t: TestDatabase;
let s3: LocalS3;
let dir: string;
let mediaRoot: string;
let store: S3MediaStore;
const procs: Proc[] = [];
const apis: string[] = [];
let apiKey = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function baseEnv(host: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "test",
    DATABASE_URL: t.url,
    // each process its own data folder: a host of its own (staging, cache, secret key file)
    DATA_DIR: path.join(dir, host),
    SECRET_KEY: "multi-process-test-secret-key-0123456789abcdef",
    MEDIA_ROOT: mediaRoot,
    MEDIA_STORAGE: "s3",
    MEDIA_S3_BUCKET: s3.backup.bucket,
    MEDIA_S3_PREFIX: "battycoda/",
    MEDIA_S3_ENDPOINT: s3.backup.endpoint,
    MEDIA_S3_REGION: "us-east-1",
    MEDIA_S3_ACCESS_KEY_ID: "S3RVER",
    MEDIA_S3_SECRET_ACCESS_KEY: "S3RVER",
    LOG_LEVEL: "warn",
    SENTRY_DSN: "",
    AWS_SES_ACCESS_KEY_ID: "",
    AWS_SES_SECRET_ACCESS_KEY: "",
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    WORKER_HEARTBEAT_SECONDS: "0.5",
  };
}

function start(name: string, main: string, env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    cwd: path.dirname(path.dirname(main)),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  child.on("exit", (code, signal) => (out += `\n[${name} exited ${code ?? signal}]`));
  const proc = { name, child, output: () => out.slice(-4000) };
  procs.push(proc);
  return proc;
}

const logs = () => procs.map((p) => `--- ${p.name} ---\n${p.output()}`).join("\n");

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 240_000,
  explain: () => Promise<string> = async () => "",
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}\n${await explain().catch(String)}\n${logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startApi(name: string): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  start(name, API_MAIN, { ...baseEnv(name), HOST: "127.0.0.1", PORT: String(port), PUBLIC_URL: url });
  await until(`${name} /health`, async () => (await fetch(`${url}/health`)).ok);
  return url;
}

async function startWorker(name: string): Promise<Proc> {
  const before = await t.db.workerHeartbeat.count();
  const proc = start(name, WORKER_MAIN, baseEnv(name));
  // one at a time: workers install pg-boss queues on start
  await until(`${name} heartbeat`, async () => (await t.db.workerHeartbeat.count()) > before);
  return proc;
}

/** A distinct 3 s, 16-bit recording: a train of FM calls whose frequency depends on `i`. */
function recording(i: number): Uint8Array {
  const samples = new Float32Array(SAMPLE_RATE * SECONDS);
  const f0 = 60_000 + (i % 10) * 2_000;
  for (let c = 0; c < 20; c++) {
    const onset = Math.round((0.05 + c * 0.14) * SAMPLE_RATE);
    const n = Math.round(0.004 * SAMPLE_RATE);
    let phase = 0;
    for (let k = 0; k < n; k++) {
      const f = f0 - ((f0 - 30_000) * k) / n;
      phase += (2 * Math.PI * f) / SAMPLE_RATE;
      samples[onset + k] = 0.5 * Math.sin(phase) * Math.sin((Math.PI * k) / n);
    }
  }
  for (let k = 0; k < samples.length; k++)
    samples[k] = (samples[k] ?? 0) + (((k * 7919 + i) % 101) - 50) / 50_000;
  return encodeWav([samples], { sampleRate: SAMPLE_RATE, bitsPerSample: 16, format: "pcm" });
}

async function upload(api: string, i: number): Promise<{ id: string; bytes: Uint8Array }> {
  const bytes = recording(i);
  const form = new FormData();
  form.append("name", `night ${i}`);
  form.append("file", new Blob([bytes], { type: "audio/wav" }), `night-${i}.wav`);
  const res = await fetch(`${api}/api/v1/recordings`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}` },
    body: form,
  });
  const body = (await res.json()) as { recording?: { id: string } };
  if (res.status !== 201 || !body.recording)
    throw new Error(`upload ${i}: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.recording.id, bytes };
}

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

const uploaded: { id: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-scale-"));
  mediaRoot = path.join(dir, "media-root-must-stay-empty");
  [t, s3] = await Promise.all([createTestDatabase(), startLocalS3("battycoda-media", "battycoda/")]);
  store = new S3MediaStore({
    s3: { ...s3.backup, prefix: "battycoda/" },
    cacheDir: path.join(dir, "test-cache"),
    cacheMaxBytes: 64 * 1024 * 1024,
  });
  const user = await registerUser(
    { db: t.db },
    { email: "scale@example.org", username: "scale", password: "scale-password-1" },
  );
  apiKey = (await generateApiKey({ db: t.db }, user.id)).key;
  apis.push(await startApi("api-1"));
  apis.push(await startApi("api-2"));
  for (const w of ["worker-1", "worker-2", "worker-3"]) await startWorker(w);
}, 300_000);

afterAll(async () => {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
          p.child.once("exit", () => resolve());
          p.child.kill("SIGTERM");
          setTimeout(() => p.child.kill("SIGKILL"), 10_000).unref();
        }),
    ),
  );
  await t?.drop();
  await s3?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("two APIs and three workers on one database and one S3 store", () => {
  it("runs every job of 50 uploads exactly once, even when a worker is killed mid-job", async () => {
    // 5 uploads in flight at a time, alternating between the two APIs
    let next = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (next < UPLOADS) {
          const i = next++;
          uploaded[i] = await upload(apis[i % 2] as string, i);
        }
      }),
    );
    expect(uploaded.filter(Boolean)).toHaveLength(UPLOADS);

    // Kill a worker while the heartbeat says it holds a job.
    const victim = procs.find((p) => p.name === "worker-1") as Proc;
    const busy = await until("worker-1 holding a job", async () => {
      const beat = await t.db.workerHeartbeat.findFirst({ where: { pid: victim.child.pid as number } });
      const active = (beat?.activeJobs ?? []) as { id: string }[];
      return active.length > 0 ? active : null;
    });
    victim.child.kill("SIGKILL");
    // Whatever was in flight anywhere when it died: the only jobs that may legitimately run twice.
    // That is every running row, and every job pg-boss had handed out: the victim may have
    // fetched a job and died before its row said "running", and that job stays active in pg-boss
    // until the reaper hands it back.
    const inFlight = new Set(
      (await t.db.job.findMany({ where: { status: "running" }, select: { id: true } })).map((j) => j.id),
    );
    const fetched = await t.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT j.id FROM "Job" j JOIN pgboss.job b ON b.name = j.type AND b.id::text = j."bossJobId"
        WHERE b.state = 'active'`,
    );
    for (const j of fetched) inFlight.add(j.id);
    for (const j of busy) inFlight.add(j.id);
    expect(busy.length).toBeGreaterThan(0);

    const ids = uploaded.map((u) => u.id);
    // Ready recordings, and every job settled: an ingest whose worker died after its commit is
    // retried (and finds its work done) after the recording is already ready.
    await until(
      "every recording ready and every job settled",
      async () =>
        (await t.db.recording.count({ where: { id: { in: ids }, processingStatus: "ready" } })) === UPLOADS &&
        (await t.db.job.count({
          where: { subjectType: "recording", subjectId: { in: ids }, status: { in: ["queued", "running"] } },
        })) === 0,
      600_000,
      async () => {
        const stuck = await t.db.recording.findMany({
          where: { id: { in: ids }, processingStatus: { not: "ready" } },
          select: { id: true, processingStatus: true, processingError: true },
        });
        const jobs = await t.db.job.findMany({
          where: { subjectId: { in: stuck.map((r) => r.id) } },
          select: { type: true, subjectId: true, status: true, attempts: true, error: true, bossJobId: true },
        });
        const boss = await t.db.$queryRawUnsafe(
          `SELECT id::text, name, state, retry_count, started_on::text FROM pgboss.job WHERE id::text = ANY($1)`,
          jobs.map((j) => j.bossJobId ?? ""),
        );
        return JSON.stringify({ stuck, jobs, boss }, null, 1);
      },
    );

    const jobs = await t.db.job.findMany({
      where: { subjectType: "recording", subjectId: { in: ids } },
      select: { id: true, type: true, subjectId: true, status: true, attempts: true },
    });
    for (const type of ["recording.ingest", "spectrogram.generate"]) {
      const ofType = jobs.filter((j) => j.type === type);
      // one job per recording, completed once
      expect(ofType.map((j) => j.subjectId).sort(), type).toEqual([...ids].sort());
      expect(
        ofType.every((j) => j.status === "completed"),
        `${type}: ${JSON.stringify(ofType)}`,
      ).toBe(true);
    }
    // Only jobs in flight when the worker died ran twice (their first attempt died with it); the
    // killed worker held at most WORKER_CONCURRENCY jobs of each of the two queues.
    const retried = jobs.filter((j) => j.attempts > 1);
    const unexplained = retried.filter((j) => !inFlight.has(j.id));
    // the workers log every failed attempt and every reaped one: show what they said about these
    const said = logs()
      .split("\n")
      .filter((line) => unexplained.some((j) => line.includes(j.id)))
      .join("\n");
    expect(unexplained, `re-run without a crash\n${said}`).toEqual([]);
    expect(retried.length).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
    expect(jobs.every((j) => j.attempts <= 2)).toBe(true);

    // Every file is in the store, whole; none on the local media folder of any "host".
    const rows = await t.db.recording.findMany({ where: { id: { in: ids } } });
    for (const r of rows) {
      const original = uploaded.find((u) => u.id === r.id) as { bytes: Uint8Array };
      expect((await store.stat(r.filePath))?.size).toBe(original.bytes.length);
      expect(r.spectrogramPath).toBeTruthy();
      expect((await store.stat(r.spectrogramPath as string))?.size ?? 0).toBeGreaterThan(1000);
    }
    expect(filesUnder(mediaRoot)).toEqual([]);
  }, 900_000);

  it("serves playback and spectrograms from the other API, segments, exports and deletes through S3", async () => {
    const rec = uploaded[0] as { id: string; bytes: Uint8Array }; // uploaded through api-1
    const other = apis[1] as string;
    const auth = { authorization: `Bearer ${apiKey}` };

    const ranged = await fetch(`${other}/api/v1/recordings/${rec.id}/audio`, {
      headers: { ...auth, range: "bytes=1000-1999" },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(Buffer.from(rec.bytes.subarray(1000, 2000)))).toBe(
      true,
    );

    const png = await fetch(
      `${other}/api/recordings/${rec.id}/spectrogram.png?start=0&end=1&width=400&height=200`,
      {
        headers: auth,
      },
    );
    expect(png.status).toBe(200);
    expect(png.headers.get("x-spectrogram-source")).toBe("h5");
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");

    const started = await fetch(`${apis[0]}/api/v1/recordings/${rec.id}/segmentations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ algorithmKey: "spectral", params: {}, makeActive: true }),
    });
    const { segmentationId } = (await started.json()) as { segmentationId: string };
    expect(started.status, JSON.stringify(segmentationId)).toBeLessThan(300);
    const seg = await until("segmentation completed", async () => {
      const res = await fetch(`${other}/api/v1/segmentations/${segmentationId}`, { headers: auth });
      const body = (await res.json()) as { status: string; segmentCount: number };
      return body.status === "completed" ? body : null;
    });
    // 20 synthetic calls, with onsets every 140 ms
    expect(seg.segmentCount).toBeGreaterThanOrEqual(18);
    expect(seg.segmentCount).toBeLessThanOrEqual(22);

    const csv = await fetch(`${other}/api/segmentations/${segmentationId}/export.csv`, { headers: auth });
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split("\n").length).toBe(seg.segmentCount + 1);

    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    const removed = await fetch(`${other}/api/v1/recordings/${rec.id}`, { method: "DELETE", headers: auth });
    expect(removed.status).toBe(200);
    expect(await store.stat(row.filePath)).toBeNull();
    expect(await store.stat(row.spectrogramPath as string)).toBeNull();
    expect(filesUnder(mediaRoot)).toEqual([]);

    // Both APIs say who answered.
    const health = await Promise.all(apis.map(async (a) => (await fetch(`${a}/health`)).json()));
    for (const h of health as { host?: unknown; version?: unknown }[]) {
      expect(typeof h.host).toBe("string");
      expect(typeof h.version).toBe("string");
    }
  }, 300_000);
});
