// Deleting call types, alone or by a "replace" import, on a real database: a used one is refused
// with what uses it and nothing changes; an unused one goes; an import that only changes a name's
// case renames it (labels follow, history records it). Nothing is ever left naming a missing type.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTaskWorld } from "../../test/tasks-fixtures.ts";
import type { GroupAccess } from "../access/access.ts";
import { DomainError } from "../access/errors.ts";
import { createBatch, saveLabel } from "../tasks/index.ts";
import { addCallType, deleteCallType, importCallTypes } from "./call-types.ts";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await t?.drop();
});

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

/** Species A, B, C: two segments labelled A, a task labelled B, an active classifier predicting A and C, a cluster mapped to C. */
async function world() {
  const w = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: 4, classified: false }] });
  const access = w.users[0]?.access as GroupAccess;
  const rec = w.recordings[0] as (typeof w.recordings)[number];
  const segments = await t.db.segment.findMany({
    where: { segmentationId: rec.segmentationId },
    orderBy: { onset: "asc" },
  });
  await t.db.segment.updateMany({
    where: { id: { in: segments.slice(0, 2).map((s) => s.id) } },
    data: { label: "A" },
  });
  const { batchId } = await createBatch({ db: t.db, boss: null }, access, {
    name: `b ${w.groupId}`,
    source: { kind: "segmentation", segmentationId: rec.segmentationId },
  });
  const task = await t.db.task.findFirstOrThrow({ where: { batchId }, orderBy: { position: "asc" } });
  await saveLabel({ db: t.db }, access, { taskId: task.id, label: "B" });
  await t.db.classifier.create({
    data: {
      name: `knn ${w.groupId}`,
      type: "knn",
      groupId: w.groupId,
      speciesId: w.speciesId,
      modelPath: "models/x.rds",
      classes: ["A", "C"],
    },
  });
  const type = async (shortName: string) =>
    t.db.callType.findFirstOrThrow({ where: { speciesId: w.speciesId, shortName } });
  const run = await t.db.clusteringRun.create({ data: { groupId: w.groupId, name: "k-means" } });
  const cluster = await t.db.cluster.create({ data: { runId: run.id, index: 0 } });
  await t.db.clusterCallMapping.create({
    data: { clusterId: cluster.id, callTypeId: (await type("C")).id, confidence: 0.8 },
  });
  const names = async () =>
    (await t.db.callType.findMany({ where: { speciesId: w.speciesId }, orderBy: { shortName: "asc" } })).map(
      (c) => c.shortName,
    );
  return { ...w, access, type, names, task };
}

describe("deleting call types", () => {
  it("refuses a used call type, naming how many labels, tasks, classifiers and mappings use it; deletes an unused one", async () => {
    const w = await world();
    const a = await refusal(deleteCallType({ db: t.db }, w.access, (await w.type("A")).id));
    expect(a.code).toBe("PRECONDITION_FAILED");
    expect(a.message).toBe(
      'Call type "A" is still used by 2 segment labels, 1 classifier; merge it into the call type that replaces it (Call-type taxonomy → Merge), which relabels all of them, or relabel them first',
    );
    expect(a.details).toEqual({
      usage: {
        segmentLabels: 2,
        tasks: 0,
        annotatorLabels: 0,
        resultPredictions: 0,
        probabilities: 0,
        clusterMappings: 0,
        classifiers: 1,
      },
    });
    expect((await refusal(deleteCallType({ db: t.db }, w.access, (await w.type("B")).id))).message).toMatch(
      /^Call type "B" is still used by 1 task;/,
    );
    expect((await refusal(deleteCallType({ db: t.db }, w.access, (await w.type("C")).id))).message).toMatch(
      /^Call type "C" is still used by 1 cluster mapping, 1 classifier;/,
    );
    expect(await w.names()).toEqual(["A", "B", "C"]);

    const d = await addCallType({ db: t.db }, w.access, { speciesId: w.speciesId, shortName: "D" });
    await deleteCallType({ db: t.db }, w.access, d.id);
    expect(await w.names()).toEqual(["A", "B", "C"]);

    // once nothing uses it any more (the classifier retired, the labels changed), it can go
    await t.db.classifier.updateMany({ where: { speciesId: w.speciesId }, data: { isActive: false } });
    await t.db.segment.updateMany({
      where: { label: "A", segmentation: { recording: { speciesId: w.speciesId } } },
      data: { label: "B" },
    });
    await deleteCallType({ db: t.db }, w.access, (await w.type("A")).id);
    expect(await w.names()).toEqual(["B", "C"]);
  });

  it("a replace import that would drop used call types is refused whole, listing each; unused ones are dropped", async () => {
    const w = await world();
    await addCallType({ db: t.db }, w.access, { speciesId: w.speciesId, shortName: "D" });
    const err = await refusal(
      importCallTypes({ db: t.db }, w.access, {
        speciesId: w.speciesId,
        mode: "replace",
        text: "B\nE,new\n",
      }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe(
      'Nothing was imported: the file leaves out call types that are still used — "A" (2 segment labels, 1 classifier); "C" (1 cluster mapping, 1 classifier). Keep them in the file, or merge each into the call type that replaces it (Call-type taxonomy → Merge), which relabels all of them first.',
    );
    expect(await w.names()).toEqual(["A", "B", "C", "D"]);

    const ok = await importCallTypes({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      mode: "replace",
      text: "A\nB\nC\nE\n",
    });
    expect(ok).toMatchObject({ created: 1, deleted: 1 });
    expect(await w.names()).toEqual(["A", "B", "C", "E"]);
  });

  it("an import line that only changes a name's case renames it: labels follow and the history says so", async () => {
    const w = await world();
    const res = await importCallTypes({ db: t.db }, w.access, {
      speciesId: w.speciesId,
      mode: "merge",
      text: "a,Alpha\nb\n",
    });
    expect(res).toMatchObject({
      created: 0,
      updated: 2,
      deleted: 0,
      renamed: [
        { from: "A", to: "a" },
        { from: "B", to: "b" },
      ],
    });
    expect(await w.names()).toEqual(["C", "a", "b"]);
    const labels = await t.db.segment.findMany({
      where: { segmentation: { recording: { speciesId: w.speciesId } }, label: { not: null } },
      select: { label: true },
    });
    expect(labels.map((l) => l.label)).toEqual(["a", "a"]);
    expect((await t.db.task.findUniqueOrThrow({ where: { id: w.task.id } })).label).toBe("b");
    const changes = await t.db.taxonomyChange.findMany({
      where: { speciesId: w.speciesId },
      orderBy: { version: "asc" },
    });
    expect(changes.map((c) => [c.kind, (c.details as { mapping: unknown }).mapping])).toEqual([
      ["rename", { A: "a" }],
      ["rename", { B: "b" }],
    ]);
    expect((await w.type("a")).longName).toBe("Alpha");
  });
});
