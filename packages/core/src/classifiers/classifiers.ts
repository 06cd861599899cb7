// Reading and deleting classifiers. A group sees its own classifiers and the global ones
// (groupId null); another group's are NOT_FOUND. Global classifiers cannot be deleted here.
import path from "node:path";
import type { Classifier, Db } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext, MediaContext } from "../access/context.ts";
import { conflict, forbidden, notFound } from "../access/errors.ts";
import { classifierModelsPrefix, readModelCard, removeModel } from "./model-store.ts";
import {
  type ClassifierMetrics,
  type TClassifierSummary,
  type TConfusionCellRequest,
  ZClassifierMetrics,
  ZConfusionCellRequest,
  ZTrainingSource,
} from "./schemas.ts";
import { TRAINING_JOB_SUBJECT } from "./train.ts";

const visibleWhere = (access: GroupAccess) => ({ OR: [{ groupId: null }, { groupId: access.groupId }] });

/** A classifier the caller may read (own group or global), without dummies' special cases. */
export async function findClassifierForRead({ db }: DbContext, access: GroupAccess, classifierId: string) {
  const c = await db.classifier.findUnique({
    where: { id: classifierId },
    include: { species: { select: { name: true } } },
  });
  if (!c || (c.groupId !== null && c.groupId !== access.groupId)) throw notFound("Classifier");
  return c;
}

function metricsOf(c: Classifier): ClassifierMetrics | null {
  const parsed = ZClassifierMetrics.safeParse(c.metrics);
  return parsed.success ? parsed.data : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function summary(c: Classifier & { species: { name: string } | null }): TClassifierSummary {
  const m = metricsOf(c);
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    description: c.description,
    speciesId: c.speciesId,
    speciesName: c.species?.name ?? null,
    isGlobal: c.groupId === null,
    version: c.version,
    trainingRows: c.trainingRows,
    accuracy: m?.accuracy ?? null,
    balancedAccuracy: m?.balancedAccuracy ?? null,
    classes: stringList(c.classes),
    createdAt: c.createdAt,
  };
}

export async function listClassifiers(
  { db }: DbContext,
  access: GroupAccess,
  input: { speciesId?: string | undefined },
) {
  const rows = await db.classifier.findMany({
    where: {
      isActive: true,
      ...visibleWhere(access),
      ...(input.speciesId ? { speciesId: input.speciesId } : {}),
    },
    include: { species: { select: { name: true } } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows.map(summary);
}

export async function getClassifier({ db }: DbContext, access: GroupAccess, classifierId: string) {
  const c = await findClassifierForRead({ db }, access, classifierId);
  const params = (c.parameters ?? {}) as { source?: unknown };
  const source = ZTrainingSource.safeParse(params.source);
  return {
    ...summary(c),
    metrics: metricsOf(c),
    parameters: c.parameters,
    featureNames: stringList(c.featureNames),
    trainingDataHash: c.trainingDataHash,
    rInfo: c.rInfo,
    source: source.success ? source.data : null,
  };
}

/** The calls whose out-of-fold prediction fell in one confusion-matrix cell (from the model card). */
export async function confusionCell(
  { db, media }: MediaContext,
  access: GroupAccess,
  request: TConfusionCellRequest,
) {
  const input = ZConfusionCellRequest.parse(request);
  const c = await findClassifierForRead({ db }, access, input.classifierId);
  const metrics = metricsOf(c);
  const labels = metrics?.confusionMatrix.labels ?? [];
  const ti = labels.indexOf(input.trueLabel);
  const pi = labels.indexOf(input.predictedLabel);
  if (!metrics || ti < 0 || pi < 0) return { items: [], total: 0 };
  const card = c.modelPath ? await readModelCard(media, c.modelPath) : null;
  if (!card?.cvPredictions) {
    // Trained by an R server that did not report per-row predictions: only the count is known.
    return { items: [], total: metrics.confusionMatrix.matrix[ti]?.[pi] ?? 0 };
  }
  const hits = card.cvPredictions.filter(
    (p) => p.label === input.trueLabel && p.predicted === input.predictedLabel,
  );
  const page = hits.slice(0, input.limit);
  const segmentIds = page.map((p) => p.segmentId).filter((s): s is string => !!s);
  // Segments of this group only (a global classifier's rows never name segments, but be strict).
  const segments = segmentIds.length
    ? await db.segment.findMany({
        where: { id: { in: segmentIds }, segmentation: { groupId: access.groupId } },
        select: {
          id: true,
          onset: true,
          offset: true,
          segmentation: { select: { recording: { select: { id: true, name: true } } } },
        },
      })
    : [];
  const byId = new Map(segments.map((s) => [s.id, s]));
  return {
    items: page.map((p) => {
      const s = p.segmentId ? byId.get(p.segmentId) : undefined;
      return {
        row: p.line ?? p.row,
        segmentId: s?.id ?? null,
        recordingId: s?.segmentation.recording.id ?? null,
        recordingName: s?.segmentation.recording.name ?? null,
        onset: s?.onset ?? null,
        offset: s?.offset ?? null,
      };
    }),
    total: hits.length,
  };
}

export async function listTrainingJobs(
  { db }: DbContext,
  access: GroupAccess,
  input: { speciesId?: string | undefined },
) {
  const rows = await db.classifierTrainingJob.findMany({
    where: { groupId: access.groupId, ...(input.speciesId ? { speciesId: input.speciesId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  // A job cancelled (or lost) before its handler ran never updates the training row: its Job says.
  const unfinished = rows.filter((j) => j.status === "pending" || j.status === "running").map((j) => j.id);
  const jobs = unfinished.length
    ? await db.job.findMany({
        where: { groupId: access.groupId, subjectType: TRAINING_JOB_SUBJECT, subjectId: { in: unfinished } },
        orderBy: { createdAt: "asc" },
        select: { subjectId: true, status: true, error: true },
      })
    : [];
  const jobOf = new Map(jobs.map((j) => [j.subjectId, j]));
  return rows.map((j) => {
    const job = jobOf.get(j.id);
    const ended = job && (job.status === "cancelled" || job.status === "failed") ? job : null;
    return {
      id: j.id,
      name: j.name,
      type: j.type,
      status: ended ? (ended.status as "cancelled" | "failed") : j.status,
      progress: j.progress,
      error: ended ? (ended.error ?? j.error) : j.error,
      classifierId: j.classifierId,
      createdAt: j.createdAt,
    };
  });
}

/** Deletes a group-owned classifier and every version's model and card. */
export async function deleteClassifier(
  { db, media }: MediaContext,
  access: GroupAccess,
  classifierId: string,
) {
  const c = await findClassifierForRead({ db }, access, classifierId);
  if (c.groupId === null) throw forbidden("Global classifiers cannot be deleted");
  const active = await db.classificationRun.count({
    where: { classifierId: c.id, status: { in: ["pending", "running"] } },
  });
  if (active > 0)
    throw conflict(
      `${active} queued or running classification run(s) use this classifier; cancel them first`,
    );
  await db.classifier.delete({ where: { id: c.id } });
  // After the row: a failure here leaves unnamed objects for removeOrphanModels, never a row without its model.
  await media.deletePrefix(classifierModelsPrefix(c.groupId, c.id));
  if (c.modelPath) {
    // models stored before content-addressed keys: models/<group>/<id>-v<n>.rds and .json
    await removeModel(media, c.modelPath);
    const dir = path.posix.dirname(c.modelPath);
    for await (const { key } of media.list(dir))
      if (path.posix.basename(key).startsWith(`${c.id}-v`)) await media.delete(key);
  }
  return { ok: true as const };
}
