import type { Job } from "@battycoda/db";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelJob,
  createBoss,
  enqueueJob,
  type QueueName,
  registerJobHandler,
  retryJob,
} from "../src/jobs/index.ts";
import { waitFor } from "./helpers.ts";

let t: TestDatabase;
let boss: PgBoss;

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
});

async function bossJob(job: Job) {
  return boss.getJobById<{ jobId: string }>(job.type, job.bossJobId!, { includeArchive: true });
}
const waitForStatus = (id: string, status: Job["status"]) =>
  waitFor(
    async () => {
      const j = await t.db.job.findUniqueOrThrow({ where: { id } });
      return j.status === status ? j : undefined;
    },
    20_000,
    `job ${id} to be ${status}`,
  );

describe("createBoss", () => {
  it("can be called by several processes at once on a fresh database", async () => {
    const fresh = await createTestDatabase();
    try {
      const bosses = await Promise.all([1, 2, 3, 4].map(() => createBoss(fresh.url)));
      expect((await bosses[0]!.getQueues()).map((q) => q.name)).toContain("email.send");
      await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
    } finally {
      await fresh.drop();
    }
  });
});

describe("enqueueJob", () => {
  it("creates the Job row and the pg-boss job together", async () => {
    const group = await t.db.group.create({ data: { name: "G" } });
    const job = await enqueueJob(
      { db: t.db, boss },
      {
        type: "recording.ingest",
        payload: { recordingId: "r1" },
        groupId: group.id,
        subjectType: "recording",
        subjectId: "r1",
      },
    );
    expect(job).toMatchObject({
      type: "recording.ingest",
      status: "queued",
      groupId: group.id,
      payload: { recordingId: "r1" },
    });
    expect(job.bossJobId).toMatch(/^[0-9a-f-]{36}$/);
    const bj = await bossJob(job);
    expect(bj?.data).toEqual({ jobId: job.id });
    expect(bj?.state).toBe("created");
  });

  it("leaves neither behind when the surrounding transaction rolls back", async () => {
    let bossJobId: string | null = null;
    await expect(
      t.db.$transaction(async (tx) => {
        const job = await enqueueJob(
          { db: tx, boss },
          {
            type: "upload.process",
            payload: { uploadId: "u-rollback" },
          },
        );
        bossJobId = job.bossJobId;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(bossJobId).not.toBeNull();
    expect(await t.db.job.count({ where: { type: "upload.process" } })).toBe(0);
    expect(await boss.getJobById("upload.process", bossJobId!, { includeArchive: true })).toBeNull();
  });

  it("leaves no Job row when pg-boss refuses the job", async () => {
    const before = await t.db.job.count();
    await expect(
      enqueueJob({ db: t.db, boss }, { type: "no.such.queue" as QueueName, payload: {} as never }),
    ).rejects.toThrow(/did not accept/);
    expect(await t.db.job.count()).toBe(before);
  });
});

describe("handlers", () => {
  it("drains a backlog without waiting a polling interval between jobs", async () => {
    // A backlog, then one slot polling every 60 s: its first fetch finds work at once; pg-boss
    // alone would then run one job per minute, a slot that just found work fetches again at once.
    const jobs = [];
    for (const batchId of ["b1", "b2", "b3", "b4"])
      jobs.push(await enqueueJob({ db: t.db, boss }, { type: "tasks.create-batch", payload: { batchId } }));
    const ran: string[] = [];
    await registerJobHandler(
      { db: t.db, boss },
      "tasks.create-batch",
      async (ctx) => {
        ran.push(ctx.payload.batchId);
        return null;
      },
      { pollingIntervalSeconds: 60 },
    );
    for (const j of jobs) await waitForStatus(j.id, "completed");
    expect(ran.sort()).toEqual(["b1", "b2", "b3", "b4"]);
  });

  it("run a job, report progress and store the result", async () => {
    const seen: number[] = [];
    await registerJobHandler(
      { db: t.db, boss },
      "spectrogram.generate",
      async (ctx) => {
        await ctx.setProgress(0.5, "half way");
        const row = await t.db.job.findUniqueOrThrow({ where: { id: ctx.job.id } });
        seen.push(row.progress);
        expect(row.message).toBe("half way");
        expect(row.status).toBe("running");
        return { tiles: 3, recordingId: ctx.payload.recordingId };
      },
      { pollingIntervalSeconds: 0.5 },
    );
    const job = await enqueueJob(
      { db: t.db, boss },
      {
        type: "spectrogram.generate",
        payload: { recordingId: "rec-7" },
      },
    );
    const done = await waitForStatus(job.id, "completed");
    expect(seen).toEqual([0.5]);
    expect(done).toMatchObject({
      progress: 1,
      attempts: 1,
      error: null,
      result: { tiles: 3, recordingId: "rec-7" },
    });
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect((await bossJob(done))?.state).toBe("completed");
  });

  it("retry a failing job per its policy, then mark it failed; retryJob runs it again", async () => {
    let calls = 0;
    let succeed = false;
    await registerJobHandler(
      { db: t.db, boss },
      "segmentation.run",
      async (ctx) => {
        calls++;
        if (!succeed) throw new Error(`detector crashed on attempt ${ctx.attempt}`);
        return { ok: true };
      },
      { pollingIntervalSeconds: 0.5 },
    );
    const job = await enqueueJob(
      { db: t.db, boss },
      {
        type: "segmentation.run",
        payload: { segmentationId: "s1" },
        retryLimit: 1,
        retryDelay: 1,
        retryBackoff: false,
      },
    );
    const failed = await waitForStatus(job.id, "failed");
    expect(calls).toBe(2);
    expect(failed).toMatchObject({ attempts: 2, error: "detector crashed on attempt 2", message: "Failed" });
    expect(failed.finishedAt).toBeInstanceOf(Date);

    succeed = true;
    const again = await retryJob({ db: t.db, boss }, job.id);
    expect(again.status).toBe("queued");
    expect(again.error).toBeNull();
    expect(again.bossJobId).not.toBe(job.bossJobId);
    const done = await waitForStatus(job.id, "completed");
    expect(done.result).toEqual({ ok: true });
    expect(calls).toBe(3);
  });

  it("cancelJob stops a queued job from running; completed jobs cannot be retried", async () => {
    let ran = false;
    const job = await enqueueJob({ db: t.db, boss }, { type: "clustering.run", payload: { runId: "c1" } });
    const cancelled = await cancelJob({ db: t.db, boss }, job.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await bossJob(job))?.state).toBe("cancelled");
    await registerJobHandler(
      { db: t.db, boss },
      "clustering.run",
      async () => {
        ran = true;
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(ran).toBe(false);
    expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("cancelled");

    // cancelling again is a no-op; retrying a cancelled job runs it
    expect((await cancelJob({ db: t.db, boss }, job.id)).status).toBe("cancelled");
    await retryJob({ db: t.db, boss }, job.id);
    const done = await waitForStatus(job.id, "completed");
    expect(ran).toBe(true);
    await expect(retryJob({ db: t.db, boss }, done.id)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await expect(cancelJob({ db: t.db, boss }, "missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
