// "Retrain from confirmed labels": a new Classifier version (parentId = the batch's classifier)
// trained on the batch's human labels plus the parent's training data where it can be read again
// (a stored CSV, or the labelled segments it was trained on), through the classifiers' own
// saveTrainedClassifier. The combined table is stored as a CSV and recorded as the new version's
// source, so the next retrain finds its data. Optionally re-classifies the batch's segmentations
// with the new version (startRun; each call gets a fresh prediction, the labelled ones included).
import path from "node:path";
import { FEATURE_NAMES } from "@battycoda/audio";
import type { Db, Prisma } from "@battycoda/db";
import { RClient, RServerRequestError, RServerResponseError } from "@battycoda/r-client";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError } from "../access/errors.ts";
import { featuresFor, isComplete } from "../classification/features.ts";
import { startRun } from "../classification/runs.ts";
import { featureChannelOf } from "../classification/stamp.ts";
import { CV_FOLDS, LABEL_COLUMN, parseFeaturesCsv } from "../classifiers/features-csv.ts";
import type { RowOrigin, TrainingTable } from "../classifiers/model.ts";
import type { TrainableType } from "../classifiers/schemas.ts";
import { saveTrainedClassifier, TRAINING_JOB_SUBJECT, type TrainingSource } from "../classifiers/train.ts";
import { buildSegmentTable } from "../classifiers/training-data.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type JobHandler, PermanentJobError } from "../jobs/handler.ts";
import { isMediaNotFound } from "../media/not-found.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { findBatchInGroup, type StoredSource } from "./batches.ts";
import { type TRetrainRequest, ZRetrainRequest } from "./schemas.ts";

export const RETRAIN_QUEUE = "tasks.retrain";

/** ClassifierTrainingJob.source of a retrain. */
export interface RetrainSource {
  kind: "taskBatch";
  batchId: string;
  parentId: string | null;
  reclassify: boolean;
}

/** The batch's confirmed labels that are call types of its species (not "Unknown"). */
function labelledWhere(batchId: string, callTypes: string[]): Prisma.TaskWhereInput {
  return { batchId, label: { in: callTypes }, segmentId: { not: null } };
}

async function parentOf(
  { db }: DbContext,
  access: GroupAccess,
  batch: { classificationRunId: string | null; source: unknown },
) {
  const src = batch.source as Partial<StoredSource> | null;
  const runIds = [batch.classificationRunId, ...(src?.pairs ?? []).map((p) => p.runId)].filter(
    (x): x is string => !!x,
  );
  if (runIds.length === 0) return null;
  const run = await db.classificationRun.findFirst({
    where: { id: { in: runIds }, groupId: access.groupId, classifier: { type: { not: "dummy" } } },
    include: { classifier: true },
    orderBy: { createdAt: "desc" },
  });
  return run?.classifier ?? null;
}

