// Clustering runs end to end against real PostgreSQL, pg-boss, the audio pool and R (Rscript with
// Debian's packages): synthetic calls of three shapes come back as three clusters; retries replace
// rather than duplicate; explorer edits, mapping, labels, task batches and exports; other groups.
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AudioPool } from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../../audio/test/fixtures/generate.ts";
import { DomainError } from "../access/errors.ts";
import { cancelGroupJob, retryGroupJob } from "../jobs/api.ts";
import { type Boss, createBoss, registerJobHandler } from "../jobs/index.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { createBatch, createBatchHandler } from "../tasks/batches.ts";
import {
  applyMapping,
  batchFromMapping,
  clusteringRunHandler,
  clusterMembers,
  clustersCsv,
  createRun,
  getRun,
  listMappings,
  listRuns,
  mappingsCsv,
  mergeClusters,
  previewScope,
  runPoints,
  setMapping,
  splitCluster,
  updateCluster,
} from "./index.ts";
import { adjustedRandIndex, createShapesScene, type ShapesScene } from "./testing.ts";

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let boss: Boss;
let pool: AudioPool;
const hooks: { afterFeatures: ((runId: string) => Promise<void> | void) | null } = { afterFeatures: null };
/** What the handler returned per run (a cancelled job's row keeps no result). */
const handlerResults = new Map<string, unknown>();

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-clustering-");
  mediaRoot = path.join(dir, "media");
  await mkdir(mediaRoot, { recursive: true });
  pool = new AudioPool({ threads: 1 });
  boss = await createBoss(t.url, { role: "worker" });
  await registerJobHandler(
    { db: t.db, boss },
    "clustering.run",
    async (ctx) => {
      const result = await clusteringRunHandler({
        media: new LocalMediaStore(mediaRoot),
        pool,
        afterFeatures: (id) => hooks.afterFeatures?.(id),
      })(ctx);
      handlerResults.set(ctx.payload.runId, result);
      return result;
    },
    { pollingIntervalSeconds: 0.5 },
  );
  await registerJobHandler({ db: t.db, boss }, "tasks.create-batch", createBatchHandler({ pageSize: 25 }), {
    pollingIntervalSeconds: 0.5,
  });
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await pool?.destroy();
  await t?.drop();
  await removeTempDir(dir);
});

const runRow = (id: string) => t.db.clusteringRun.findUniqueOrThrow({ where: { id } });
async function until(id: string, status: string, timeout = 120_000) {
  await expect
    .poll(
      async () => {
        const r = await runRow(id);
        return r.error ? `${r.status}: ${r.error}` : r.status;
      },
      { timeout, interval: 250 },
    )
    .toBe(status);
  return runRow(id);
}

async function expectDomainError(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  if (message) expect((err as DomainError).message).toMatch(message);
}

