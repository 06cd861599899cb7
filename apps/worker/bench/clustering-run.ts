// Child process of `pnpm bench clustering`: runs one clustering job the way the worker does (pool of
// audio threads, Rscript, one storing transaction) in a fresh process, so its peak RSS is the run's
// alone, not the set-up's (writing WAVs and rows) nor an earlier, smaller run's. Prints one JSON line.
import { readFile } from "node:fs/promises";
import { resourceUsage } from "node:process";
import { AudioPool } from "@battycoda/audio";
import { clusteringRunHandler } from "@battycoda/core/clustering/index";
import { LocalMediaStore } from "@battycoda/core/media";
import { createPrismaClient } from "@battycoda/db";

const [url, runId, mediaRoot, rscript] = process.argv.slice(2);
if (!url || !runId || !mediaRoot || !rscript)
  throw new Error("usage: clustering-run.ts DATABASE_URL RUN_ID MEDIA_ROOT RSCRIPT");

async function rssMB(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const db = createPrismaClient(url);
await db.$connect();
const pool = new AudioPool({ threads: Number(process.env.POOL_THREADS ?? 2) });
const before = await rssMB();
let samplePeak = before;
// VmHWM/maxRSS give the peak; the samples show when it happens (features, R, storing)
const stageOf: Record<string, number> = {};
let stage = "features";
const sampler = setInterval(() => {
  void rssMB().then((mb) => {
    samplePeak = Math.max(samplePeak, mb);
    stageOf[stage] = Math.max(stageOf[stage] ?? 0, mb);
  });
}, 100);
const started = performance.now();
let featuresSeconds = Number.NaN;
const handler = clusteringRunHandler({
  media: new LocalMediaStore(mediaRoot),
  pool,
  rscript,
  afterFeatures: () => {
    featuresSeconds = (performance.now() - started) / 1000;
    stage = "r+store";
  },
});
const job = await db.job.findFirstOrThrow({ where: { subjectId: runId } });
await handler({
  job,
  payload: { runId },
  db,
  boss: null as never,
  attempt: 1,
  retriesLeft: 0,
  setProgress: async () => undefined,
  setMessage: async () => undefined,
  isCancelled: async () => false,
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const run = await db.clusteringRun.findUniqueOrThrow({ where: { id: runId } });
if (run.status !== "completed") throw new Error(`run ${run.status}: ${run.error}`);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    featuresSeconds,
    beforeMB: before,
    peakMB: resourceUsage().maxRSS / 1024,
    stagePeakMB: stageOf,
    metrics: run.metrics,
  })}\n`,
);
await pool.destroy();
await db.$disconnect();
