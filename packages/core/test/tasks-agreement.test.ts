// Kappa formulas against hand-computed textbook examples, and a blind two-annotator batch on real
// PostgreSQL: labels hidden between annotators, kappa per pair and overall, adjudication.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/access/errors.ts";
import {
  adjudicate,
  agreement,
  cohenKappa,
  createBatch,
  fleissKappa,
  getBatch,
  getTask,
  listTasks,
  nextTask,
  saveLabel,
  undoLabel,
} from "../src/tasks/index.ts";
import { createTaskWorld, type TaskWorld } from "./tasks-fixtures.ts";

describe("kappa formulas", () => {
  it("Cohen's kappa: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15 → po .7, pe .5, κ = .4", () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ["yes", "yes"] as [string, string]),
      ...Array.from({ length: 5 }, () => ["yes", "no"] as [string, string]),
      ...Array.from({ length: 10 }, () => ["no", "yes"] as [string, string]),
      ...Array.from({ length: 15 }, () => ["no", "no"] as [string, string]),
    ];
    expect(cohenKappa(pairs)).toBeCloseTo(0.4, 12);
  });

  it("Cohen's kappa: perfect, chance-level, none, and a rater who never varies", () => {
    expect(
      cohenKappa([
        ["a", "a"],
        ["b", "b"],
      ]),
    ).toBe(1);
    // po = .5, pe = .5
    expect(
      cohenKappa([
        ["a", "a"],
        ["a", "b"],
        ["b", "a"],
        ["b", "b"],
      ]),
    ).toBeCloseTo(0, 12);
    expect(cohenKappa([])).toBeNull();
    expect(
      cohenKappa([
        ["a", "a"],
        ["a", "a"],
      ]),
    ).toBe(1);
  });

  it("Fleiss' kappa: Fleiss (1971) as tabulated on Wikipedia, 10 items × 14 raters → P̄ .378, P̄e .213, κ .210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    // by hand: P̄ = 3.780/10 = 0.37802…, P̄e = Σ p_j² = 0.2128…, κ = (0.37802 − 0.21280)/(1 − 0.21280)
    const pBar = 3.7802197802197806 / 10;
    const pe = [0.143, 0.2, 0.279, 0.15, 0.229].reduce((s, p) => s + p * p, 0);
    expect(fleissKappa(table)).toBeCloseTo((pBar - pe) / (1 - pe), 2);
    expect(fleissKappa(table)).toBeCloseTo(0.21, 3);
    expect(fleissKappa([])).toBeNull();
    expect(() =>
      fleissKappa([
        [2, 0],
        [1, 1, 1],
      ]),
    ).toThrow(/same number of raters/);
  });
});

let t: TestDatabase;
let w: TaskWorld;
let other: TaskWorld;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await createTaskWorld(t.db, { users: 3, recordings: [{ calls: 10 }] });
  other = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: 2 }] });
}, 60_000);

afterAll(async () => {
  await t?.drop();
});

