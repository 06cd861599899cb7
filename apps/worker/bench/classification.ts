// `pnpm bench classification`: one classification run over 10 000 segments end to end — features
// (read window by window, computed in the worker's pool), R predictions, results written batch by
// batch — then the same run again with the features cached. Prints time, calls/s and the peak RSS
// of the worker process and of the R server. Targets (issue 9): < 60 s on 2 cores, worker < 300 MB.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startRun } from "@battycoda/core/classification/index";
import { createBoss } from "@battycoda/core/jobs";
import { LocalMediaStore } from "@battycoda/core/media";
import { createPrismaClient } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import { startRServer } from "@battycoda/r-client";
import { createScene, trainClassifier } from "../../../packages/core/test/classification-fixtures.ts";

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 10_000);
const here = import.meta.dirname;

async function peakRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off("message", on);
        resolve(m[key] as T);
      }
    };
    child.on("message", on);
    child.send(message);
  });
}

const root = await mkdtemp(path.join(os.tmpdir(), "battycoda-bench-classification-"));
const mediaRoot = path.join(root, "media");
const pg = await startEmbeddedPostgres({ dir: path.join(root, "pg"), ephemeral: true });
const r = await startRServer();
let worker: ChildProcess | undefined;
try {
  await migrateDatabase(pg.url);
  const db = createPrismaClient(pg.url);
  const t0 = performance.now();
  const scene = await createScene(db, mediaRoot, root, {
    calls: SEGMENTS,
    spacing: 0.03,
    sampleRate: 192_000,
  });
  const classifier = await trainClassifier(db, r.client, new LocalMediaStore(mediaRoot), scene);
  console.log(
    `# classification bench: ${scene.calls.length} segments, ${(scene.calls.length * 0.03).toFixed(0)} s of 192 kHz audio (set-up ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  // Production runs the worker from its bundle and the pool's threads from theirs: so does the
  // bench (built here, just before the worker starts, so no source edited meanwhile is missed),
  // unless BATTYCODA_POOL_BUNDLE=0 asks for the TypeScript sources through tsx, to compare.
  const bundled = process.env.BATTYCODA_POOL_BUNDLE !== "0";
  let workerFile = path.join(here, "classification-worker.ts");
  if (bundled) {
    const { buildTarget } = await import("../../../scripts/build.ts");
    await buildTarget(
      {
        name: "pool-worker",
        entry: "packages/audio/src/pool/worker.ts",
        out: "packages/audio/dist/pool-worker.mjs",
      },
      "bench",
    );
    workerFile = path.join(here, "..", "dist", "bench-classification-worker.mjs");
    await buildTarget(
      {
        name: "bench-classification-worker",
        entry: "apps/worker/bench/classification-worker.ts",
        out: "apps/worker/dist/bench-classification-worker.mjs",
      },
      "bench",
    );
  }
  console.log(`worker process: ${bundled ? "bundle" : "TypeScript sources through tsx"}`);

  worker = fork(workerFile, [], {
    execArgv: bundled ? [] : process.execArgv,
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      MEDIA_ROOT: mediaRoot,
      R_SERVER_URL: r.url,
      POOL_THREADS: process.env.POOL_THREADS ?? "2",
    },
    stdio: "inherit",
  });
  const ready = await new Promise<{ poolBundled?: boolean }>((resolve) => worker?.once("message", resolve));
  console.log(
    `pool threads: ${ready.poolBundled ? "prebuilt bundle (dist/pool-worker.mjs)" : "TypeScript sources through tsx"}`,
  );
  const boss = await createBoss(pg.url);
  const idleRss = await ask<number>(worker, "rss", "maxRssMB");

  for (const label of ["cold (features computed)", "warm (features cached)"]) {
    const started = performance.now();
    const { runId } = await startRun({ db, boss }, scene.access, {
      segmentationId: scene.segmentationId,
      classifierId: classifier.id,
    });
    for (;;) {
      const run = await db.classificationRun.findUniqueOrThrow({ where: { id: runId } });
      if (run.status === "completed") break;
      if (run.status === "failed" || run.status === "cancelled")
        throw new Error(`run ${run.status}: ${run.error}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const results = await db.classificationResult.count({ where: { runId } });
    console.log(
      `${label.padEnd(26)} ${results} results in ${seconds.toFixed(1)} s = ${(results / seconds).toFixed(0)} calls/s (target < 60 s)`,
    );
  }
  const workerRss = await ask<number>(worker, "rss", "maxRssMB");
  console.log(
    `peak RSS: worker ${workerRss.toFixed(0)} MB (idle before the runs ${idleRss.toFixed(0)} MB; target < 300 MB), R server ${(await peakRssMB(r.pid)).toFixed(0)} MB`,
  );
  await boss.stop({ graceful: false, wait: true });
  await db.$disconnect();
} finally {
  worker?.send("stop");
  await new Promise((res) => setTimeout(res, 500));
  worker?.kill();
  await r.stop();
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
