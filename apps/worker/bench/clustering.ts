// `pnpm bench clustering`: clustering runs over 5 000 and 50 000 segments end to end (features in the
// worker's pool → Rscript → results in one transaction), each run's worker side in a fresh process
// (clustering-run.ts), then the explorer's scatter in Chromium. Prints run time per stage, peak RSS
// of the run's process and of Rscript, and their ratio to the small run's; then the scatter's frame
// time while panning 50 000 points, against a baseline measured in the same run (the same frames
// drawn the naive way, one fillRect per point). BENCH_SKIP_RUN=1 / BENCH_SKIP_SCATTER=1 skip a part.
// Targets (issue 13): memory bounded (worker RSS flat in the segment count), < 16 ms per frame.
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createRun } from "@battycoda/core/clustering/index";
import { createPrismaClient } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import { createShapesScene } from "../../../packages/core/src/clustering/testing.ts";

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 50_000);
const POINTS = Number(process.env.BENCH_POINTS ?? 50_000);
const here = import.meta.dirname;
const ROOT = path.resolve(here, "../../..");

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

interface ChildReport {
  seconds: number;
  featuresSeconds: number;
  beforeMB: number;
  peakMB: number;
  stagePeakMB: Record<string, number>;
  metrics: { silhouette: number | null; embedding: string; clustered: number };
}

/** Recordings of 5 000 calls at 250 kHz are added to one project until it holds `segments`. */
async function growProject(
  db: ReturnType<typeof createPrismaClient>,
  root: string,
  scene: Awaited<ReturnType<typeof createShapesScene>> | null,
  have: number,
  segments: number,
) {
  const mediaRoot = path.join(root, "media");
  const perRecording = 5_000;
  for (let done = have; done < segments; done += perRecording) {
    const s = await createShapesScene({ db }, mediaRoot, root, {
      calls: Math.min(perRecording, segments - done),
      sampleRate: 250_000,
      name: `rec-${done}`,
      ...(scene ? { groupId: scene.groupId, userId: scene.access.userId } : {}),
    });
    if (scene)
      await db.recording.update({
        where: { id: s.recordingId },
        data: { projectId: scene.projectId, speciesId: scene.speciesId },
      });
    else scene = s;
  }
  if (!scene) throw new Error("no scene");
  return scene;
}

/** One run over the whole project, its worker side in a fresh process (clustering-run.ts). */
async function runOnce(
  db: ReturnType<typeof createPrismaClient>,
  root: string,
  url: string,
  scene: Awaited<ReturnType<typeof createShapesScene>>,
  segments: number,
  setup: number,
) {
  const { runId } = await createRun({ db, boss: fakeBoss() }, scene.access, {
    scope: { kind: "collection", projectId: scene.projectId },
    featureSet: (process.env.BENCH_FEATURES ?? "mfcc") as "mfcc",
    algorithm: "kmeans",
    params: { k: 3 },
  });
  const rRss = path.join(root, `r-rss-${segments}.txt`);
  const wrapper = path.join(root, `rscript-timed-${segments}.sh`);
  await writeFile(wrapper, `#!/bin/sh\nexec /usr/bin/time -f "%M" -o "${rRss}" Rscript "$@"\n`);
  await chmod(wrapper, 0o755);
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      path.join(here, "clustering-run.ts"),
      url,
      runId,
      path.join(root, "media"),
      wrapper,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) throw new Error(`the run's process failed (${child.status ?? child.signal})`);
  const r = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport;
  const rPeak = Number((await readFile(rRss, "utf8")).trim().split("\n").at(-1)) / 1024;
  const stages = Object.entries(r.stagePeakMB)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(", ");
  console.log(
    `${String(r.metrics.clustered).padStart(7)} calls: ${r.seconds.toFixed(1)} s (features ${r.featuresSeconds.toFixed(1)} s, R + store ${(r.seconds - r.featuresSeconds).toFixed(1)} s; set-up ${setup.toFixed(0)} s), silhouette ${r.metrics.silhouette?.toFixed(3)}, embedding ${r.metrics.embedding}; worker process peak RSS ${r.peakMB.toFixed(0)} MB (${r.beforeMB.toFixed(0)} MB at start; sampled peak per stage MB: ${stages}), Rscript ${rPeak.toFixed(0)} MB`,
  );
  return { segments, peakMB: r.peakMB, rPeakMB: rPeak, seconds: r.seconds };
}

async function runBenches(sizes: number[], root: string, url: string) {
  const db = createPrismaClient(url);
  let scene: Awaited<ReturnType<typeof createShapesScene>> | null = null;
  let have = 0;
  const rows = [];
  for (const size of sizes) {
    const t0 = performance.now();
    scene = await growProject(db, root, scene, have, size);
    have = size;
    rows.push(await runOnce(db, root, url, scene, size, (performance.now() - t0) / 1000));
  }
  const base = rows[0];
  if (base && rows.length > 1)
    for (const r of rows.slice(1))
      console.log(
        `${r.segments} vs ${base.segments} calls (x${(r.segments / base.segments).toFixed(0)}): worker peak RSS x${(r.peakMB / base.peakMB).toFixed(2)} (+${(r.peakMB - base.peakMB).toFixed(0)} MB), Rscript x${(r.rPeakMB / base.rPeakMB).toFixed(2)}, time x${(r.seconds / base.seconds).toFixed(1)}`,
      );
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
    // the baseline is a tenth of the size, measured in the same run; BENCH_SIZES=5000,50000,100000 adds sizes
    const sizes = (process.env.BENCH_SIZES ?? `${Math.max(3, Math.round(SEGMENTS / 10))},${SEGMENTS}`)
      .split(",")
      .map(Number)
      .sort((a, b) => a - b);
    await runBenches(sizes, root, pg.url);
  }
  if (process.env.BENCH_SKIP_SCATTER !== "1") await scatterBench();
} finally {
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
