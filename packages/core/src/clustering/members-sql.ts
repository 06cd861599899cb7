// The mapped members of a clustering run as (segment, label, confidence) rows: the one reading of a
// cluster → call type mapping, shared by "apply as labels" and by the task batches built from it.
import { Prisma } from "@battycoda/db";

/** Members of the run's mapped clusters (optionally only some clusters, or at least a member confidence). */
export function mappedMembersSql(
  runId: string,
  clusterIds: string[] | null | undefined,
  minConfidence?: number | undefined,
): Prisma.Sql {
  const only = clusterIds && clusterIds.length > 0 ? clusterIds : null;
  const min = minConfidence ?? null;
  return Prisma.sql`
    SELECT sc."segmentId", ct."shortName" AS label, m.confidence * COALESCE(sc.confidence, 1) AS confidence
    FROM "ClusterCallMapping" m
    JOIN "Cluster" cl ON cl.id = m."clusterId"
    JOIN "CallType" ct ON ct.id = m."callTypeId"
    JOIN "SegmentCluster" sc ON sc."clusterId" = cl.id
    WHERE cl."runId" = ${runId}
      AND (${only}::text[] IS NULL OR cl.id = ANY(${only}::text[]))
      AND (${min}::float8 IS NULL OR COALESCE(sc.confidence, 0) >= ${min}::float8)`;
}
