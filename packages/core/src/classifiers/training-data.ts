// Training rows from labelled calls: segments of the group's active segmentations, on recordings
// of the species, labelled with one of the species' call types, in the segmentation editor or by a person in a task
// batch (labelledCall). Features come from the segment's cache or are computed (pool task "features") and cached.
import { FEATURE_NAMES } from "@battycoda/audio";
import type { Db, Prisma } from "@battycoda/db";
import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { featuresFor, isComplete } from "../classification/features.ts";
import { featureChannelOf } from "../classification/stamp.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import type { TrainingTable } from "./model.ts";
import type { TTrainingPreviewRequest } from "./schemas.ts";

export interface SegmentSourceScope {
  groupId: string;
  speciesId: string;
  projectId?: string | null;
}

async function callTypeNames({ db }: DbContext, speciesId: string): Promise<string[]> {
  const rows = await db.callType.findMany({ where: { speciesId }, select: { shortName: true } });
  return rows.map((r) => r.shortName);
}

/** Tasks whose human label (annotated, or agreed/adjudicated in a blind batch) is one of `labels`. */
const confirmedTask = (labels: string[]): Prisma.TaskWhereInput => ({
  status: "done",
  label: { in: labels },
});

function scopeWhere(scope: SegmentSourceScope): Prisma.SegmentWhereInput {
  return {
    segmentation: {
      groupId: scope.groupId,
      isActive: true,
      recording: { speciesId: scope.speciesId, ...(scope.projectId ? { projectId: scope.projectId } : {}) },
    },
  };
}

function labelledSegmentsWhere(scope: SegmentSourceScope, labels: string[]): Prisma.SegmentWhereInput {
  return {
    ...scopeWhere(scope),
    OR: [{ label: { in: labels } }, { tasks: { some: confirmedTask(labels) } }],
  };
}

/** The newest confirmed task label of a segment (selected with the segment). */
const newestTaskLabel = (labels: string[]) =>
  ({
    where: confirmedTask(labels),
    orderBy: [{ annotatedAt: "desc" }, { updatedAt: "desc" }, { id: "desc" }],
    take: 1,
    select: { label: true },
  }) satisfies Prisma.Segment$tasksArgs;

/**
 * A call's label for training: the segment's own when it is a call type (set in the editor, an import or a cluster
 * mapping), else the newest label a person confirmed for it in a task batch.
 */
function labelledCall(s: { label: string | null; tasks: { label: string | null }[] }, labels: string[]) {
  return s.label && labels.includes(s.label) ? s.label : (s.tasks[0]?.label ?? null);
}

/** How many labelled calls a segments training would use, per call type. */
export async function trainingPreview(
  { db }: DbContext,
  access: GroupAccess,
  input: TTrainingPreviewRequest,
) {
  await findSpeciesForRead({ db }, access, input.speciesId);
  if (input.projectId) await findProjectInGroup({ db }, access, input.projectId);
  const scope = { groupId: access.groupId, speciesId: input.speciesId, projectId: input.projectId ?? null };
  const labels = await callTypeNames({ db }, input.speciesId);
  const counts = new Map<string, number>();
  // Labelled in the editor: counted in the database. Labelled only in task batches (far fewer, as people
  // confirm them one by one): each with its newest confirmed label.
  const groups = await db.segment.groupBy({
    by: ["label"],
    where: { ...scopeWhere(scope), label: { in: labels } },
    _count: { _all: true },
  });
  for (const g of groups) counts.set(g.label as string, g._count._all);
  const fromTasks = await db.segment.findMany({
    where: {
      ...scopeWhere(scope),
      AND: [
        { OR: [{ label: null }, { label: { notIn: labels } }] },
        { tasks: { some: confirmedTask(labels) } },
      ],
    },
    select: { label: true, tasks: newestTaskLabel(labels) },
  });
  for (const s of fromTasks) {
    const label = labelledCall(s, labels);
    if (label) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const perLabel = [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  return { total: perLabel.reduce((s, p) => s + p.count, 0), perLabel, fromTasks: fromTasks.length };
}

export interface SegmentTableOptions {
  media: MediaStore;
  pool?: AudioTaskRunner | null;
  /** 0..1 over the recordings read. */
  onProgress?: (fraction: number, message: string) => Promise<void> | void;
}

export interface SegmentTable extends TrainingTable {
  /** Labelled calls too short to measure (incomplete features): not trained on. */
  skipped: number;
  recordings: number;
}

/** Rows in a stable order (recording, onset, id), so the same labels give the same table. */
export async function buildSegmentTable(
  { db }: DbContext,
  scope: SegmentSourceScope,
  options: SegmentTableOptions,
): Promise<SegmentTable> {
  const labels = await callTypeNames({ db }, scope.speciesId);
  const where = labelledSegmentsWhere(scope, labels);
  const recordings = await db.recording.findMany({
    where: { groupId: scope.groupId, segmentations: { some: { isActive: true, segments: { some: where } } } },
    select: { id: true, name: true, filePath: true },
    orderBy: { id: "asc" },
  });
  const table: SegmentTable = {
    featureNames: [...FEATURE_NAMES],
    rows: [],
    labels: [],
    origins: [],
    skipped: 0,
    recordings: recordings.length,
  };
  for (const [i, rec] of recordings.entries()) {
    await options.onProgress?.(i / Math.max(1, recordings.length), `Features of ${rec.name}`);
    const segments = await db.segment.findMany({
      where: { ...where, segmentation: { ...(where.segmentation as object), recordingId: rec.id } },
      select: {
        id: true,
        onset: true,
        offset: true,
        label: true,
        tasks: newestTaskLabel(labels),
        features: true,
        segmentation: { select: { parameters: true } },
      },
      orderBy: [{ onset: "asc" }, { id: "asc" }],
    });
    const { features, computed } = await featuresFor(
      { media: options.media, key: rec.filePath },
      segments.map((s) => ({ ...s, channel: featureChannelOf(s.segmentation.parameters) })),
      options.pool,
    );
    if (computed.size > 0)
      await inTransaction(db, async (tx) => {
        for (const [id, value] of computed)
          await tx.segment.updateMany({
            where: { id },
            data: { features: value as unknown as Prisma.InputJsonValue },
          });
      });
    for (const s of segments) {
      const f = features.get(s.id);
      if (!f || !isComplete(f)) {
        table.skipped++;
        continue;
      }
      table.rows.push(FEATURE_NAMES.map((n) => f[n]));
      table.labels.push(labelledCall(s, labels) as string);
      table.origins.push({ segmentId: s.id });
    }
  }
  await options.onProgress?.(1, `${table.rows.length} labelled calls`);
  return table;
}
