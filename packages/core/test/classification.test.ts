// Classification runs end to end against real PostgreSQL, pg-boss and the real R server: results
// with a full probability vector, R stopped mid-run, a crash mid-run, dummy runs, cancel/retry,
// a bad model, and another group's access.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { extractCallFeatures, FEATURE_NAMES, readWavFile } from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { type RServerHandle, startRServer } from "@battycoda/r-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { DomainError } from "../src/access/errors.ts";
import {
  applyLabels,
  cancelRun,
  classificationRunHandler,
  classifyUnclassified,
  classifyUnclassifiedPreview,
  deleteRun,
  featuresCsv,
  getRun,
  listResults,
  listRuns,
  parametersJson,
  resultsCsv,
  retryRun,
  startRun,
  WAITING_FOR_R,
} from "../src/classification/index.ts";
import { type Boss, createBoss, registerJobHandler } from "../src/jobs/index.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { accessFor, createScene, type Scene, trainClassifier } from "./classification-fixtures.ts";

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let media: LocalMediaStore;
let boss: Boss;
let r: RServerHandle;
let rPort: number;
type AfterBatch = (info: { runId: string; batch: number; processed: number }) => Promise<void> | void;
const hooks: { afterBatch: AfterBatch | null } = { afterBatch: null };

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-classification-");
  mediaRoot = path.join(dir, "media");
  await mkdir(mediaRoot, { recursive: true });
  media = new LocalMediaStore(mediaRoot);
  r = await startRServer();
  rPort = r.port;
  boss = await createBoss(t.url, { role: "worker" });
  await registerJobHandler(
    { db: t.db, boss },
    "classification.run",
    classificationRunHandler({
      media,
      rServerUrl: r.url,
      retryBaseMs: 200,
      retryMaxMs: 1000,
      afterBatch: (info) => hooks.afterBatch?.(info),
    }),
    { pollingIntervalSeconds: 0.5 },
  );
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await r?.stop();
  await t?.drop();
  await removeTempDir(dir);
});

const run = (id: string) => t.db.classificationRun.findUniqueOrThrow({ where: { id } });
const until = async (id: string, status: string, timeout = 60_000) => {
  await expect.poll(async () => (await run(id)).status, { timeout, interval: 200 }).toBe(status);
  return run(id);
};

async function readAll(body: AsyncIterable<string>): Promise<string> {
  let s = "";
  for await (const chunk of body) s += chunk;
  return s;
}

