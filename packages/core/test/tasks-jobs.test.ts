// Big batches through the real `tasks.create-batch` job (pg-boss on real PostgreSQL): pages with
// progress, nothing served while creating, a build interrupted half-way resumes without
// duplicates, and a build that fails for good leaves no tasks behind.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/access/errors.ts";
import { type Boss, createBoss, type JobContext, registerJobHandler } from "../src/jobs/index.ts";
import {
  buildBatchPages,
  createBatch,
  createBatchHandler,
  getBatch,
  listBatches,
  nextTask,
} from "../src/tasks/index.ts";
import { createTaskWorld, type TaskWorld } from "./tasks-fixtures.ts";

let t: TestDatabase;
let boss: Boss;
let w: TaskWorld;
const CALLS = 2600;

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url, { role: "worker" });
  w = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: CALLS }] });
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 });
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

describe("big batches", () => {
  it("are built by the job in pages, resuming after an interrupted page without duplicates", async () => {
    const u = w.users[0];
    if (!u) throw new Error("fixture");
    // no worker yet: the job waits while part of the batch is built by hand, as a crashed attempt would leave it
    const { batchId, jobId } = await createBatch({ db: t.db, boss }, u.access, {
      name: "big",
      source: { kind: "run", runId: w.recordings[0]?.runId as string },
      orderMode: "entropy",
    });
    expect(jobId).not.toBeNull();
    expect((await getBatch(t, u.access, batchId)).status).toBe("creating");
    const progress: number[] = [];
    const first = await buildBatchPages(t, batchId, {
      pageSize: 1000,
      maxPages: 1,
      onPage: async (done, total) => {
        progress.push(done / total);
      },
    });
    expect(first).toBe("stopped");
    expect(progress).toEqual([1000 / CALLS]);
    const partial = await getBatch(t, u.access, batchId);
    expect(partial).toMatchObject({ status: "creating", taskCount: 1000 });
    expect(partial.progress).toBeCloseTo(1000 / CALLS, 12);
    expect((await listBatches(t, u.access, { status: "creating" })).items.map((b) => b.id)).toEqual([
      batchId,
    ]);
    // half-built batches are not served
    expect(await code(() => nextTask(t, u.access, { batchId }))).toBe("PRECONDITION_FAILED");

    await registerJobHandler(
      { db: t.db, boss },
      "tasks.create-batch",
      createBatchHandler({ pageSize: 700 }),
      {
        pollingIntervalSeconds: 0.5,
      },
    );
    await expect
      .poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: jobId as string } })).status, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe("completed");
    const job = await t.db.job.findUniqueOrThrow({ where: { id: jobId as string } });
    expect(job.result).toEqual({ outcome: "ready", tasks: CALLS });
    expect(job.progress).toBe(1);
    const done = await getBatch(t, u.access, batchId);
    expect(done).toMatchObject({ status: "ready", progress: 1, taskCount: CALLS });
    const positions = await t.db.task.findMany({
      where: { batchId },
      select: { position: true, segmentId: true },
    });
    expect(new Set(positions.map((p) => p.position)).size).toBe(CALLS);
    expect(new Set(positions.map((p) => p.segmentId)).size).toBe(CALLS);
    expect(Math.min(...positions.map((p) => p.position))).toBe(1);
    expect(Math.max(...positions.map((p) => p.position))).toBe(CALLS);
    // highest entropy first across the page boundaries
    const ordered = await t.db.task.findMany({
      where: { batchId },
      orderBy: { position: "asc" },
      select: { entropy: true },
    });
    const ent = ordered.map((o) => o.entropy as number);
    expect([...ent].sort((a, b) => b - a)).toEqual(ent);
    expect((await nextTask(t, u.access, { batchId })).tasks[0]?.position).toBe(1);
  }, 90_000);

  it("a build that fails for good leaves no task and says why", async () => {
    const u = w.users[0];
    if (!u) throw new Error("fixture");
    // no worker for this one: it is half built by hand, then its stored source is broken
    await boss.offWork("tasks.create-batch");
    const { batchId, jobId } = await createBatch({ db: t.db, boss }, u.access, {
      name: "doomed",
      source: { kind: "run", runId: w.recordings[0]?.runId as string },
    });
    await buildBatchPages(t, batchId, { pageSize: 500, maxPages: 2 });
    expect(await t.db.task.count({ where: { batchId } })).toBe(1000);
    await t.db.taskBatch.update({ where: { id: batchId }, data: { source: { pairs: "broken" } } });
    const job = await t.db.job.findUniqueOrThrow({ where: { id: jobId as string } });
    // the last attempt (no retries left), run through the handler as the worker would
    const ctx: JobContext<"tasks.create-batch"> = {
      job,
      payload: { batchId },
      db: t.db,
      boss,
      attempt: 3,
      retriesLeft: 0,
      setProgress: async () => {},
      setMessage: async () => {},
      isCancelled: async () => false,
    };
    await expect(createBatchHandler()(ctx)).rejects.toThrow();
    expect(await t.db.task.count({ where: { batchId } })).toBe(0);
    const failed = await getBatch(t, u.access, batchId);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBeTruthy();
    expect(await code(() => nextTask(t, u.access, { batchId }))).toBe("PRECONDITION_FAILED");
  }, 60_000);
});
