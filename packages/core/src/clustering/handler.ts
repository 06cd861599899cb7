// The `clustering.run` job: feature matrix (pages of segments → pool) → R in its own process →
// one transaction that replaces the run's clusters and assignments. Nothing is written before that
// transaction, so a crash or retry at any point leaves either the previous complete result or none,
// and a retry simply starts over.
import { WavError } from "@battycoda/audio";
import type { DbContext } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
import type { JobContext, JobHandler } from "../jobs/handler.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { errorText } from "../segmentation/common.ts";
import { buildFeatureMatrix } from "./features.ts";
import { ClusteringInputError, runRClustering } from "./r-process.ts";
import { type RunParameters, runParameters, type StoredScope } from "./runs.ts";
import { storeResult } from "./store.ts";

export interface ClusteringHandlerDeps {
  mediaRoot: string;
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

async function isStopped({ db }: DbContext, runId: string): Promise<boolean> {
  const r = await db.clusteringRun.findUnique({ where: { id: runId }, select: { status: true } });
  return r?.status !== "running";
}

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
      mediaRoot: deps.mediaRoot,
      pool: deps.pool ?? null,
      ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
      onPage: async (done, total) => {
        if (await isStopped({ db }, runId)) throw new RunStopped();
        await progress((0.5 * done) / Math.max(1, total), `Measured ${done} of ${total} calls`);
      },
    });
    await deps.afterFeatures?.(runId);
    if (await isStopped({ db }, runId)) throw new RunStopped();
    if (matrix.n < 3)
      throw new PermanentJobError(
        `Only ${matrix.n} measurable call${matrix.n === 1 ? "" : "s"} in this scope; at least 3 are needed to cluster`,
      );
    await progress(0.5, `Clustering ${matrix.n} calls in R`);
    const controller = new AbortController();
    const watch = setInterval(() => {
      isStopped({ db }, runId)
        .then((stopped) => stopped && controller.abort())
        .catch(() => undefined);
    }, 2000);
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
    } finally {
      clearInterval(watch);
    }
    if (controller.signal.aborted) throw new RunStopped();
    await progress(0.92, "Storing clusters");
    const stored = await storeResult({ db }, runId, matrix, result, (Date.now() - started) / 1000);
    if (!stored) throw new RunStopped();
    return {
      runId,
      clusters: result.clusters.length,
      clustered: matrix.n - result.noise,
      noise: result.noise,
    };
  } catch (err) {
    if (err instanceof RunStopped) return { runId, skipped: "cancelled" };
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
