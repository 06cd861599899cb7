// "Retrain from confirmed labels" end to end: a batch of a run made with a trained classifier is
// labelled, the tasks.retrain job trains a new version on the real R server (parentId = the run's
// classifier), queues a re-classification, and a second retrain reads the first one's stored
// training data back, replacing the calls labelled again instead of counting them twice.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { type RServerHandle, startRServer } from "@battycoda/r-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { DomainError } from "../src/access/errors.ts";
import { type Boss, createBoss, registerJobHandler } from "../src/jobs/index.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { createBatch, listTasks, retrainFromBatch, retrainHandler, saveLabel } from "../src/tasks/index.ts";
import { createScene, type Scene, trainClassifier } from "./classification-fixtures.ts";

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let media: LocalMediaStore;
let boss: Boss;
let r: RServerHandle;
let scene: Scene;
let userId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-tasks-retrain-");
  mediaRoot = path.join(dir, "media");
  await mkdir(mediaRoot, { recursive: true });
  media = new LocalMediaStore(mediaRoot);
  r = await startRServer();
  boss = await createBoss(t.url, { role: "worker" });
  await registerJobHandler(
    { db: t.db, boss },
    "tasks.retrain",
    retrainHandler({ media, rServerUrl: r.url }),
    {
      pollingIntervalSeconds: 0.5,
    },
  );
  scene = await createScene(t.db, mediaRoot, dir, { calls: 30 });
  const user = await t.db.user.create({ data: { username: "annotator", email: "a@example.org" } });
  await t.db.membership.create({ data: { userId: user.id, groupId: scene.groupId } });
  userId = user.id;
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await r?.stop();
  await t?.drop();
  await removeTempDir(dir);
});

/** A completed run of `classifierId` over the scene's segmentation (its results do not matter here). */
async function runOf(classifierId: string) {
  return t.db.classificationRun.create({
    data: {
      groupId: scene.groupId,
      recordingId: scene.recordingId,
      segmentationId: scene.segmentationId,
      classifierId,
      status: "completed",
      finishedAt: new Date(),
    },
  });
}

async function labelledBatch(name: string, runId: string) {
  const access = { ...scene.access, userId };
  const { batchId } = await createBatch({ db: t.db, boss: null }, access, {
    name,
    source: { kind: "run", runId },
  });
  const tasks = (await listTasks(t, access, { batchId, limit: 500 })).items;
  expect(tasks).toHaveLength(scene.calls.length);
  // tasks are in onset order, like the synthetic calls
  for (const [i, task] of tasks.entries())
    await saveLabel(t, access, { taskId: task.id, label: scene.calls[i]?.label as string });
  return { batchId, access };
}

async function finished(jobId: string) {
  await expect
    .poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: jobId } })).status, {
      timeout: 90_000,
      interval: 300,
    })
    .toMatch(/completed|failed/);
  return t.db.job.findUniqueOrThrow({ where: { id: jobId } });
}

describe("retrain from confirmed labels", () => {
  it("trains a new version with parentId, re-classifies, and chains to a third version", async () => {
    const v1 = await trainClassifier(t.db, r.client, media, scene, { name: "Synthetic KNN" });
    const run1 = await runOf(v1.id);
    const first = await labelledBatch("first", run1.id);

    const { trainingJobId, jobId } = await retrainFromBatch({ db: t.db, boss }, first.access, {
      batchId: first.batchId,
      reclassify: true,
    });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("completed");
    const result = job.result as Record<string, unknown>;
    expect(result).toMatchObject({ batchRows: 30, previousRows: 0, parentId: v1.id });
    expect(result.runIds).toHaveLength(1);
    const tj = await t.db.classifierTrainingJob.findUniqueOrThrow({ where: { id: trainingJobId } });
    expect(tj.status).toBe("completed");
    const v2 = await t.db.classifier.findUniqueOrThrow({ where: { id: tj.classifierId as string } });
    expect(v2).toMatchObject({ name: "Synthetic KNN v2", parentId: v1.id, type: "knn", trainingRows: 30 });
    expect(v2.metrics).toBeTruthy();
    expect(v2.description).toMatch(/not stored here/);
    const queued = await t.db.classificationRun.findUniqueOrThrow({
      where: { id: (result.runIds as string[])[0] },
    });
    expect(queued.classifierId).toBe(v2.id);

    // the second version's stored data comes back; the same 30 calls relabelled replace it
    const run2 = await runOf(v2.id);
    const second = await labelledBatch("second", run2.id);
    const again = await retrainFromBatch({ db: t.db, boss }, second.access, {
      batchId: second.batchId,
      type: "lda",
    });
    const job2 = await finished(again.jobId);
    expect(job2.status).toBe("completed");
    expect(job2.result).toMatchObject({ batchRows: 30, previousRows: 30, parentId: v2.id, runIds: [] });
    const v3 = await t.db.classifier.findFirstOrThrow({ where: { parentId: v2.id } });
    expect(v3).toMatchObject({ name: "Synthetic KNN v3", type: "lda", trainingRows: 30 });
    // each version's model and training data are in the media store, the model under its hash
    for (const c of [v2, v3]) {
      expect(c.modelPath).toMatch(new RegExp(`^models/${scene.groupId}/${c.id}/[0-9a-f]{64}\\.rds$`));
      expect((await media.stat(c.modelPath as string))?.size).toBeGreaterThan(0);
    }
    const source = (v3.parameters as { source: { path: string } }).source;
    expect((await media.read(source.path)).toString("utf8").split("\n")[0]).toMatch(/,label$/);
    expect(await media.stat(source.path.replace(/\.csv$/, ".origins.json"))).not.toBeNull();
  }, 240_000);

  it("refuses a batch with too few confirmed labels, and another group's batch", async () => {
    const access = { ...scene.access, userId };
    const run = await t.db.classificationRun.findFirstOrThrow({
      where: { segmentationId: scene.segmentationId },
    });
    const { batchId } = await createBatch({ db: t.db, boss: null }, access, {
      name: "unlabelled",
      source: { kind: "run", runId: run.id },
    });
    const err = await retrainFromBatch({ db: t.db, boss }, access, { batchId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("BAD_REQUEST");
    const stranger = { ...access, groupId: (await t.db.group.create({ data: { name: "other" } })).id };
    const err2 = await retrainFromBatch({ db: t.db, boss }, stranger, { batchId }).catch((e: unknown) => e);
    expect((err2 as DomainError).code).toBe("NOT_FOUND");
  });
});