/** Exactly one result per segment, each with a probability per call type summing to 1. */
async function expectCompleteResults(scene: Scene, runId: string) {
  const results = await t.db.classificationResult.findMany({
    where: { runId },
    include: { probabilities: true },
  });
  const segments = await t.db.segment.findMany({ where: { segmentationId: scene.segmentationId } });
  expect(results).toHaveLength(segments.length);
  expect(new Set(results.map((x) => x.segmentId)).size).toBe(segments.length);
  for (const res of results) {
    expect(res.probabilities).toHaveLength(3);
    expect(res.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 9);
  }
  return results;
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

describe("classification runs", () => {
  let scene: Scene;
  let classifierId: string;

  beforeAll(async () => {
    scene = await createScene(t.db, mediaRoot, dir, { calls: 40 });
    classifierId = (await trainClassifier(t.db, r.client, media, scene)).id;
  }, 120_000);

  it("classifies every segment with the species' best classifier, caches features, stamps and exports", async () => {
    const { runId } = await startRun(
      { db: t.db, boss },
      scene.access,
      { segmentationId: scene.segmentationId },
      { batchSize: 7 },
    );
    const done = await until(runId, "completed");
    expect(done).toMatchObject({
      classifierId,
      isDummy: false,
      processedCount: 40,
      totalCount: 40,
      progress: 1,
    });

    const results = await expectCompleteResults(scene, runId);
    const segs = await t.db.segment.findMany({
      where: { segmentationId: scene.segmentationId },
      orderBy: { onset: "asc" },
    });
    const truth = new Map(segs.map((s, i) => [s.id, scene.calls[i]?.label]));
    const correct = results.filter((x) => x.predictedLabel === truth.get(x.segmentId)).length;
    expect(correct / results.length).toBeGreaterThan(0.9);
    // C is a call type the model never learnt: stored as probability 0
    const typeC = await t.db.callType.findFirstOrThrow({
      where: { speciesId: scene.speciesId, shortName: "C" },
    });
    expect(
      results.every((x) => x.probabilities.find((p) => p.callTypeId === typeC.id)?.probability === 0),
    ).toBe(true);

    // features read window by window equal a whole-file extraction bit for bit, and are cached
    const wav = await readWavFile(scene.wav);
    const whole = extractCallFeatures(
      wav.channels[0] as Float32Array,
      wav.info.sampleRate,
      segs.map(({ onset, offset }) => ({ onset, offset })),
    );
    segs.forEach((s, i) => {
      const cached = (s.features as { values: Record<string, number | null> }).values;
      for (const n of FEATURE_NAMES)
        expect(cached[n]).toBe(Number.isFinite(whole[i]?.[n]) ? whole[i]?.[n] : null);
    });

    const detail = await getRun(t, scene.access, runId);
    expect(detail.stamp).toMatchObject({
      recording: { sha256: "0".repeat(64) },
      classifier: {
        id: classifierId,
        type: "knn",
        trainingDataHash: "f".repeat(64),
        // the model's name in the media store and on every R server
        modelSha256: (
          (await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } })).modelPath as string
        ).slice(-68, -4),
      },
      r: { version: r.ping.rVersion },
      features: { version: "1", channel: 0 },
    });
    expect(detail.methodsText).toMatch(/k-nearest-neighbour/);
    expect(detail.methodsText).toMatch(/model SHA-256 [0-9a-f]{64}/);
    expect(detail.methodsText).toContain(r.ping.rVersion);
    expect(detail.confidenceHistogram.counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(detail.labelCounts.reduce((a, b) => a + b.count, 0)).toBe(40);
    expect(detail.jobId).not.toBeNull();
    const job = await t.db.job.findUniqueOrThrow({ where: { id: detail.jobId as string } });
    expect(job).toMatchObject({ status: "completed", subjectType: "classificationRun", subjectId: runId });

    const page1 = await listResults(t, scene.access, { runId, limit: 25, order: "confidence_desc" });
    expect(page1.total).toBe(40);
    expect(page1.items).toHaveLength(25);
    const page2 = await listResults(t, scene.access, {
      runId,
      limit: 25,
      cursor: page1.nextCursor as string,
      order: "confidence_desc",
    });
    expect(page2.items).toHaveLength(15);
    expect(page2.nextCursor).toBeNull();
    const onlyB = await listResults(t, scene.access, { runId, callType: "B", limit: 500 });
    expect(onlyB.items.every((x) => x.predictedLabel === "B")).toBe(true);
    expect(onlyB.items.length).toBeGreaterThan(10);

    const csv = await readAll((await resultsCsv(t, scene.access, runId)).body);
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^# BattyCoda/);
    const header = lines.find((l) => !l.startsWith("#")) as string;
    expect(header.split(",").slice(-3)).toEqual(["p_A", "p_B", "p_C"]);
    expect(lines.filter((l) => !l.startsWith("#"))).toHaveLength(41);
    const fcsv = await readAll((await featuresCsv(t, scene.access, runId)).body);
    const fheader = fcsv.split("\n").find((l) => !l.startsWith("#")) as string;
    expect(fheader.split(",")).toHaveLength(6 + 27);
    const pjson = JSON.parse(await readAll((await parametersJson(t, scene.access, runId)).body));
    expect(pjson.stamp.classifier.id).toBe(classifierId);

    // applying labels fills unlabelled segments only
    const applied = await applyLabels(t, scene.access, { runId, minConfidence: 0 });
    expect(applied.updated).toBe(results.filter((x) => x.predictedLabel !== null).length);
    expect((await applyLabels(t, scene.access, { runId })).updated).toBe(0);
  });

  it("waits while the R server is down and completes when it is back, without duplicates", async () => {
    let stopped = false;
    hooks.afterBatch = async ({ batch }) => {
      if (batch === 1 && !stopped) {
        stopped = true;
        await r.stop();
      }
    };
    try {
      const { runId } = await startRun(
        { db: t.db, boss },
        scene.access,
        { segmentationId: scene.segmentationId, classifierId },
        { batchSize: 10 },
      );
      await expect
        .poll(async () => (await run(runId)).waitingReason, { timeout: 30_000, interval: 100 })
        .toBe(WAITING_FOR_R);
      const waiting = await run(runId);
      expect(waiting.status).toBe("running");
      expect(waiting.processedCount).toBe(10);
      expect(waiting.attempts).toBeGreaterThan(0);
      expect(waiting.nextAttemptAt).not.toBeNull();
      r = await startRServer({ port: rPort });
      const done = await until(runId, "completed");
      expect(done.waitingReason).toBeNull();
      await expectCompleteResults(scene, runId);
    } finally {
      hooks.afterBatch = null;
    }
  });

  it("resumes after the attempt crashed mid-run, writing no segment twice", async () => {
    let crashed = false;
    hooks.afterBatch = ({ batch }) => {
      if (batch === 2 && !crashed) {
        crashed = true;
        throw new Error("simulated worker crash");
      }
    };
    try {
      const { runId } = await startRun(
        { db: t.db, boss },
        scene.access,
        { segmentationId: scene.segmentationId, classifierId },
        { batchSize: 8 },
      );
      const done = await until(runId, "completed");
      expect(crashed).toBe(true);
      expect(done.processedCount).toBe(40);
      await expectCompleteResults(scene, runId);
      // the run row completes inside the handler; its Job row is marked when the handler returns
      await expect
        .poll(() => t.db.job.findFirstOrThrow({ where: { subjectId: runId } }), { timeout: 10_000 })
        .toMatchObject({ status: "completed", attempts: 2 });
    } finally {
      hooks.afterBatch = null;
    }
  });

  it("cancels mid-run, and a retry finishes the rest", async () => {
    hooks.afterBatch = async ({ runId, batch }) => {
      if (batch === 1) await cancelRun({ db: t.db, boss }, scene.access, runId);
    };
    let runId = "";
    try {
      runId = (
        await startRun(
          { db: t.db, boss },
          scene.access,
          { segmentationId: scene.segmentationId, classifierId },
          { batchSize: 5 },
        )
      ).runId;
      const cancelled = await until(runId, "cancelled");
      await new Promise((res) => setTimeout(res, 500));
      expect(await t.db.classificationResult.count({ where: { runId } })).toBe(5);
      expect(cancelled.processedCount).toBe(5);
      const job = await t.db.job.findFirstOrThrow({ where: { subjectId: runId } });
      expect(job.status).toBe("cancelled");
    } finally {
      hooks.afterBatch = null;
    }
    await retryRun({ db: t.db, boss }, scene.access, runId);
    await until(runId, "completed");
    await expectCompleteResults(scene, runId);
    await expectDomainError(cancelRun({ db: t.db, boss }, scene.access, runId), "PRECONDITION_FAILED");
  });

  it("gives equal probabilities and no label when the species has no trained model (dummy)", async () => {
    const other = await createScene(t.db, mediaRoot, dir, { calls: 12, name: "untrained" });
    const { runId } = await startRun({ db: t.db, boss }, other.access, {
      segmentationId: other.segmentationId,
    });
    const done = await until(runId, "completed");
    expect(done).toMatchObject({ isDummy: true, classifierId: null, processedCount: 12 });
    const results = await t.db.classificationResult.findMany({
      where: { runId },
      include: { probabilities: true },
    });
    expect(results).toHaveLength(12);
    for (const x of results) {
      expect(x.predictedLabel).toBeNull();
      expect(x.probabilities.map((p) => p.probability)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    }
    const csv = await readAll((await resultsCsv(t, other.access, runId)).body);
    expect(csv).toMatch(/^# BattyCoda classification results\n# DUMMY CLASSIFIER/);
    expect((await getRun(t, other.access, runId)).methodsText).toMatch(/dummy classifier/);
    await expectDomainError(applyLabels(t, other.access, { runId }), "PRECONDITION_FAILED", /dummy/);
  });

  it("uses the global default classifier of the system species a group's species copies", async () => {
    const scene = await createScene(t.db, mediaRoot, dir, { calls: 10, name: "copied" });
    const system = await t.db.species.create({
      data: {
        name: "Eptesicus testus copied",
        isSystem: true,
        callTypes: { create: [{ shortName: "A" }, { shortName: "B" }, { shortName: "C" }] },
      },
    });
    const trained = await trainClassifier(t.db, r.client, media, scene, { name: "global-default" });
    const global = await t.db.classifier.update({
      where: { id: trained.id },
      data: { groupId: null, speciesId: system.id },
    });
    const chosen = await startRun({ db: t.db, boss }, scene.access, { segmentationId: scene.segmentationId });
    const done = await until(chosen.runId, "completed");
    expect(done).toMatchObject({ isDummy: false, classifierId: global.id, processedCount: 10 });
    const named = await startRun({ db: t.db, boss }, scene.access, {
      segmentationId: scene.segmentationId,
      classifierId: global.id,
    });
    expect((await until(named.runId, "completed")).classifierId).toBe(global.id);
    await t.db.classifier.delete({ where: { id: global.id } });
  });

  it("fails with the R server's message when the model is unusable, and refuses a classifier of another species", async () => {
    const rel = `models/${scene.groupId}/broken.rds`;
    await mkdir(path.dirname(path.join(mediaRoot, rel)), { recursive: true });
    await writeFile(path.join(mediaRoot, rel), "not an R model");
    const broken = await t.db.classifier.create({
      data: {
        name: "Broken",
        type: "lda",
        modelPath: rel,
        speciesId: scene.speciesId,
        groupId: scene.groupId,
      },
    });
    const { runId } = await startRun({ db: t.db, boss }, scene.access, {
      segmentationId: scene.segmentationId,
      classifierId: broken.id,
    });
    const failed = await until(runId, "failed");
    expect(failed.error).toMatch(/^The classifier service rejected the request: /);
    await expect
      .poll(() => t.db.job.findFirstOrThrow({ where: { subjectId: runId } }), { timeout: 10_000 })
      .toMatchObject({ status: "failed", attempts: 1 });

    const other = await createScene(t.db, mediaRoot, dir, { calls: 4, name: "otherspecies" });
    const foreign = await t.db.classifier.create({
      data: {
        name: "Other species",
        type: "knn",
        modelPath: "x.rds",
        speciesId: other.speciesId,
        groupId: scene.groupId,
      },
    });
    await expectDomainError(
      startRun({ db: t.db, boss }, scene.access, {
        segmentationId: scene.segmentationId,
        classifierId: foreign.id,
      }),
      "BAD_REQUEST",
      /another species/,
    );
  });

  it("classifies unclassified segmentations after a preview", async () => {
    const extra = await createScene(t.db, mediaRoot, dir, { calls: 6, name: "extra" });
    const preview = await classifyUnclassifiedPreview(t, extra.access, {});
    expect(preview).toEqual({ recordings: 1, segmentations: 1, segments: 6 });
    const created = await classifyUnclassified({ db: t.db, boss }, extra.access, {});
    expect(created.created).toBe(1);
    await until(created.runIds[0] as string, "completed");
    expect(await classifyUnclassifiedPreview(t, extra.access, {})).toEqual({
      recordings: 0,
      segmentations: 0,
      segments: 0,
    });
  });

  it("keeps another group's runs, results and downloads NOT_FOUND", async () => {
    const mine = await listRuns(t, scene.access, {});
    const runId = mine.items[0]?.id as string;
    const stranger = accessFor((await t.db.group.create({ data: { name: "strangers" } })).id);
    expect((await listRuns(t, stranger, {})).items).toHaveLength(0);
    for (const call of [
      () => getRun(t, stranger, runId),
      () => listResults(t, stranger, { runId }),
      () => resultsCsv(t, stranger, runId),
      () => featuresCsv(t, stranger, runId),
      () => parametersJson(t, stranger, runId),
      () => cancelRun({ db: t.db, boss }, stranger, runId),
      () => retryRun({ db: t.db, boss }, stranger, runId),
      () => deleteRun({ db: t.db, boss }, stranger, runId),
      () => applyLabels(t, stranger, { runId }),
      () => startRun({ db: t.db, boss }, stranger, { segmentationId: scene.segmentationId }),
    ])
      await expectDomainError(call(), "NOT_FOUND");
    await deleteRun({ db: t.db, boss }, scene.access, runId);
    await expectDomainError(getRun(t, scene.access, runId), "NOT_FOUND");
  });
});
