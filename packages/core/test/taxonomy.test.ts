// Call-type taxonomy on a real database: a merge moves every label, probability, task and cluster
// mapping and leaves no row of the old type; a split moves the chosen calls; each change writes
// its history row and bumps the version; labels re-expressed in an earlier version are the labels
// of that version; a change that fails half-way leaves nothing changed; refusals are specific.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupAccess } from "../src/access/access.ts";
import { resultsCsv } from "../src/classification/export.ts";
import { updateCallType } from "../src/species/call-types.ts";
import { createBatch, exportBatchCsv, saveLabel } from "../src/tasks/index.ts";
import {
  backwardMapper,
  type ChangeStep,
  classifierTaxonomyStatuses,
  forwardAliases,
  labelMapperAt,
  loadChangeSteps,
  mergeCallTypes,
  modelClassAliases,
  previewTaxonomyChange,
  renameCallType,
  splitCallType,
  taxonomyHistory,
} from "../src/taxonomy/index.ts";
import { createTaskWorld, type TaskWorld } from "./tasks-fixtures.ts";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await t?.drop();
});

interface World extends TaskWorld {
  access: GroupAccess;
  type: (shortName: string) => Promise<string>;
  segmentIds: string[];
  batchId: string;
  clusters: { c1: string; c2: string };
  classifierId: string;
}

/**
 * One recording of 12 classified calls (types A, B, C); segment labels A/B/C by position; a task
 * batch over the run with human labels on the first 6 tasks; one annotator label; a clustering run
 * with two clusters mapped to call types; a trained classifier at taxonomy version 0.
 */
async function world(): Promise<World> {
  const w = await createTaskWorld(t.db, { users: 2, recordings: [{ calls: 12 }] });
  const access = w.users[0]?.access as GroupAccess;
  const rec = w.recordings[0] as TaskWorld["recordings"][number];
  const segments = await t.db.segment.findMany({
    where: { segmentationId: rec.segmentationId },
    orderBy: { onset: "asc" },
  });
  const labelOf = (i: number) => ["A", "B", "B", "C"][i % 4] as string;
  for (const [i, s] of segments.entries())
    await t.db.segment.update({ where: { id: s.id }, data: { label: labelOf(i) } });
  const { batchId } = await createBatch({ db: t.db, boss: null }, access, {
    name: `batch ${rec.id}`,
    source: { kind: "run", runId: rec.runId as string },
  });
  const tasks = await t.db.task.findMany({ where: { batchId }, orderBy: { position: "asc" } });
  for (const task of tasks.slice(0, 6)) {
    const i = segments.findIndex((s) => s.id === task.segmentId);
    await saveLabel({ db: t.db }, access, { taskId: task.id, label: labelOf(i) });
  }
  await t.db.taskLabel.create({
    data: { taskId: tasks[7]?.id as string, userId: w.users[1]?.id as string, label: "B" },
  });
  const type = async (shortName: string) =>
    (await t.db.callType.findFirstOrThrow({ where: { speciesId: w.speciesId, shortName } })).id;
  const run = await t.db.clusteringRun.create({ data: { groupId: w.groupId, name: "k-means" } });
  const c1 = await t.db.cluster.create({ data: { runId: run.id, index: 0 } });
  const c2 = await t.db.cluster.create({ data: { runId: run.id, index: 1 } });
  await t.db.segmentCluster.createMany({
    data: segments.map((s, i) => ({ clusterId: i < 6 ? c1.id : c2.id, segmentId: s.id })),
  });
  await t.db.clusterCallMapping.createMany({
    data: [
      { clusterId: c1.id, callTypeId: await type("B"), confidence: 0.7 },
      { clusterId: c2.id, callTypeId: await type("A"), confidence: 0.9 },
      { clusterId: c2.id, callTypeId: await type("B"), confidence: 0.95 },
    ],
  });
  const classifier = await t.db.classifier.create({
    data: {
      name: `knn ${w.groupId}`,
      type: "knn",
      groupId: w.groupId,
      speciesId: w.speciesId,
      modelPath: "models/x.rds",
      classes: ["A", "B", "C"],
    },
  });
  return {
    ...w,
    access,
    type,
    segmentIds: segments.map((s) => s.id),
    batchId,
    clusters: { c1: c1.id, c2: c2.id },
    classifierId: classifier.id,
  };
}