async function freeName({ db }: DbContext, groupId: string, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base} (${i})`;
    if (!(await db.classifier.findFirst({ where: { groupId, name }, select: { id: true } }))) {
      const pending = await db.classifierTrainingJob.findFirst({
        where: { groupId, name, status: { in: ["pending", "running"] } },
        select: { id: true },
      });
      if (!pending) return name;
    }
  }
}

export async function retrainFromBatch(
  { db, boss: maybeBoss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  raw: TRetrainRequest,
): Promise<{ trainingJobId: string; jobId: string }> {
  const input = ZRetrainRequest.parse(raw);
  // the batch first: another group's id is NOT_FOUND whatever this server can run
  const batch = await findBatchInGroup({ db }, access, input.batchId);
  if (!maybeBoss)
    throw new DomainError("PRECONDITION_FAILED", "Background jobs are not available on this server");
  const boss = maybeBoss;
  if (batch.status !== "ready") throw new DomainError("PRECONDITION_FAILED", "The batch is not ready");
  if (!batch.speciesId)
    throw badRequest("The batch spans several species (or none): retraining needs one species");
  const callTypes = (await db.callType.findMany({ where: { speciesId: batch.speciesId } })).map(
    (c) => c.shortName,
  );
  const perLabel = await db.task.groupBy({
    by: ["label"],
    where: labelledWhere(batch.id, callTypes),
    _count: { _all: true },
  });
  const total = perLabel.reduce((s, p) => s + p._count._all, 0);
  if (perLabel.length < 2 || total < CV_FOLDS)
    throw badRequest(
      `Retraining needs at least ${CV_FOLDS} confirmed labels of two call types in this batch; it has ${total} of ${perLabel.length} type(s)`,
    );
  const parent = await parentOf({ db }, access, batch);
  const type = (input.type ??
    (parent?.type !== "dummy" ? parent?.type : undefined) ??
    "lda") as TrainableType;
  // versions are numbered along the parentId chain: v1 → v2 → v3
  let depth = 1;
  for (let cur = parent; cur?.parentId && depth < 1000; depth++)
    cur = await db.classifier.findUnique({ where: { id: cur.parentId } });
  const base = parent ? `${parent.name.replace(/ v\d+$/, "")} v${depth + 1}` : `${batch.name} classifier`;
  const name = await freeName({ db }, access.groupId, base);
  const source: RetrainSource = {
    kind: "taskBatch",
    batchId: batch.id,
    parentId: parent?.id ?? null,
    reclassify: input.reclassify,
  };
  return inTransaction(db, async (tx) => {
    const tj = await tx.classifierTrainingJob.create({
      data: {
        groupId: access.groupId,
        name,
        type,
        speciesId: batch.speciesId,
        classifierId: null,
        source: source as unknown as Prisma.InputJsonValue,
        createdById: access.userId,
      },
    });
    const job = await enqueueJob(
      { db: tx, boss },
      {
        type: RETRAIN_QUEUE,
        payload: { trainingJobId: tj.id },
        groupId: access.groupId,
        userId: access.userId,
        subjectType: TRAINING_JOB_SUBJECT,
        subjectId: tj.id,
        message: `Retrain "${name}" from batch "${batch.name}"`,
      },
    );
    return { trainingJobId: tj.id, jobId: job.id };
  });
}

export interface RetrainHandlerDeps {
  media: MediaStore;
  rServerUrl: string;
  pool?: AudioTaskRunner | null;
}

/** Feature rows of the batch's confirmed labels (segment feature cache, else computed and cached). */
async function batchTable({ db }: DbContext, deps: RetrainHandlerDeps, batchId: string, speciesId: string) {
  const callTypes = (await db.callType.findMany({ where: { speciesId } })).map((c) => c.shortName);
  const tasks = await db.task.findMany({
    where: labelledWhere(batchId, callTypes),
    select: {
      label: true,
      recording: { select: { id: true, filePath: true } },
      segment: {
        select: {
          id: true,
          onset: true,
          offset: true,
          features: true,
          segmentation: { select: { parameters: true } },
        },
      },
    },
    orderBy: { position: "asc" },
  });
  const byRecording = new Map<string, typeof tasks>();
  for (const t of tasks) {
    const list = byRecording.get(t.recording.id) ?? [];
    list.push(t);
    byRecording.set(t.recording.id, list);
  }
  const table: TrainingTable = { featureNames: [...FEATURE_NAMES], rows: [], labels: [], origins: [] };
  let skipped = 0;
  for (const list of byRecording.values()) {
    const segments = list.flatMap((t) =>
      t.segment ? [{ ...t.segment, channel: featureChannelOf(t.segment.segmentation.parameters) }] : [],
    );
    const audio = { media: deps.media, key: (list[0] as (typeof tasks)[number]).recording.filePath };
    const { features, computed } = await featuresFor(audio, segments, deps.pool);
    for (const [id, value] of computed)
      await db.segment.updateMany({
        where: { id },
        data: { features: value as unknown as Prisma.InputJsonValue },
      });
    for (const t of list) {
      const f = t.segment ? features.get(t.segment.id) : undefined;
      if (!f || !isComplete(f) || !t.segment) {
        skipped++;
        continue;
      }
      table.rows.push(FEATURE_NAMES.map((n) => f[n]));
      table.labels.push(t.label as string);
      table.origins.push({ segmentId: t.segment.id });
    }
  }
  return { table, skipped };
}

/** The parent version's training rows, where they can be read again; else none (and why). */
async function parentTable(
  { db }: DbContext,
  deps: RetrainHandlerDeps,
  parent: { groupId: string | null; speciesId: string | null; parameters: unknown } | null,
  groupId: string,
): Promise<{ table: TrainingTable | null; note: string | null }> {
  if (!parent) return { table: null, note: null };
  const source = (parent.parameters as { source?: TrainingSource } | null)?.source;
  if (source?.kind === "csv") {
    const parsed = parseFeaturesCsv((await deps.media.read(source.path)).toString("utf8"), {
      requireLabels: true,
    });
    // a retrained version's CSV has its rows' origins beside it, so relabelled calls can be replaced
    const origins = await deps.media.read(originsPath(source.path)).then(
      (bytes) => JSON.parse(bytes.toString("utf8")) as RowOrigin[],
      (err: unknown) => {
        if (isMediaNotFound(err)) return null;
        throw err;
      },
    );
    return {
      table: {
        ...parsed,
        origins: origins?.length === parsed.rows.length ? origins : parsed.lines.map((line) => ({ line })),
      },
      note: null,
    };
  }
  if (source?.kind === "segments" && parent.speciesId) {
    const table = await buildSegmentTable(
      { db },
      { groupId: parent.groupId ?? groupId, speciesId: parent.speciesId, projectId: source.projectId },
      { media: deps.media, ...(deps.pool ? { pool: deps.pool } : {}) },
    );
    return { table, note: null };
  }
  return {
    table: null,
    note: `the previous version's training data (${source?.kind ?? "unknown"}) is not stored here; trained on the batch's labels only`,
  };
}

const originsPath = (csvKey: string) => csvKey.replace(/\.csv$/, ".origins.json");

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The combined table as a features CSV (exact doubles: String(x) round-trips). */
function tableCsv(table: TrainingTable): string {
  const lines = [[...table.featureNames, LABEL_COLUMN].join(",")];
  table.rows.forEach((r, i) => {
    lines.push(
      [...r.map((x) => (Number.isFinite(x) ? String(x) : "NA")), csvCell(table.labels[i] ?? "")].join(","),
    );
  });
  return `${lines.join("\n")}\n`;
}

export function retrainHandler(deps: RetrainHandlerDeps): JobHandler<"tasks.retrain"> {
  return async (ctx) => {
    const { db } = ctx;
    const { trainingJobId } = ctx.payload;
    const tj = await db.classifierTrainingJob.findUnique({ where: { id: trainingJobId } });
    if (!tj) return { trainingJobId, skipped: "the training job was deleted" };
    if (tj.status === "completed" || tj.status === "cancelled")
      return { trainingJobId, classifierId: tj.classifierId, skipped: tj.status };
    const src = tj.source as unknown as RetrainSource;
    if (!tj.speciesId) throw new PermanentJobError("The species of this training job was deleted");
    await db.classifierTrainingJob.update({ where: { id: tj.id }, data: { status: "running", error: null } });
    try {
      await ctx.setProgress(0.05, "Features of the batch's labelled calls");
      const mine = await batchTable({ db }, deps, src.batchId, tj.speciesId);
      const parent = src.parentId ? await db.classifier.findUnique({ where: { id: src.parentId } }) : null;
      const previous = await parentTable({ db }, deps, parent, tj.groupId);
      // a call labelled in the batch replaces the same call's older label
      const relabelled = new Set(mine.table.origins.map((o) => (o as { segmentId: string }).segmentId));
      const table: TrainingTable = { featureNames: [...FEATURE_NAMES], rows: [], labels: [], origins: [] };
      const add = (t: TrainingTable, keep: (o: RowOrigin) => boolean) =>
        t.rows.forEach((r, i) => {
          const origin = t.origins[i] ?? { line: 0 };
          if (!keep(origin)) return;
          table.rows.push(FEATURE_NAMES.map((n) => r[t.featureNames.indexOf(n)] as number));
          table.labels.push(t.labels[i] as string);
          table.origins.push(origin);
        });
      if (previous.table) add(previous.table, (o) => !("segmentId" in o) || !relabelled.has(o.segmentId));
      add(mine.table, () => true);
      if (new Set(table.labels).size < 2 || table.rows.length < CV_FOLDS)
        throw new PermanentJobError(
          `Only ${table.rows.length} measurable labelled calls of ${new Set(table.labels).size} call type(s): training needs at least ${CV_FOLDS} calls of two call types`,
        );
      const rel = path.posix.join("training", tj.groupId, `${tj.id}.csv`);
      await deps.media.write(rel, tableCsv(table));
      await deps.media.write(originsPath(rel), JSON.stringify(table.origins));
      await ctx.setProgress(
        0.4,
        `Training on ${table.rows.length} calls (${mine.table.rows.length} from the batch)`,
      );
      const client = new RClient({ baseUrl: deps.rServerUrl });
      const { classifier } = await saveTrainedClassifier(
        { db, media: deps.media },
        client,
        {
          groupId: tj.groupId,
          name: tj.name,
          description: `Retrained from the confirmed labels of a task batch${parent ? ` and the training data of ${parent.name} (version ${parent.version})` : ""}.${previous.note ? ` Note: ${previous.note}.` : ""}`,
          speciesId: tj.speciesId,
          type: tj.type as TrainableType,
          table,
          source: { kind: "csv", path: rel, rows: table.rows.length },
          createdById: tj.createdById,
        },
        {
          inTransaction: async (tx, c, model) => {
            await tx.classifier.update({ where: { id: c.id }, data: { parentId: src.parentId } });
            await tx.classifierTrainingJob.update({
              where: { id: tj.id },
              data: {
                status: "completed",
                progress: 1,
                classifierId: c.id,
                metrics: (model.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
              },
            });
          },
        },
      );
      const runIds: string[] = [];
      const runErrors: string[] = [];
      if (src.reclassify) {
        const batch = await db.taskBatch.findUnique({ where: { id: src.batchId } });
        const pairs = (batch?.source as Partial<StoredSource> | null)?.pairs ?? [];
        const access: GroupAccess = {
          userId: tj.createdById ?? "",
          isSiteAdmin: false,
          groupId: tj.groupId,
          groupName: "",
          membershipId: "",
          isGroupAdmin: false,
        };
        for (const segmentationId of new Set(pairs.map((p) => p.segmentationId))) {
          // the new version exists either way: a segmentation that cannot be classified is reported
          try {
            const { runId } = await startRun(
              { db, boss: ctx.boss },
              access,
              { segmentationId, classifierId: classifier.id },
              { userId: tj.createdById },
            );
            runIds.push(runId);
          } catch (err) {
            runErrors.push(`${segmentationId}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      return {
        trainingJobId,
        classifierId: classifier.id,
        parentId: src.parentId,
        batchRows: mine.table.rows.length,
        previousRows: previous.table?.rows.length ?? 0,
        skipped: mine.skipped,
        runIds,
        runErrors,
      };
    } catch (err) {
      const permanent =
        err instanceof PermanentJobError ||
        err instanceof RServerRequestError ||
        err instanceof RServerResponseError ||
        err instanceof DomainError;
      const final = permanent || ctx.retriesLeft === 0;
      const message = err instanceof Error ? err.message : String(err);
      await db.classifierTrainingJob.updateMany({
        where: { id: tj.id, status: "running" },
        data: final ? { status: "failed", error: message } : { status: "pending", error: message },
      });
      if (permanent && !(err instanceof PermanentJobError)) throw new PermanentJobError(message);
      throw err;
    }
  };
}
