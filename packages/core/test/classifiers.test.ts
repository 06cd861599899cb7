// Classifier training end to end against real PostgreSQL, pg-boss and the real R server: the
// shared E. fuscus table through the job, retraining (version bump), labelled segments of a
// synthetic recording, every bad-CSV case (BAD_REQUEST naming line/column, nothing stored), an
// R refusal (no row, no model file), models stored under their content hash (orphans swept), and
// access across groups.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Prisma } from "@battycoda/db";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { type RServerHandle, startRServer } from "@battycoda/r-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { DomainError } from "../src/access/errors.ts";
import {
  classifierTrainHandler,
  confusionCell,
  createTrainingJob,
  deleteClassifier,
  getClassifier,
  listClassifiers,
  listTrainingJobs,
  modelKey,
  readModelCard,
  removeOrphanModels,
  saveTrainedClassifier,
  trainingPreview,
} from "../src/classifiers/index.ts";
import { type Boss, cancelJob, createBoss, registerJobHandler } from "../src/jobs/index.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";
import { accessFor, createScene } from "./classification-fixtures.ts";

const EFUSCUS_CSV = path.resolve(
  import.meta.dirname,
  "../../../../shared/data/features/efuscus_features.csv",
);

let t: TestDatabase;
let dir: string;
let mediaRoot: string;
let media: LocalMediaStore;
let boss: Boss;
let r: RServerHandle;
/** The table as shipped (CRLF line ends). */
let efuscusRaw: string;
/** The same with LF line ends, for building variants line by line. */
let efuscus: string;

beforeAll(async () => {
  // Shared data missing in CI must fail the run, not skip it.
  efuscusRaw = await readFile(EFUSCUS_CSV, "utf8");
  efuscus = efuscusRaw.replace(/\r\n/g, "\n");
  t = await createTestDatabase();
  dir = await makeTempDir("battycoda-classifiers-");
  mediaRoot = path.join(dir, "media");
  await mkdir(mediaRoot, { recursive: true });
  media = new LocalMediaStore(mediaRoot);
  r = await startRServer();
  boss = await createBoss(t.url, { role: "worker" });
  await registerJobHandler(
    { db: t.db, boss },
    "classifier.train",
    classifierTrainHandler({ media, rServerUrl: r.url }),
    {
      pollingIntervalSeconds: 0.5,
    },
  );
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
  await r?.stop();
  await t?.drop();
  if (dir) await removeTempDir(dir);
});

async function userIn(groupId: string) {
  const tag = Math.random().toString(36).slice(2, 10);
  const user = await t.db.user.create({
    data: { username: `u${tag}`, email: `u${tag}@example.org`, passwordHash: "x" },
  });
  await t.db.membership.create({ data: { userId: user.id, groupId, isAdmin: true } });
  return accessFor(groupId, user.id);
}

async function newGroup(name: string) {
  const group = await t.db.group.create({
    data: { name: `${name}-${Math.random().toString(36).slice(2, 8)}` },
  });
  return userIn(group.id);
}

/** A species of the group with E. fuscus's call types (the shared table's labels). */
async function efuscusSpecies(groupId: string) {
  const labels = [
    ...new Set(
      efuscus
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.slice(l.lastIndexOf(",") + 1)),
    ),
  ];
  return t.db.species.create({
    data: {
      groupId,
      name: "Eptesicus fuscus (lab)",
      callTypes: { create: labels.map((shortName) => ({ shortName })) },
    },
  });
}

async function finished(trainingJobId: string, timeout = 180_000) {
  await expect
    .poll(
      async () =>
        (await t.db.classifierTrainingJob.findUniqueOrThrow({ where: { id: trainingJobId } })).status,
      { timeout, interval: 250 },
    )
    .toMatch(/completed|failed/);
  return t.db.classifierTrainingJob.findUniqueOrThrow({ where: { id: trainingJobId } });
}

async function expectDomainError(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  if (message) expect((err as DomainError).message).toMatch(message);
  return err as DomainError;
}

