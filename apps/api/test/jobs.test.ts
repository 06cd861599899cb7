import { createBoss, enqueueJob } from "@battycoda/core/jobs";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import { anonymousCaller, createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

let t: TestEnv;
let boss: PgBoss;
let ann: TestUser;
let ben: TestUser;
let annGroup: string;
let benGroup: string;

const groupOf = async (userId: string) =>
  (await t.deps.db.membership.findFirstOrThrow({ where: { userId } })).groupId;

beforeAll(async () => {
  t = await createTestEnv();
  boss = await createBoss(t.database.url);
  t.deps.boss = boss;
  ann = await registerAndLogin(t, "ann");
  ben = await registerAndLogin(t, "ben");
  annGroup = await groupOf(ann.id);
  benGroup = await groupOf(ben.id);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.close();
});

const db = () => t.deps.db;

async function recording(groupId: string, name: string) {
  return db().recording.create({ data: { groupId, name, filePath: `${groupId}/recordings/x/${name}.wav` } });
}

function queue(
  groupId: string | null,
  type: "spectrogram.generate" | "recording.ingest",
  subjectId?: string,
) {
  return enqueueJob(
    { db: db(), boss },
    {
      type,
      payload: { recordingId: subjectId ?? "none" },
      groupId,
      ...(subjectId ? { subjectType: "recording", subjectId } : {}),
    },
  );
}

describe("jobs router", () => {
  it("lists the group's jobs with filters, subject links and keyset pages", async () => {
    const rec = await recording(annGroup, "Pond night");
    const ingest = await queue(annGroup, "recording.ingest", rec.id);
    const spec = await queue(annGroup, "spectrogram.generate", rec.id);
    const other = await queue(annGroup, "spectrogram.generate");
    await db().job.update({
      where: { id: other.id },
      data: { status: "failed", error: "boom", attempts: 3, createdAt: new Date("2024-01-01T00:00:00Z") },
    });
    await queue(benGroup, "recording.ingest");
    await queue(null, "recording.ingest"); // no group: nobody's Jobs page

    const all = await ann.caller.jobs.list();
    expect(all.map((j) => j.id)).toEqual([spec.id, ingest.id, other.id]);
    expect(all[0]).toMatchObject({
      type: "spectrogram.generate",
      status: "queued",
      progress: 0,
      attempts: 0,
      subject: { type: "recording", id: rec.id, name: "Pond night", exists: true },
      canCancel: true,
      canRetry: false,
    });
    expect(all[2]).toMatchObject({
      status: "failed",
      error: "boom",
      attempts: 3,
      subject: null,
      canRetry: true,
    });
    expect(typeof all[0]?.createdAt).toBe("string");

    expect((await ann.caller.jobs.list({ status: "failed" })).map((j) => j.id)).toEqual([other.id]);
    expect((await ann.caller.jobs.list({ status: ["queued", "failed"] })).length).toBe(3);
    expect((await ann.caller.jobs.list({ type: "recording.ingest" })).map((j) => j.id)).toEqual([ingest.id]);
    expect(
      (await ann.caller.jobs.list({ subjectType: "recording", subjectId: rec.id })).map((j) => j.id).sort(),
    ).toEqual([ingest.id, spec.id].sort());
    expect((await ann.caller.jobs.list({ createdTo: "2025-01-01T00:00:00Z" })).map((j) => j.id)).toEqual([
      other.id,
    ]);
    expect((await ann.caller.jobs.list({ createdFrom: "2025-01-01T00:00:00Z" })).length).toBe(2);
    expect(await ann.caller.jobs.count({ status: "queued" })).toEqual({ total: 2 });

    const page1 = await ann.caller.jobs.list({ limit: 2 });
    const page2 = await ann.caller.jobs.list({ limit: 2, cursor: page1.at(-1)?.id });
    expect([...page1, ...page2].map((j) => j.id)).toEqual(all.map((j) => j.id));
    await expectTRPCError(ann.caller.jobs.list({ createdFrom: "yesterday" }), "BAD_REQUEST");

    // a deleted subject still links, marked gone
    await db().recording.delete({ where: { id: rec.id } });
    expect((await ann.caller.jobs.get({ jobId: spec.id })).subject).toMatchObject({
      exists: false,
      name: null,
    });
  });

  it("names clustering runs and task batches, only the caller's group's", async () => {
    const run = await db().clusteringRun.create({
      data: { groupId: annGroup, name: "k-means on MFCC, pond" },
    });
    const theirs = await db().clusteringRun.create({ data: { groupId: benGroup, name: "ben's secret run" } });
    const batch = await db().taskBatch.create({ data: { groupId: annGroup, name: "Pond review" } });
    const jobFor = (subjectType: string, subjectId: string) =>
      enqueueJob(
        { db: db(), boss },
        { type: "clustering.run", payload: { runId: subjectId }, groupId: annGroup, subjectType, subjectId },
      );
    const mine = await jobFor("clusteringRun", run.id);
    const forged = await jobFor("clusteringRun", theirs.id);
    const review = await jobFor("taskBatch", batch.id);
    expect((await ann.caller.jobs.get({ jobId: mine.id })).subject).toMatchObject({
      type: "clusteringRun",
      name: "k-means on MFCC, pond",
      exists: true,
    });
    expect((await ann.caller.jobs.get({ jobId: review.id })).subject).toMatchObject({ name: "Pond review" });
    // a job naming another group's run shows nothing of it
    expect((await ann.caller.jobs.get({ jobId: forged.id })).subject).toMatchObject({
      name: null,
      exists: false,
    });
  });

  it("get returns detail; other groups' and group-less jobs are NOT_FOUND", async () => {
    const mine = await queue(annGroup, "recording.ingest");
    const theirs = await queue(benGroup, "recording.ingest");
    const system = await queue(null, "recording.ingest");
    expect(await ann.caller.jobs.get({ jobId: mine.id })).toMatchObject({
      id: mine.id,
      payload: { recordingId: "none" },
      result: null,
    });
    for (const id of [theirs.id, system.id, "nope"]) {
      await expectTRPCError(ann.caller.jobs.get({ jobId: id }), "NOT_FOUND");
      await expectTRPCError(ann.caller.jobs.cancel({ jobId: id }), "NOT_FOUND");
      await expectTRPCError(ann.caller.jobs.retry({ jobId: id }), "NOT_FOUND");
    }
    expect((await ben.caller.jobs.list()).map((j) => j.id)).not.toContain(mine.id);
    await expectTRPCError(ben.caller.jobs.list({ cursor: mine.id }), "BAD_REQUEST");
    await expectTRPCError(anonymousCaller(t).caller.jobs.list(), "UNAUTHORIZED");
  });

  it("cancel stops a queued job in pg-boss and marks its recording; retry queues it again", async () => {
    const rec = await recording(annGroup, "To cancel");
    await db().recording.update({ where: { id: rec.id }, data: { processingStatus: "processing" } });
    const job = await queue(annGroup, "spectrogram.generate", rec.id);

    const cancelled = await ann.caller.jobs.cancel({ jobId: job.id });
    expect(cancelled).toMatchObject({ status: "cancelled", canCancel: false, canRetry: true });
    expect(cancelled.finishedAt).not.toBeNull();
    expect((await boss.getJobById("spectrogram.generate", job.bossJobId ?? ""))?.state).toBe("cancelled");
    expect(await db().recording.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({
      processingStatus: "failed",
      processingError: "Processing was cancelled",
    });
    await expectTRPCError(ann.caller.jobs.cancel({ jobId: job.id }), "PRECONDITION_FAILED", /cancelled/);

    const retried = await ann.caller.jobs.retry({ jobId: job.id });
    expect(retried).toMatchObject({ status: "queued", error: null, finishedAt: null, progress: 0 });
    const row = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.bossJobId).not.toBe(job.bossJobId);
    expect((await boss.getJobById("spectrogram.generate", row.bossJobId ?? ""))?.state).toBe("created");
    await expectTRPCError(ann.caller.jobs.retry({ jobId: job.id }), "PRECONDITION_FAILED", /queued/);

    await db().job.update({ where: { id: job.id }, data: { status: "completed" } });
    await expectTRPCError(ann.caller.jobs.cancel({ jobId: job.id }), "PRECONDITION_FAILED");
    await expectTRPCError(ann.caller.jobs.retry({ jobId: job.id }), "PRECONDITION_FAILED");
  });
});
