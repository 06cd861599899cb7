// Training as a job: createTrainingJob checks the input (a bad CSV is a BAD_REQUEST naming line
// and column, with nothing stored), stores an uploaded CSV and queues `classifier.train`; the
// handler builds the table, trains on R and writes the Classifier. saveTrainedClassifier is the
// one writer of trained classifiers (jobs and the default classifiers): a new name creates
// version 1, the same name again bumps the version; a failure leaves no row and no model object
// (a worker killed between storing the model and committing the row leaves an unnamed object,
// which removeOrphanModels deletes).
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Classifier, Db, DbTransaction, Prisma } from "@battycoda/db";
import { RClient, RServerRequestError, RServerResponseError } from "@battycoda/r-client";
import type PgBoss from "pg-boss";
import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type JobContext, type JobHandler, PermanentJobError } from "../jobs/handler.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { CV_FOLDS, parseFeaturesCsv } from "./features-csv.ts";
import { type TrainedModel, type TrainingTable, trainModel } from "./model.ts";
import { modelKey, removeModel, storeModel } from "./model-store.ts";
import type { TrainableType, TrainOptions, TTrainRequest } from "./schemas.ts";
import { buildSegmentTable, trainingPreview } from "./training-data.ts";

export const TRAINING_JOB_SUBJECT = "classifierTrainingJob";

/** What ClassifierTrainingJob.source (and Classifier.parameters.source) records. */
export type TrainingSource =
  | { kind: "segments"; projectId: string | null }
  | { kind: "csv"; path: string; rows: number }
  | { kind: "defaults"; file: string; rows: number };

function requireBoss(boss: PgBoss | null): PgBoss {
  if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background jobs are not available on this server");
  return boss;
}

/** A cuid-shaped id, known before the row exists so the model file can carry it. */
function newClassifierId(): string {
  return `c${randomBytes(12).toString("hex")}`;
}

/** Labels that are no call type of the species, each with the first line it appears on. */
function unknownLabels(labels: string[], lines: number[], callTypes: Set<string>): string[] {
  const first = new Map<string, number>();
  labels.forEach((l, i) => {
    if (!callTypes.has(l) && !first.has(l)) first.set(l, lines[i] ?? 0);
  });
  return [...first].map(([l, line]) => `'${l}' (line ${line})`);
}

export async function createTrainingJob(
  { db, boss, media }: Pick<CoreContext, "db" | "boss" | "media">,
  access: GroupAccess,
  input: TTrainRequest,
): Promise<{ trainingJobId: string; jobId: string }> {
  const species = await findSpeciesForRead({ db }, access, input.speciesId);
  const sameName = await db.classifier.findFirst({ where: { groupId: access.groupId, name: input.name } });
  if (sameName && sameName.speciesId !== species.id)
    throw badRequest(`The name "${input.name}" is already used by a classifier of another species`);

  let source: TrainingSource;
  let csvKey: string | null = null;
  if (input.source.kind === "csv") {
    const table = parseFeaturesCsv(input.source.csvText, { requireLabels: true });
    const callTypes = await db.callType.findMany({
      where: { speciesId: species.id },
      select: { shortName: true },
    });
    const unknown = unknownLabels(table.labels, table.lines, new Set(callTypes.map((c) => c.shortName)));
    if (unknown.length > 0)
      throw badRequest(
        `Features CSV, column 'label': ${unknown.length === 1 ? "this label is" : "these labels are"} no call type of ${species.name}: ${unknown.slice(0, 10).join(", ")}`,
        { issues: [{ line: null, column: "label", message: `unknown labels ${unknown.join(", ")}` }] },
      );
    requireBoss(boss);
    const rel = path.posix.join("training", access.groupId, `${newClassifierId()}.csv`);
    await media.write(rel, input.source.csvText);
    csvKey = rel;
    source = { kind: "csv", path: rel, rows: table.rows.length };
  } else {
    const projectId = input.source.projectId ?? null;
    if (projectId) await findProjectInGroup({ db }, access, projectId);
    const preview = await trainingPreview({ db }, access, {
      speciesId: species.id,
      ...(projectId ? { projectId } : {}),
    });
    if (preview.perLabel.length < 2)
      throw badRequest(
        `Training needs labelled calls of at least two call types of ${species.name}; found ${preview.perLabel.length === 0 ? "none" : `only '${preview.perLabel[0]?.label}'`}`,
      );
    if (preview.total < CV_FOLDS)
      throw badRequest(
        `${preview.total} labelled calls are fewer than the ${CV_FOLDS} cross-validation folds`,
      );
    source = { kind: "segments", projectId };
  }

  const b = requireBoss(boss);
  try {
    return await inTransaction(db, async (tx) => {
      const tj = await tx.classifierTrainingJob.create({
        data: {
          groupId: access.groupId,
          name: input.name,
          type: input.type,
          speciesId: species.id,
          source: source as unknown as Prisma.InputJsonValue,
          parameters: (input.options ?? {}) as Prisma.InputJsonValue,
          createdById: access.userId,
        },
      });
      const job = await enqueueJob(
        { db: tx, boss: b },
        {
          type: "classifier.train",
          payload: { trainingJobId: tj.id },
          groupId: access.groupId,
          userId: access.userId,
          subjectType: TRAINING_JOB_SUBJECT,
          subjectId: tj.id,
          message: `Train ${input.type} classifier "${input.name}"`,
        },
      );
      return { trainingJobId: tj.id, jobId: job.id };
    });
  } catch (err) {
    if (csvKey) await media.delete(csvKey);
    throw err;
  }
}

