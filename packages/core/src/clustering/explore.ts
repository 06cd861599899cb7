// What the explorer reads and edits: the scatter's points (compact typed arrays), a cluster's
// members page by page, names and descriptions, and split/merge by selection. Every lookup goes
// through the run's group, so another group's clusters are NOT_FOUND.
import type { DbTransaction } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError, notFound } from "../access/errors.ts";
import { findRunInGroup } from "./runs.ts";
import type { TPointsResponse } from "./schemas.ts";

export async function findClusterInGroup({ db }: DbContext, access: GroupAccess, clusterId: string) {
  const c = await db.cluster.findFirst({
    where: { id: clusterId, run: { groupId: access.groupId } },
    include: { run: { select: { id: true, status: true, scope: true } } },
  });
  if (!c) throw notFound("Cluster");
  return c;
}

const b64 = (a: Float32Array | Int32Array | Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

export async function runPoints(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
): Promise<TPointsResponse> {
  await findRunInGroup({ db }, access, runId);
  const clusters = await db.cluster.findMany({
    where: { runId },
    orderBy: { index: "asc" },
    select: { id: true, index: true, label: true },
  });
  const pos = new Map(clusters.map((c, i) => [c.id, i]));
  const rows = await db.$queryRaw<
    {
      s: string;
      c: string;
      x: number | null;
      y: number | null;
      p: number | null;
      r: string;
      on: number;
      off: number;
    }[]
  >`
    SELECT sc."segmentId" AS s, sc."clusterId" AS c, sc.x, sc.y, sc.confidence AS p,
           sg."recordingId" AS r, seg.onset AS on, seg."offset" AS off
    FROM "SegmentCluster" sc
    JOIN "Cluster" cl ON cl.id = sc."clusterId"
    JOIN "Segment" seg ON seg.id = sc."segmentId"
    JOIN "Segmentation" sg ON sg.id = seg."segmentationId"
    WHERE cl."runId" = ${runId}
    ORDER BY sc."segmentId"`;
  const recIds = [...new Set(rows.map((r) => r.r))];
  const recordings = await db.recording.findMany({
    where: { id: { in: recIds } },
    select: { id: true, name: true, sampleRate: true, duration: true },
  });
  const recPos = new Map(recordings.map((r, i) => [r.id, i]));
  const n = rows.length;
  const xy = new Float32Array(2 * n);
  const cluster = new Int32Array(n);
  const confidence = new Float32Array(n);
  const segmentIds: string[] = new Array(n);
  const recording = new Int32Array(n);
  const onset = new Float64Array(n);
  const offset = new Float64Array(n);
  rows.forEach((r, i) => {
    recording[i] = recPos.get(r.r) ?? -1;
    onset[i] = r.on;
    offset[i] = r.off;
    xy[2 * i] = r.x ?? Number.NaN;
    xy[2 * i + 1] = r.y ?? Number.NaN;
    cluster[i] = pos.get(r.c) ?? -1;
    confidence[i] = r.p ?? Number.NaN;
    segmentIds[i] = r.s;
  });
  return {
    count: n,
    xy: b64(xy),
    cluster: b64(cluster),
    confidence: b64(confidence),
    recording: b64(recording),
    onset: b64(onset),
    offset: b64(offset),
    segmentIds,
    clusters,
    recordings,
  };
}

export async function clusterMembers(
  { db }: DbContext,
  access: GroupAccess,
  input: { clusterId: string; cursor: number; limit: number },
) {
  const c = await findClusterInGroup({ db }, access, input.clusterId);
  const rows = await db.$queryRaw<
    {
      segmentId: string;
      recordingId: string;
      recordingName: string;
      onset: number;
      offset: number;
      label: string | null;
      confidence: number | null;
    }[]
  >`
    SELECT s.id AS "segmentId", r.id AS "recordingId", r.name AS "recordingName", s.onset, s."offset",
           s.label, sc.confidence
    FROM "SegmentCluster" sc
    JOIN "Segment" s ON s.id = sc."segmentId"
    JOIN "Segmentation" sg ON sg.id = s."segmentationId"
    JOIN "Recording" r ON r.id = sg."recordingId"
    WHERE sc."clusterId" = ${c.id}
    ORDER BY sc.confidence DESC NULLS LAST, s.id
    OFFSET ${input.cursor} LIMIT ${input.limit}`;
  const total = await db.segmentCluster.count({ where: { clusterId: c.id } });
  const next = input.cursor + rows.length;
  return { items: rows, total, nextCursor: next < total ? next : null };
}

export async function updateCluster(
  { db }: DbContext,
  access: GroupAccess,
  input: { clusterId: string; label?: string | undefined; description?: string | undefined },
) {
  const c = await findClusterInGroup({ db }, access, input.clusterId);
  await db.cluster.update({
    where: { id: c.id },
    data: {
      ...(input.label !== undefined ? { label: input.label, isLabeled: input.label.length > 0 } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    },
  });
  return { ok: true as const };
}

/**
 * Sizes and representatives after a manual edit. The feature-space centroid of an edited cluster
 * is not known any more (the features are not kept), so the representative becomes the member
 * nearest the cluster's middle in the embedding, and the stored centroid is cleared.
 */
async function refreshClusters(tx: DbTransaction, clusterIds: string[]) {
  await tx.$executeRaw`
    UPDATE "Cluster" c SET
      size = (SELECT count(*)::int FROM "SegmentCluster" sc WHERE sc."clusterId" = c.id),
      centroid = NULL,
      "representativeSegmentId" = (
        SELECT sc."segmentId" FROM "SegmentCluster" sc,
          (SELECT avg(x) AS ax, avg(y) AS ay FROM "SegmentCluster" WHERE "clusterId" = c.id) m
        WHERE sc."clusterId" = c.id
        ORDER BY (sc.x - m.ax) ^ 2 + (sc.y - m.ay) ^ 2 NULLS LAST, sc."segmentId"
        LIMIT 1)
    WHERE c.id = ANY(${clusterIds}::text[])`;
  // a cluster emptied by the edit is gone (its mappings with it)
  await tx.cluster.deleteMany({ where: { id: { in: clusterIds }, size: 0 } });
}

function editable(run: { status: string }) {
  if (run.status !== "completed")
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The run is ${run.status}; only a completed run can be edited`,
    );
}

/** The selected calls leave their clusters and form a new one. */
export async function splitCluster(
  { db }: DbContext,
  access: GroupAccess,
  input: { runId: string; segmentIds: string[]; label?: string | undefined },
) {
  const run = await findRunInGroup({ db }, access, input.runId);
  editable(run);
  const ids = [...new Set(input.segmentIds)];
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ClusteringRun" WHERE id = ${run.id} FOR UPDATE`;
    const links = await tx.segmentCluster.findMany({
      where: { segmentId: { in: ids }, cluster: { runId: run.id } },
      select: { id: true, clusterId: true },
    });
    if (links.length !== ids.length)
      throw badRequest(`${ids.length - links.length} of the selected calls are not in this run`);
    const max = await tx.cluster.aggregate({ where: { runId: run.id }, _max: { index: true } });
    const created = await tx.cluster.create({
      data: {
        runId: run.id,
        index: Math.max(0, (max._max.index ?? -1) + 1),
        label: input.label ?? "",
        isLabeled: (input.label ?? "").length > 0,
      },
    });
    await tx.segmentCluster.updateMany({
      where: { id: { in: links.map((l) => l.id) } },
      data: { clusterId: created.id },
    });
    await refreshClusters(tx, [created.id, ...new Set(links.map((l) => l.clusterId))]);
    return { clusterId: created.id, moved: links.length };
  });
}

