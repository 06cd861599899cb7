// What still refers to a call type, counted before it may be deleted (on its own or by a "replace"
// import): labels are stored as short names, so deleting a used type would leave them naming
// nothing. A used type is refused with the counts; merging it into another (taxonomy) relabels them.
import type { DbTransaction } from "../access/db.ts";

export interface CallTypeUsage {
  segmentLabels: number;
  /** Tasks whose label or prediction is the type. */
  tasks: number;
  annotatorLabels: number;
  resultPredictions: number;
  /** Stored per-call probabilities of it (they would vanish with the row). */
  probabilities: number;
  clusterMappings: number;
  /** Active classifiers that predict it. */
  classifiers: number;
}

/** Counts for one call type of the species (call inside the transaction that deletes it). */
export async function callTypeUsage(
  tx: DbTransaction,
  callType: { id: string; speciesId: string; shortName: string },
): Promise<CallTypeUsage> {
  const { id, speciesId, shortName: name } = callType;
  const [row] = await tx.$queryRaw<CallTypeUsage[]>`
    SELECT
      (SELECT count(*) FROM "Segment" s
         JOIN "Segmentation" sg ON sg.id = s."segmentationId"
         JOIN "Recording" r ON r.id = sg."recordingId"
       WHERE r."speciesId" = ${speciesId} AND s.label = ${name})::int AS "segmentLabels",
      (SELECT count(*) FROM "Task"
       WHERE "speciesId" = ${speciesId} AND (label = ${name} OR "predictedLabel" = ${name}))::int AS tasks,
      (SELECT count(*) FROM "TaskLabel" l JOIN "Task" t ON t.id = l."taskId"
       WHERE t."speciesId" = ${speciesId} AND l.label = ${name})::int AS "annotatorLabels",
      (SELECT count(*) FROM "ClassificationResult" cr
         JOIN "ClassificationRun" run ON run.id = cr."runId"
         JOIN "Recording" r ON r.id = run."recordingId"
       WHERE r."speciesId" = ${speciesId} AND cr."predictedLabel" = ${name})::int AS "resultPredictions",
      (SELECT count(*) FROM "CallProbability" WHERE "callTypeId" = ${id})::int AS probabilities,
      (SELECT count(*) FROM "ClusterCallMapping" WHERE "callTypeId" = ${id})::int AS "clusterMappings",
      (SELECT count(*) FROM "Classifier"
       WHERE "speciesId" = ${speciesId} AND "isActive"
         AND jsonb_typeof(classes) = 'array' AND classes @> jsonb_build_array(${name}::text))::int AS classifiers`;
  return row as CallTypeUsage;
}

const NOUNS: Record<keyof CallTypeUsage, [string, string]> = {
  segmentLabels: ["segment label", "segment labels"],
  tasks: ["task", "tasks"],
  annotatorLabels: ["annotator label", "annotator labels"],
  resultPredictions: ["classification result", "classification results"],
  probabilities: ["stored probability", "stored probabilities"],
  clusterMappings: ["cluster mapping", "cluster mappings"],
  classifiers: ["classifier", "classifiers"],
};

export const isUsed = (u: CallTypeUsage) => Object.values(u).some((n) => n > 0);

/** "12 segment labels, 3 tasks, 1 classifier" (only what is non-zero). */
export function usageText(u: CallTypeUsage): string {
  return (Object.keys(NOUNS) as (keyof CallTypeUsage)[])
    .filter((k) => u[k] > 0)
    .map((k) => `${u[k]} ${NOUNS[k][u[k] === 1 ? 0 : 1]}`)
    .join(", ");
}

export const MERGE_HINT =
  "merge it into the call type that replaces it (Call-type taxonomy → Merge), which relabels all of them";
