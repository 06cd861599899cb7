// Clustering runs as the API sees them: create (scope resolved and stored, job queued in the same
// transaction), list, read, cancel, retry, delete. Another group's runs are NOT_FOUND.
import { DEFAULT_CLUSTERING_BAND } from "@battycoda/audio";
import type { Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError, notFound } from "../access/errors.ts";
import { cancelJob, enqueueJob, retryJob } from "../jobs/enqueue.ts";
import {
  K_BASED,
  type TAlgorithm,
  type TAlgorithmParams,
  type TClusteringMetrics,
  type TClusteringRunSummary,
  type TCreateRunRequest,
  type TFeatureSet,
  type TFrequencyBand,
  ZCreateRunRequest,
} from "./schemas.ts";
import { type ResolvedScope, resolveScope } from "./scope.ts";

export const RUN_SUBJECT = "clusteringRun";

export interface RunParameters {
  featureSet: TFeatureSet;
  algorithm: TAlgorithm;
  params: TAlgorithmParams;
  embedding: "auto" | "umap" | "tsne" | "pca";
  /** Stored with the run, so a retry and every recording of it use the same band. */
  band: TFrequencyBand;
}

export type StoredScope = Omit<ResolvedScope, "recordings"> & { recordings: number };

/** Defaults an algorithm gets when the form leaves a parameter out. */
export const ALGORITHM_DEFAULTS: Record<TAlgorithm, TAlgorithmParams> = {
  kmeans: { k: 5 },
  gmm: { k: 5 },
  spectral: { k: 5 },
  dbscan: { eps: 1, minPts: 5 },
  hdbscan: { minPts: 10 },
  meanshift: {},
  optics: { minPts: 10, xi: 0.05 },
  ap: { q: 0.5 },
  autodbscan: {},
};

export function runParameters(json: Prisma.JsonValue): RunParameters {
  const p = (json ?? {}) as Partial<RunParameters>;
  return {
    featureSet: p.featureSet ?? "mfcc",
    algorithm: p.algorithm ?? "kmeans",
    params: p.params ?? {},
    embedding: p.embedding ?? "auto",
    band: p.band ?? { ...DEFAULT_CLUSTERING_BAND },
  };
}

const kHz = (hz: number) => `${Number((hz / 1000).toFixed(3))}`;
export const bandText = (b: TFrequencyBand) => `${kHz(b.minHz)}–${kHz(b.maxHz)} kHz`;

const precondition = (m: string) => new DomainError("PRECONDITION_FAILED", m);

export async function findRunInGroup({ db }: DbContext, access: GroupAccess, runId: string) {
  const run = await db.clusteringRun.findFirst({ where: { id: runId, groupId: access.groupId } });
  if (!run) throw notFound("Clustering run");
  return run;
}

/** pg-boss, asked for only after the caller's access is checked (another group's ids stay NOT_FOUND). */
function requireBoss(boss: PgBoss | null): PgBoss {
  if (!boss) throw precondition("Background jobs are not available on this server");
  return boss;
}

export async function createRun(
  { db, boss: maybeBoss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  raw: TCreateRunRequest,
): Promise<{ runId: string; jobId: string }> {
  const input = ZCreateRunRequest.parse(raw);
  const scope = await resolveScope({ db }, access, input.scope);
  if (scope.segmentationIds.length === 0)
    throw badRequest("No completed, active segmentation in this scope: segment the recordings first");
  const segments = await db.segment.count({ where: { segmentationId: { in: scope.segmentationIds } } });
  if (segments < 3) throw badRequest(`This scope has ${segments} calls; at least 3 are needed to cluster`);
  const params = { ...ALGORITHM_DEFAULTS[input.algorithm], ...input.params };
  if (K_BASED.includes(input.algorithm) && (params.k ?? 0) >= segments)
    throw badRequest(`k (${params.k}) must be smaller than the number of calls (${segments})`);
  const parameters: RunParameters = {
    featureSet: input.featureSet,
    algorithm: input.algorithm,
    params,
    embedding: input.embedding,
    band: input.band ?? { ...DEFAULT_CLUSTERING_BAND },
  };
  const boss = requireBoss(maybeBoss);
  const features =
    input.featureSet === "calls" ? input.featureSet : `${input.featureSet} ${bandText(parameters.band)}`;
  const name =
    input.name ?? `${input.algorithm}${params.k ? ` k=${params.k}` : ""} on ${features} (${segments} calls)`;
  return inTransaction(db, async (tx) => {
    const run = await tx.clusteringRun.create({
      data: {
        groupId: access.groupId,
        projectId: scope.projectId,
        name,
        featureSet: input.featureSet,
        parameters: parameters as unknown as Prisma.InputJsonValue,
        scope: scope as unknown as Prisma.InputJsonValue,
        createdById: access.userId,
      },
    });
    const job = await enqueueJob(
      { db: tx, boss },
      {
        type: "clustering.run",
        payload: { runId: run.id },
        groupId: access.groupId,
        userId: access.userId,
        subjectType: RUN_SUBJECT,
        subjectId: run.id,
        message: `Clustering ${segments} calls`,
      },
    );
    return { runId: run.id, jobId: job.id };
  });
}

async function jobIdsOf({ db }: DbContext, runIds: string[]): Promise<Map<string, string>> {
  const rows = await db.job.findMany({
    where: { subjectType: RUN_SUBJECT, subjectId: { in: runIds } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, subjectId: true },
  });
  return new Map(rows.map((r) => [r.subjectId as string, r.id]));
}

type RunRow = Prisma.ClusteringRunGetPayload<{ include: { _count: { select: { clusters: true } } } }>;

function summary(r: RunRow, jobId: string | null): TClusteringRunSummary {
  const p = runParameters(r.parameters);
  const scope = r.scope as unknown as StoredScope | null;
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    progress: r.progress,
    error: r.error,
    featureSet: r.featureSet,
    algorithm: p.algorithm,
    params: p.params as Record<string, unknown>,
    band: p.featureSet === "calls" ? null : p.band,
    scope: scope?.request ?? null,
    speciesId: scope?.speciesId ?? null,
    clusterCount: r._count.clusters,
    jobId,
    createdAt: r.createdAt,
  };
}

