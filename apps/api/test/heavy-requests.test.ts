// CPU-heavy requests run on the API's bounded pool (issue 8 #3): while big spectrogram renders
// run, the event loop still answers /health; a full pool answers 503 + Retry-After (renders and
// the segmentation preview); oversized images are refused with the limit named. A real server on
// a real socket, so the requests are truly concurrent.
import fs from "node:fs";
import path from "node:path";
import { readSpectrogramAttrs, writeSpectrogramFromSamples, writeWavFile } from "@battycoda/audio";
import { resolveGroupAccess } from "@battycoda/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PNG_HEIGHT, MAX_PNG_WIDTH } from "../src/http/recording-files.ts";
import { buildServer } from "../src/server.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

const SAMPLE_RATE = 250_000;
/** 24 s of noise: ~47 000 frames × 257 bins read per full-window render, seconds on the event loop. */
const H5_SECONDS = 24;
const HUGE_PNG = `start=0&end=${H5_SECONDS}&width=2048&height=1024`;

interface Running {
  t: TestEnv;
  app: FastifyInstance;
  base: string;
  user: TestUser;
  recordingId: string;
  /** Recording lookups done so far: the spectrogram routes' last database step before rendering. */
  lookups(): number;
}

let h5File: string;
let wavFile: string;
const running: Running[] = [];

function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

/** A server listening on a free port, with one recording whose spectrogram is the big file. */
async function start(env: Record<string, string>): Promise<Running> {
  const t = await createTestEnv(env);
  let lookups = 0;
  // Observes (does not change) the real client: counts finished recording lookups.
  const db = t.deps.db.$extends({
    query: {
      recording: {
        async findUnique({ args, query }) {
          const found = await query(args);
          lookups++;
          return found;
        },
      },
    },
  }) as unknown as typeof t.deps.db;
  const app = await buildServer({ deps: { ...t.deps, db }, webDistDir: "/nonexistent" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const user = await registerAndLogin(t, "renderer");
  const { groupId } = await resolveGroupAccess(t.deps, { userId: user.id, isSiteAdmin: false });
  const dir = path.join(t.config.mediaRoot, "heavy");
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(h5File, path.join(dir, "spectrogram.h5"));
  fs.copyFileSync(wavFile, path.join(dir, "audio.wav"));
  const rec = await t.deps.db.recording.create({
    data: {
      groupId,
      name: "heavy",
      filePath: "heavy/audio.wav",
      spectrogramPath: "heavy/spectrogram.h5",
      processingStatus: "ready",
      sampleRate: SAMPLE_RATE,
      channels: 1,
      duration: 2,
      bitDepth: 16,
      format: "pcm",
    },
  });
  const r = { t, app, base, user, recordingId: rec.id, lookups: () => lookups };
  running.push(r);
  return r;
}

const get = (r: Running, url: string) =>
  fetch(`${r.base}${url}`, { headers: { cookie: `bc_session=${r.user.token}` } });
interface Body {
  error?: { code?: string; message?: string; data?: { code?: string } };
  result?: { data?: unknown };
}
const json = async (res: Response) => (await res.json()) as Body;
const png = (r: Running, query: string) =>
  get(r, `/api/recordings/${r.recordingId}/spectrogram.png?${query}`);

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "battycoda-heavy-"));
  h5File = path.join(dir, "spectrogram.h5");
  wavFile = path.join(dir, "audio.wav");
  writeSpectrogramFromSamples([noise(H5_SECONDS * SAMPLE_RATE, 7)], SAMPLE_RATE, h5File);
  // Loads h5wasm in this thread now, so no request below waits for it.
  await readSpectrogramAttrs(h5File);
  await writeWavFile(wavFile, [noise(2 * SAMPLE_RATE, 11)], {
    sampleRate: SAMPLE_RATE,
    bitsPerSample: 16,
    format: "pcm",
  });
}, 120_000);