/** Every text label and id reference of the species, for before/after comparisons. */
async function snapshot(w: World) {
  const speciesScope = { segmentation: { recording: { speciesId: w.speciesId } } };
  const [segments, tasks, taskLabels, results, probabilities, mappings, callTypes, species, changes] =
    await Promise.all([
      t.db.segment.findMany({
        where: speciesScope,
        select: { id: true, label: true },
        orderBy: { id: "asc" },
      }),
      t.db.task.findMany({
        where: { speciesId: w.speciesId },
        select: { id: true, label: true, predictedLabel: true, confidence: true },
        orderBy: { id: "asc" },
      }),
      t.db.taskLabel.findMany({
        where: { task: { speciesId: w.speciesId } },
        select: { id: true, label: true },
        orderBy: { id: "asc" },
      }),
      t.db.classificationResult.findMany({
        where: { run: { recording: { speciesId: w.speciesId } } },
        select: { id: true, segmentId: true, predictedLabel: true, confidence: true },
        orderBy: { id: "asc" },
      }),
      t.db.callProbability.findMany({
        where: { callType: { speciesId: w.speciesId } },
        select: { resultId: true, callTypeId: true, probability: true },
        orderBy: [{ resultId: "asc" }, { callTypeId: "asc" }],
      }),
      t.db.clusterCallMapping.findMany({
        where: { callType: { speciesId: w.speciesId } },
        select: { clusterId: true, callTypeId: true, confidence: true },
        orderBy: [{ clusterId: "asc" }, { callTypeId: "asc" }],
      }),
      t.db.callType.findMany({ where: { speciesId: w.speciesId }, orderBy: { shortName: "asc" } }),
      t.db.species.findUniqueOrThrow({ where: { id: w.speciesId } }),
      t.db.taxonomyChange.count({ where: { speciesId: w.speciesId } }),
    ]);
  return { segments, tasks, taskLabels, results, probabilities, mappings, callTypes, species, changes };
}

const allLabels = (s: Awaited<ReturnType<typeof snapshot>>) => [
  ...s.segments.map((x) => x.label),
  ...s.tasks.flatMap((x) => [x.label, x.predictedLabel]),
  ...s.taskLabels.map((x) => x.label),
  ...s.results.map((x) => x.predictedLabel),
];