async function filesUnder(rel: string): Promise<string[]> {
  const entries = await readdir(path.join(mediaRoot, rel), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(path.join(mediaRoot, rel), path.join(e.parentPath, e.name)));
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("training from the shared E. fuscus features CSV", () => {
  let access: ReturnType<typeof accessFor>;
  let speciesId: string;
  let classifierId: string;

  beforeAll(async () => {
    access = await newGroup("bats");
    speciesId = (await efuscusSpecies(access.groupId)).id;
  });

  it("trains through the job into a Classifier with consistent CV metrics and a model card", async () => {
    const { trainingJobId, jobId } = await createTrainingJob({ db: t.db, boss, media }, access, {
      name: "Lab LDA",
      speciesId,
      type: "lda",
      source: { kind: "csv", csvText: efuscusRaw },
    });
    const tj = await finished(trainingJobId);
    expect(tj.error).toBeNull();
    expect(tj.status).toBe("completed");
    const job = await t.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: "completed", progress: 1, subjectId: trainingJobId });
    classifierId = tj.classifierId as string;

    const c = await getClassifier(t, access, classifierId);
    expect(c).toMatchObject({ name: "Lab LDA", type: "lda", version: 1, isGlobal: false, speciesId });
    expect(c.source).toMatchObject({ kind: "csv" });
    expect(c.featureNames).toHaveLength(27);
    expect(c.trainingDataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(c.trainingRows).toBeGreaterThan(1000);
    const m = c.metrics;
    if (!m) throw new Error("no metrics");
    expect(m).toMatchObject({ folds: 5, seed: 42 });
    expect(m.balancedAccuracy).toBeGreaterThan(0.3);
    expect(m.accuracy).toBeGreaterThan(0.6);
    // Confusion-matrix rows are the true labels: each row sums to that label's support.
    const { labels, matrix } = m.confusionMatrix;
    expect(labels).toEqual(c.classes);
    for (const pc of m.perClass) {
      const row = matrix[labels.indexOf(pc.label)] as number[];
      expect(row.reduce((s, v) => s + v, 0)).toBe(pc.support);
      expect(pc.recall).toBeCloseTo((row[labels.indexOf(pc.label)] as number) / pc.support, 9);
    }
    expect(matrix.flat().reduce((s, v) => s + v, 0)).toBe(m.n);
    const correct = labels.reduce((s, _l, i) => s + ((matrix[i] as number[])[i] as number), 0);
    expect(m.accuracy).toBeCloseTo(correct / m.n, 9);

    // The model is stored under the sha256 of its bytes, which R named it by.
    const row = await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } });
    const key = row.modelPath as string;
    expect(key).toMatch(new RegExp(`^models/${access.groupId}/${classifierId}/[0-9a-f]{64}\\.rds$`));
    const bytes = await media.read(key);
    expect(key).toBe(modelKey(access.groupId, classifierId, sha256(bytes)));
    expect(row.rInfo).toMatchObject({ rVersion: expect.stringMatching(/^\d+\.\d+/) });
    const card = await readModelCard(media, key);
    expect(card).toMatchObject({
      method: "lda",
      trainingDataHash: row.trainingDataHash,
      modelSha256: sha256(bytes),
      modelSize: bytes.length,
    });
    // The uploaded CSV is kept for the job under MEDIA_ROOT/training/.
    expect(await filesUnder(`training/${access.groupId}`)).toHaveLength(1);

    const listed = await listClassifiers(t, access, { speciesId });
    expect(listed.map((x) => x.id)).toEqual([classifierId]);
    expect(listed[0]).toMatchObject({ balancedAccuracy: m.balancedAccuracy, version: 1 });
    expect(await listTrainingJobs(t, access, {})).toEqual([
      expect.objectContaining({ id: trainingJobId, status: "completed", classifierId }),
    ]);
  }, 240_000);

  it("confusionCell lists the calls behind a cell (as many as the matrix counts)", async () => {
    const c = await getClassifier(t, access, classifierId);
    const { labels, matrix } = c.metrics?.confusionMatrix ?? { labels: [], matrix: [] };
    const ti = labels.indexOf("Echo");
    const pi =
      labels.indexOf("DFM") >= 0 && (matrix[ti]?.[labels.indexOf("DFM")] ?? 0) > 0
        ? labels.indexOf("DFM")
        : ti;
    const expected = matrix[ti]?.[pi] ?? 0;
    expect(expected).toBeGreaterThan(0);
    const cell = await confusionCell({ db: t.db, media }, access, {
      classifierId,
      trueLabel: "Echo",
      predictedLabel: labels[pi] as string,
      limit: 1000,
    });
    expect(cell.total).toBe(expected);
    const row = await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } });
    const card = await readModelCard(media, row.modelPath as string);
    if (card?.cvPredictions) {
      // CSV rows: the line in the file, no audio behind them.
      expect(cell.items).toHaveLength(expected);
      const lines = efuscus.split("\n");
      for (const item of cell.items) {
        expect(item.segmentId).toBeNull();
        expect(lines[item.row - 1]?.endsWith(",Echo")).toBe(true);
      }
    }
    const none = await confusionCell({ db: t.db, media }, access, {
      classifierId,
      trueLabel: "NoSuchLabel",
      predictedLabel: "Echo",
    });
    expect(none).toEqual({ items: [], total: 0 });
  });

  it("retraining under the same name bumps the version and keeps the id; the old model is an orphan the sweep removes", async () => {
    const v1 = (await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } })).modelPath as string;
    const { trainingJobId } = await createTrainingJob({ db: t.db, boss, media }, access, {
      name: "Lab LDA",
      speciesId,
      type: "lda",
      source: { kind: "csv", csvText: efuscus },
    });
    const tj = await finished(trainingJobId);
    expect(tj.classifierId).toBe(classifierId);
    const row = await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } });
    expect(row.version).toBe(2);
    const v2 = row.modelPath as string;
    expect(v2).not.toBe(v1);
    expect(sha256(await media.read(v2))).toBe(v2.slice(-68, -4));
    expect(await t.db.classifier.count({ where: { groupId: access.groupId } })).toBe(1);
    // v1 stays for runs still using it until the sweep's grace period is over
    const folder = `models/${access.groupId}/${classifierId}`;
    expect((await filesUnder(folder)).sort()).toHaveLength(4);
    expect((await removeOrphanModels({ db: t.db, media })).removed).toEqual([]);
    const swept = await removeOrphanModels({ db: t.db, media }, { graceMs: 0 });
    expect(swept.removed.sort()).toEqual([v1, v1.replace(/\.rds$/, ".json")].sort());
    expect((await filesUnder(folder)).sort()).toEqual(
      [path.basename(v2), path.basename(v2).replace(/\.rds$/, ".json")].sort(),
    );
  }, 240_000);

  it("a model stored by a worker that died before its commit is named by no row and swept; a failed commit removes its model", async () => {
    const csv = efuscus.trim().split("\n");
    const body = [
      ...csv.filter((l) => l.endsWith(",Echo")).slice(0, 20),
      ...csv.filter((l) => l.endsWith(",FMB")).slice(0, 20),
    ];
    const table = {
      featureNames: (csv[0] as string).split(",").slice(0, -1),
      rows: body.map((l) => l.split(",").slice(0, -1).map(Number)),
      labels: body.map((l) => l.slice(l.lastIndexOf(",") + 1)),
    };
    const before = await filesUnder(`models/${access.groupId}`);
    const err = await saveTrainedClassifier(
      { db: t.db, media },
      r.client,
      {
        groupId: access.groupId,
        name: "Dies at commit",
        speciesId,
        type: "lda",
        table: { ...table, origins: table.rows.map((_, i) => ({ line: i + 2 })) },
        source: { kind: "csv", path: "training/none.csv", rows: table.rows.length },
      },
      {
        inTransaction: async () => {
          throw new Error("the commit failed");
        },
      },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("the commit failed");
    expect(await t.db.classifier.findFirst({ where: { name: "Dies at commit" } })).toBeNull();
    expect(await filesUnder(`models/${access.groupId}`)).toEqual(before);

    // A crash between the write and the commit: the object exists and no row names it.
    const trained = await r.client.train({
      method: "lda",
      features: Object.fromEntries(
        table.featureNames.map((n, j) => [n, table.rows.map((row) => row[j] as number)]),
      ),
      labels: table.labels,
      options: { cvFolds: 0 },
    });
    const orphan = modelKey(access.groupId, "cdiedbeforecommit", trained.modelSha256);
    await media.write(orphan, trained.model);
    const named = (await t.db.classifier.findUniqueOrThrow({ where: { id: classifierId } }))
      .modelPath as string;
    const swept = await removeOrphanModels({ db: t.db, media }, { graceMs: 0 });
    expect(swept.removed).toEqual([orphan]);
    expect(await media.stat(orphan)).toBeNull();
    expect(await media.stat(named)).not.toBeNull();
  }, 120_000);

  it("an R refusal fails the job and leaves no classifier and no model file", async () => {
    const tiny = [efuscus.split("\n")[0], ...efuscus.split("\n").slice(1, 8)].join("\n");
    const lines = efuscus.trim().split("\n");
    const other = lines.filter((l) => l.endsWith(",FMB")).slice(0, 3);
    const { trainingJobId, jobId } = await createTrainingJob({ db: t.db, boss, media }, access, {
      name: "Impossible KNN",
      speciesId,
      type: "knn",
      source: { kind: "csv", csvText: [tiny, ...other].join("\n") },
      options: { k: 500 },
    });
    const tj = await finished(trainingJobId);
    expect(tj.status).toBe("failed");
    expect(tj.error).toMatch(/k/);
    expect(tj.classifierId).toBeNull();
    await expect
      .poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: jobId } })).status)
      .toBe("failed");
    expect(await t.db.classifier.findFirst({ where: { name: "Impossible KNN" } })).toBeNull();
    const models = await filesUnder(`models/${access.groupId}`);
    expect(models.filter((f) => !f.startsWith(`${classifierId}/`))).toEqual([]);
  }, 120_000);

  it("cancelling the job stops the R training and leaves nothing behind", async () => {
    const { trainingJobId, jobId } = await createTrainingJob({ db: t.db, boss, media }, access, {
      name: "Cancelled ensemble",
      speciesId,
      type: "ensemble",
      source: { kind: "csv", csvText: efuscus },
    });
    // Wait until R is training (the handler moved past reading the table)...
    await expect
      .poll(
        async () =>
          (await t.db.classifierTrainingJob.findUniqueOrThrow({ where: { id: trainingJobId } })).progress,
        {
          timeout: 60_000,
          interval: 100,
        },
      )
      .toBeGreaterThanOrEqual(0.5);
    await cancelJob({ db: t.db, boss }, jobId);
    await expect
      .poll(
        async () =>
          (await t.db.classifierTrainingJob.findUniqueOrThrow({ where: { id: trainingJobId } })).status,
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toBe("cancelled");
    expect(await t.db.classifier.findFirst({ where: { name: "Cancelled ensemble" } })).toBeNull();
    expect((await listTrainingJobs(t, access, {})).find((j) => j.id === trainingJobId)?.status).toBe(
      "cancelled",
    );
    // The R side was told to stop: it is free for the next training.
    await expect.poll(async () => (await r.client.ping()).training?.active ?? 0, { timeout: 30_000 }).toBe(0);
    const models = await filesUnder(`models/${access.groupId}`);
    expect(models.filter((f) => !f.startsWith(`${classifierId}/`))).toEqual([]);
  }, 120_000);

  it("bad CSVs are BAD_REQUEST naming line and column, and nothing is stored", async () => {
    const lines = efuscus.trim().split("\n");
    const header = lines[0] as string;
    const body = lines.slice(1);
    const cases: [string, string, RegExp][] = [
      ["empty", "  \n", /empty/],
      ["header only", `${header}\n`, /no rows/],
      [
        "missing column",
        lines.map((l) => l.split(",").slice(1).join(",")).join("\n"),
        /column 'dfrange'.*missing feature column/,
      ],
      [
        "duplicated header",
        [header.replace("duration", "dfslope"), ...body].join("\n"),
        /line 1, column 'dfslope'.*twice/,
      ],
      [
        "non-numeric value",
        [
          header,
          ...body.slice(0, 9),
          (body[9] as string).replace(/^[^,]*,[^,]*/, "0,fast"),
          ...body.slice(10),
        ].join("\n"),
        /line 11, column 'dfslope'.*not a finite number \(fast\)/,
      ],
      [
        "NaN",
        [header, (body[0] as string).replace(/^[^,]*/, "NaN"), ...body.slice(1)].join("\n"),
        /line 2, column 'dfrange'.*NaN/,
      ],
      [
        "one class only",
        [header, ...body.filter((l) => l.endsWith(",Echo")).slice(0, 20)].join("\n"),
        /column 'label'.*at least two call types/,
      ],
      [
        "fewer rows than folds",
        [
          header,
          ...body.filter((l) => l.endsWith(",Echo")).slice(0, 2),
          ...body.filter((l) => l.endsWith(",FMB")).slice(0, 2),
        ].join("\n"),
        /4 rows are fewer than the 5 cross-validation folds/,
      ],
      ["ragged row", [header, `${body[0]},7`, ...body.slice(1)].join("\n"), /line 2: has 29 cells/],
      ["no label column", lines.map((l) => l.slice(0, l.lastIndexOf(","))).join("\n"), /column 'label'/],
      [
        "unknown call type",
        [header, ...body.slice(0, 30), (body[30] as string).replace(/,[^,]*$/, ",Whistle")].join("\n"),
        /'Whistle' \(line 32\)/,
      ],
    ];
    const before = {
      jobs: await t.db.job.count(),
      trainingJobs: await t.db.classifierTrainingJob.count(),
      files: await filesUnder("training"),
    };
    for (const [what, csvText, message] of cases) {
      const err = await expectDomainError(
        createTrainingJob({ db: t.db, boss, media }, access, {
          name: `bad ${what}`,
          speciesId,
          type: "knn",
          source: { kind: "csv", csvText },
        }),
        "BAD_REQUEST",
        message,
      );
      expect(err.message, what).toMatch(/Features CSV/);
    }
    expect(await t.db.job.count()).toBe(before.jobs);
    expect(await t.db.classifierTrainingJob.count()).toBe(before.trainingJobs);
    expect(await filesUnder("training")).toEqual(before.files);
    expect(await t.db.classifier.count({ where: { name: { startsWith: "bad " } } })).toBe(0);
  });

  it("another group sees none of it; global classifiers are readable by all and deletable by none", async () => {
    const other = await newGroup("others");
    await expectDomainError(getClassifier(t, other, classifierId), "NOT_FOUND");
    await expectDomainError(
      confusionCell({ db: t.db, media }, other, { classifierId, trueLabel: "Echo", predictedLabel: "Echo" }),
      "NOT_FOUND",
    );
    await expectDomainError(deleteClassifier({ db: t.db, media }, other, classifierId), "NOT_FOUND");
    expect(await listClassifiers(t, other, {})).toEqual([]);
    expect(await listTrainingJobs(t, other, {})).toEqual([]);
    await expectDomainError(trainingPreview(t, other, { speciesId }), "NOT_FOUND");
    await expectDomainError(
      createTrainingJob({ db: t.db, boss, media }, other, {
        name: "steal",
        speciesId,
        type: "lda",
        source: { kind: "csv", csvText: efuscus },
      }),
      "NOT_FOUND",
    );

    const global = await t.db.classifier.create({
      data: { name: "Global test classifier", type: "lda", speciesId, groupId: null },
    });
    expect((await listClassifiers(t, other, {})).map((c) => c.id)).toEqual([global.id]);
    expect(await getClassifier(t, other, global.id)).toMatchObject({ isGlobal: true });
    await expectDomainError(deleteClassifier({ db: t.db, media }, other, global.id), "FORBIDDEN");
    await expectDomainError(deleteClassifier({ db: t.db, media }, access, global.id), "FORBIDDEN");
    expect(await t.db.classifier.findUnique({ where: { id: global.id } })).not.toBeNull();

    // The owner can delete theirs: row and every version's files go.
    expect(await filesUnder(`models/${access.groupId}/${classifierId}`)).not.toEqual([]);
    await deleteClassifier({ db: t.db, media }, access, classifierId);
    expect(await t.db.classifier.findUnique({ where: { id: classifierId } })).toBeNull();
    expect((await filesUnder(`models/${access.groupId}`)).filter((f) => f.startsWith(classifierId))).toEqual(
      [],
    );
  });
});

