// Ingest benchmark: a generated ZIP of WAVs goes through the real upload route
// (POST /api/recordings/upload-zip, streamed multipart) in an API process, then through the
// real upload.process handler in a worker process. Reports throughput and the peak RSS (VmHWM)
// of both processes at two ZIP sizes: peak RSS should not grow with the ZIP.
//
//   pnpm bench:ingest                 # 256 MB and 1024 MB
//   pnpm bench:ingest --size-mb 200   # 50 MB and 200 MB
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { encodeWav } from "@battycoda/audio";
import { generateApiKey, registerUser } from "@battycoda/core";
import { createPrismaClient } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import yazl from "yazl";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sizeMb = Number(arg("size-mb") ?? 1024);
const sizes = [Math.max(20, Math.round(sizeMb / 4)), sizeMb];
const FILE_MB = 10;

const here = import.meta.dirname;
const root = await mkdtemp(path.join(os.tmpdir(), "battycoda-bench-ingest-"));

/** 10 MB WAV of noise at 384 kHz, 16-bit (incompressible, like real field recordings). */
function noiseWav(seed: number): Uint8Array {
  const frames = Math.floor((FILE_MB * 1024 * 1024 - 44) / 2);
  const x = new Float32Array(frames);
  const r = randomBytes(frames);
  for (let i = 0; i < frames; i++) x[i] = ((r[i] as number) - 128) / 256 + seed * 0;
  return encodeWav([x], { sampleRate: 384_000, bitsPerSample: 16, format: "pcm" });
}

async function makeZip(file: string, mb: number): Promise<number> {
  const zip = new yazl.ZipFile();
  const wav = Buffer.from(noiseWav(1));
  const n = Math.max(1, Math.round(mb / FILE_MB));
  // stored, not deflated: noise does not compress and deflating 1 GB would time the bench tool
  for (let i = 0; i < n; i++) zip.addBuffer(wav, `site${i % 4}/night${i}.wav`, { compress: false });
  zip.end();
  await pipeline(zip.outputStream as unknown as Readable, createWriteStream(file));
  return n;
}

function peakRssMb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then(
    (s) => Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024,
  );
}

function startChild(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; msg: { port?: number } }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, script), [], {
      env,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.once("message", (msg) => resolve({ child, msg: msg as { port?: number } }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.send("stop");
  });
}

function postZip(
  port: number,
  apiKey: string,
  file: string,
  size: number,
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="batch.zip"\r\nContent-Type: application/zip\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/recordings/upload-zip",
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": String(head.length + size + tail.length),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.write(head);
    const s = createReadStream(file, { highWaterMark: 1 << 20 });
    s.pipe(req, { end: false });
    s.on("end", () => req.end(tail));
  });
}

const pg = await startEmbeddedPostgres({ dir: path.join(root, "pg"), ephemeral: true });
const results: string[] = [];
try {
  for (const mb of sizes) {
    const dbName = `bench_${mb}`;
    const admin = createPrismaClient(pg.adminUrl);
    await admin.$executeRawUnsafe(`CREATE DATABASE ${dbName}`);
    await admin.$disconnect();
    const url = new URL(pg.adminUrl);
    url.pathname = `/${dbName}`;
    const databaseUrl = url.toString();
    await migrateDatabase(databaseUrl);
    const db = createPrismaClient(databaseUrl);
    const user = await registerUser(
      { db },
      {
        email: `b${mb}@example.org`,
        username: `bench${mb}`,
        password: "bench-password-1",
      },
    );
    const { key } = await generateApiKey({ db }, user.id);

    const zipFile = path.join(root, `batch-${mb}.zip`);
    const files = await makeZip(zipFile, mb);
    const zipBytes = (await stat(zipFile)).size;
    const mediaRoot = path.join(root, `media-${mb}`);
    const env = {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(root, `data-${mb}`),
      MEDIA_ROOT: mediaRoot,
      MAX_UPLOAD_SIZE_MB: String(sizeMb * 2 + 100),
      LOG_LEVEL: "warn",
    };
    const api = await startChild("ingest-api.ts", env);
    const worker = await startChild("ingest-worker.ts", env);
    const baseApi = await peakRssMb(api.child.pid as number);
    const baseWorker = await peakRssMb(worker.child.pid as number);

    const t0 = performance.now();
    const res = await postZip(api.msg.port as number, key, zipFile, zipBytes);
    const t1 = performance.now();
    if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${res.body}`);
    const { uploadId } = JSON.parse(res.body) as { uploadId: string };
    let status = "";
    for (;;) {
      const u = await db.upload.findUniqueOrThrow({ where: { id: uploadId } });
      status = u.status;
      if (status === "completed" || status === "failed") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const t2 = performance.now();
    const created = await db.recording.count();
    const apiPeak = await peakRssMb(api.child.pid as number);
    const workerPeak = await peakRssMb(worker.child.pid as number);
    await stopChild(api.child);
    await stopChild(worker.child);
    await db.$disconnect();
    const mbs = zipBytes / 1024 / 1024;
    const line =
      `${mbs.toFixed(0).padStart(5)} MB ZIP, ${files} WAVs → ${status}, ${created} recordings | ` +
      `upload ${(mbs / ((t1 - t0) / 1000)).toFixed(0)} MB/s (${((t1 - t0) / 1000).toFixed(1)} s), ` +
      `process ${(mbs / ((t2 - t1) / 1000)).toFixed(0)} MB/s (${((t2 - t1) / 1000).toFixed(1)} s), ` +
      `end-to-end ${(mbs / ((t2 - t0) / 1000)).toFixed(0)} MB/s | ` +
      `peak RSS api ${apiPeak.toFixed(0)} MB (idle ${baseApi.toFixed(0)}), worker ${workerPeak.toFixed(0)} MB (idle ${baseWorker.toFixed(0)})`;
    console.log(line);
    results.push(line);
    await rm(zipFile, { force: true });
    await rm(mediaRoot, { recursive: true, force: true });
  }
} finally {
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
