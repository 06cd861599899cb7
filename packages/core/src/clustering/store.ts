// Writes a run's outcome in one transaction: the run's old clusters (and with them every
// assignment and mapping) go, the new ones come in, the run completes. A retry after a crash at
// any point therefore finds either nothing or a whole result, never half of one.
import { randomUUID } from "node:crypto";
import type { Prisma } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { FeatureMatrix } from "./features.ts";
import type { RClusteringResult } from "./r-process.ts";
import type { TClusteringMetrics } from "./schemas.ts";

const CHUNK = 20_000;

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** True when stored; false when the run or its job stopped (cancelled, deleted) meanwhile. */
export async function storeResult(
  { db }: DbContext,
  { runId, jobId }: { runId: string; jobId?: string | undefined },
  matrix: FeatureMatrix,
  r: RClusteringResult,
  seconds: number,
): Promise<boolean> {
  const clusterIds = r.clusters.map(() => randomUUID());
  const idByIndex = new Map(r.clusters.map((c, i) => [c.index, clusterIds[i] as string]));
  // Noise (label -1) is a cluster of its own with index -1, so its calls keep their place in the
  // scatter and can still be looked at (the silhouette leaves them out).
  const noiseId = randomUUID();
  if (r.noise > 0) idByIndex.set(-1, noiseId);
  const metrics: TClusteringMetrics = {
    silhouette: r.silhouette,
    noise: r.noise,
    clustered: matrix.n - r.noise,
    skipped: matrix.skipped,
    sweep: r.sweep,
    embedding: r.embeddingMethod,
    usedFeatures: r.usedFeatures,
    fitSample: r.fitSample,
    chosen: r.chosen ?? {},
    rVersion: r.rVersion,
    packages: r.packages,
    seconds,
  };
  return inTransaction(
    db,
    async (tx) => {
      const [row] = await tx.$queryRaw<{ status: string }[]>`
        SELECT status::text AS status FROM "ClusteringRun" WHERE id = ${runId} FOR UPDATE`;
      if (row?.status !== "running") return false;
      // a cancel from the Jobs page waits for this lock, or this sees it: never both a cancelled job and clusters
      if (jobId) {
        const [job] = await tx.$queryRaw<{ status: string }[]>`
          SELECT status::text AS status FROM "Job" WHERE id = ${jobId} FOR SHARE`;
        if (job?.status === "cancelled") return false;
      }
      await tx.cluster.deleteMany({ where: { runId } });
      await tx.cluster.createMany({
        data: r.clusters.map((c, i) => ({
          id: clusterIds[i] as string,
          runId,
          index: c.index,
          size: c.size,
          centroid: c.centroid as unknown as Prisma.InputJsonValue,
          representativeSegmentId: matrix.segmentIds[c.representative] ?? null,
        })),
      });
      if (r.noise > 0)
        await tx.cluster.create({
          data: { id: noiseId, runId, index: -1, label: "noise", size: r.noise },
        });
      for (let start = 0; start < matrix.n; start += CHUNK) {
        const seg: string[] = [];
        const cl: string[] = [];
        const conf: (number | null)[] = [];
        const xs: (number | null)[] = [];
        const ys: (number | null)[] = [];
        for (let i = start; i < Math.min(matrix.n, start + CHUNK); i++) {
          const label = Math.max(-1, r.labels[i] as number);
          seg.push(matrix.segmentIds[i] as string);
          cl.push(idByIndex.get(label) as string);
          conf.push(finiteOrNull(r.confidence[i] as number));
          xs.push(finiteOrNull(r.embedding[2 * i] as number));
          ys.push(finiteOrNull(r.embedding[2 * i + 1] as number));
        }
        if (seg.length === 0) continue;
        await tx.$executeRaw`
          INSERT INTO "SegmentCluster" (id, "clusterId", "segmentId", confidence, x, y)
          SELECT gen_random_uuid()::text, u.c, u.s, u.conf, u.x, u.y
          FROM unnest(${cl}::text[], ${seg}::text[], ${conf}::float8[], ${xs}::float8[], ${ys}::float8[])
            AS u(c, s, conf, x, y)`;
      }
      await tx.clusteringRun.update({
        where: { id: runId },
        data: {
          status: "completed",
          progress: 1,
          error: null,
          metrics: metrics as unknown as Prisma.InputJsonValue,
        },
      });
      return true;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}