const code = async (p: () => Promise<unknown>) => {
  try {
    await p();
    return "OK";
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};

describe("blind batches", () => {
  it("hides labels between assignees, computes kappa and lets a third person adjudicate", async () => {
    const [u0, u1, u2] = w.users;
    const stranger = other.users[0];
    if (!u0 || !u1 || !u2 || !stranger) throw new Error("fixture");
    const { batchId } = await createBatch({ db: t.db, boss: null }, u2.access, {
      name: "blind",
      source: { kind: "run", runId: w.recordings[0]?.runId as string },
      assigneeIds: [u0.id, u1.id],
    });
    const detail = await getBatch(t, u2.access, batchId);
    expect(detail.blind).toBe(true);
    expect(detail.assignees.map((a) => a.username)).toEqual([u0.username, u1.username]);
    const a0 = ["A", "A", "A", "A", "A", "B", "B", "B", "B", "C"];
    const a1 = ["A", "A", "A", "A", "B", "B", "B", "B", "C", "C"];

    // u0 labels everything, one after the other
    let task = (await nextTask(t, u0.access, { batchId })).tasks[0];
    const ids: string[] = [];
    for (const label of a0) {
      if (!task) throw new Error("ran out of tasks");
      ids.push(task.id);
      const r = await saveLabel(t, u0.access, { taskId: task.id, label, notes: `secret ${label}` });
      expect(r.task.label).toBeNull(); // not settled until u1 has labelled too
      task = r.next ?? undefined;
    }
    expect(task).toBeUndefined();
    expect(ids).toHaveLength(10);

    // u1 still gets task 1 and sees nothing of u0's label or notes
    const first = (await nextTask(t, u1.access, { batchId })).tasks[0];
    expect(first?.id).toBe(ids[0]);
    expect(first).toMatchObject({ label: null, myLabel: null, notes: "", annotatedBy: null, lockedBy: null });
    const listed = await listTasks(t, u1.access, { batchId, limit: 500 });
    expect(listed.items.every((x) => x.label === null && x.notes === "")).toBe(true);
    expect((await getTask(t, u0.access, ids[0] as string)).myLabel).toBe("A");
    // nothing is compared until both have labelled
    expect((await agreement(t, u1.access, batchId)).n).toBe(0);
    // a non-assignee cannot label a blind batch
    expect(await code(() => saveLabel(t, u2.access, { taskId: ids[0] as string, label: "A" }))).toBe(
      "FORBIDDEN",
    );
    expect(await code(() => nextTask(t, u2.access, { batchId }))).toBe("FORBIDDEN");

    for (const [i, label] of a1.entries()) {
      const r = await saveLabel(t, u1.access, { taskId: ids[i] as string, label });
      expect(r.task.status).toBe("done");
      expect(r.task.label).toBe(label === a0[i] ? label : null);
    }
    // undo and redo of the last label moves the task back and forth
    await undoLabel(t, u1.access, ids[9] as string);
    expect((await getTask(t, u1.access, ids[9] as string)).status).toBe("in_progress");
    await saveLabel(t, u1.access, { taskId: ids[9] as string, label: "C" });

    const ag = await agreement(t, u2.access, batchId);
    expect(ag.n).toBe(10);
    // by hand: po = 8/10; marginals u0 A5 B4 C1, u1 A4 B4 C2 → pe = (20 + 16 + 2)/100 = .38 → κ = .42/.62
    expect(ag.pairs).toHaveLength(1);
    expect(ag.pairs[0]).toMatchObject({ a: u0.id, b: u1.id, n: 10 });
    expect(ag.pairs[0]?.kappa).toBeCloseTo(0.42 / 0.62, 12);
    // Fleiss over 2 raters: P̄ = .8, p = (.45, .4, .15) → P̄e = .385 → κ = .415/.615
    expect(ag.fleissKappa).toBeCloseTo(0.415 / 0.615, 12);
    expect(ag.disagreements.map((d) => d.taskId)).toEqual([ids[4], ids[8]]);
    expect(ag.disagreements[0]?.labels).toEqual([
      { userId: u0.id, username: u0.username, label: "A" },
      { userId: u1.id, username: u1.username, label: "B" },
    ]);

    const settled = await adjudicate(t, u2.access, { taskId: ids[4] as string, label: "B" });
    const row = await t.db.task.findUniqueOrThrow({ where: { id: settled } });
    expect(row).toMatchObject({ label: "B", adjudicatedById: u2.id, status: "done" });
    const after = await agreement(t, u2.access, batchId);
    expect(after.disagreements.find((d) => d.taskId === ids[4])?.adjudicatedLabel).toBe("B");
    // the adjudicated label survives an assignee relabelling
    await saveLabel(t, u1.access, { taskId: ids[4] as string, label: "C" });
    expect((await t.db.task.findUniqueOrThrow({ where: { id: ids[4] as string } })).label).toBe("B");
    expect(await code(() => adjudicate(t, u2.access, { taskId: ids[8] as string, label: "nope" }))).toBe(
      "BAD_REQUEST",
    );
    // another group sees none of it
    expect(await code(() => agreement(t, stranger.access, batchId))).toBe("NOT_FOUND");
    expect(await code(() => adjudicate(t, stranger.access, { taskId: ids[8] as string, label: "A" }))).toBe(
      "NOT_FOUND",
    );
  });
});