describe("training from labelled segments", () => {
  it("uses the labelled calls of the species' active segmentations, computes and caches their features", async () => {
    const created = await createScene(t.db, mediaRoot, dir, { calls: 40, name: "labelled" });
    const scene = { ...created, access: await userIn(created.groupId) };
    const segments = await t.db.segment.findMany({
      where: { segmentationId: scene.segmentationId },
      orderBy: { onset: "asc" },
    });
    // Label 30 of the 40 calls with their true kind: 26 in the editor, 4 only by a person in a task batch; one
    // with a label that is no call type.
    for (const [i, s] of segments.entries()) {
      if (i >= 31 || (i >= 26 && i < 30)) continue;
      await t.db.segment.update({
        where: { id: s.id },
        data: { label: i === 30 ? "not-a-call-type" : (scene.calls[i]?.label as string) },
      });
    }
    const batch = await t.db.taskBatch.create({ data: { groupId: scene.groupId, name: "review" } });
    const task = (i: number, label: string | null, status: "done" | "pending") =>
      t.db.task.create({
        data: {
          groupId: scene.groupId,
          batchId: batch.id,
          recordingId: scene.recordingId,
          segmentId: segments[i]?.id as string,
          onset: segments[i]?.onset as number,
          offset: segments[i]?.offset as number,
          label,
          status,
        },
      });
    for (let i = 26; i < 30; i++) await task(i, scene.calls[i]?.label as string, "done");
    // Not training labels: a task not done yet, a task of a call the editor labelled (the segment's label is
    // kept), and the "not a call type" segment's task of no call type either.
    await task(31, "A", "pending");
    await task(0, scene.calls[0]?.label === "A" ? "B" : "A", "done");
    await task(30, "Unknown", "done");
    const preview = await trainingPreview(t, scene.access, { speciesId: scene.speciesId });
    expect(preview).toEqual({
      total: 30,
      perLabel: [
        { label: "A", count: 15 },
        { label: "B", count: 15 },
      ],
      fromTasks: 4,
    });

    const { trainingJobId } = await createTrainingJob({ db: t.db, boss, media }, scene.access, {
      name: "From my labels",
      speciesId: scene.speciesId,
      type: "knn",
      source: { kind: "segments" },
    });
    const tj = await finished(trainingJobId);
    expect(tj.error).toBeNull();
    const c = await getClassifier(t, scene.access, tj.classifierId as string);
    expect(c.classes).toEqual(["A", "B"]);
    expect(c.trainingRows).toBe(30);
    expect(c.source).toMatchObject({ kind: "segments" });
    // Two clearly different kinds of call: cross-validation separates them.
    expect(c.metrics?.accuracy).toBeGreaterThan(0.9);
    expect(c.metrics?.perClass.map((p) => p.support)).toEqual([15, 15]);
    const cached = await t.db.segment.count({
      where: {
        segmentationId: scene.segmentationId,
        label: { in: ["A", "B"] },
        features: { not: Prisma.DbNull },
      },
    });
    expect(cached).toBe(26); // and the 4 labelled in tasks:
    expect(
      await t.db.segment.count({
        where: { id: { in: segments.slice(26, 30).map((x) => x.id) }, features: { not: Prisma.DbNull } },
      }),
    ).toBe(4);

    const row = await t.db.classifier.findUniqueOrThrow({ where: { id: c.id } });
    const card = await readModelCard(media, row.modelPath as string);
    if (card?.cvPredictions) {
      const cell = await confusionCell({ db: t.db, media }, scene.access, {
        classifierId: c.id,
        trueLabel: "A",
        predictedLabel: "A",
      });
      expect(cell.items.length).toBeGreaterThan(0);
      expect(cell.items[0]).toMatchObject({ recordingId: scene.recordingId, segmentId: expect.any(String) });
    }

    // Nothing labelled in a project without recordings → a clear error before any job.
    const project = await t.db.project.create({ data: { groupId: scene.groupId, name: "empty" } });
    await expectDomainError(
      createTrainingJob({ db: t.db, boss, media }, scene.access, {
        name: "none",
        speciesId: scene.speciesId,
        type: "knn",
        source: { kind: "segments", projectId: project.id },
      }),
      "BAD_REQUEST",
      /at least two call types/,
    );
  }, 240_000);
});