describe("merge", () => {
  it("moves labels, tasks, annotator labels, results, probabilities and cluster mappings from B to A", async () => {
    const w = await world();
    const [A, B, C] = [await w.type("A"), await w.type("B"), await w.type("C")];
    const before = await snapshot(w);
    const bLabels = allLabels(before).filter((l) => l === "B").length;
    expect(bLabels).toBeGreaterThan(10);

    const preview = await previewTaxonomyChange({ db: t.db }, w.access, {
      kind: "merge",
      speciesId: w.speciesId,
      intoCallTypeId: A,
      fromCallTypeIds: [B],
    });
    expect(await snapshot(w)).toEqual(before); // a preview changes nothing

    const res = await mergeCallTypes({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      intoCallTypeId: A,
      fromCallTypeIds: [B],
    });
    expect(res.counts).toEqual(preview.counts);
    expect(res.version).toBe(1);
    expect(res.mapping).toEqual({ A: "A", B: "A" });
    const after = await snapshot(w);

    // every B is an A now, nothing else changed name
    expect(allLabels(after).filter((l) => l === "B")).toEqual([]);
    const expected = allLabels(before).map((l) => (l === "B" ? "A" : l));
    expect(allLabels(after)).toEqual(expected);
    const c = res.counts;
    expect(c.segmentLabels + c.taskLabels + c.taskPredictions + c.annotatorLabels + c.resultPredictions).toBe(
      bLabels,
    );
    expect(c.annotatorLabels).toBe(1);
    expect(after.callTypes.map((x) => x.shortName)).toEqual(["A", "C"]);

    // probabilities: one row per result and remaining type, A = A + B, still summing to 1
    for (const r of before.results) {
      const old = (id: string) =>
        before.probabilities.find((p) => p.resultId === r.id && p.callTypeId === id);
      const now = after.probabilities.filter((p) => p.resultId === r.id);
      expect(now.map((p) => p.callTypeId).sort()).toEqual([A, C].sort());
      const a = now.find((p) => p.callTypeId === A)?.probability as number;
      expect(a).toBeCloseTo((old(A)?.probability ?? 0) + (old(B)?.probability ?? 0), 12);
      expect(now.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 12);
      // a call predicted B is predicted A with A's summed probability as confidence
      const rAfter = after.results.find((x) => x.id === r.id);
      if (r.predictedLabel === "B") expect(rAfter?.confidence).toBeCloseTo(a, 12);
      if (r.predictedLabel === "C") expect(rAfter?.confidence).toBe(r.confidence);
    }
    // tasks predicted B carry their result's new confidence
    for (const task of after.tasks.filter((x) => x.predictedLabel === "A")) {
      const was = before.tasks.find((x) => x.id === task.id);
      if (was?.predictedLabel === "B") expect(task.confidence).toBeGreaterThan(was.confidence as number);
    }
    // cluster mappings: c1's B became A; c2 had A (0.9) and B (0.95): one A row with 0.95
    expect(after.mappings).toEqual(
      [
        { clusterId: w.clusters.c1, callTypeId: A, confidence: 0.7 },
        { clusterId: w.clusters.c2, callTypeId: A, confidence: 0.95 },
      ].sort((x, y) => x.clusterId.localeCompare(y.clusterId)),
    );
    expect(await t.db.callProbability.count({ where: { callTypeId: B } })).toBe(0);

    // history and version
    expect(after.species.taxonomyVersion).toBe(1);
    const change = await t.db.taxonomyChange.findFirstOrThrow({ where: { speciesId: w.speciesId } });
    expect(change).toMatchObject({ kind: "merge", version: 1, createdById: w.access.userId });
    expect((change.details as { mapping: unknown }).mapping).toEqual({ A: "A", B: "A" });

    // the classifier trained at version 0 is outdated now
    const [status] = await classifierTaxonomyStatuses({ db: t.db }, w.access, { speciesId: w.speciesId });
    expect(status).toMatchObject({
      classifierId: w.classifierId,
      outdated: true,
      trainedVersion: 0,
      speciesVersion: 1,
    });
    expect(status?.reason).toContain("merged A + B → A");
    expect(c.classifiersOutdated).toBe(1);
  });

  it("refuses an unknown call type, a merge into itself and another group's species", async () => {
    const w = await world();
    const other = await world();
    const A = await w.type("A");
    await expect(
      mergeCallTypes({ db: t.db }, w.access, {
        speciesId: w.speciesId,
        intoCallTypeId: A,
        fromCallTypeIds: [A],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("into itself") });
    await expect(
      mergeCallTypes({ db: t.db }, w.access, {
        speciesId: w.speciesId,
        intoCallTypeId: A,
        fromCallTypeIds: [await other.type("B")],
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Call type not found" });
    await expect(
      mergeCallTypes({ db: t.db }, w.access, {
        speciesId: other.speciesId,
        intoCallTypeId: await other.type("A"),
        fromCallTypeIds: [await other.type("B")],
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Species not found" });
    expect((await snapshot(other)).species.taxonomyVersion).toBe(0);
  });

  it("fails half-way without changing anything", async () => {
    const w = await world();
    const [A, B] = [await w.type("A"), await w.type("B")];
    const before = await snapshot(w);
    // A real failure late in the transaction: deleting B's row (after every label was rewritten).
    const fn = `taxonomy_fail_${B.replace(/[^a-z0-9]/g, "")}`;
    await t.db.$executeRawUnsafe(
      `CREATE FUNCTION ${fn}() RETURNS trigger AS $$ BEGIN IF OLD.id = '${B}' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN OLD; END $$ LANGUAGE plpgsql`,
    );
    await t.db.$executeRawUnsafe(
      `CREATE TRIGGER ${fn} BEFORE DELETE ON "CallType" FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
    try {
      await expect(
        mergeCallTypes({ db: t.db }, w.access, {
          speciesId: w.speciesId,
          intoCallTypeId: A,
          fromCallTypeIds: [B],
        }),
      ).rejects.toThrow(/disk on fire/);
    } finally {
      await t.db.$executeRawUnsafe(`DROP TRIGGER ${fn} ON "CallType"`);
      await t.db.$executeRawUnsafe(`DROP FUNCTION ${fn}()`);
    }
    expect(await snapshot(w)).toEqual(before);
  });
});

describe("rename", () => {
  it("renames every label; classifiers stay current and translate the model's old name", async () => {
    const w = await world();
    const A = await w.type("A");
    const before = await snapshot(w);
    const res = await renameCallType({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      callTypeId: A,
      shortName: "FM",
    });
    const after = await snapshot(w);
    expect(allLabels(after)).toEqual(allLabels(before).map((l) => (l === "A" ? "FM" : l)));
    expect(after.probabilities).toEqual(before.probabilities); // by id: untouched
    expect(after.callTypes.find((c) => c.id === A)?.shortName).toBe("FM");
    expect(res.counts.classifiersOutdated).toBe(0);
    const [status] = await classifierTaxonomyStatuses({ db: t.db }, w.access, { speciesId: w.speciesId });
    expect(status).toMatchObject({ outdated: false, renamed: true });
    const classifier = await t.db.classifier.findUniqueOrThrow({ where: { id: w.classifierId } });
    expect(await modelClassAliases({ db: t.db }, classifier)).toEqual(new Map([["A", "FM"]]));
  });

  it("is what the species page's inline short-name edit does too (updateCallType)", async () => {
    const w = await world();
    const B = await w.type("B");
    const before = await snapshot(w);
    const view = await updateCallType({ db: t.db }, w.access, {
      callTypeId: B,
      shortName: "Bx",
      longName: "bent",
    });
    expect(view).toMatchObject({ shortName: "Bx", longName: "bent" });
    expect(allLabels(await snapshot(w))).toEqual(allLabels(before).map((l) => (l === "B" ? "Bx" : l)));
    const history = await taxonomyHistory({ db: t.db }, w.access, w.speciesId);
    expect(history.changes.map((c) => c.summary)).toEqual(["renamed B → Bx"]);
    // a long-name edit alone is no taxonomy change
    await updateCallType({ db: t.db }, w.access, { callTypeId: B, longName: "bent sweep" });
    expect((await taxonomyHistory({ db: t.db }, w.access, w.speciesId)).currentVersion).toBe(1);
  });

  it("refuses a name another call type has (ignoring case), the same name and a system species", async () => {
    const w = await world();
    const A = await w.type("A");
    await expect(
      renameCallType({ db: t.db }, w.access, { speciesId: w.speciesId, callTypeId: A, shortName: "b" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      renameCallType({ db: t.db }, w.access, { speciesId: w.speciesId, callTypeId: A, shortName: "A" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      renameCallType({ db: t.db }, w.access, { speciesId: w.speciesId, callTypeId: A, shortName: "unknown" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("reserved") });
    const system = await t.db.species.create({
      data: { name: `System ${w.groupId}`, isSystem: true, callTypes: { create: [{ shortName: "X" }] } },
      include: { callTypes: true },
    });
    const input = { speciesId: system.id, callTypeId: system.callTypes[0]?.id as string, shortName: "Y" };
    await expect(renameCallType({ db: t.db }, w.access, input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const res = await renameCallType({ db: t.db }, { ...w.access, isSiteAdmin: true }, input);
    expect(res.version).toBe(1);
  });
});

describe("split", () => {
  it("moves the chosen segments' and tasks' calls to the new type and leaves the rest with the first", async () => {
    const w = await world();
    const C = await w.type("C");
    const before = await snapshot(w);
    const cSegments = before.segments.filter((s) => s.label === "C").map((s) => s.id);
    expect(cSegments.length).toBe(3);
    const chosenSegment = cSegments[0] as string;
    const secondTask = await t.db.task.findFirstOrThrow({ where: { segmentId: cSegments[1] } });

    const res = await splitCallType({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      callTypeId: C,
      parts: [
        { shortName: "C1" },
        {
          shortName: "C2",
          longName: "hooked",
          selection: { segmentIds: [chosenSegment], taskIds: [secondTask.id] },
        },
      ],
    });
    expect(res.mapping).toEqual({ C: ["C1", "C2"] });
    const after = await snapshot(w);
    const C2 = (after.callTypes.find((c) => c.shortName === "C2") as { id: string }).id;
    expect(after.callTypes.find((c) => c.id === C)?.shortName).toBe("C1");
    const label = (id: string) => after.segments.find((s) => s.id === id)?.label;
    expect(label(chosenSegment)).toBe("C2");
    expect(label(cSegments[1] as string)).toBe("C2"); // the task's segment went with it
    expect(label(cSegments[2] as string)).toBe("C1");
    expect(allLabels(after).filter((l) => l === "C")).toEqual([]);
    // the chosen calls' results: prediction C → C2 and their C probability now belongs to C2
    for (const segmentId of [chosenSegment, cSegments[1] as string]) {
      const r = after.results.find((x) => x.segmentId === segmentId) as (typeof after.results)[number];
      const was = before.results.find((x) => x.id === r.id);
      if (was?.predictedLabel === "C") expect(r.predictedLabel).toBe("C2");
      const wasC = before.probabilities.find((p) => p.resultId === r.id && p.callTypeId === C)?.probability;
      expect(after.probabilities.find((p) => p.resultId === r.id && p.callTypeId === C2)?.probability).toBe(
        wasC,
      );
      expect(after.probabilities.find((p) => p.resultId === r.id && p.callTypeId === C)).toBeUndefined();
    }
    // tasks of both chosen calls: their human label (the first is labelled, the second is not) and prediction
    const firstTask = await t.db.task.findFirstOrThrow({ where: { segmentId: chosenSegment } });
    expect(firstTask.label).toBe("C2");
    for (const id of [firstTask.id, secondTask.id]) {
      const was = before.tasks.find((x) => x.id === id);
      const now = after.tasks.find((x) => x.id === id);
      expect(now?.label).toBe(was?.label === "C" ? "C2" : was?.label);
      expect(now?.predictedLabel).toBe(was?.predictedLabel === "C" ? "C2" : was?.predictedLabel);
    }
    expect(after.probabilities.length).toBe(before.probabilities.length); // moved, not copied
    const [status] = await classifierTaxonomyStatuses({ db: t.db }, w.access, { speciesId: w.speciesId });
    expect(status?.outdated).toBe(true);
  });

  it("moves a cluster's members and its mapping", async () => {
    const w = await world();
    const B = await w.type("B");
    const before = await snapshot(w);
    await splitCallType({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      callTypeId: B,
      parts: [{ shortName: "B" }, { shortName: "Bh", selection: { clusterId: w.clusters.c2 } }],
    });
    const after = await snapshot(w);
    const Bh = (after.callTypes.find((c) => c.shortName === "Bh") as { id: string }).id;
    const members = new Set(w.segmentIds.slice(6));
    for (const s of before.segments.filter((x) => x.label === "B"))
      expect(after.segments.find((x) => x.id === s.id)?.label).toBe(members.has(s.id) ? "Bh" : "B");
    expect(after.mappings.find((m) => m.clusterId === w.clusters.c2 && m.callTypeId === Bh)?.confidence).toBe(
      0.95,
    );
    expect(after.mappings.find((m) => m.clusterId === w.clusters.c1)?.callTypeId).toBe(B);
  });

  it("refuses colliding names, a selection on the first part, overlapping parts and another group's calls", async () => {
    const w = await world();
    const other = await world();
    const C = await w.type("C");
    const base = { speciesId: w.speciesId, callTypeId: C };
    const seg = w.segmentIds[3] as string;
    await expect(
      splitCallType({ db: t.db }, w.access, { ...base, parts: [{ shortName: "C1" }, { shortName: "a" }] }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining('"A"') });
    await expect(
      splitCallType({ db: t.db }, w.access, { ...base, parts: [{ shortName: "D" }, { shortName: "d" }] }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("twice") });
    await expect(
      splitCallType({ db: t.db }, w.access, {
        ...base,
        parts: [{ shortName: "C1", selection: { segmentIds: [seg] } }, { shortName: "C2" }],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("first part") });
    await expect(
      splitCallType({ db: t.db }, w.access, {
        ...base,
        parts: [
          { shortName: "C1" },
          { shortName: "C2", selection: { segmentIds: [seg] } },
          { shortName: "C3", selection: { segmentIds: [seg] } },
        ],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("both") });
    await expect(
      splitCallType({ db: t.db }, w.access, {
        ...base,
        parts: [
          { shortName: "C1" },
          { shortName: "C2", selection: { segmentIds: [other.segmentIds[0] as string] } },
        ],
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Segment not found" });
    await expect(
      splitCallType({ db: t.db }, w.access, {
        ...base,
        parts: [{ shortName: "C1" }, { shortName: "C2", selection: { clusterId: other.clusters.c1 } }],
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: "Cluster not found" });
    expect((await snapshot(w)).species.taxonomyVersion).toBe(0);
  });
});

describe("history and re-expression", () => {
  it("records who, when and what, and re-expresses labels in every earlier version", async () => {
    const w = await world();
    const [A, B, C] = [await w.type("A"), await w.type("B"), await w.type("C")];
    const labelsNow = async () => allLabels(await snapshot(w));
    const v0 = await labelsNow();
    await renameCallType({ db: t.db }, w.access, { speciesId: w.speciesId, callTypeId: A, shortName: "FM" });
    const v1 = await labelsNow();
    const seg = (await snapshot(w)).segments.find((s) => s.label === "C")?.id as string;
    await splitCallType({ db: t.db }, w.users[1]?.access as GroupAccess, {
      speciesId: w.speciesId,
      callTypeId: C,
      parts: [{ shortName: "CF" }, { shortName: "CFh", selection: { segmentIds: [seg] } }],
    });
    const v2 = await labelsNow();
    await mergeCallTypes({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      intoCallTypeId: A,
      fromCallTypeIds: [B],
    });
    const v3 = await labelsNow();

    const history = await taxonomyHistory({ db: t.db }, w.access, w.speciesId);
    expect(history.currentVersion).toBe(3);
    expect(history.changes.map((c) => [c.version, c.kind, c.by, c.summary])).toEqual([
      [3, "merge", w.users[0]?.username, "merged FM + B → FM"],
      [2, "split", w.users[1]?.username, "split C → CF, CFh"],
      [1, "rename", w.users[0]?.username, "renamed A → FM"],
    ]);
    expect(history.changes[0]?.createdAt).toBeInstanceOf(Date);

    const at = async (v: number) => {
      const map = await labelMapperAt({ db: t.db }, w.speciesId, v);
      return v3.map(map);
    };
    expect(await at(3)).toEqual(v3);
    // before the merge the merged calls cannot be told apart: both names, in merge order
    const merged = (l: string | null, fm: string) => (l === fm || l === "B" ? `${fm}|B` : l);
    expect(await at(2)).toEqual(v2.map((l) => merged(l, "FM")));
    expect(await at(1)).toEqual(v1.map((l) => merged(l, "FM")));
    expect(await at(0)).toEqual(v0.map((l) => merged(l, "A")));
    // without a merge in between the round trip is exact
    const steps = (await loadChangeSteps({ db: t.db }, [w.speciesId])).get(w.speciesId) ?? [];
    const noMerge = steps.filter((s) => s.kind !== "merge");
    expect(v2.map(backwardMapper(noMerge, 0))).toEqual(v0);
    expect(v2.map(backwardMapper(noMerge, 1))).toEqual(v1);
    await expect(labelMapperAt({ db: t.db }, w.speciesId, 4)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("exports in an earlier taxonomy version", () => {
  it("task-batch CSV and run results follow a merge, and version 0 re-expresses it", async () => {
    const w = await world();
    const [A, B] = [await w.type("A"), await w.type("B")];
    const runId = w.recordings[0]?.runId as string;
    const read = async (body: AsyncIterable<string | Buffer> | NodeJS.ReadableStream) => {
      let s = "";
      for await (const chunk of body as AsyncIterable<string | Buffer>) s += chunk.toString();
      return s
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(","));
    };
    const taskLabels = async (version?: number) => {
      const rows = await read(
        (await exportBatchCsv({ db: t.db }, w.access, w.batchId, { taxonomyVersion: version })).body,
      );
      const col = (rows[0] as string[]).indexOf("Label (human)");
      return rows.slice(1).map((r) => r[col] ?? "");
    };
    const before = await taskLabels();
    expect(before.filter((l) => l === "B").length).toBeGreaterThan(0);
    await mergeCallTypes({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      intoCallTypeId: A,
      fromCallTypeIds: [B],
    });
    expect(await taskLabels()).toEqual(before.map((l) => (l === "B" ? "A" : l)));
    expect(await taskLabels(0)).toEqual(before.map((l) => (l === "A" || l === "B" ? "A|B" : l)));
    await expect(taskLabels(2)).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const results = await read((await resultsCsv({ db: t.db }, w.access, runId)).body);
    const results0 = await read(
      (await resultsCsv({ db: t.db }, w.access, runId, { taxonomyVersion: 0 })).body,
    );
    expect((results[0] as string[]).filter((h) => h.startsWith("p_"))).toEqual(["p_A", "p_C"]);
    expect((results0[0] as string[]).filter((h) => h.startsWith("p_"))).toEqual(["p_A|B", "p_C"]);
    const predicted = (rows: string[][]) =>
      rows.slice(1).map((r) => r[(rows[0] as string[]).indexOf("predicted_label")]);
    expect(predicted(results0)).toEqual(predicted(results).map((l) => (l === "A" ? "A|B" : l)));
  });

  it("maps a model's old class names forward: renames, merges, and a split to its first part", () => {
    const steps: ChangeStep[] = [
      { version: 1, kind: "rename", mapping: { A: "FM" } },
      { version: 2, kind: "merge", mapping: { FM: "FM", B: "FM" } },
      { version: 3, kind: "split", mapping: { C: ["C1", "C2"] } },
      { version: 4, kind: "rename", mapping: { FM: "FMs" } },
    ];
    expect(forwardAliases(steps, 0)).toEqual(
      new Map([
        ["A", "FMs"],
        ["B", "FMs"],
        ["C", "C1"],
        ["FM", "FMs"],
      ]),
    );
    expect(forwardAliases(steps, 3)).toEqual(new Map([["FM", "FMs"]]));
    expect(forwardAliases(steps, 4)).toEqual(new Map());
    // and back: a split part maps to its source, the merge to both sources
    expect(["FMs", "C2", "D"].map(backwardMapper(steps, 0))).toEqual(["A|B", "C", "D"]);
  });
});
