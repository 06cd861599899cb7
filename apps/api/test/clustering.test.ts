// The clustering procedures through tRPC: a run of one group (its rows written directly; the R
// path is exercised in packages/core/src/clustering/clustering.test.ts) is NOT_FOUND to another
// group for every procedure that takes an id, and the owner reads it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

let t: TestEnv;
let owner: TestUser;
let stranger: TestUser;
let runId: string;
let clusterIds: string[];
let segmentIds: string[];
let callTypeId: string;
let segmentationId: string;

beforeAll(async () => {
  t = await createTestEnv();
  owner = await registerAndLogin(t, "clusterowner");
  stranger = await registerAndLogin(t, "clusterstranger");
  const db = t.deps.db;
  const groupId = (await db.membership.findFirstOrThrow({ where: { userId: owner.id } })).groupId;
  const species = await db.species.create({
    data: {
      groupId,
      name: "Myotis clusterii",
      callTypes: { create: [{ shortName: "FM" }, { shortName: "CF" }] },
    },
    include: { callTypes: true },
  });
  callTypeId = species.callTypes[0]?.id as string;
  const rec = await db.recording.create({
    data: { groupId, name: "rec", filePath: "x.wav", speciesId: species.id, sampleRate: 250_000 },
  });
  const seg = await db.segmentation.create({
    data: { groupId, recordingId: rec.id, name: "s", source: "import", status: "completed", isActive: true },
  });
  segmentationId = seg.id;
  await db.segment.createMany({
    data: Array.from({ length: 6 }, (_, i) => ({
      segmentationId: seg.id,
      onset: i * 0.1,
      offset: i * 0.1 + 0.005,
    })),
  });
  segmentIds = (
    await db.segment.findMany({ where: { segmentationId: seg.id }, orderBy: { onset: "asc" } })
  ).map((s) => s.id);
  const run = await db.clusteringRun.create({
    data: {
      groupId,
      name: "run",
      status: "completed",
      progress: 1,
      parameters: { featureSet: "mfcc", algorithm: "kmeans", params: { k: 2 }, embedding: "pca" },
      scope: {
        request: { kind: "segmentation", segmentationId: seg.id },
        segmentationIds: [seg.id],
        speciesId: species.id,
        projectId: null,
        recordings: 1,
      },
    },
  });
  runId = run.id;
  clusterIds = [];
  for (const index of [0, 1]) {
    const c = await db.cluster.create({ data: { runId, index, size: 3 } });
    clusterIds.push(c.id);
    await db.segmentCluster.createMany({
      data: segmentIds.slice(index * 3, index * 3 + 3).map((segmentId, i) => ({
        clusterId: c.id,
        segmentId,
        confidence: 0.9,
        x: index + i * 0.1,
        y: index,
      })),
    });
  }
});
afterAll(async () => {
  await t?.close();
});

describe("clustering procedures", () => {
  it("serve the owner: run, points, members, mapping, labels, exports", async () => {
    const c = owner.caller.clustering;
    expect(await c.previewScope({ scope: { kind: "segmentation", segmentationId } })).toEqual({
      recordings: 1,
      segmentations: 1,
      segments: 6,
    });
    const runs = await c.listRuns({});
    expect(runs.map((r) => r.id)).toEqual([runId]);
    const detail = await c.getRun({ runId });
    expect(detail.clusters).toHaveLength(2);
    const points = await c.points({ runId });
    expect(points.count).toBe(6);
    expect(Buffer.from(points.xy, "base64").byteLength).toBe(6 * 2 * 4);
    const members = await c.members({ clusterId: clusterIds[0] as string, limit: 2 });
    expect(members).toMatchObject({ total: 3, nextCursor: 2 });
    await c.updateCluster({ clusterId: clusterIds[0] as string, label: "sweeps" });
    await c.setMapping({ clusterId: clusterIds[0] as string, callTypeId, confidence: 0.75 });
    expect(await c.mappings({ runId })).toEqual([
      expect.objectContaining({ clusterLabel: "sweeps", shortName: "FM", confidence: 0.75 }),
    ]);
    expect(await c.applyMapping({ runId })).toEqual({ updated: 3 });
    expect((await c.clustersCsv({ runId })).csv.split("\n")[0]).toBe(
      "segment,recording,onset,offset,cluster,cluster_name,confidence,x,y",
    );
    expect((await c.mappingsCsv({ runId })).csv).toContain("\n1,sweeps,3,FM,0.75");
    await expectTRPCError(
      c.createRun({ scope: { kind: "segmentation", segmentationId } }),
      "PRECONDITION_FAILED",
    );
  });

  it("answer NOT_FOUND for another group's runs, clusters and mappings", async () => {
    const c = stranger.caller.clustering;
    const clusterId = clusterIds[1] as string;
    await expectTRPCError(c.previewScope({ scope: { kind: "segmentation", segmentationId } }), "NOT_FOUND");
    await expectTRPCError(c.createRun({ scope: { kind: "segmentation", segmentationId } }), "NOT_FOUND");
    await expectTRPCError(c.getRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.cancelRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.retryRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.deleteRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.points({ runId }), "NOT_FOUND");
    await expectTRPCError(c.members({ clusterId }), "NOT_FOUND");
    await expectTRPCError(c.updateCluster({ clusterId, label: "mine" }), "NOT_FOUND");
    await expectTRPCError(c.splitCluster({ runId, segmentIds: [segmentIds[0] as string] }), "NOT_FOUND");
    await expectTRPCError(c.mergeClusters({ runId, clusterIds }), "NOT_FOUND");
    await expectTRPCError(c.setMapping({ clusterId, callTypeId, confidence: 1 }), "NOT_FOUND");
    await expectTRPCError(c.mappings({ runId }), "NOT_FOUND");
    await expectTRPCError(c.applyMapping({ runId, overwrite: true }), "NOT_FOUND");
    await expectTRPCError(c.mappingBatch({ runId, name: "steal" }), "NOT_FOUND");
    await expectTRPCError(c.clustersCsv({ runId }), "NOT_FOUND");
    await expectTRPCError(c.mappingsCsv({ runId }), "NOT_FOUND");
    expect(await c.listRuns({})).toEqual([]);
    expect(await c.runs()).toEqual([]);
    // nothing of the owner's changed
    expect((await t.deps.db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).label).toBe("");
    expect(await t.deps.db.clusteringRun.count({ where: { id: runId } })).toBe(1);
  });
});
