// Several R servers (R_SERVER_URLS) against real PostgreSQL, pg-boss and two real R processes: a
// run's batches go to the live servers and step around a dead address and a server stopped
// mid-run without waiting; the queue runs one R-backed run per server at once.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { findFreePort, type RServerHandle, startRServer } from "@battycoda/r-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { classificationRunHandler, dispatchQueuedRuns, startRun } from "../src/classification/index.ts";
import { type Boss, createBoss, registerJobHandler } from "../src/jobs/index.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { createScene, type Scene, trainClassifier } from "./classification-fixtures.ts";

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let media: LocalMediaStore;
let boss: Boss;
let r1: RServerHandle;
let r2: RServerHandle;
const hooks: { afterBatch: ((batch: number) => Promise<void>) | null } = { afterBatch: null };

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-r-servers-");
  mediaRoot = path.join(dir, "media");
  await mkdir(mediaRoot, { recursive: true });
  media = new LocalMediaStore(mediaRoot);
  [r1, r2] = await Promise.all([startRServer(), startRServer()]);
  const dead = `http://127.0.0.1:${await findFreePort()}`;
  boss = await createBoss(t.url, { role: "worker" });
  await registerJobHandler(
    { db: t.db, boss },
    "classification.run",
    classificationRunHandler({
      media,
      rServerUrl: dead,
      rServerUrls: [dead, r1.url, r2.url],
      retryBaseMs: 200,
      retryMaxMs: 1000,
      afterBatch: ({ batch }) => hooks.afterBatch?.(batch),
    }),
    { pollingIntervalSeconds: 0.5, concurrency: 2 },
  );
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await Promise.all([r1?.stop(), r2?.stop()]);
  await t?.drop();
  await removeTempDir(dir);
});

const run = (id: string) => t.db.classificationRun.findUniqueOrThrow({ where: { id } });

describe("classification over several R servers", () => {
  let scene: Scene;
  let classifierId: string;

  beforeAll(async () => {
    scene = await createScene(t.db, mediaRoot, dir, { calls: 40 });
    classifierId = (await trainClassifier(t.db, r1.client, media, scene)).id;
  }, 120_000);

  it("completes without waiting when one server is dead from the start and another stops mid-run", async () => {
    hooks.afterBatch = async (batch) => {
      if (batch === 1) await r1.stop();
    };
    try {
      const { runId } = await startRun(
        { db: t.db, boss },
        scene.access,
        { segmentationId: scene.segmentationId, classifierId },
        { batchSize: 10 },
      );
      await expect
        .poll(async () => (await run(runId)).status, { timeout: 60_000, interval: 200 })
        .toBe("completed");
      const done = await run(runId);
      // `attempts` counts waits for the classifier service: a live server was always at hand.
      expect(done.attempts).toBe(0);
      expect(done.waitingReason).toBeNull();
      const results = await t.db.classificationResult.findMany({ where: { runId } });
      expect(results).toHaveLength(40);
      expect(new Set(results.map((x) => x.segmentId)).size).toBe(40);
      expect(results.every((x) => x.predictedLabel !== null)).toBe(true);
      // r2 never trained it: the model reached it from the media store, uploaded once
      expect((await r2.client.ping()).modelCache?.models).toBe(1);
    } finally {
      hooks.afterBatch = null;
    }
  });

  it("runs one R-backed run per server at once, and no more", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    hooks.afterBatch = () => held;
    try {
      const start = () =>
        startRun(
          { db: t.db, boss },
          scene.access,
          { segmentationId: scene.segmentationId, classifierId },
          { batchSize: 10 },
        );
      const a = await start(); // started by startRun's own dispatch (one slot without the config)
      const b = await start();
      const c = await start();
      await expect
        .poll(async () => (await run(a.runId)).processedCount, { timeout: 30_000 })
        .toBeGreaterThan(0);
      expect((await run(b.runId)).status).toBe("pending");
      expect(await dispatchQueuedRuns({ db: t.db, boss, rSlots: 1 })).toEqual([]);
      expect(await dispatchQueuedRuns({ db: t.db, boss, rSlots: 2 })).toEqual([b.runId]);
      expect(await dispatchQueuedRuns({ db: t.db, boss, rSlots: 2 })).toEqual([]);
      expect((await run(c.runId)).status).toBe("pending");
      release();
      for (const id of [a.runId, b.runId, c.runId])
        await expect
          .poll(async () => (await run(id)).status, { timeout: 60_000, interval: 200 })
          .toBe("completed");
    } finally {
      release();
      hooks.afterBatch = null;
    }
  });
});
