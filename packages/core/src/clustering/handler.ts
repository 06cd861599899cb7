// The `clustering.run` job: feature matrix (pages of segments → pool) → R in its own process →
// one transaction that replaces the run's clusters and assignments. Nothing is written before that
// transaction, so a crash or retry at any point leaves either the previous complete result or none,
// and a retry simply starts over.
import { WavError } from "@battycoda/audio";
import type { DbContext } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
import type { JobContext, JobHandler } from "../jobs/handler.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { errorText } from "../segmentation/common.ts";
import { buildFeatureMatrix } from "./features.ts";
import { ClusteringInputError, runRClustering } from "./r-process.ts";
import { type RunParameters, runParameters, type StoredScope } from "./runs.ts";
import { storeResult } from "./store.ts";

export interface ClusteringHandlerDeps {
  media: MediaStore;
  pool?: AudioTaskRunner | null;
  /** Overrides for tests and benches. */
  rscript?: string;
  script?: string;
  pageSize?: number;
  /** Called after the features are computed, before R (tests simulate a crash there). */
  afterFeatures?: (runId: string) => Promise<void> | void;
}

class RunStopped extends Error {}

export function clusteringRunHandler(deps: ClusteringHandlerDeps): JobHandler<"clustering.run"> {
  return (ctx) => runClusteringJob(ctx, deps);
}

/**
 * The run was cancelled (its own Cancel, or the Jobs page / admin queues cancelling its job) or
 * deleted. A cancelled job whose run still says running is marked cancelled here, so the run never
 * stays "running" for a job that is gone.
 */
async function isStopped(ctx: JobContext<"clustering.run">, runId: string): Promise<boolean> {
  const r = await ctx.db.clusteringRun.findUnique({ where: { id: runId }, select: { status: true } });
  if (r?.status !== "running") return true;
  if (!(await ctx.isCancelled())) return false;
  await markCancelled(ctx, runId);
  return true;
}

async function markCancelled({ db }: DbContext, runId: string) {
  await db.clusteringRun.updateMany({
    where: { id: runId, status: { in: ["pending", "running"] } },
    data: { status: "cancelled" },
  });
}

/** How often R's run is checked for a cancel (the Rscript process is killed when it is). */
const WATCH_MS = 500;

async function runClusteringJob(ctx: JobContext<"clustering.run">, deps: ClusteringHandlerDeps) {
  const { db } = ctx;
  const { runId } = ctx.payload;
  const run = await db.clusteringRun.findUnique({ where: { id: runId } });
  if (!run) return { runId, skipped: "the run was deleted" };
  if (run.status !== "pending" && run.status !== "running")
    return { runId, skipped: `already ${run.status}` };
  await db.clusteringRun.updateMany({
    where: { id: runId, status: { in: ["pending", "running"] } },
    data: { status: "running", error: null, progress: 0 },
  });
  const started = Date.now();
  const params: RunParameters = runParameters(run.parameters);
  const scope = run.scope as unknown as StoredScope;
  const progress = async (p: number, message: string) => {
    await db.clusteringRun.updateMany({ where: { id: runId, status: "running" }, data: { progress: p } });
    await ctx.setProgress(p, message);
  };
  try {
    const matrix = await buildFeatureMatrix({ db }, scope.segmentationIds, params.featureSet, {
      media: deps.media,
      band: params.band,
      pool: deps.pool ?? null,
      ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
      onPage: async (done, total) => {
        if (await isStopped(ctx, runId)) throw new RunStopped();
        await progress((0.5 * done) / Math.max(1, total), `Measured ${done} of ${total} calls`);
      },
    });
    await deps.afterFeatures?.(runId);
    if (await isStopped(ctx, runId)) throw new RunStopped();
    if (matrix.n < 3)
      throw new PermanentJobError(
        `Only ${matrix.n} measurable call${matrix.n === 1 ? "" : "s"} in this scope; at least 3 are needed to cluster`,
      );
    await progress(0.5, `Clustering ${matrix.n} calls in R`);
    const controller = new AbortController();
    const watch = setInterval(() => {
      isStopped(ctx, runId)
        .then((stopped) => stopped && controller.abort())
        .catch(() => undefined);
    }, WATCH_MS);
    let lastWrite = 0;
    let result: Awaited<ReturnType<typeof runRClustering>>;
    try {
      result = await runRClustering(
        {
          n: matrix.n,
          d: matrix.d,
          data: matrix.data,
          algorithm: params.algorithm,
          params: params.params,
          embedding: params.embedding,
        },
        {
          signal: controller.signal,
          ...(deps.rscript ? { rscript: deps.rscript } : {}),
          ...(deps.script ? { script: deps.script } : {}),
          onProgress: (f, stage) => {
            if (Date.now() - lastWrite < 1000) return;
            lastWrite = Date.now();
            void progress(0.5 + 0.4 * f, `R: ${stage}`).catch(() => undefined);
          },
        },
      );
    } catch (err) {
      // the killed process's exit is the cancel, not a failure to retry
      if (controller.signal.aborted) throw new RunStopped();
      throw err;
    } finally {
      clearInterval(watch);
    }
    if (controller.signal.aborted || (await isStopped(ctx, runId))) throw new RunStopped();
    await progress(0.92, "Storing clusters");
    const stored = await storeResult(
      { db },
      { runId, jobId: ctx.job.id },
      matrix,
      result,
      (Date.now() - started) / 1000,
    );
    if (!stored) throw new RunStopped();
    return {
      runId,
      clusters: result.clusters.length,
      clustered: matrix.n - result.noise,
      noise: result.noise,
    };
  } catch (err) {
    if (err instanceof RunStopped) {
      if (await ctx.isCancelled()) await markCancelled({ db }, runId);
      return { runId, skipped: "cancelled" };
    }
    const permanent =
      err instanceof PermanentJobError ||
      err instanceof ClusteringInputError ||
      err instanceof DomainError ||
      err instanceof WavError;
    if (permanent || ctx.retriesLeft === 0) {
      const message = errorText(err);
      await db.clusteringRun.updateMany({
        where: { id: runId, status: { in: ["pending", "running"] } },
        data: { status: "failed", error: message },
      });
      throw new PermanentJobError(message);
    }
    throw err;
  }
}
