// `pnpm bench:scale` (issue 15): how far more processes take BattyCoda on this machine.
//  1. spectrogram.generate jobs per minute with 1, 2 and 4 worker processes (the real worker
//     program, each with WORKER_CONCURRENCY=2 and its default pool of one thread per core) over
//     the same recordings, with the ratio against 1 worker measured in the same run;
//  2. ingest throughput through the REST upload route (POST /api/v1/recordings, API key) of a
//     running API process with MEDIA_STORAGE=local and =s3 (s3rver in its own process), in
//     ABBA order so the machine's drifting load hits both alike.
// Prints numbers, asserts nothing: the machine is shared, so compare rows of one run.
//
//   pnpm bench:scale [--recordings 200] [--seconds 5] [--workers 1,2,4] [--upload-concurrency 4]
//                    [--skip-spectrograms] [--skip-ingest] [--build]
import { fork, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { S3StoreSettings } from "@battycoda/config";
import { generateApiKey, registerUser } from "@battycoda/core";
import { createBoss, enqueueJob, QUEUES } from "@battycoda/core/jobs";
import { spectrogramPathFor } from "@battycoda/core/processing";
import { createRecordingFromWav } from "@battycoda/core/processing/testing";
import { createPrismaClient, type Db, type Recording } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import {
  appEntry,
  cpuSeconds,
  machineCpu,
  type Proc,
  poolBundled,
  postgresCpuSeconds,
  ROOT,
  startProc,
  stopProc,
  until,
} from "./bench-scale/procs.ts";
import { type BenchRecording, SAMPLE_RATE, writeRecordings } from "./bench-scale/recordings.ts";

const { values } = parseArgs({
  options: {
    recordings: { type: "string", default: "200" },
    seconds: { type: "string", default: "5" },
    workers: { type: "string", default: "1,2,4" },
    "upload-concurrency": { type: "string", default: "4" },
    "skip-spectrograms": { type: "boolean", default: false },
    "skip-ingest": { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    "s3-server": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});

// Child mode: the S3-compatible store in a process of its own, as it would be on its own host.
if (values["s3-server"]) {
  const { startLocalS3 } = await import("@battycoda/core/maintenance/testing");
  const s3 = await startLocalS3("battycoda-media", "battycoda/");
  process.send?.({ s3: s3.backup });
  process.on("message", (m) => {
    if (m === "stop") void s3.stop().then(() => process.exit(0));
  });
  await new Promise(() => {});
}

if (values.help) {
  process.stdout.write(
    "usage: pnpm bench:scale [--recordings 200] [--seconds 5] [--workers 1,2,4] [--upload-concurrency 4]\n" +
      "                        [--skip-spectrograms] [--skip-ingest] [--build]\n\n" +
      "Spectrogram jobs/min with 1, 2, 4 worker processes; ingest MB/s with local vs S3 media.\n",
  );
  process.exit(0);
}

const RECORDINGS = Number(values.recordings);
const SECONDS = Number(values.seconds);
const WORKER_COUNTS = values.workers.split(",").map(Number);
const UPLOAD_CONCURRENCY = Number(values["upload-concurrency"]);
const WORKER_CONCURRENCY = 2;
const CORES = os.availableParallelism();
// A slot that just ran a job fetches the next at once (registerJobHandler); only an empty fetch
// waits the 2 s polling interval, so polling no longer caps a backlog (it did: 30 jobs/min per slot).
const SECRET = "bench-scale-secret-key-0123456789abcdef0123";

if (values.build) {
  const b = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--quiet"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (b.status !== 0) throw new Error("build failed");
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// A bundle is used only while none of its sources changed; in a checkout others edit, that can
// change between runs, so every row says what it ran.
const ran = () => {
  const w = appEntry("worker").bundled ? "bundle" : "tsx";
  return `worker ${w}, pool threads ${poolBundled() ? "bundle" : "tsx"}`;
};
console.log(
  `machine: ${CORES} cores (${os.cpus()[0]?.model ?? "?"}), ${fmt(os.totalmem() / 2 ** 30)} GiB, ` +
    `node ${process.version}; load average at start ${load()}`,
);
console.log(
  "programs: apps/{worker,api}/dist/main.mjs (production bundles) while fresh, else apps/*/src/main.ts via tsx " +
    `(--build makes them); now: ${ran()}, api ${appEntry("api").bundled ? "bundle" : "tsx"}`,
);

const root = await mkdtemp(path.join(os.tmpdir(), "battycoda-bench-scale-"));
const procs: Proc[] = [];
// Durable (fsync on), as in production: job bookkeeping pays for its commits.
const pg = await startEmbeddedPostgres({ dir: path.join(root, "pg") });
let db: Db | undefined;
let s3Child: ReturnType<typeof fork> | undefined;

function baseEnv(host: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    SECRET_KEY: SECRET,
    DATABASE_URL: pg.url,
    // each process a data folder of its own, as if on its own host
    DATA_DIR: path.join(root, "hosts", host),
    LOG_DIR: path.join(root, "hosts", host, "logs"),
    LOG_LEVEL: "warn",
    SENTRY_DSN: "",
    AWS_SES_ACCESS_KEY_ID: "",
    AWS_SES_SECRET_ACCESS_KEY: "",
    MEDIA_STORAGE: "local",
  };
}

async function spectrogramRuns(db: Db, recs: BenchRecording[], groupId: string) {
  const mediaRoot = path.join(root, "media-spectrograms");
  const rows: Recording[] = [];
  for (const r of recs) rows.push(await createRecordingFromWav({ db }, mediaRoot, groupId, r.path));
  const ids = rows.map((r) => r.id);
  const boss = await createBoss(pg.url);
  const perProcess = Math.min(WORKER_CONCURRENCY, CORES);
  console.log(
    `\nspectrogram.generate: ${recs.length} recordings of ${SECONDS} s at ${SAMPLE_RATE / 1000} kHz, 16-bit; ` +
      `each worker process: WORKER_CONCURRENCY=${WORKER_CONCURRENCY}, pool ${CORES} threads (default: one per core) → ` +
      `${perProcess} spectrograms at once; local media; PostgreSQL durable`,
  );
  const results: { n: number; jpm: number }[] = [];
  try {
    for (const n of WORKER_COUNTS) {
      // same starting state every run: no spectrogram files, recordings pending
      await Promise.all(rows.map((r) => rm(path.join(mediaRoot, spectrogramPathFor(r)), { force: true })));
      await db.recording.updateMany({
        where: { id: { in: ids } },
        data: { processingStatus: "pending", spectrogramPath: null, processingError: null },
      });
      const workerEntry = appEntry("worker");
      const programs = ran();
      const workers: Proc[] = [];
      for (let i = 0; i < n; i++) {
        const env = {
          ...baseEnv(`w${n}-${i}`),
          MEDIA_ROOT: mediaRoot,
          WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
        };
        workers.push(startProc(`worker ${i + 1}/${n}`, workerEntry.args, env));
      }
      procs.push(...workers);
      await until(
        `${n} worker heartbeat(s)`,
        async () =>
          (await db.workerHeartbeat.count({ where: { pid: { in: workers.map((w) => w.pid) } } })) === n,
        180_000,
        workers,
      );

      const cpu0 = workers.map((w) => cpuSeconds(w.pid));
      const pg0 = postgresCpuSeconds(pg.dir);
      const m0 = machineCpu();
      // one transaction: every job becomes visible at the same instant
      const jobIds = await db.$transaction(
        async (tx) => {
          const out: string[] = [];
          for (const r of rows) {
            const job = await enqueueJob(
              { db: tx, boss },
              {
                type: QUEUES.spectrogramGenerate,
                payload: { recordingId: r.id },
                groupId,
                subjectType: "recording",
                subjectId: r.id,
              },
            );
            out.push(job.id);
          }
          return out;
        },
        { timeout: 120_000 },
      );
      const t0 = Date.now();
      await until(
        `${jobIds.length} jobs`,
        async () =>
          (await db.job.count({ where: { id: { in: jobIds }, status: { in: ["completed", "failed"] } } })) ===
          jobIds.length,
        3_600_000,
        workers,
      );
      const cpu = workers.reduce((s, w, i) => s + cpuSeconds(w.pid) - (cpu0[i] ?? 0), 0);
      const pgCpu = postgresCpuSeconds(pg.dir) - pg0;
      const m1 = machineCpu();
      await Promise.all(workers.map((w) => stopProc(w)));

      const jobs = await db.job.findMany({ where: { id: { in: jobIds } } });
      const failed = jobs.filter((j) => j.status !== "completed").length;
      const end = Math.max(...jobs.map((j) => j.finishedAt?.getTime() ?? 0));
      const wall = (end - t0) / 1000;
      const jobSeconds = jobs.map(
        (j) => ((j.finishedAt?.getTime() ?? 0) - (j.startedAt?.getTime() ?? 0)) / 1000,
      );
      const meanJob = jobSeconds.reduce((a, b) => a + b, 0) / jobSeconds.length;
      const jpm = (jobs.length / wall) * 60;
      results.push({ n, jpm });
      const base = results[0]?.jpm ?? jpm;
      const machineSpan = m1.total - m0.total;
      const slots = n * perProcess;
      console.log(
        `  ${n} worker${n > 1 ? "s" : " "} (${String(slots).padStart(2)} slots): ${jobs.length} jobs in ${fmt(wall).padStart(6)} s → ` +
          `${fmt(jpm).padStart(6)} jobs/min (×${fmt(jpm / base, 2)} vs 1 worker)${failed ? `, ${failed} FAILED` : ""} | ` +
          `job wall mean ${fmt(meanJob, 2)} s | CPU per job: workers ${fmt(cpu / jobs.length, 2)} s, ` +
          `PostgreSQL ${fmt(pgCpu / jobs.length, 3)} s | machine busy ${fmt((100 * (m1.busy - m0.busy)) / machineSpan, 0)}% ` +
          `(workers ${fmt((100 * cpu) / machineSpan, 0)}%, PostgreSQL ${fmt((100 * pgCpu) / machineSpan, 0)}%, ` +
          `the rest other users of the machine) | ${programs}`,
      );
      if (n === WORKER_COUNTS[WORKER_COUNTS.length - 1])
        console.log(
          `  CPU ceiling if the ${CORES} cores did nothing else: ${fmt((CORES * 60) / (cpu / jobs.length + pgCpu / jobs.length), 0)} jobs/min ` +
            `(${CORES} × 60 s ÷ CPU-seconds per job, workers + PostgreSQL, as measured in the last run)`,
        );
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

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

async function startApi(name: string, env: NodeJS.ProcessEnv): Promise<{ url: string; proc: Proc }> {
  const apiEntry = appEntry("api");
  console.log(`  ${name}: ${apiEntry.bundled ? "apps/api/dist/main.mjs" : "apps/api/src/main.ts via tsx"}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProc(name, apiEntry.args, {
    ...env,
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: url,
  });
  procs.push(proc);
  await until(`${name} /health`, async () => (await fetch(`${url}/health`)).ok, 120_000, [proc]);
  return { url, proc };
}

async function uploadAll(api: string, key: string, recs: BenchRecording[]): Promise<void> {
  let next = 0;
  const one = async () => {
    for (;;) {
      const r = recs[next++];
      if (!r) return;
      const form = new FormData();
      form.append("name", r.name);
      form.append("file", new Blob([await readFile(r.path)], { type: "audio/wav" }), r.name);
      const res = await fetch(`${api}/api/v1/recordings`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: form,
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`upload of ${r.name}: ${res.status} ${body}`);
    }
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, one));
}

async function ingestRuns(db: Db, recs: BenchRecording[]) {
  s3Child = fork(import.meta.filename, ["--s3-server"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const s3 = await new Promise<S3StoreSettings>((resolve, reject) => {
    s3Child?.once("message", (m) => resolve((m as { s3: S3StoreSettings }).s3));
    s3Child?.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const s3Pid = s3Child.pid as number;
  const storages = {
    local: { MEDIA_STORAGE: "local", MEDIA_ROOT: path.join(root, "media-local") },
    s3: {
      MEDIA_STORAGE: "s3",
      MEDIA_ROOT: path.join(root, "media-root-unused"),
      MEDIA_S3_BUCKET: s3.bucket,
      MEDIA_S3_PREFIX: s3.prefix,
      MEDIA_S3_ENDPOINT: s3.endpoint as string,
      MEDIA_S3_REGION: s3.region,
      MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId as string,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey as string,
    },
  } as const;
  type Kind = keyof typeof storages;
  interface Side {
    url: string;
    proc: Proc;
    key: string;
    groupId: string;
    bytes: number;
    files: number;
    s: number;
    apiCpu: number;
    s3Cpu: number;
  }
  const side = {} as Record<Kind, Side>;
  console.log(
    `\ningest: ${recs.length} WAVs (${fmt(recs.reduce((s, r) => s + r.bytes, 0) / 2 ** 20, 0)} MB) per storage through ` +
      `POST /api/v1/recordings, ${UPLOAD_CONCURRENCY} uploads at once, one API process per storage, halves in ABBA order ` +
      `(local, s3, s3, local); no worker runs, so the queued recording.ingest jobs are not part of it`,
  );
  for (const kind of ["local", "s3"] as const) {
    await mkdir(storages[kind].MEDIA_ROOT, { recursive: true });
    // a user (and API key, so a rate-limit bucket) per storage
    const user = await registerUser(
      { db },
      { email: `${kind}@example.org`, username: `bench-${kind}`, password: "bench-password-1" },
    );
    const { key } = await generateApiKey({ db }, user.id);
    const { groupId } = await db.membership.findFirstOrThrow({ where: { userId: user.id } });
    const api = await startApi(`api (${kind})`, { ...baseEnv(`api-${kind}`), ...storages[kind] });
    side[kind] = { ...api, key, groupId, bytes: 0, files: 0, s: 0, apiCpu: 0, s3Cpu: 0 };
  }
  const half = Math.ceil(recs.length / 2);
  const parts = [recs.slice(0, half), recs.slice(half)];
  const order: [Kind, BenchRecording[]][] = [
    ["local", parts[0] ?? []],
    ["s3", parts[0] ?? []],
    ["s3", parts[1] ?? []],
    ["local", parts[1] ?? []],
  ];
  for (const [kind, batch] of order) {
    const s = side[kind];
    const a0 = cpuSeconds(s.proc.pid);
    const s30 = cpuSeconds(s3Pid);
    const t0 = performance.now();
    await uploadAll(s.url, s.key, batch);
    s.s += (performance.now() - t0) / 1000;
    s.apiCpu += cpuSeconds(s.proc.pid) - a0;
    s.s3Cpu += cpuSeconds(s3Pid) - s30;
    s.files += batch.length;
    s.bytes += batch.reduce((sum, r) => sum + r.bytes, 0);
  }
  const rate = (k: Kind) => ({ mbs: side[k].bytes / 2 ** 20 / side[k].s, fps: side[k].files / side[k].s });
  for (const kind of ["local", "s3"] as const) {
    const s = side[kind];
    const { mbs, fps } = rate(kind);
    const stored = await db.recording.count({ where: { groupId: s.groupId } });
    const underRoot = (
      await readdir(storages[kind].MEDIA_ROOT, { recursive: true, withFileTypes: true })
    ).filter((e) => e.isFile()).length;
    console.log(
      `  ${kind.padEnd(5)}: ${s.files} files, ${fmt(s.bytes / 2 ** 20, 0)} MB in ${fmt(s.s)} s → ${fmt(mbs).padStart(5)} MB/s, ` +
        `${fmt(fps).padStart(5)} files/s | CPU per file: API ${fmt((1000 * s.apiCpu) / s.files, 0)} ms` +
        `${kind === "s3" ? `, s3rver ${fmt((1000 * s.s3Cpu) / s.files, 0)} ms` : ""} | ${stored} recordings in the database, ${underRoot} files under MEDIA_ROOT`,
    );
  }
  console.log(
    `  ratio s3/local: ${fmt(rate("s3").mbs / rate("local").mbs, 2)} (MB/s), ${fmt(rate("s3").fps / rate("local").fps, 2)} (files/s)`,
  );
}

try {
  await migrateDatabase(pg.url);
  db = createPrismaClient(pg.url);
  const t0 = performance.now();
  const recs = await writeRecordings(await mkdtemp(path.join(root, "wav-")), RECORDINGS, SECONDS);
  console.log(
    `generated ${recs.length} recordings (${fmt(recs.reduce((s, r) => s + r.bytes, 0) / 2 ** 20, 0)} MB) in ${fmt((performance.now() - t0) / 1000)} s`,
  );
  const owner = await registerUser(
    { db },
    { email: "bench@example.org", username: "bench", password: "bench-password-1" },
  );
  const groupId = (await db.membership.findFirstOrThrow({ where: { userId: owner.id } })).groupId;
  if (!values["skip-spectrograms"]) await spectrogramRuns(db, recs, groupId);
  if (!values["skip-ingest"]) await ingestRuns(db, recs);
  console.log(`\nload average at end ${load()} (${CORES} cores)`);
  console.log(
    [
      "Ceiling:",
      "- CPU: a spectrogram is CPU-bound (STFT and HDF5 encoding in the pool threads), and every process here",
      `  shares the same ${CORES} cores: the workers, PostgreSQL, the API, s3rver and everyone else using the machine.`,
      "  Once the cores are busy, more processes only stretch each job's wall time and jobs/min flattens at the",
      "  CPU ceiling (one process with one slot per core already gets close to it). Past that, throughput needs",
      "  more cores or hosts, not more processes on one.",
    ].join("\n"),
  );
} finally {
  await Promise.all(procs.map((p) => stopProc(p, 10_000)));
  if (s3Child && s3Child.exitCode === null) {
    const child = s3Child;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.send("stop");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  }
  await db?.$disconnect();
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