/** Every selected cluster's calls join the first one; the others are removed. */
export async function mergeClusters(
  { db }: DbContext,
  access: GroupAccess,
  input: { runId: string; clusterIds: string[]; label?: string | undefined },
) {
  const run = await findRunInGroup({ db }, access, input.runId);
  editable(run);
  const ids = [...new Set(input.clusterIds)];
  if (ids.length < 2) throw badRequest("Choose at least two clusters to merge");
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ClusteringRun" WHERE id = ${run.id} FOR UPDATE`;
    const found = await tx.cluster.findMany({
      where: { id: { in: ids }, runId: run.id },
      select: { id: true },
    });
    if (found.length !== ids.length) throw notFound("Cluster");
    const [target, ...others] = ids as [string, ...string[]];
    await tx.segmentCluster.updateMany({ where: { clusterId: { in: others } }, data: { clusterId: target } });
    await tx.cluster.deleteMany({ where: { id: { in: others } } });
    if (input.label !== undefined)
      await tx.cluster.update({
        where: { id: target },
        data: { label: input.label, isLabeled: input.label.length > 0 },
      });
    await refreshClusters(tx, [target]);
    const t = await tx.cluster.findUniqueOrThrow({ where: { id: target }, select: { size: true } });
    return { clusterId: target, size: t.size };
  });
}