export interface SaveClassifierInput {
  groupId: string | null;
  name: string;
  description?: string;
  speciesId: string;
  type: TrainableType;
  table: TrainingTable;
  options?: TrainOptions;
  source: TrainingSource;
  createdById?: string | null;
}

export interface SaveClassifierOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string | null) => void;
  /** Runs inside the transaction that writes the classifier (e.g. to finish the training job with it). */
  inTransaction?: (tx: DbTransaction, classifier: Classifier, model: TrainedModel) => Promise<void>;
}

export async function saveTrainedClassifier(
  { db, media }: DbContext & { media: MediaStore },
  client: RClient,
  input: SaveClassifierInput,
  options: SaveClassifierOptions,
): Promise<{ classifier: Classifier; model: TrainedModel }> {
  const existing = await db.classifier.findFirst({ where: { groupId: input.groupId, name: input.name } });
  if (existing && existing.speciesId !== input.speciesId)
    throw badRequest(`The name "${input.name}" is already used by a classifier of another species`);
  const id = existing?.id ?? newClassifierId();
  const version = existing ? existing.version + 1 : 1;
  // The taxonomy the labels were read in: read before the (long) training, so a merge or split
  // while R trains leaves this model marked as trained on the older version (outdated).
  const taxonomyVersion =
    (await db.species.findUnique({ where: { id: input.speciesId }, select: { taxonomyVersion: true } }))
      ?.taxonomyVersion ?? 0;
  const { model, bytes } = await trainModel(client, {
    type: input.type,
    table: input.table,
    ...(input.options ? { options: input.options } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // Named by its content: the row committed below is what makes this object a classifier's model.
  const key = modelKey(input.groupId, id, model.modelSha256);
  await storeModel(media, key, bytes, model);
  try {
    const data = {
      type: input.type,
      description: input.description ?? existing?.description ?? "",
      modelPath: key,
      speciesId: input.speciesId,
      metrics: (model.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
      featureNames: model.featureNames,
      classes: model.classes,
      parameters: {
        options: model.options,
        requested: input.options ?? {},
        source: input.source,
        warnings: model.warnings,
      } as unknown as Prisma.InputJsonValue,
      version,
      trainingDataHash: model.trainingDataHash,
      trainingRows: model.trainingRows,
      taxonomyVersion,
      rInfo: model.rInfo as unknown as Prisma.InputJsonValue,
      isActive: true,
    };
    const classifier = await inTransaction(db, async (tx) => {
      // The version in the where clause makes a concurrent retrain of the same name fail here
      // (and be retried) instead of two models claiming one version.
      const c = existing
        ? await tx.classifier.update({ where: { id, version: existing.version }, data })
        : await tx.classifier.create({
            data: {
              id,
              name: input.name,
              groupId: input.groupId,
              createdById: input.createdById ?? null,
              ...data,
            },
          });
      await options.inTransaction?.(tx, c, model);
      return c;
    });
    return { classifier, model };
  } catch (err) {
    if (key !== existing?.modelPath) await removeModel(media, key).catch(() => undefined);
    throw err;
  }
}

// ─── the `classifier.train` job ───

export interface TrainHandlerDeps {
  media: MediaStore;
  rServerUrl: string;
  pool?: AudioTaskRunner | null;
  trainTimeoutMs?: number;
}

export interface TrainJobResult {
  trainingJobId: string;
  classifierId?: string;
  version?: number;
  skipped?: string;
}

export function classifierTrainHandler(deps: TrainHandlerDeps): JobHandler<"classifier.train"> {
  return (ctx) => runTrainingJob(ctx, deps);
}

/** At most one progress write per second; errors of a progress write never fail the training. */
function throttle(fn: (f: number, stage: string | null) => Promise<void>) {
  let last = 0;
  return (f: number, stage: string | null) => {
    const now = Date.now();
    if (now - last < 1000 && f < 1) return;
    last = now;
    fn(f, stage).catch(() => undefined);
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runTrainingJob(
  ctx: JobContext<"classifier.train">,
  deps: TrainHandlerDeps,
): Promise<TrainJobResult> {
  const { db } = ctx;
  const { trainingJobId } = ctx.payload;
  const tj = await db.classifierTrainingJob.findUnique({ where: { id: trainingJobId } });
  if (!tj) return { trainingJobId, skipped: "the training job was deleted" };
  if (tj.status === "completed" || tj.status === "cancelled")
    return {
      trainingJobId,
      ...(tj.classifierId ? { classifierId: tj.classifierId } : {}),
      skipped: tj.status,
    };
  await db.classifierTrainingJob.update({
    where: { id: tj.id },
    data: { status: "running", error: null, progress: 0 },
  });
  const progress = async (p: number, message: string) => {
    await ctx.setProgress(p, message);
    await db.classifierTrainingJob.updateMany({
      where: { id: tj.id, status: "running" },
      data: { progress: p },
    });
  };

  try {
    if (!tj.speciesId) throw new PermanentJobError("The species of this training job was deleted");
    const speciesId = tj.speciesId;
    const source = tj.source as unknown as TrainingSource;
    let table: TrainingTable;
    if (source.kind === "csv") {
      await progress(0.05, "Reading the features CSV");
      const text = (await deps.media.read(source.path)).toString("utf8");
      const parsed = parseFeaturesCsv(text, { requireLabels: true });
      table = { ...parsed, origins: parsed.lines.map((line) => ({ line })) };
    } else if (source.kind === "segments") {
      table = await buildSegmentTable(
        { db },
        { groupId: tj.groupId, speciesId, projectId: source.projectId },
        {
          media: deps.media,
          ...(deps.pool ? { pool: deps.pool } : {}),
          onProgress: (f, m) => progress(0.05 + 0.45 * f, m),
        },
      );
      if (new Set(table.labels).size < 2 || table.rows.length < CV_FOLDS)
        throw new PermanentJobError(
          `Only ${table.rows.length} measurable labelled calls of ${new Set(table.labels).size} call type(s): training needs at least ${CV_FOLDS} calls of two call types`,
        );
    } else {
      throw new PermanentJobError(`Unknown training source ${JSON.stringify(source)}`);
    }
    if (await ctx.isCancelled()) throw new Error("cancelled"); // recorded below

    await progress(0.5, `Training on ${table.rows.length} calls (5-fold cross-validation)`);
    const client = new RClient({
      baseUrl: deps.rServerUrl,
      ...(deps.trainTimeoutMs ? { trainTimeoutMs: deps.trainTimeoutMs } : {}),
    });
    // Cancelling the job from the Jobs page stops the R training too (r-client cancels it on abort).
    const abort = new AbortController();
    const watch = setInterval(() => {
      ctx.isCancelled().then(
        (c) => c && abort.abort(new Error("The training was cancelled")),
        () => undefined,
      );
    }, 2000);
    const { classifier } = await saveTrainedClassifier(
      { db, media: deps.media },
      client,
      {
        groupId: tj.groupId,
        name: tj.name,
        speciesId,
        type: tj.type as TrainableType,
        table,
        options: (tj.parameters ?? {}) as TrainOptions,
        source,
        createdById: tj.createdById,
      },
      {
        signal: abort.signal,
        // R's fraction covers the folds and the final fit; progress rows are cheap but not free.
        onProgress: throttle((f, stage) =>
          progress(0.5 + 0.45 * f, `Training: ${stage ?? `${Math.round(f * 100)} %`}`),
        ),
        inTransaction: async (tx, c, model) => {
          await tx.classifierTrainingJob.update({
            where: { id: tj.id },
            data: {
              status: "completed",
              progress: 1,
              error: null,
              classifierId: c.id,
              metrics: (model.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
            },
          });
        },
      },
    ).finally(() => clearInterval(watch));
    return { trainingJobId, classifierId: classifier.id, version: classifier.version };
  } catch (err) {
    if (await ctx.isCancelled()) {
      await db.classifierTrainingJob.updateMany({
        where: { id: tj.id, status: { in: ["pending", "running"] } },
        data: { status: "cancelled", error: null },
      });
      return { trainingJobId, skipped: "cancelled" };
    }
    // R refusing the data (or a bad answer) will refuse it again: no retry.
    const permanent =
      err instanceof PermanentJobError ||
      err instanceof RServerRequestError ||
      err instanceof RServerResponseError ||
      err instanceof DomainError;
    const final = permanent || ctx.retriesLeft === 0;
    await db.classifierTrainingJob.updateMany({
      where: { id: tj.id, status: "running" },
      data: final
        ? { status: "failed", error: errorText(err) }
        : { status: "pending", error: errorText(err) },
    });
    if (permanent && !(err instanceof PermanentJobError)) throw new PermanentJobError(errorText(err));
    throw err;
  }
}
