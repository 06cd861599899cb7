// Label saves interleaved with taxonomy changes, on a real database: each side is held open in its
// own transaction at the worst moment, and the other must wait for it, so no label is ever left on a
// call type a merge removed. Then: a save that cannot get in while a long change runs says so.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupAccess } from "../src/access/access.ts";
import { DomainError } from "../src/access/errors.ts";
import { adjudicate, createBatch, saveLabel } from "../src/tasks/index.ts";
import { mergeCallTypes } from "../src/taxonomy/index.ts";
import { createTaskWorld } from "./tasks-fixtures.ts";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await t?.drop();
});

async function world() {
  const w = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: 6 }] });
  const access = w.users[0]?.access as GroupAccess;
  const { batchId } = await createBatch({ db: t.db, boss: null }, access, {
    name: `batch ${w.groupId}`,
    source: { kind: "run", runId: w.recordings[0]?.runId as string },
  });
  const tasks = await t.db.task.findMany({ where: { batchId }, orderBy: { position: "asc" } });
  const type = async (shortName: string) =>
    (await t.db.callType.findFirstOrThrow({ where: { speciesId: w.speciesId, shortName } })).id;
  const merge = {
    speciesId: w.speciesId,
    intoCallTypeId: await type("A"),
    fromCallTypeIds: [await type("B")],
  };
  return { ...w, access, tasks, merge };
}

/** An open transaction that ran `first` and stays open (holding its locks) until release(). */
function holdOpen(
  first: (tx: Parameters<Parameters<TestDatabase["db"]["$transaction"]>[0]>[0]) => Promise<unknown>,
) {
  let release: () => void = () => undefined;
  let ready: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const started = new Promise<void>((r) => {
    ready = r;
  });
  const done = t.db.$transaction(
    async (tx) => {
      await first(tx);
      ready();
      await gate;
    },
    { timeout: 60_000 },
  );
  return { started, release, done };
}

/** Resolves to "pending" if p has not settled within ms. */
const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => "settled",
      () => "settled",
    ),
    new Promise((r) => setTimeout(() => r("pending"), ms)),
  ]);

/** Every text label of the species that is not one of its call types (nor Unknown). */
async function orphans(speciesId: string): Promise<string[]> {
  const rows = await t.db.$queryRaw<{ label: string }[]>`
    SELECT l.label FROM (
      SELECT label FROM "Task" WHERE "speciesId" = ${speciesId}
      UNION ALL SELECT "predictedLabel" FROM "Task" WHERE "speciesId" = ${speciesId}
      UNION ALL SELECT tl.label FROM "TaskLabel" tl JOIN "Task" tk ON tk.id = tl."taskId" WHERE tk."speciesId" = ${speciesId}
    ) l
    WHERE l.label IS NOT NULL AND l.label <> 'Unknown'
      AND NOT EXISTS (SELECT 1 FROM "CallType" c WHERE c."speciesId" = ${speciesId} AND c."shortName" = l.label)`;
  return rows.map((r) => r.label);
}

describe("label saves and taxonomy changes of one species take turns", () => {
  it("a save arriving while a merge B → A is uncommitted waits for it, then is refused, naming the merge", async () => {
    const w = await world();
    const task = w.tasks[0] as (typeof w.tasks)[number];
    const merge = holdOpen((tx) => mergeCallTypes({ db: tx }, w.access, w.merge));
    await merge.started;
    // the annotator's screen still offers B
    const save = saveLabel({ db: t.db }, w.access, { taskId: task.id, label: "B" });
    expect(await within(save, 1500)).toBe("pending");
    merge.release();
    await merge.done;
    const err = await save.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("BAD_REQUEST");
    expect((err as DomainError).message).toBe(
      '"B" is not a call type of this species (merged into "A" in taxonomy version 1) (nor "Unknown")',
    );
    expect((await t.db.task.findUniqueOrThrow({ where: { id: task.id } })).label).toBeNull();
    expect(await orphans(w.speciesId)).toEqual([]);
    // and A is saved as usual
    await saveLabel({ db: t.db }, w.access, { taskId: task.id, label: "A" });
  }, 60_000);

  it("a merge arriving while a save of B is uncommitted waits for it, then rewrites that label too", async () => {
    const w = await world();
    const task = w.tasks[1] as (typeof w.tasks)[number];
    const save = holdOpen((tx) => saveLabel({ db: tx }, w.access, { taskId: task.id, label: "B" }));
    await save.started;
    const merge = mergeCallTypes({ db: t.db }, w.access, w.merge);
    expect(await within(merge, 1500)).toBe("pending");
    save.release();
    await save.done;
    const result = await merge;
    expect(result.counts.taskLabels).toBeGreaterThanOrEqual(1);
    expect((await t.db.task.findUniqueOrThrow({ where: { id: task.id } })).label).toBe("A");
    expect(await orphans(w.speciesId)).toEqual([]);
  }, 60_000);

  it("adjudication takes the same turn", async () => {
    const w = await world();
    const task = w.tasks[2] as (typeof w.tasks)[number];
    const merge = holdOpen((tx) => mergeCallTypes({ db: tx }, w.access, w.merge));
    await merge.started;
    const decide = adjudicate({ db: t.db }, w.access, { taskId: task.id, label: "B" });
    expect(await within(decide, 1500)).toBe("pending");
    merge.release();
    await merge.done;
    await expect(decide).rejects.toThrow(/merged into "A"/);
    expect(await orphans(w.speciesId)).toEqual([]);
  }, 60_000);

  it("a save that waits longer than the lock timeout (a long merge) is refused with a clear CONFLICT", async () => {
    const w = await world();
    const task = w.tasks[3] as (typeof w.tasks)[number];
    const merge = holdOpen((tx) => mergeCallTypes({ db: tx }, w.access, w.merge));
    await merge.started;
    try {
      const err = await saveLabel({ db: t.db }, w.access, { taskId: task.id, label: "C" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("CONFLICT");
      expect((err as DomainError).message).toMatch(/being renamed, merged or split right now/);
    } finally {
      merge.release();
      await merge.done;
    }
    // once the merge is in, the same save goes through
    await saveLabel({ db: t.db }, w.access, { taskId: task.id, label: "C" });
    expect((await t.db.task.findUniqueOrThrow({ where: { id: task.id } })).label).toBe("C");
  }, 60_000);
});