/** Live (not zombie) processes started by this test process that run r_code/clustering.R. */
async function clusteringRProcesses(): Promise<number[]> {
  const found: number[] = [];
  for (const d of await readdir("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = await readFile(`/proc/${d}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== process.pid || state === "Z") continue;
      if ((await readFile(`/proc/${d}/cmdline`, "utf8")).includes("clustering.R")) found.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Cluster index per call (noise = -1) in the scene's call order, from the stored assignments. */
async function assignments(scene: ShapesScene, runId: string): Promise<number[]> {
  const segs = await t.db.segment.findMany({
    where: { segmentationId: scene.segmentationId },
    orderBy: { onset: "asc" },
    include: { clusterLinks: { where: { cluster: { runId } }, include: { cluster: true } } },
  });
  expect(segs).toHaveLength(scene.calls.length);
  return segs.map((s) => {
    expect(s.clusterLinks).toHaveLength(1);
    return s.clusterLinks[0]?.cluster.index as number;
  });
}

describe("clustering synthetic calls of three shapes", () => {
  let s250: ShapesScene;
  let s384: ShapesScene;
  let kmeansRunId: string;

  beforeAll(async () => {
    s250 = await createShapesScene(t, mediaRoot, dir, { calls: 90, sampleRate: 250_000 });
    s384 = await createShapesScene(t, mediaRoot, dir, { calls: 90, sampleRate: 384_000 });
  }, 60_000);

  it("previews the scope and refuses bad input without creating anything", async () => {
    expect(
      await previewScope({ db: t.db }, s250.access, {
        kind: "segmentation",
        segmentationId: s250.segmentationId,
      }),
    ).toEqual({
      recordings: 1,
      segmentations: 1,
      segments: 90,
    });
    expect(
      await previewScope({ db: t.db }, s250.access, { kind: "collection", projectId: s250.projectId }),
    ).toEqual({
      recordings: 1,
      segmentations: 1,
      segments: 90,
    });
    await expectDomainError(
      createRun({ db: t.db, boss }, s250.access, {
        scope: { kind: "segmentation", segmentationId: s250.segmentationId },
        algorithm: "kmeans",
        params: { k: 90 },
      }),
      "BAD_REQUEST",
      /k \(90\) must be smaller than the number of calls \(90\)/,
    );
    await expectDomainError(
      createRun({ db: t.db, boss }, s250.access, { scope: { kind: "collection" } }),
      "BAD_REQUEST",
      /project, a species/,
    );
    expect(await t.db.clusteringRun.count({ where: { groupId: s250.groupId } })).toBe(0);
  });

  it("k-means (k = 3) on MFCC at 250 kHz recovers the shapes (ARI >= 0.9), with quality, sweep and representatives", async () => {
    const { runId } = await createRun({ db: t.db, boss }, s250.access, {
      scope: { kind: "segmentation", segmentationId: s250.segmentationId },
      featureSet: "mfcc",
      algorithm: "kmeans",
      params: { k: 3 },
    });
    kmeansRunId = runId;
    const done = await until(runId, "completed");
    expect(done.progress).toBe(1);
    const labels = await assignments(s250, runId);
    const ari = adjustedRandIndex(
      s250.calls.map((c) => c.shape),
      labels,
    );
    expect(ari).toBeGreaterThanOrEqual(0.9);
    const detail = await getRun({ db: t.db }, s250.access, runId);
    expect(detail.clusters.map((c) => c.size).sort()).toEqual(
      [30, 30, 30].slice(0, detail.clusters.length).sort(),
    );
    expect(detail.clusters).toHaveLength(3);
    expect(detail.metrics?.silhouette).toBeGreaterThan(0.3);
    expect(detail.metrics?.sweep?.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(detail.metrics?.sweep?.every((s) => s.silhouette !== null)).toBe(true);
    expect(detail.metrics?.embedding).toBe("umap");
    expect(detail.callTypes.map((c) => c.shortName)).toEqual(["CF", "FM", "HOOK"]);
    // the representative is one of the cluster's own calls
    for (const c of detail.clusters) {
      const link = await t.db.segmentCluster.findFirst({
        where: { clusterId: c.id, segmentId: c.representativeSegmentId ?? "" },
      });
      expect(link).not.toBeNull();
    }
    const points = await runPoints({ db: t.db }, s250.access, runId);
    expect(points.count).toBe(90);
    const xy = new Float32Array(Uint8Array.from(Buffer.from(points.xy, "base64")).buffer);
    expect(xy).toHaveLength(180);
    expect(xy.every((v) => Number.isFinite(v))).toBe(true);
    const runs = await listRuns({ db: t.db }, s250.access);
    expect(runs.find((r) => r.id === runId)).toMatchObject({
      status: "completed",
      clusterCount: 3,
      algorithm: "kmeans",
    });
  }, 180_000);

  it("HDBSCAN on MFCC at 384 kHz finds the three shapes without being told how many (ARI >= 0.9)", async () => {
    const { runId } = await createRun({ db: t.db, boss }, s384.access, {
      scope: { kind: "collection", projectId: s384.projectId },
      featureSet: "mfcc",
      algorithm: "hdbscan",
      params: { minPts: 10 },
    });
    await until(runId, "completed");
    const labels = await assignments(s384, runId);
    const ari = adjustedRandIndex(
      s384.calls.map((c) => c.shape),
      labels,
    );
    expect(ari).toBeGreaterThanOrEqual(0.9);
    const detail = await getRun({ db: t.db }, s384.access, runId);
    expect(detail.metrics?.sweep).toBeNull();
  }, 180_000);

  it("recordings at 250 and 384 kHz in one run cluster by call shape, not by sample rate (one band for both)", async () => {
    const a = await createShapesScene(t, mediaRoot, dir, {
      calls: 60,
      sampleRate: 250_000,
      name: "mixed-250",
    });
    const b = await createShapesScene(t, mediaRoot, dir, {
      calls: 60,
      sampleRate: 384_000,
      name: "mixed-384",
      groupId: a.groupId,
      userId: a.access.userId,
    });
    await t.db.recording.update({
      where: { id: b.recordingId },
      data: { projectId: a.projectId, speciesId: a.speciesId },
    });
    const { runId } = await createRun({ db: t.db, boss }, a.access, {
      scope: { kind: "collection", projectId: a.projectId },
      featureSet: "mfcc",
      algorithm: "kmeans",
      params: { k: 3 },
    });
    await until(runId, "completed");
    const labels = [...(await assignments(a, runId)), ...(await assignments(b, runId))];
    const shapes = [...a.calls, ...b.calls].map((c) => c.shape);
    expect(adjustedRandIndex(shapes, labels)).toBeGreaterThanOrEqual(0.9);
    const run = await getRun({ db: t.db }, a.access, runId);
    expect(run.band).toEqual({ minHz: 10_000, maxHz: 120_000 });
    expect(run.name).toContain("mfcc 10–120 kHz");
  }, 180_000);

  it("a crashed attempt is retried and the result is written once; running the job again replaces it", async () => {
    let crashes = 0;
    hooks.afterFeatures = () => {
      if (crashes++ === 0) throw new Error("simulated worker crash");
    };
    try {
      const { runId, jobId } = await createRun({ db: t.db, boss }, s250.access, {
        scope: { kind: "segmentation", segmentationId: s250.segmentationId },
        algorithm: "kmeans",
        params: { k: 3 },
      });
      await until(runId, "completed");
      expect(crashes).toBe(2);
      await expect
        .poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: jobId } })).attempts)
        .toBe(2);
      const count = () => t.db.segmentCluster.count({ where: { cluster: { runId } } });
      expect(await count()).toBe(90);
      const firstClusters = (await t.db.cluster.findMany({ where: { runId } })).map((c) => c.id);
      // a second delivery of the same run (e.g. a lost acknowledgement) replaces, never adds
      await t.db.clusteringRun.update({ where: { id: runId }, data: { status: "running" } });
      const handler = clusteringRunHandler({ media: new LocalMediaStore(mediaRoot), pool });
      await handler({
        job: await t.db.job.findUniqueOrThrow({ where: { id: jobId } }),
        payload: { runId },
        db: t.db,
        boss,
        attempt: 3,
        retriesLeft: 0,
        setProgress: async () => undefined,
        setMessage: async () => undefined,
        isCancelled: async () => false,
      });
      expect((await runRow(runId)).status).toBe("completed");
      expect(await count()).toBe(90);
      const secondClusters = (await t.db.cluster.findMany({ where: { runId } })).map((c) => c.id);
      expect(secondClusters).toHaveLength(3);
      expect(secondClusters.some((id) => firstClusters.includes(id))).toBe(false);
    } finally {
      hooks.afterFeatures = null;
    }
  }, 240_000);

  it("cancelling the run's job from the Jobs page kills Rscript, marks the run cancelled and stores no clusters; a retry completes it", async () => {
    // spectral with its k sweep keeps R busy for many seconds on a few hundred calls
    const scene = await createShapesScene(t, mediaRoot, dir, {
      calls: 300,
      sampleRate: 250_000,
      name: "cancel",
    });
    expect(await clusteringRProcesses()).toEqual([]);
    const { runId, jobId } = await createRun({ db: t.db, boss }, scene.access, {
      scope: { kind: "segmentation", segmentationId: scene.segmentationId },
      algorithm: "spectral",
      params: { k: 3 },
    });
    let pids: number[] = [];
    await expect
      .poll(
        async () => {
          pids = await clusteringRProcesses();
          return pids.length;
        },
        { timeout: 120_000, interval: 50 },
      )
      .toBe(1);
    expect((await runRow(runId)).status).toBe("running");
    const job = await cancelGroupJob({ db: t.db, boss }, scene.access, jobId);
    expect(job.status).toBe("cancelled");
    // the process is gone within the watch interval plus R's exit
    await expect.poll(clusteringRProcesses, { timeout: 10_000, interval: 100 }).toEqual([]);
    expect(() => process.kill(pids[0] as number, 0)).toThrow();
    expect((await runRow(runId)).status).toBe("cancelled");
    await expect
      .poll(() => handlerResults.get(runId), { timeout: 10_000 })
      .toEqual({ runId, skipped: "cancelled" });
    expect((await runRow(runId)).status).toBe("cancelled");
    expect(await t.db.cluster.count({ where: { runId } })).toBe(0);
    expect(await t.db.segmentCluster.count({ where: { cluster: { runId } } })).toBe(0);
    await expectDomainError(
      cancelGroupJob({ db: t.db, boss }, scene.access, jobId),
      "PRECONDITION_FAILED",
      /cancelled/,
    );

    // retried from the Jobs page, the run runs again (k-means, to keep the test short) and completes whole
    await t.db.clusteringRun.update({
      where: { id: runId },
      data: { parameters: { featureSet: "mfcc", algorithm: "kmeans", params: { k: 3 }, embedding: "pca" } },
    });
    await retryGroupJob({ db: t.db, boss }, scene.access, jobId);
    await until(runId, "completed");
    expect(await t.db.segmentCluster.count({ where: { cluster: { runId } } })).toBe(300);
  }, 300_000);

  it("a job cancelled while it is queued leaves its run cancelled, not pending", async () => {
    // a database without a worker, so the job stays queued
    const idle = await createTestDatabase();
    const client = await createBoss(idle.url, { role: "client" });
    try {
      const scene = await createShapesScene(idle, mediaRoot, dir, {
        calls: 30,
        sampleRate: 250_000,
        name: "queued",
      });
      const { runId, jobId } = await createRun({ db: idle.db, boss: client }, scene.access, {
        scope: { kind: "segmentation", segmentationId: scene.segmentationId },
      });
      expect((await idle.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("queued");
      await cancelGroupJob({ db: idle.db, boss: client }, scene.access, jobId);
      expect((await idle.db.clusteringRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe(
        "cancelled",
      );
      expect((await idle.db.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("cancelled");
    } finally {
      await client.stop({ graceful: false, wait: true, timeout: 5000 });
      await idle.drop();
    }
  }, 60_000);

  it("names, splits and merges clusters, maps them to call types, applies labels, builds a review batch and exports", async () => {
    const access = s250.access;
    const detail = await getRun({ db: t.db }, access, kmeansRunId);
    const [c0, c1] = detail.clusters as [(typeof detail.clusters)[0], (typeof detail.clusters)[0]];
    await updateCluster({ db: t.db }, access, {
      clusterId: c0.id,
      label: "=cmd|' /C calc'!A0",
      description: "steep",
    });
    const members = await clusterMembers({ db: t.db }, access, { clusterId: c0.id, cursor: 0, limit: 10 });
    expect(members.total).toBe(c0.size);
    expect(members.items).toHaveLength(10);
    expect(members.nextCursor).toBe(10);

    // split five of c0's calls off, then merge them back
    const all = await clusterMembers({ db: t.db }, access, { clusterId: c0.id, cursor: 0, limit: 500 });
    const five = all.items.slice(0, 5).map((m) => m.segmentId);
    const split = await splitCluster({ db: t.db }, access, {
      runId: kmeansRunId,
      segmentIds: five,
      label: "part",
    });
    expect(split.moved).toBe(5);
    const afterSplit = await getRun({ db: t.db }, access, kmeansRunId);
    expect(afterSplit.clusters.find((c) => c.id === c0.id)?.size).toBe(c0.size - 5);
    expect(afterSplit.clusters.find((c) => c.id === split.clusterId)?.size).toBe(5);
    const merged = await mergeClusters({ db: t.db }, access, {
      runId: kmeansRunId,
      clusterIds: [c0.id, split.clusterId],
    });
    expect(merged).toEqual({ clusterId: c0.id, size: c0.size });
    expect(await t.db.cluster.count({ where: { id: split.clusterId } })).toBe(0);
    await expectDomainError(
      splitCluster({ db: t.db }, access, { runId: kmeansRunId, segmentIds: ["not-a-segment"] }),
      "BAD_REQUEST",
    );

    // map c0 to the call type most of its calls really are, c1 likewise
    const truth = new Map(
      (
        await t.db.segment.findMany({
          where: { segmentationId: s250.segmentationId },
          orderBy: { onset: "asc" },
        })
      ).map((s, i) => [s.id, s250.calls[i]?.shape.toUpperCase()]),
    );
    const majority = async (clusterId: string) => {
      const m = await clusterMembers({ db: t.db }, access, { clusterId, cursor: 0, limit: 500 });
      const counts = new Map<string, number>();
      for (const x of m.items)
        counts.set(truth.get(x.segmentId) as string, (counts.get(truth.get(x.segmentId) as string) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
    };
    const ct = new Map(detail.callTypes.map((c) => [c.shortName, c.id]));
    const t0 = await majority(c0.id);
    await setMapping({ db: t.db }, access, {
      clusterId: c0.id,
      callTypeId: ct.get(t0) as string,
      confidence: 0.9,
    });
    await setMapping({ db: t.db }, access, {
      clusterId: c1.id,
      callTypeId: ct.get(await majority(c1.id)) as string,
      confidence: 0.8,
    });
    const other = await t.db.species.create({
      data: {
        groupId: s250.groupId,
        name: `Other ${Date.now()}`,
        callTypes: { create: [{ shortName: "X" }] },
      },
      include: { callTypes: true },
    });
    await expectDomainError(
      setMapping({ db: t.db }, access, {
        clusterId: c0.id,
        callTypeId: other.callTypes[0]?.id as string,
        confidence: 1,
      }),
      "BAD_REQUEST",
      /another species/,
    );
    const mappings = await listMappings({ db: t.db }, access, kmeansRunId);
    expect(mappings).toHaveLength(2);
    expect(mappings.find((m) => m.clusterId === c0.id)).toMatchObject({ shortName: t0, confidence: 0.9 });

    const applied = await applyMapping({ db: t.db }, access, {
      runId: kmeansRunId,
      clusterIds: [c0.id],
      overwrite: false,
    });
    expect(applied.updated).toBe(c0.size);
    const labelled = await t.db.segment.findMany({
      where: { segmentationId: s250.segmentationId, label: t0 },
    });
    expect(labelled).toHaveLength(c0.size);
    // applying again changes nothing
    expect(
      (
        await applyMapping({ db: t.db }, access, {
          runId: kmeansRunId,
          clusterIds: [c0.id],
          overwrite: false,
        })
      ).updated,
    ).toBe(0);

    const batch = await batchFromMapping({ db: t.db, boss }, access, {
      runId: kmeansRunId,
      name: "review mapping",
    });
    expect(batch).toMatchObject({ tasks: c0.size + c1.size, jobId: null });
    const tasks = await t.db.task.findMany({
      where: { batchId: batch.batchId },
      orderBy: { position: "asc" },
    });
    expect(tasks.map((x) => x.position)).toEqual(tasks.map((_, i) => i + 1));
    const mappedTo = new Map([
      [c0.id, { label: t0, confidence: 0.9 }],
      [c1.id, { label: mappings.find((m) => m.clusterId === c1.id)?.shortName, confidence: 0.8 }],
    ]);
    const clusterOf = new Map(
      (await t.db.segmentCluster.findMany({ where: { cluster: { runId: kmeansRunId } } })).map((l) => [
        l.segmentId,
        l,
      ]),
    );
    for (const task of tasks) {
      const link = clusterOf.get(task.segmentId as string);
      const m = mappedTo.get(link?.clusterId as string);
      expect(task.predictedLabel).toBe(m?.label);
      expect(task.confidence).toBeCloseTo((m?.confidence ?? 0) * (link?.confidence ?? 1), 12);
      expect(task.speciesId).toBe(s250.speciesId);
    }
    // made by the tasks module's createBatch: its source, status and progress, like any batch
    const stored = await t.db.taskBatch.findUniqueOrThrow({ where: { id: batch.batchId } });
    expect(stored).toMatchObject({
      status: "ready",
      progress: 1,
      projectId: s250.projectId,
      speciesId: s250.speciesId,
      orderMode: "onset",
    });
    expect(stored.source).toMatchObject({
      request: { kind: "clustering", runId: kmeansRunId },
      clustering: { runId: kmeansRunId, clusterIds: null },
    });
    // the same name rules as every batch: unique in the group (whichever way the other was made), trimmed, not empty
    await expectDomainError(
      batchFromMapping({ db: t.db, boss }, access, { runId: kmeansRunId, name: " review mapping " }),
      "CONFLICT",
      /already exists/,
    );
    await createBatch({ db: t.db, boss }, access, {
      name: "from the segmentation",
      source: { kind: "segmentation", segmentationId: s250.segmentationId },
    });
    await expectDomainError(
      batchFromMapping({ db: t.db, boss }, access, { runId: kmeansRunId, name: "from the segmentation" }),
      "CONFLICT",
    );
    await expect(
      batchFromMapping({ db: t.db, boss }, access, { runId: kmeansRunId, name: "  " }),
    ).rejects.toThrow(/A batch needs a name/);
    // only the chosen clusters; another run's cluster is NOT_FOUND
    const one = await batchFromMapping({ db: t.db, boss }, access, {
      runId: kmeansRunId,
      name: "review c1",
      clusterIds: [c1.id],
    });
    expect(one.tasks).toBe(c1.size);
    expect(await t.db.task.count({ where: { batchId: one.batchId } })).toBe(c1.size);
    await expectDomainError(
      batchFromMapping({ db: t.db, boss }, access, { runId: kmeansRunId, name: "x", clusterIds: ["nope"] }),
      "NOT_FOUND",
    );
    // a batch too big to build inline goes through the tasks.create-batch job, page by page
    const big = await batchFromMapping(
      { db: t.db, boss },
      access,
      { runId: kmeansRunId, name: "review mapping (job)" },
      { inlineLimit: 10 },
    );
    expect(big.jobId).not.toBeNull();
    await expect
      .poll(async () => (await t.db.taskBatch.findUniqueOrThrow({ where: { id: big.batchId } })).status, {
        timeout: 60_000,
      })
      .toBe("ready");
    const bigTasks = await t.db.task.findMany({
      where: { batchId: big.batchId },
      orderBy: { position: "asc" },
    });
    expect(bigTasks.map((x) => x.position)).toEqual(tasks.map((x) => x.position));
    expect(bigTasks.map((x) => x.segmentId)).toEqual(tasks.map((x) => x.segmentId));

    const csv = await clustersCsv({ db: t.db }, access, kmeansRunId);
    const lines = csv.csv.trim().split("\n");
    expect(lines[0]).toBe("segment,recording,onset,offset,cluster,cluster_name,confidence,x,y");
    expect(lines).toHaveLength(91);
    expect(csv.csv).toContain(",'=cmd|' /C calc'!A0,");
    // Numbered as the explorer names them: "Cluster N" is N in the file, never the stored index from 0.
    const clusters = (await getRun({ db: t.db }, access, kmeansRunId)).clusters;
    expect(clusters.length).toBeGreaterThan(1);
    for (const c of clusters)
      expect(lines.slice(1).filter((l) => l.split(",").at(-5) === String(c.index + 1)).length).toBe(c.size);
    expect(lines.slice(1).some((l) => l.split(",").at(-5) === "0")).toBe(false);
    const unnamed = clusters.find((c) => !c.label);
    if (unnamed) expect(csv.csv).toContain(`,${unnamed.index + 1},Cluster ${unnamed.index + 1},`);
    const m = await mappingsCsv({ db: t.db }, access, kmeansRunId);
    expect(m.csv.trim().split("\n")).toHaveLength(3);
    expect(m.csv).toContain(`,${t0},0.9`);
  }, 120_000);

  it("another group's runs, clusters and mappings are NOT_FOUND", async () => {
    const other = await t.db.group.create({ data: { name: `other-${Date.now()}` } });
    const access = { ...s250.access, groupId: other.id };
    const detail = await getRun({ db: t.db }, s250.access, kmeansRunId);
    const clusterId = detail.clusters[0]?.id as string;
    await expectDomainError(getRun({ db: t.db }, access, kmeansRunId), "NOT_FOUND");
    await expectDomainError(runPoints({ db: t.db }, access, kmeansRunId), "NOT_FOUND");
    await expectDomainError(
      clusterMembers({ db: t.db }, access, { clusterId, cursor: 0, limit: 5 }),
      "NOT_FOUND",
    );
    await expectDomainError(updateCluster({ db: t.db }, access, { clusterId, label: "x" }), "NOT_FOUND");
    await expectDomainError(
      setMapping({ db: t.db }, access, { clusterId, callTypeId: null, confidence: 1 }),
      "NOT_FOUND",
    );
    await expectDomainError(listMappings({ db: t.db }, access, kmeansRunId), "NOT_FOUND");
    await expectDomainError(
      applyMapping({ db: t.db }, access, { runId: kmeansRunId, overwrite: true }),
      "NOT_FOUND",
    );
    await expectDomainError(clustersCsv({ db: t.db }, access, kmeansRunId), "NOT_FOUND");
    await expectDomainError(
      createRun({ db: t.db, boss }, access, {
        scope: { kind: "segmentation", segmentationId: s250.segmentationId },
      }),
      "NOT_FOUND",
    );
    expect(await listRuns({ db: t.db }, access)).toEqual([]);
  });
});
