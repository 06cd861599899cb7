// The `classification.run` job: pages of segments (by onset) → features (cache or pool) → R →
// results, one transaction per page that also advances the run's counters. Pages are "segments of
// the segmentation without a result in this run", so any retry resumes after the last stored page
// and can never write a segment twice (the (runId, segmentId) unique backs that up).
import { WavError } from "@battycoda/audio";
import type { Db, Prisma } from "@battycoda/db";
import { RServerPool, type RServerRequestError } from "@battycoda/r-client";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
import { float8Text } from "../access/exact-float.ts";
import { storedModel } from "../classifiers/model-store.ts";
import type { JobContext, JobHandler } from "../jobs/handler.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import { isMediaNotFound } from "../media/not-found.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { errorText } from "../segmentation/common.ts";
import { afterSegmentCursor, nextSegmentCursor, type SegmentCursor } from "../segmentation/keyset.ts";
import { modelClassAliases } from "../taxonomy/classifiers.ts";
import { type CachedFeatures, featuresFor, isComplete } from "./features.ts";
import {
  type CallTypeRef,
  dummyPrediction,
  isPermanentRError,
  isTransient,
  methodOf,
  NOT_CLASSIFIED,
  predictBatch,
  type RowPrediction,
  type RunModel,
} from "./predict.ts";
import { dispatchQueuedRuns, WAITING_FOR_R } from "./queue.ts";
import { buildStamp, featureChannelOf, isStamp, type RunStamp } from "./stamp.ts";

export const DEFAULT_BATCH_SIZE = 500;

export interface ClassificationHandlerDeps {
  /** Recordings (read by ranged reads), spectrograms (for the stamp) and the classifiers' models. */
  media: MediaStore;
  rServerUrl: string;
  /** Several R servers (R_SERVER_URLS): batches go to them in turn; one that is down is skipped. */
  rServerUrls?: string[];
  pool?: AudioTaskRunner | null;
  /** Segments per page when the run does not say (run.parameters.batchSize). */
  batchSize?: number;
  /** First wait after R fails; doubles up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Give up (run failed) after R has been unreachable this long without a single success. */
  maxWaitMs?: number;
  predictTimeoutMs?: number;
  /** Called after each stored page (tests use it to stop R or simulate a crash at that point). */
  afterBatch?: (info: { runId: string; batch: number; processed: number }) => Promise<void> | void;
}

export interface ClassificationRunResult {
  runId: string;
  processed?: number;
  skipped?: string;
}

class RunStopped extends Error {}

export function classificationRunHandler(deps: ClassificationHandlerDeps): JobHandler<"classification.run"> {
  return (ctx) => runClassificationJob(ctx, deps);
}

async function loadRun({ db }: DbContext, runId: string) {
  return db.classificationRun.findUnique({
    where: { id: runId },
    include: {
      classifier: true,
      recording: true,
      segmentation: { include: { algorithm: { select: { key: true } } } },
    },
  });
}