export async function listRuns({ db }: DbContext, access: GroupAccess, input: { projectId?: string } = {}) {
  const rows = await db.clusteringRun.findMany({
    where: { groupId: access.groupId, ...(input.projectId ? { projectId: input.projectId } : {}) },
    include: { _count: { select: { clusters: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  const jobs = await jobIdsOf(
    { db },
    rows.map((r) => r.id),
  );
  return rows.map((r) => summary(r, jobs.get(r.id) ?? null));
}

export async function getRun({ db }: DbContext, access: GroupAccess, runId: string) {
  await findRunInGroup({ db }, access, runId);
  const r = await db.clusteringRun.findUniqueOrThrow({
    where: { id: runId },
    include: {
      _count: { select: { clusters: true } },
      clusters: {
        orderBy: { index: "asc" },
        include: { mappings: { include: { callType: { select: { shortName: true } } } } },
      },
    },
  });
  const jobs = await jobIdsOf({ db }, [runId]);
  const s = summary(r, jobs.get(runId) ?? null);
  const callTypes = s.speciesId
    ? await db.callType.findMany({
        where: { speciesId: s.speciesId },
        select: { id: true, shortName: true, longName: true },
        orderBy: { shortName: "asc" },
      })
    : [];
  return {
    ...s,
    metrics: (r.metrics as unknown as TClusteringMetrics | null) ?? null,
    clusters: r.clusters.map((c) => ({
      id: c.id,
      index: c.index,
      label: c.label,
      description: c.description,
      size: c.size,
      representativeSegmentId: c.representativeSegmentId,
      mappings: c.mappings.map((m) => ({
        callTypeId: m.callTypeId,
        shortName: m.callType.shortName,
        confidence: m.confidence,
      })),
    })),
    callTypes,
  };
}

export async function cancelRun(
  { db, boss: maybeBoss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  runId: string,
) {
  const run = await findRunInGroup({ db }, access, runId);
  const boss = requireBoss(maybeBoss);
  const refuse = (status: string) =>
    precondition(`Only queued or running runs can be cancelled (this one is ${status})`);
  if (run.status !== "pending" && run.status !== "running") throw refuse(run.status);
  // waits while the handler stores a result (it holds the run's row): then the run is completed
  const { count } = await db.clusteringRun.updateMany({
    where: { id: runId, status: { in: ["pending", "running"] } },
    data: { status: "cancelled" },
  });
  if (count === 0) throw refuse((await db.clusteringRun.findUniqueOrThrow({ where: { id: runId } })).status);
  // the handler sees the cancelled run within a second, kills Rscript and stores nothing
  const jobId = (await jobIdsOf({ db }, [runId])).get(runId);
  if (jobId) await cancelJob({ db, boss }, jobId);
  return { ok: true as const };
}

/** The Jobs page cancelling a clustering job: through its run, so the run, its job and R all stop. */
export async function cancelRunOfJob(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  runId: string,
) {
  const run = await db.clusteringRun.findFirst({ where: { id: runId, groupId: access.groupId } });
  if (run && (run.status === "pending" || run.status === "running"))
    return cancelRun({ db, boss }, access, run.id);
  return null;
}

/** The Jobs page retrying a failed or cancelled clustering job: the run is queued again with it. */
export async function retryRunOfJob(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  runId: string,
) {
  const run = await db.clusteringRun.findFirst({ where: { id: runId, groupId: access.groupId } });
  if (run && (run.status === "failed" || run.status === "cancelled"))
    return retryRun({ db, boss }, access, run.id);
  return null;
}

/** A failed or cancelled run queued again on its Job row (the handler starts from scratch). */
export async function retryRun(
  { db, boss: maybeBoss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  runId: string,
) {
  const run = await findRunInGroup({ db }, access, runId);
  const boss = requireBoss(maybeBoss);
  if (run.status !== "failed" && run.status !== "cancelled")
    throw precondition(`Only failed or cancelled runs can be retried (this one is ${run.status})`);
  const jobId = (await jobIdsOf({ db }, [runId])).get(runId);
  if (!jobId) throw precondition("This run has no job to retry");
  await db.clusteringRun.update({
    where: { id: runId },
    data: { status: "pending", error: null, progress: 0 },
  });
  await retryJob({ db, boss }, jobId);
  return { ok: true as const };
}

export async function deleteRun({ db }: DbContext, access: GroupAccess, runId: string) {
  const run = await findRunInGroup({ db }, access, runId);
  if (run.status === "running") throw precondition("Cancel the run before deleting it");
  await db.clusteringRun.delete({ where: { id: runId } });
  return { ok: true as const };
}
