// CPU-heavy requests run on the API's bounded pool (issue 8 #3): while big spectrogram renders
// run, the event loop still answers /health; a full pool answers 503 + Retry-After (renders and
// the segmentation preview); oversized images are refused with the limit named. A real server on
// a real socket, so the requests are truly concurrent.
import fs from "node:fs";
import path from "node:path";
import {
  AudioPool,
  readSpectrogramAttrs,
  SpectrogramCancelledError,
  writeSpectrogramFromSamples,
  writeWavFile,
} from "@battycoda/audio";
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
}

let h5File: string;
let wavFile: string;
/** Long enough that a spectrogram job on it takes seconds: what holds the pool full. */
let longWavFile: string;
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
async function start(pool?: AudioPool): Promise<Running> {
  const t = await createTestEnv();
  const app = await buildServer({
    deps: { ...t.deps, ...(pool ? { pool } : {}) },
    webDistDir: "/nonexistent",
  });
  if (pool) app.addHook("onClose", () => pool.destroy());
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
  const r = { t, app, base, user, recordingId: rec.id };
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
const postPreview = (r: Running) =>
  fetch(`${r.base}/trpc/segmentation.preview`, {
    method: "POST",
    headers: {
      cookie: `bc_session=${r.user.token}`,
      "content-type": "application/json",
      origin: "http://battycoda.test",
    },
    body: JSON.stringify({ recordingId: r.recordingId, algorithmKey: "threshold", params: {}, center: 1 }),
  });

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "battycoda-heavy-"));
  h5File = path.join(dir, "spectrogram.h5");
  wavFile = path.join(dir, "audio.wav");
  writeSpectrogramFromSamples([noise(H5_SECONDS * SAMPLE_RATE, 7)], SAMPLE_RATE, h5File);
  // Loads h5wasm in this thread now, so no request below waits for it.
  await readSpectrogramAttrs(h5File);
  longWavFile = path.join(dir, "long.wav");
  await writeWavFile(longWavFile, [noise(60 * SAMPLE_RATE, 13)], {
    sampleRate: SAMPLE_RATE,
    bitsPerSample: 16,
    format: "pcm",
  });
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
    const pool = new AudioPool({ threads: 2, maxQueue: 4 });
    const r = await start(pool);
    const order: string[] = [];
    const renders = [0, 1, 2, 3].map(async (i) => {
      const res = await png(r, HUGE_PNG);
      await res.arrayBuffer();
      order.push(`render ${i}: ${res.status}`);
      return res;
    });
    // All four on the pool: two render, two wait for a thread. On the event loop (the old code)
    // the pool stays empty and /health waits behind a render; here it is answered while the pool
    // still holds renders, well before the last of the four (each takes ~150 ms of a thread).
    const deadline = performance.now() + 10_000;
    while (pool.busy < 4 && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 2));
    expect(pool.busy, "the four renders never reached the pool").toBe(4);
    const t0 = performance.now();
    const health = await get(r, "/health");
    const healthMs = performance.now() - t0;
    const busyAtHealth = pool.busy;
    order.push(`health: ${health.status}`);
    const done = await Promise.all(renders);
    expect(health.status).toBe(200);
    expect(busyAtHealth, "no render left on the pool when /health answered").toBeGreaterThan(0);
    expect(order.at(-1), order.join(", ")).toMatch(/^render \d: 200$/);
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
    // The pool is filled by two long spectrogram jobs this test holds, not by renders, whose few
    // hundred milliseconds could end before the next request arrives and make the 503s a race.
    const pool = new AudioPool({ threads: 1, maxQueue: 1 });
    const r = await start(pool);
    const hold = new AbortController();
    const held = [0, 1].map((i) =>
      pool.spectrogram(longWavFile, path.join(path.dirname(longWavFile), `held-${i}.h5`), {
        signal: hold.signal,
      }),
    );
    const settled = held.map(() => false);
    for (const [i, job] of held.entries()) {
      const done = () => {
        settled[i] = true;
      };
      job.then(done, done);
    }
    expect(pool.busy).toBe(2);

    const renders = await Promise.all([png(r, HUGE_PNG), png(r, HUGE_PNG)]);
    const preview = await postPreview(r);
    // Both jobs still running after the answers: the pool was full throughout.
    expect(settled, "the held jobs ended before the requests were answered").toEqual([false, false]);
    for (const res of renders) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("2");
      expect((await json(res)).error).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    }
    expect(preview.status).toBe(503);
    expect(preview.headers.get("retry-after")).toBe("2");
    expect((await json(preview)).error?.data?.code).toBe("SERVICE_UNAVAILABLE");

    hold.abort();
    for (const job of held) await expect(job).rejects.toBeInstanceOf(SpectrogramCancelledError);
    expect(pool.busy).toBe(0);

    // Once the pool is free, renders and the preview run there and answer.
    const again = await Promise.all([png(r, HUGE_PNG), postPreview(r)]);
    expect(again[0].status).toBe(200);
    expect(again[0].headers.get("content-type")).toBe("image/png");
    expect(again[1].status, await again[1].clone().text()).toBe(200);
    expect((await json(again[1])).result?.data).toMatchObject({
      start: expect.any(Number),
      end: expect.any(Number),
    });
  }, 120_000);

  it("refuses oversized images with the limit named", async () => {
    const r = running[0] ?? (await start());
    const wide = await png(r, "start=0&end=1&width=8192&height=400");
    expect(wide.status).toBe(400);
    expect((await json(wide)).error?.message).toBe(`width: at most ${MAX_PNG_WIDTH} pixels wide`);
    const tall = await png(r, "start=0&end=1&width=400&height=4096");
    expect(tall.status).toBe(400);
    expect((await json(tall)).error?.message).toBe(`height: at most ${MAX_PNG_HEIGHT} pixels high`);
  });
});
