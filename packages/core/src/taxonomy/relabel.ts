// The statements that move one short name to another wherever a species' calls carry it as text:
// segment labels, task labels and predictions, annotators' labels, run results. Labels are stored
// as short names (not call type ids), so a rename or merge has to rewrite them; probabilities and
// cluster mappings point at call type ids and are handled by the operations themselves.
// `only` narrows a statement to chosen segments / tasks (a split's selection).
import { Prisma } from "@battycoda/db";
import type { DbTransaction } from "../access/db.ts";

export interface Only {
  segmentIds: string[];
  taskIds: string[];
}

const segmentFilter = (only: Only | undefined, column: Prisma.Sql) =>
  only ? Prisma.sql`AND ${column} = ANY(${only.segmentIds}::text[])` : Prisma.empty;

/** Segments of every segmentation of the species' recordings. */
export function relabelSegments(tx: DbTransaction, speciesId: string, from: string, to: string, only?: Only) {
  return tx.$executeRaw`
    UPDATE "Segment" s SET label = ${to}, "updatedAt" = now()
    FROM "Segmentation" sg JOIN "Recording" r ON r.id = sg."recordingId"
    WHERE s."segmentationId" = sg.id AND r."speciesId" = ${speciesId} AND s.label = ${from}
      ${segmentFilter(only, Prisma.sql`s.id`)}`;
}

export async function relabelTasks(
  tx: DbTransaction,
  speciesId: string,
  from: string,
  to: string,
  only?: Only,
) {
  const filter = only ? Prisma.sql`AND id = ANY(${only.taskIds}::text[])` : Prisma.empty;
  const labels = await tx.$executeRaw`
    UPDATE "Task" SET label = ${to}, "updatedAt" = now()
    WHERE "speciesId" = ${speciesId} AND label = ${from} ${filter}`;
  const predictions = await tx.$executeRaw`
    UPDATE "Task" SET "predictedLabel" = ${to}, "updatedAt" = now()
    WHERE "speciesId" = ${speciesId} AND "predictedLabel" = ${from} ${filter}`;
  const annotators = await tx.$executeRaw`
    UPDATE "TaskLabel" l SET label = ${to}, "updatedAt" = now()
    FROM "Task" t
    WHERE l."taskId" = t.id AND t."speciesId" = ${speciesId} AND l.label = ${from}
      ${only ? Prisma.sql`AND t.id = ANY(${only.taskIds}::text[])` : Prisma.empty}`;
  return { labels, predictions, annotators };
}

/** Results of runs on the species' recordings (the run's call types are the recording species'). */
export function relabelResults(tx: DbTransaction, speciesId: string, from: string, to: string, only?: Only) {
  return tx.$executeRaw`
    UPDATE "ClassificationResult" cr SET "predictedLabel" = ${to}
    FROM "ClassificationRun" run JOIN "Recording" r ON r.id = run."recordingId"
    WHERE cr."runId" = run.id AND r."speciesId" = ${speciesId} AND cr."predictedLabel" = ${from}
      ${segmentFilter(only, Prisma.sql`cr."segmentId"`)}`;
}

export interface RelabelCounts {
  segmentLabels: number;
  taskLabels: number;
  taskPredictions: number;
  annotatorLabels: number;
  resultPredictions: number;
}

export const ZERO_RELABEL: RelabelCounts = {
  segmentLabels: 0,
  taskLabels: 0,
  taskPredictions: 0,
  annotatorLabels: 0,
  resultPredictions: 0,
};

/** Every text label `from` of the species becomes `to`. */
export async function relabelAll(
  tx: DbTransaction,
  speciesId: string,
  from: string,
  to: string,
  only?: Only,
): Promise<RelabelCounts> {
  const segmentLabels = await relabelSegments(tx, speciesId, from, to, only);
  const tasks = await relabelTasks(tx, speciesId, from, to, only);
  const resultPredictions = await relabelResults(tx, speciesId, from, to, only);
  return {
    segmentLabels,
    taskLabels: tasks.labels,
    taskPredictions: tasks.predictions,
    annotatorLabels: tasks.annotators,
    resultPredictions,
  };
}

export function addCounts(a: RelabelCounts, b: RelabelCounts): RelabelCounts {
  return {
    segmentLabels: a.segmentLabels + b.segmentLabels,
    taskLabels: a.taskLabels + b.taskLabels,
    taskPredictions: a.taskPredictions + b.taskPredictions,
    annotatorLabels: a.annotatorLabels + b.annotatorLabels,
    resultPredictions: a.resultPredictions + b.resultPredictions,
  };
}
