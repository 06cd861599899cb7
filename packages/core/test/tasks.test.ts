// Task batches and annotation against real PostgreSQL: creation from a run (threshold, each order),
// exact times, concurrent annotators never sharing a task, stale locks, skip/undo, and another
// group's batches and tasks answering NOT_FOUND.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/access/errors.ts";
import {
  batchNameAvailable,
  createBatch,
  createBatchPreview,
  deleteBatch,
  deleteBatchPreview,
  getBatch,
  getTask,
  listBatches,
  listTasks,
  nextTask,
  releaseLock,
  saveLabel,
  skipTask,
  undoLabel,
} from "../src/tasks/index.ts";
import { createTaskWorld, probabilitiesOf, type TaskWorld } from "./tasks-fixtures.ts";

let t: TestDatabase;
let w: TaskWorld;
let other: TaskWorld;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await createTaskWorld(t.db, { users: 3, recordings: [{ calls: 30 }, { calls: 10 }] });
  other = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: 5 }] });
}, 60_000);

afterAll(async () => {
  await t?.drop();
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};

const entropy = (p: number[]) => p.reduce((s, x) => (x > 0 ? s - x * Math.log(x) : s), 0);

describe("creating batches", () => {
  it("makes one task per call of a run below the threshold, least confident first, times exact", async () => {
    const rec = w.recordings[0];
    const a = w.users[0]?.access;
    if (!rec?.runId || !a) throw new Error("fixture");
    const threshold = 0.6;
    const expected = Array.from({ length: 30 }, (_, i) => i).filter(
      (i) => Math.max(...probabilitiesOf(i)) <= threshold,
    );
    expect(expected.length).toBeGreaterThan(3);
    expect(expected.length).toBeLessThan(30);
    const preview = await createBatchPreview(t, a, {
      source: { kind: "run", runId: rec.runId },
      confidenceThreshold: threshold,
    });
    expect(preview).toEqual({ tasks: expected.length, recordings: 1, runs: 1 });
    const { batchId, jobId } = await createBatch({ db: t.db, boss: null }, a, {
      name: "least confident",
      source: { kind: "run", runId: rec.runId },
      confidenceThreshold: threshold,
      orderMode: "confidence",
    });
    expect(jobId).toBeNull();
    const { items } = await listTasks(t, a, { batchId, limit: 500 });
    expect(items).toHaveLength(expected.length);
    const confs = items.map((x) => x.confidence as number);
    expect([...confs].sort((x, y) => x - y)).toEqual(confs);
    expect(items.map((x) => x.position)).toEqual(items.map((_, i) => i + 1));
    // exact doubles: the same bits as the segments (1/3 offsets are not representable in 16 digits)
    const segs = await t.db.segment.findMany({ where: { segmentationId: rec.segmentationId } });
    const byId = new Map(segs.map((s) => [s.id, s]));
    for (const task of items) {
      const s = byId.get(task.segmentId as string);
      expect(task.onset).toBe(s?.onset);
      expect(task.offset).toBe(s?.offset);
    }
    const byIndex = segs.sort((x, y) => x.onset - y.onset).map((s) => s.onset);
    expect(byIndex[0]).toBe(0.02 + 1 / 3);
    const detail = await getBatch(t, a, batchId);
    expect(detail).toMatchObject({
      taskCount: expected.length,
      confidenceThreshold: threshold,
      orderMode: "confidence",
      species: { id: w.speciesId },
      project: { id: w.projectId },
    });
    expect(detail.callTypes.map((c) => c.shortName)).toEqual(["A", "B", "C"]);
  });

  it("orders by onset and by highest entropy", async () => {
    const rec = w.recordings[0];
    const a = w.users[0]?.access;
    if (!rec?.runId || !a) throw new Error("fixture");
    const byOnset = await createBatch({ db: t.db, boss: null }, a, {
      name: "by onset",
      source: { kind: "run", runId: rec.runId },
    });
    const onset = (await listTasks(t, a, { batchId: byOnset.batchId, limit: 500 })).items;
    expect(onset).toHaveLength(30);
    expect(onset.map((x) => x.onset)).toEqual([...onset.map((x) => x.onset)].sort((x, y) => x - y));
    const byEntropy = await createBatch({ db: t.db, boss: null }, a, {
      name: "by entropy",
      source: { kind: "run", runId: rec.runId },
      orderMode: "entropy",
    });
    const ent = (await listTasks(t, a, { batchId: byEntropy.batchId, limit: 500 })).items;
    const expected = Array.from({ length: 30 }, (_, i) => entropy(probabilitiesOf(i)));
    const rows = await t.db.task.findMany({
      where: { batchId: byEntropy.batchId },
      orderBy: { position: "asc" },
    });
    const got = rows.map((r) => r.entropy as number);
    expect([...got].sort((x, y) => y - x)).toEqual(got);
    expect(Math.max(...got)).toBeCloseTo(Math.max(...expected), 9);
    expect(ent[0]?.id).toBe(rows[0]?.id);
  });

  it("builds from a whole scope (every active segmentation's latest run) and refuses a taken name", async () => {
    const a = w.users[0]?.access;
    if (!a) throw new Error("fixture");
    expect(await createBatchPreview(t, a, { source: { kind: "scope", projectId: w.projectId } })).toEqual({
      tasks: 40,
      recordings: 2,
      runs: 2,
    });
    expect(await batchNameAvailable(t, a, "by onset")).toEqual({ available: false });
    expect(await batchNameAvailable(t, a, "something new")).toEqual({ available: true });
    expect(
      await code(
        createBatch({ db: t.db, boss: null }, a, {
          name: "by onset",
          source: { kind: "scope", projectId: w.projectId },
        }),
      ),
    ).toBe("CONFLICT");
    expect(
      await code(
        createBatch({ db: t.db, boss: null }, a, {
          name: "nothing",
          source: { kind: "scope", projectId: w.projectId },
          confidenceThreshold: 0.1,
        }),
      ),
    ).toBe("BAD_REQUEST");
    const { batchId } = await createBatch({ db: t.db, boss: null }, a, {
      name: "whole project",
      source: { kind: "scope", projectId: w.projectId },
    });
    const tasks = await listTasks(t, a, { batchId, limit: 500 });
    expect(tasks.total).toBe(40);
    expect(new Set(tasks.items.map((x) => x.recording.name))).toEqual(new Set(["rec-0.wav", "rec-1.wav"]));
  });
});

describe("annotating", () => {
  it("never gives two annotators the same task, however often they ask at once", async () => {
    const [u1, u2, u3] = w.users;
    if (!u1 || !u2 || !u3) throw new Error("fixture");
    const { batchId } = await createBatch({ db: t.db, boss: null }, u1.access, {
      name: "concurrent",
      source: { kind: "scope", projectId: w.projectId },
    });
    const seen = new Set<string>();
    const cur: Record<string, string | undefined> = {};
    for (let round = 0; round < 12; round++) {
      const got = await Promise.all(
        [u1, u2, u3].map((u) =>
          nextTask(t, u.access, { batchId, ...(cur[u.id] ? { afterTaskId: cur[u.id] } : {}) }).then((r) => ({
            u,
            task: r.tasks[0],
          })),
        ),
      );
      const ids = got.map((g) => g.task?.id);
      expect(new Set(ids).size).toBe(3);
      for (const g of got) {
        if (!g.task) throw new Error("no task");
        expect(g.task.lockedBy).toBe(g.u.username);
        expect(seen.has(g.task.id)).toBe(false);
        seen.add(g.task.id);
      }
      // everyone labels theirs at once; the next ones come back from save
      await Promise.all(
        got.map(async (g) => {
          const r = await saveLabel(t, g.u.access, { taskId: g.task?.id as string, label: "A" });
          expect(r.task).toMatchObject({
            status: "done",
            label: "A",
            annotatedBy: g.u.username,
            lockedBy: null,
          });
          cur[g.u.id] = g.task?.id;
          if (r.next) await releaseLock(t, g.u.access, r.next.id);
        }),
      );
    }
    const done = await t.db.task.findMany({ where: { batchId, status: "done" } });
    expect(done).toHaveLength(36);
    expect(new Set(done.map((d) => d.id))).toEqual(seen);
  });

  it("blocks saving another annotator's fresh lock and takes over a stale one", async () => {
    const [u1, u2] = w.users;
    if (!u1 || !u2) throw new Error("fixture");
    const { batchId } = await createBatch({ db: t.db, boss: null }, u1.access, {
      name: "locks",
      source: { kind: "run", runId: w.recordings[1]?.runId as string },
    });
    const first = (await nextTask(t, u1.access, { batchId, take: 3 })).tasks;
    expect(first).toHaveLength(3);
    expect(first[0]?.position).toBe(1);
    expect(first[0]?.probabilities[0]?.callType).toBe(first[0]?.predictedLabel);
    expect(first[0]?.probabilities).toHaveLength(3);
    const taken = first[0]?.id as string;
    // u2 gets the next free one, not u1's
    const second = (await nextTask(t, u2.access, { batchId })).tasks[0];
    expect(second?.id).not.toBe(taken);
    expect(second?.position).toBe(2);
    expect(await code(saveLabel(t, u2.access, { taskId: taken, label: "B" }))).toBe("CONFLICT");
    // 31 minutes later the lock is stale: u2 can take and label it
    await t.db.task.update({ where: { id: taken }, data: { lockedAt: new Date(Date.now() - 31 * 60_000) } });
    await releaseLock(t, u2.access, second?.id as string);
    const again = (await nextTask(t, u2.access, { batchId })).tasks[0];
    expect(again?.id).toBe(taken);
    expect(again?.lockedBy).toBe(u2.username);
    const saved = await saveLabel(t, u2.access, {
      taskId: taken,
      label: "Unknown",
      notes: "=cmd|' /C calc'!A0",
    });
    expect(saved.task).toMatchObject({ label: "Unknown", annotatedBy: u2.username });
    expect(await code(saveLabel(t, u2.access, { taskId: taken, label: "Z" }))).toBe("BAD_REQUEST");
    // undo: only one's own label
    expect(await code(undoLabel(t, u1.access, taken))).toBe("BAD_REQUEST");
    const undone = await undoLabel(t, u2.access, taken);
    expect(undone.task).toMatchObject({ label: null, status: "in_progress", lockedBy: u2.username });
    // skip moves on and the skipped task is not offered again
    const skipped = await skipTask(t, u2.access, taken);
    expect(skipped.next?.id).not.toBe(taken);
    expect((await getTask(t, u2.access, taken)).status).toBe("skipped");
    // prev goes back to it
    const prev = await nextTask(t, u2.access, {
      batchId,
      afterTaskId: skipped.next?.id as string,
      direction: "prev",
    });
    expect(prev.tasks[0]?.position).toBe((skipped.next?.position as number) - 1);
  });
});

describe("listing, deleting and access", () => {
  it("lists with filters and deletes with a preview; another group sees NOT_FOUND", async () => {
    const a = w.users[0]?.access;
    const stranger = other.users[0]?.access;
    if (!a || !stranger) throw new Error("fixture");
    const { items } = await listBatches(t, a, {});
    expect(items.map((b) => b.name)).toContain("concurrent");
    const concurrent = items.find((b) => b.name === "concurrent");
    expect(concurrent).toMatchObject({ taskCount: 40, doneCount: 36, status: "ready" });
    expect((await listBatches(t, a, { status: "done" })).items.map((b) => b.name)).not.toContain(
      "concurrent",
    );
    expect((await listBatches(t, stranger, {})).items).toHaveLength(0);
    const id = concurrent?.id as string;
    const task = (await listTasks(t, a, { batchId: id, limit: 1 })).items[0]?.id as string;
    expect((await listTasks(t, a, { batchId: id, label: "A" })).total).toBe(36);
    expect((await listTasks(t, a, { batchId: id, annotatorId: w.users[1]?.id as string })).total).toBe(12);
    for (const p of [
      () => getBatch(t, stranger, id),
      () => listTasks(t, stranger, { batchId: id }),
      () => nextTask(t, stranger, { batchId: id }),
      () => getTask(t, stranger, task),
      () => saveLabel(t, stranger, { taskId: task, label: "A" }),
      () => skipTask(t, stranger, task),
      () => undoLabel(t, stranger, task),
      () => releaseLock(t, stranger, task),
      () => deleteBatchPreview(t, stranger, id),
      () => deleteBatch({ db: t.db, boss: null }, stranger, id),
      () =>
        createBatchPreview(t, stranger, {
          source: { kind: "run", runId: w.recordings[0]?.runId as string },
        }),
      () => createBatchPreview(t, stranger, { source: { kind: "scope", projectId: w.projectId } }),
    ])
      expect(await code(p())).toBe("NOT_FOUND");
    expect(await deleteBatchPreview(t, a, id)).toEqual({ tasks: 40, labelled: 36 });
    await deleteBatch({ db: t.db, boss: null }, a, id);
    expect(await t.db.task.count({ where: { batchId: id } })).toBe(0);
    expect(await code(getBatch(t, a, id))).toBe("NOT_FOUND");
  });
});
