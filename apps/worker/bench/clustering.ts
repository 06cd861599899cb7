// `pnpm bench clustering`: one clustering run over 50 000 segments end to end (features in the
// worker's pool → Rscript → results in one transaction), then the explorer's scatter in Chromium.
// Prints run time per stage and peak RSS of this process (the worker's side) and of the Rscript
// process; then the scatter's frame time while panning 50 000 points, against a baseline measured
// in the same run (the same frames drawn the naive way, one fillRect per point).
// Targets (issue 13): memory bounded (worker RSS flat in the segment count), < 16 ms per frame.
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { AudioPool } from "@battycoda/audio";
import { clusteringRunHandler, createRun } from "@battycoda/core/clustering/index";
import { createPrismaClient } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import { createShapesScene } from "../../../packages/core/src/clustering/testing.ts";

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 50_000);
const POINTS = Number(process.env.BENCH_POINTS ?? 50_000);
const here = import.meta.dirname;
const ROOT = path.resolve(here, "../../..");

async function vmHwmMB(pid: number | "self"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function runBench(segments: number, root: string, url: string, label: string) {
  const db = createPrismaClient(url);
  const mediaRoot = path.join(root, "media");
  const t0 = performance.now();
  // several recordings of 5 000 calls (a project), at 250 kHz
  const perRecording = 5_000;
  let scene: Awaited<ReturnType<typeof createShapesScene>> | null = null;
  for (let done = 0; done < segments; done += perRecording) {
    const s = await createShapesScene({ db }, mediaRoot, root, {
      calls: Math.min(perRecording, segments - done),
      sampleRate: 250_000,
      name: `${label}-${done}`,
      ...(scene ? { groupId: scene.groupId, userId: scene.access.userId } : {}),
    });
    if (scene) {
      await db.recording.update({
        where: { id: s.recordingId },
        data: { projectId: scene.projectId, speciesId: scene.speciesId },
      });
    } else scene = s;
  }
  if (!scene) throw new Error("no scene");
  const setup = (performance.now() - t0) / 1000;
  const { runId } = await createRun({ db, boss: fakeBoss() }, scene.access, {
    scope: { kind: "collection", projectId: scene.projectId },
    featureSet: "mfcc",
    algorithm: "kmeans",
    params: { k: 3 },
  });
  const rRss = path.join(root, `r-rss-${label}.txt`);
  const wrapper = path.join(root, "rscript-timed.sh");
  await writeFile(wrapper, `#!/bin/sh\nexec /usr/bin/time -f "%M" -o "${rRss}" Rscript "$@"\n`);
  await chmod(wrapper, 0o755);
  const pool = new AudioPool({ threads: Number(process.env.POOL_THREADS ?? 2) });
  // reset VmHWM, so the peak below is the run's and not the set-up's (writing the WAVs and rows)
  await writeFile("/proc/self/clear_refs", "5").catch(() => undefined);
  const before = await vmHwmMB("self");
  const stages: Record<string, number> = {};
  let stageStart = performance.now();
  const started = performance.now();
  const handler = clusteringRunHandler({
    mediaRoot,
    pool,
    rscript: wrapper,
    afterFeatures: () => {
      stages.features = (performance.now() - stageStart) / 1000;
      stageStart = performance.now();
    },
  });
  const job = await db.job.findFirstOrThrow({ where: { subjectId: runId } });
  await handler({
    job,
    payload: { runId },
    db,
    boss: fakeBoss(),
    attempt: 1,
    retriesLeft: 0,
    setProgress: async () => undefined,
    setMessage: async () => undefined,
    isCancelled: async () => false,
  });
  const total = (performance.now() - started) / 1000;
  stages.rAndStore = (performance.now() - stageStart) / 1000;
  const run = await db.clusteringRun.findUniqueOrThrow({ where: { id: runId } });
  if (run.status !== "completed") throw new Error(`run ${run.status}: ${run.error}`);
  const metrics = run.metrics as { silhouette: number | null; embedding: string; clustered: number };
  const rPeak = Number((await readFile(rRss, "utf8")).trim().split("\n").at(-1)) / 1024;
  console.log(
    `${label.padEnd(10)} ${metrics.clustered} calls: ${total.toFixed(1)} s (features ${stages.features?.toFixed(1)} s, R + store ${stages.rAndStore?.toFixed(1)} s; set-up ${setup.toFixed(0)} s), silhouette ${metrics.silhouette?.toFixed(3)}, embedding ${metrics.embedding}; peak RSS during the run: worker process ${(await vmHwmMB("self")).toFixed(0)} MB (${before.toFixed(0)} MB before it), Rscript ${rPeak.toFixed(0)} MB`,
  );
  await pool.destroy();
  await db.$disconnect();
}

/** createRun queues through pg-boss; the bench runs the handler itself, so a send that accepts is enough. */
function fakeBoss() {
  return { send: async () => crypto.randomUUID() } as never;
}

async function scatterBench() {
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  const bundle = await esbuild.build({
    entryPoints: [path.join(ROOT, "apps/web/src/features/clustering/scatter.ts")],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "Scatter",
  });
  const code = bundle.outputFiles[0]?.text ?? "";
  const require = createRequire(path.join(ROOT, "apps/web/package.json"));
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx keeps function names with a __name helper that the page does not have
    await page.setContent(
      `<canvas id="c" width="900" height="520"></canvas><script>window.__name = (f) => f;</script><script>${code}</script>`,
    );
    const out = await page.evaluate(async (n: number) => {
      const S = (
        globalThis as unknown as { Scatter: typeof import("../../web/src/features/clustering/scatter.ts") }
      ).Scatter;
      // the worker's tsconfig has no DOM types: the few used here, spelled out
      type ImageDataLike = { data: Uint8ClampedArray };
      type Ctx2D = {
        createImageData(w: number, h: number): ImageDataLike;
        putImageData(img: ImageDataLike, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): ImageDataLike;
        fillRect(x: number, y: number, w: number, h: number): void;
        fillStyle: string;
      };
      const g = globalThis as unknown as {
        document: {
          getElementById(id: string): { width: number; height: number; getContext(k: "2d"): Ctx2D };
        };
        requestAnimationFrame(cb: () => void): number;
      };
      const requestAnimationFrame = g.requestAnimationFrame.bind(globalThis);
      const canvas = g.document.getElementById("c");
      const ctx = canvas.getContext("2d");
      const W = canvas.width;
      const H = canvas.height;
      // n points in 8 Gaussian blobs
      let seed = 7;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      const xy = new Float32Array(2 * n);
      const cluster = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = i % 8;
        cluster[i] = c;
        xy[2 * i] = 6 * Math.cos(c) + gauss();
        xy[2 * i + 1] = 6 * Math.sin(c) + gauss();
      }
      const data = {
        count: n,
        xy,
        cluster,
        recording: new Int32Array(n),
        onset: new Float64Array(n),
        offset: new Float64Array(n),
        segmentIds: [],
      };
      const colours = Uint32Array.from(Array.from({ length: 8 }, (_, k) => S.rgbaWord(S.clusterColour(k))));
      const hex = Array.from({ length: 8 }, (_, k) => S.clusterColour(k));
      const img = ctx.createImageData(W, H);
      const words = new Uint32Array(img.data.buffer);
      const frames = 120;
      const measure = async (draw: (view: { scale: number; ox: number; oy: number }) => void) => {
        let view = S.fitView(xy, W, H);
        const drawMs: number[] = [];
        const intervals: number[] = [];
        let last = performance.now();
        for (let f = 0; f < frames; f++) {
          await new Promise<void>((r) => requestAnimationFrame(() => r()));
          const now = performance.now();
          intervals.push(now - last);
          last = now;
          view = S.panBy(view, 3, 1);
          const t = performance.now();
          draw(view);
          drawMs.push(performance.now() - t);
        }
        return { drawMs, intervals: intervals.slice(1) };
      };
      const ours = await measure((view) => {
        S.rasterise(words, W, H, data, view, colours, 3, null, 0xffffffff);
        ctx.putImageData(img, 0, 0);
      });
      const naive = await measure((view) => {
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, W, H);
        for (let i = 0; i < n; i++) {
          ctx.fillStyle = hex[cluster[i] as number] as string;
          ctx.fillRect(
            (xy[2 * i] as number) * view.scale + view.ox - 1,
            view.oy - (xy[2 * i + 1] as number) * view.scale - 1,
            3,
            3,
          );
        }
      });
      // read a pixel back so the GPU/raster work is really done before the page returns
      ctx.getImageData(0, 0, 1, 1);
      return { ours, naive };
    }, POINTS);
    const line = (name: string, r: { drawMs: number[]; intervals: number[] }) =>
      `${name.padEnd(34)} draw p50 ${pct(r.drawMs, 50).toFixed(2)} ms, p95 ${pct(r.drawMs, 95).toFixed(2)} ms, max ${Math.max(...r.drawMs).toFixed(2)} ms; frame interval p95 ${pct(r.intervals, 95).toFixed(1)} ms`;
    console.log(
      `# scatter, ${POINTS} points, 900x520 canvas, 120 frames of panning in Chromium (target < 16 ms/frame)`,
    );
    console.log(line("typed-array pass + putImageData", out.ours));
    console.log(line("baseline: one fillRect per point", out.naive));
  } finally {
    await browser.close();
  }
}

const root = await mkdtemp(path.join(os.tmpdir(), "battycoda-bench-clustering-"));
const pg = await startEmbeddedPostgres({ dir: path.join(root, "pg"), ephemeral: true });
try {
  if (spawnSync("Rscript", ["--version"]).status !== 0) throw new Error("Rscript is not installed");
  await migrateDatabase(pg.url);
  console.log(
    `# clustering bench: k-means (k = 3) on MFCC, UMAP up to 20 000 calls and PCA above, pool of ${process.env.POOL_THREADS ?? 2} threads`,
  );
  if (process.env.BENCH_SKIP_RUN !== "1") {
    await runBench(Math.max(3, Math.round(SEGMENTS / 10)), root, pg.url, "baseline");
    await runBench(SEGMENTS, root, pg.url, "full");
  }
  await scatterBench();
} finally {
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