afterAll(async () => {
  for (const r of running) {
    await r.app.close();
    await r.t.close();
  }
  fs.rmSync(path.dirname(h5File), { recursive: true, force: true });
});

describe("heavy requests off the event loop", () => {
  it("/health answers while four huge renders are still running", async () => {
    const r = await start({ API_POOL_THREADS: "2", API_POOL_QUEUE: "4" });
    const order: string[] = [];
    const renders = [0, 1, 2, 3].map(async (i) => {
      const res = await png(r, HUGE_PNG);
      await res.arrayBuffer();
      order.push(`render ${i}: ${res.status}`);
      return res;
    });
    // Once the four have looked up their recording, nothing but rendering is left. On the event
    // loop (the old code) a render then blocks this test too: the timer fires only after one has
    // finished. On the pool it fires on time and /health is asked while all four still run.
    while (r.lookups() < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = performance.now();
    const health = await get(r, "/health");
    const healthMs = performance.now() - t0;
    order.push(`health: ${health.status}`);
    const done = await Promise.all(renders);
    expect(order[0]).toBe("health: 200");
    for (const res of done) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
    }
    const first = Buffer.from(await (await png(r, "start=0&end=0.1&width=64&height=32")).arrayBuffer());
    expect(first.subarray(1, 4).toString()).toBe("PNG");
    // A figure for the record, not an assertion (the machine is shared).
    console.info(`/health answered in ${healthMs.toFixed(1)} ms during 4 concurrent ${HUGE_PNG} renders`);
  }, 120_000);

  it("a full pool answers 503 with Retry-After, renders and segmentation preview alike", async () => {
    const r = await start({ API_POOL_THREADS: "1", API_POOL_QUEUE: "1" });
    const results = await Promise.all([0, 1, 2, 3].map(() => png(r, HUGE_PNG)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503]);
    for (const res of results.filter((x) => x.status === 503)) {
      expect(res.headers.get("retry-after")).toBe("2");
      expect((await json(res)).error).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    }

    // Two renders fill the thread and the queue: the preview is refused, not run on the event loop.
    const before = r.lookups();
    const busy = [png(r, HUGE_PNG), png(r, HUGE_PNG)];
    while (r.lookups() < before + 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const preview = await fetch(`${r.base}/trpc/segmentation.preview`, {
      method: "POST",
      headers: {
        cookie: `bc_session=${r.user.token}`,
        "content-type": "application/json",
        origin: "http://battycoda.test",
      },
      body: JSON.stringify({ recordingId: r.recordingId, algorithmKey: "threshold", params: {}, center: 1 }),
    });
    expect(preview.status).toBe(503);
    expect(preview.headers.get("retry-after")).toBe("2");
    expect((await json(preview)).error?.data?.code).toBe("SERVICE_UNAVAILABLE");
    for (const res of await Promise.all(busy)) expect(res.status).toBe(200);

    // Once the pool is free the preview runs there and answers.
    const ok = await fetch(`${r.base}/trpc/segmentation.preview`, {
      method: "POST",
      headers: {
        cookie: `bc_session=${r.user.token}`,
        "content-type": "application/json",
        origin: "http://battycoda.test",
      },
      body: JSON.stringify({ recordingId: r.recordingId, algorithmKey: "threshold", params: {}, center: 1 }),
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await json(ok)).result?.data).toMatchObject({
      start: expect.any(Number),
      end: expect.any(Number),
    });
  }, 120_000);

  it("refuses oversized images with the limit named", async () => {
    const r = running[0] ?? (await start({}));
    const wide = await png(r, "start=0&end=1&width=8192&height=400");
    expect(wide.status).toBe(400);
    expect((await json(wide)).error?.message).toBe(`width: at most ${MAX_PNG_WIDTH} pixels wide`);
    const tall = await png(r, "start=0&end=1&width=400&height=4096");
    expect(tall.status).toBe(400);
    expect((await json(tall)).error?.message).toBe(`height: at most ${MAX_PNG_HEIGHT} pixels high`);
  });
});
