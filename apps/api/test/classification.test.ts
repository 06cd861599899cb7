// classification.* over tRPC and the raw download routes: a run through the real worker handler,
// downloads, /health's R server state, and another group's runs answering NOT_FOUND everywhere.
import { classificationRunHandler, classifierServiceStatus } from "@battycoda/core/classification/index";
import { createBoss, type PgBoss, registerJobHandler } from "@battycoda/core/jobs";
import { createMediaStore } from "@battycoda/core/media";
import { findFreePort, type RServerHandle, startRServer } from "@battycoda/r-client";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../../packages/audio/test/fixtures/generate.ts";
import { createScene, type Scene } from "../../../packages/core/test/classification-fixtures.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { buildTestServer, request } from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let boss: PgBoss;
let r: RServerHandle;
let dir: string;
let alice: TestUser;
let bob: TestUser;
let scene: Scene;

beforeAll(async () => {
  r = await startRServer();
  t = await createTestEnv({ R_SERVER_URL: r.url });
  boss = await createBoss(t.database.url, { role: "worker", max: 3 });
  t.deps.boss = boss;
  await registerJobHandler(
    { db: t.database.db, boss },
    "classification.run",
    classificationRunHandler({ media: createMediaStore(t.config), rServerUrl: r.url }),
    { pollingIntervalSeconds: 0.5 },
  );
  app = await buildTestServer(t);
  alice = await registerAndLogin(t, "alice");
  bob = await registerAndLogin(t, "bob");
  const membership = await t.database.db.membership.findFirstOrThrow({ where: { userId: alice.id } });
  dir = await makeTempDir("battycoda-api-classification-");
  scene = await createScene(t.database.db, t.config.mediaRoot, dir, {
    calls: 9,
    groupId: membership.groupId,
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await t?.close();
  await r?.stop();
  await removeTempDir(dir);
});

describe("classification API", () => {
  let runId: string;

  it("runs a (dummy) classification and lists its results", async () => {
    ({ runId } = await alice.caller.classification.startRun({ segmentationId: scene.segmentationId }));
    await expect
      .poll(async () => (await alice.caller.classification.getRun({ runId })).status, { timeout: 30_000 })
      .toBe("completed");
    const run = await alice.caller.classification.getRun({ runId });
    expect(run).toMatchObject({ isDummy: true, processedCount: 9, totalCount: 9 });
    expect(run.callTypes.map((c) => c.shortName)).toEqual(["A", "B", "C"]);
    expect(run.jobId).not.toBeNull();
    const results = await alice.caller.classification.listResults({ runId, limit: 5 });
    expect(results.total).toBe(9);
    expect(results.items[0]?.probabilities).toHaveLength(3);
    const runs = await alice.caller.classification.listRuns({ status: "completed" });
    expect(runs.items.map((x) => x.id)).toContain(runId);
  });

  it("serves the downloads to the owner's group only", async () => {
    const csv = await request(app, {
      method: "GET",
      url: `/api/classification-runs/${runId}/results.csv`,
      auth: { cookie: alice.token },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/text\/csv/);
    expect(csv.body).toMatch(/^# BattyCoda classification results\n# DUMMY CLASSIFIER/);
    expect(csv.body.split("\n").filter((l) => l && !l.startsWith("#"))).toHaveLength(10);
    const json = await request(app, {
      method: "GET",
      url: `/api/classification-runs/${runId}/parameters.json`,
      auth: { cookie: alice.token },
    });
    expect(json.json()).toMatchObject({ run: { id: runId, isDummy: true } });
    for (const file of ["results.csv", "features.csv", "parameters.json"]) {
      const res = await request(app, {
        method: "GET",
        url: `/api/classification-runs/${runId}/${file}`,
        auth: { cookie: bob.token },
      });
      expect(res.statusCode).toBe(404);
      const anon = await request(app, { method: "GET", url: `/api/classification-runs/${runId}/${file}` });
      expect(anon.statusCode).toBe(401);
    }
  });

  it("answers NOT_FOUND for another group's runs", async () => {
    const c = bob.caller.classification;
    await expectTRPCError(c.getRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.listResults({ runId }), "NOT_FOUND");
    await expectTRPCError(c.cancelRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.retryRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.deleteRun({ runId }), "NOT_FOUND");
    await expectTRPCError(c.applyLabels({ runId }), "NOT_FOUND");
    await expectTRPCError(c.startRun({ segmentationId: scene.segmentationId }), "NOT_FOUND");
    await expectTRPCError(c.classifyUnclassifiedPreview({ speciesId: scene.speciesId }), "NOT_FOUND");
    await expectTRPCError(c.classifyUnclassified({ speciesId: scene.speciesId }), "NOT_FOUND");
    expect((await c.listRuns({})).items).toHaveLength(0);
  });

  it("reports the R server's state in /health and serviceStatus", async () => {
    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.json()).toMatchObject({
      status: "ok",
      rServer: { state: "up", rVersion: r.ping.rVersion },
    });
    expect(await alice.caller.classification.serviceStatus()).toMatchObject({
      state: "up",
      url: r.url,
      training: 0,
    });
    const dead = `http://127.0.0.1:${await findFreePort()}`;
    expect(await classifierServiceStatus(dead)).toMatchObject({ state: "down", url: dead, rVersion: null });
  });
});
