// classifiers.* through tRPC against real PostgreSQL, pg-boss and the real R server: train from
// the shared E. fuscus CSV, read it back through every output schema, bad CSVs as BAD_REQUEST
// with line/column details, and group isolation (NOT_FOUND) / global classifiers (FORBIDDEN).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { classifierTrainHandler } from "@battycoda/core/classifiers";
import { createBoss, QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { createMediaStore } from "@battycoda/core/media";
import { type RServerHandle, startRServer } from "@battycoda/r-client";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

const EFUSCUS_CSV = path.resolve(
  import.meta.dirname,
  "../../../../shared/data/features/efuscus_features.csv",
);

let t: TestEnv;
let boss: PgBoss;
let r: RServerHandle;
let csv: string;
let alice: TestUser;
let mallory: TestUser;
let speciesId: string;

beforeAll(async () => {
  csv = await readFile(EFUSCUS_CSV, "utf8"); // missing shared data fails the run
  t = await createTestEnv();
  r = await startRServer();
  boss = await createBoss(t.database.url, { role: "worker", max: 4 });
  t.deps.boss = boss;
  await registerJobHandler(
    { db: t.deps.db, boss },
    QUEUES.classifierTrain,
    classifierTrainHandler({ media: createMediaStore(t.config), rServerUrl: r.url }),
    { pollingIntervalSeconds: 0.5 },
  );
  alice = await registerAndLogin(t, "alice");
  mallory = await registerAndLogin(t, "mallory");
  const labels = [
    ...new Set(
      csv
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.slice(l.lastIndexOf(",") + 1)),
    ),
  ];
  speciesId = (
    await alice.caller.species.create({
      name: "Eptesicus fuscus (Alice)",
      callTypes: labels.map((shortName) => ({ shortName })),
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
  await r?.stop();
  await t?.close();
});

describe("classifiers router", () => {
  let classifierId: string;

  it("trains from a CSV and reads the classifier back with metrics", async () => {
    const started = await alice.caller.classifiers.train({
      name: "Alice LDA",
      speciesId,
      type: "lda",
      source: { kind: "csv", csvText: csv },
    });
    await expect
      .poll(
        async () =>
          (await alice.caller.classifiers.listTrainingJobs({})).find((j) => j.id === started.trainingJobId)
            ?.status,
        { timeout: 120_000, interval: 250 },
      )
      .toBe("completed");
    const [job] = await alice.caller.classifiers.listTrainingJobs({ speciesId });
    classifierId = job?.classifierId as string;
    expect(job).toMatchObject({ name: "Alice LDA", type: "lda", progress: 1, error: null });
    expect(job?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const list = await alice.caller.classifiers.list({ speciesId });
    expect(list).toEqual([
      expect.objectContaining({
        id: classifierId,
        isGlobal: false,
        version: 1,
        speciesName: "Eptesicus fuscus (Alice)",
      }),
    ]);
    const c = await alice.caller.classifiers.get({ classifierId });
    expect(c.metrics?.folds).toBe(5);
    expect(c.metrics?.perClass.reduce((s, p) => s + p.support, 0)).toBe(c.metrics?.n);
    expect(c.classes).toEqual(c.metrics?.confusionMatrix.labels);
    expect(c.source).toMatchObject({ kind: "csv" });

    const echo = c.classes.indexOf("Echo");
    const cell = await alice.caller.classifiers.confusionCell({
      classifierId,
      trueLabel: "Echo",
      predictedLabel: "Echo",
    });
    expect(cell.total).toBe(c.metrics?.confusionMatrix.matrix[echo]?.[echo]);

    const preview = await alice.caller.classifiers.trainingPreview({ speciesId });
    expect(preview).toEqual({ total: 0, perLabel: [], fromTasks: 0 });
  }, 180_000);

  it("answers a bad CSV with BAD_REQUEST and line/column details, creating nothing", async () => {
    const lines = csv.split(/\r?\n/);
    const bad = [lines[0], (lines[1] as string).replace(/^[^,]*/, "oops"), ...lines.slice(2)].join("\n");
    const jobsBefore = await t.deps.db.classifierTrainingJob.count();
    const err = await expectTRPCError(
      alice.caller.classifiers.train({
        name: "Bad",
        speciesId,
        type: "knn",
        source: { kind: "csv", csvText: bad },
      }),
      "BAD_REQUEST",
      /line 2, column 'dfrange'/,
    );
    expect((err.cause as { details?: unknown })?.details).toEqual({
      issues: [{ line: 2, column: "dfrange", message: "not a finite number (oops)" }],
    });
    expect(await t.deps.db.classifierTrainingJob.count()).toBe(jobsBefore);
  });

  it("keeps another group's classifiers, training jobs and cells NOT_FOUND", async () => {
    await expectTRPCError(mallory.caller.classifiers.get({ classifierId }), "NOT_FOUND");
    await expectTRPCError(
      mallory.caller.classifiers.confusionCell({ classifierId, trueLabel: "Echo", predictedLabel: "Echo" }),
      "NOT_FOUND",
    );
    await expectTRPCError(mallory.caller.classifiers.delete({ classifierId }), "NOT_FOUND");
    await expectTRPCError(mallory.caller.classifiers.trainingPreview({ speciesId }), "NOT_FOUND");
    await expectTRPCError(
      mallory.caller.classifiers.train({ name: "x", speciesId, type: "lda", source: { kind: "segments" } }),
      "NOT_FOUND",
    );
    expect((await mallory.caller.classifiers.list({})).map((c) => c.id)).not.toContain(classifierId);
    expect(await mallory.caller.classifiers.listTrainingJobs({})).toEqual([]);
  });

  it("shows global classifiers to every group and lets nobody delete them", async () => {
    const global = await t.deps.db.classifier.create({
      data: { name: "Global reference", type: "rf", groupId: null, speciesId },
    });
    for (const u of [alice, mallory]) {
      expect((await u.caller.classifiers.list({})).find((c) => c.id === global.id)).toMatchObject({
        isGlobal: true,
        accuracy: null,
      });
      expect(await u.caller.classifiers.get({ classifierId: global.id })).toMatchObject({ metrics: null });
      await expectTRPCError(u.caller.classifiers.delete({ classifierId: global.id }), "FORBIDDEN");
    }
    expect(await alice.caller.classifiers.delete({ classifierId })).toEqual({ ok: true });
    await expectTRPCError(alice.caller.classifiers.get({ classifierId }), "NOT_FOUND");
  });
});