async function isStopped({ db }: DbContext, runId: string): Promise<boolean> {
  const r = await db.classificationRun.findUnique({ where: { id: runId }, select: { status: true } });
  return r?.status !== "running";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runClassificationJob(
  ctx: JobContext<"classification.run">,
  deps: ClassificationHandlerDeps,
): Promise<ClassificationRunResult> {
  const { db } = ctx;
  const { runId } = ctx.payload;
  const run = await loadRun({ db }, runId);
  if (!run) return { runId, skipped: "the run was deleted" };
  if (run.status !== "running" && run.status !== "pending")
    return { runId, skipped: `already ${run.status}` };
  if (!run.segmentation)
    return finishFailed(ctx, runId, "The segmentation of this run was deleted", rSlotsOf(deps));
  await db.classificationRun.updateMany({
    where: { id: runId, status: { in: ["pending", "running"] } },
    data: { status: "running", startedAt: run.startedAt ?? new Date(), error: null },
  });

  const params = (run.parameters ?? {}) as { batchSize?: number };
  const batchSize = Math.max(1, Math.min(5000, params.batchSize ?? deps.batchSize ?? DEFAULT_BATCH_SIZE));
  const servers = new RServerPool(serverUrls(deps), {
    timeoutMs: deps.predictTimeoutMs ?? 120_000,
  });
  const waitCtl = { attempts: run.attempts, since: null as number | null };

  /** Calls R until it answers: waits with backoff while it is down, stops if the run is cancelled. */
  const withR = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const out = await fn();
        waitCtl.since = null;
        return out;
      } catch (err) {
        if (!isTransient(err)) throw err;
        waitCtl.since ??= Date.now();
        if (Date.now() - waitCtl.since > (deps.maxWaitMs ?? 2 * 3600_000))
          throw new PermanentJobError(
            `The classifier service was unavailable for too long: ${errorText(err)}`,
          );
        waitCtl.attempts++;
        const base = deps.retryBaseMs ?? 5_000;
        const delay = Math.min(
          deps.retryMaxMs ?? 300_000,
          base * 2 ** Math.min(20, waitCtl.attempts - run.attempts - 1),
        );
        await db.classificationRun.updateMany({
          where: { id: runId, status: "running" },
          data: {
            waitingReason: WAITING_FOR_R,
            attempts: waitCtl.attempts,
            nextAttemptAt: new Date(Date.now() + delay),
          },
        });
        await ctx.setMessage(`Waiting for the classifier service (${errorText(err)})`);
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await sleep(Math.min(500, until - Date.now()));
          if (await isStopped({ db }, runId)) throw new RunStopped();
        }
      }
    }
  };

  try {
    const callTypes: CallTypeRef[] = run.recording.speciesId
      ? await db.callType.findMany({
          where: { speciesId: run.recording.speciesId },
          select: { id: true, shortName: true },
          orderBy: { shortName: "asc" },
        })
      : [];
    if (callTypes.length === 0)
      throw new PermanentJobError("The recording's species has no call types to classify into");
    let model: RunModel | null = null;
    let aliases = new Map<string, string>();
    if (!run.isDummy) {
      const c = run.classifier;
      if (!c) throw new PermanentJobError("The classifier of this run was deleted");
      if (!c.modelPath) throw new PermanentJobError(`Classifier "${c.name}" has no trained model`);
      const modelPath = c.modelPath;
      const source = await storedModel(deps.media, modelPath).catch((err: unknown) => {
        if (isMediaNotFound(err))
          throw new PermanentJobError(`The model of classifier "${c.name}" is missing from the media store`);
        throw err;
      });
      model = { method: methodOf(c.type), source };
      // The model predicts the names it was trained with; renames since then are translated. Only
      // for the recording's own species (a system classifier serving a group copy keeps its names).
      if (c.speciesId === run.recording.speciesId) aliases = await modelClassAliases({ db }, c);
    }

    let stamp: RunStamp;
    if (isStamp(run.stamp)) stamp = run.stamp;
    else {
      const ping = model ? await withR(() => servers.call((c) => c.ping())) : null;
      const segments = await db.segment.count({ where: { segmentationId: run.segmentation.id } });
      stamp = await buildStamp({
        recording: run.recording,
        segmentation: run.segmentation,
        segments,
        classifier: run.classifier,
        isDummy: run.isDummy,
        ping,
        media: deps.media,
        modelSha256: model?.source.sha256 ?? null,
      });
      await db.classificationRun.update({
        where: { id: runId },
        data: { stamp: stamp as unknown as Prisma.InputJsonValue, totalCount: segments },
      });
    }
    const audio = { media: deps.media, key: run.recording.filePath };
    const total = Math.max(
      1,
      (await db.classificationRun.findUniqueOrThrow({ where: { id: runId } })).totalCount,
    );

    const featureChannel = featureChannelOf(run.segmentation.parameters);
    let cursor: SegmentCursor | null = null;
    let batch = 0;
    for (;;) {
      if (await isStopped({ db }, runId)) throw new RunStopped();
      const page: { id: string; onset: number; offset: number; features: Prisma.JsonValue }[] =
        await db.segment.findMany({
          where: {
            segmentationId: run.segmentation.id,
            classificationResults: { none: { runId } },
            ...afterSegmentCursor(cursor),
          },
          orderBy: [{ onset: "asc" }, { id: "asc" }],
          take: batchSize,
          select: { id: true, onset: true, offset: true, features: true },
        });
      if (page.length === 0) break;
      cursor = nextSegmentCursor(cursor, page);

      const { features, computed } = await featuresFor(
        audio,
        page.map((x) => ({ ...x, channel: featureChannel })),
        deps.pool,
      );
      let preds: RowPrediction[];
      let unknown: string[] = [];
      if (!model) {
        const d = dummyPrediction(callTypes);
        preds = page.map(() => d);
      } else {
        const rows = page.map((s) => {
          const f = features.get(s.id);
          return f && isComplete(f) ? f : null;
        });
        const m = model;
        const out = await withR(() =>
          servers.call((c) => predictBatch(c, m, rows, callTypes, undefined, aliases)),
        );
        preds = out.rows;
        unknown = out.unknownClasses.filter((c) => !stamp.warnings.some((w) => w.includes(`"${c}"`)));
      }
      if (unknown.length > 0) {
        stamp = {
          ...stamp,
          warnings: [
            ...stamp.warnings,
            ...unknown.map(
              (c) =>
                `the model predicts class "${c}", which is not a call type of the species; its probability is not stored`,
            ),
          ],
        };
      }
      const written = await writeBatch(
        { db },
        runId,
        page,
        preds,
        computed,
        total,
        unknown.length > 0 ? stamp : null,
      );
      if (written === null) throw new RunStopped();
      batch++;
      const done = await db.classificationRun.findUniqueOrThrow({
        where: { id: runId },
        select: { processedCount: true },
      });
      await ctx.setProgress(
        done.processedCount / total,
        `Classified ${done.processedCount} of ${total} calls`,
      );
      await deps.afterBatch?.({ runId, batch, processed: done.processedCount });
    }

    const finished = await db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ status: string }[]>`
        SELECT status::text AS status FROM "ClassificationRun" WHERE id = ${runId} FOR UPDATE`;
      if (row?.status !== "running") return null;
      const processed = await tx.classificationResult.count({ where: { runId } });
      const segments = await tx.segment.count({ where: { segmentationId: run.segmentation?.id ?? "" } });
      await tx.classificationRun.update({
        where: { id: runId },
        data: {
          status: "completed",
          progress: 1,
          processedCount: processed,
          totalCount: Math.max(segments, processed),
          waitingReason: null,
          nextAttemptAt: null,
          finishedAt: new Date(),
          error: null,
        },
      });
      return processed;
    });
    if (finished === null) throw new RunStopped();
    await dispatchQueuedRuns({ db, boss: ctx.boss, rSlots: servers.size });
    return { runId, processed: finished };
  } catch (err) {
    if (err instanceof RunStopped) return { runId, skipped: "cancelled" };
    const permanent =
      err instanceof PermanentJobError ||
      isPermanentRError(err) ||
      err instanceof DomainError ||
      err instanceof WavError;
    if (permanent || ctx.retriesLeft === 0) {
      const message = isPermanentRError(err)
        ? `The classifier service rejected the request: ${(err as RServerRequestError).serverMessage ?? errorText(err)}`
        : errorText(err);
      return finishFailed(ctx, runId, message, rSlotsOf(deps));
    }
    throw err;
  }
}

function serverUrls(deps: ClassificationHandlerDeps): string[] {
  return deps.rServerUrls?.length ? deps.rServerUrls : [deps.rServerUrl];
}

/** How many R-backed runs may go at once: one per R server. */
function rSlotsOf(deps: ClassificationHandlerDeps): number {
  return new Set(serverUrls(deps)).size;
}

async function finishFailed(
  ctx: JobContext<"classification.run">,
  runId: string,
  message: string,
  rSlots: number,
): Promise<never> {
  await ctx.db.classificationRun.updateMany({
    where: { id: runId, status: { in: ["pending", "running"] } },
    data: {
      status: "failed",
      error: message,
      waitingReason: null,
      nextAttemptAt: null,
      finishedAt: new Date(),
    },
  });
  await dispatchQueuedRuns({ db: ctx.db, boss: ctx.boss, rSlots }).catch(() => undefined);
  throw new PermanentJobError(message);
}

/** One page's results, probabilities, feature cache and counters; null when the run stopped meanwhile. */
async function writeBatch(
  { db }: DbContext,
  runId: string,
  page: { id: string }[],
  preds: RowPrediction[],
  computed: Map<string, CachedFeatures>,
  total: number,
  stamp: RunStamp | null,
): Promise<number | null> {
  return inTransaction(
    db,
    async (tx) => {
      const [row] = await tx.$queryRaw<{ status: string; processed: number }[]>`
        SELECT status::text AS status, "processedCount" AS processed FROM "ClassificationRun" WHERE id = ${runId} FOR UPDATE`;
      if (row?.status !== "running") return null;
      // One statement for results and their probabilities, keyed by the row's position in the
      // page: no ids are made here nor read back (a page of them was ~30 KB of strings each way).
      const probRow: number[] = [];
      const probType: string[] = [];
      const probValue: (string | null)[] = [];
      preds.forEach((p, i) => {
        for (const [typeId, v] of p.probabilities) {
          probRow.push(i + 1);
          probType.push(typeId);
          probValue.push(float8Text(v));
        }
      });
      const [{ inserted } = { inserted: 0 }] = await tx.$queryRaw<{ inserted: number }[]>`
        WITH u AS (
          SELECT * FROM unnest(
            ${page.map((s) => s.id)}::text[],
            ${page.map((_, i) => (preds[i] ?? NOT_CLASSIFIED).label)}::text[],
            ${page.map((_, i) => float8Text((preds[i] ?? NOT_CLASSIFIED).confidence))}::float8[]
          ) WITH ORDINALITY AS u(seg, label, conf, n)
        ), ins AS (
          INSERT INTO "ClassificationResult" (id, "runId", "segmentId", "predictedLabel", confidence, "createdAt")
          SELECT gen_random_uuid()::text, ${runId}, u.seg, u.label, u.conf, now() FROM u ORDER BY u.n
          ON CONFLICT ("runId", "segmentId") DO NOTHING
          RETURNING id, "segmentId"
        ), probs AS (
          INSERT INTO "CallProbability" (id, "resultId", "callTypeId", probability)
          SELECT gen_random_uuid()::text, ins.id, p.t, p.v
          FROM ins
          JOIN u ON u.seg = ins."segmentId"
          JOIN unnest(${probRow}::int[], ${probType}::text[], ${probValue}::float8[]) AS p(n, t, v) ON p.n = u.n
        )
        SELECT count(*)::int AS inserted FROM ins`;
      if (computed.size > 0) {
        // One JSON object (segment id → cached features) rather than a jsonb[] of strings, which
        // the driver would escape into an array literal (several copies of every value).
        await tx.$executeRaw`
          UPDATE "Segment" s SET features = u.f
          FROM jsonb_each(${JSON.stringify(Object.fromEntries(computed))}::jsonb) AS u(id, f)
          WHERE s.id = u.id`;
      }
      const processed = row.processed + inserted;
      await tx.classificationRun.update({
        where: { id: runId },
        data: {
          processedCount: processed,
          progress: Math.min(1, processed / total),
          waitingReason: null,
          nextAttemptAt: null,
          ...(stamp ? { stamp: stamp as unknown as Prisma.InputJsonValue } : {}),
        },
      });
      return inserted;
    },
    { timeout: 60_000, maxWait: 15_000 },
  );
}
