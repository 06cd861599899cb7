// Job leases: a running job is reaped only when the process that ran it is gone.
import { type Boss, createBoss, enqueueJob, JobLeases } from "@battycoda/core/jobs";
import { createGroup } from "@battycoda/core/processing/testing";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

let t: TestDatabase;
let boss: Boss;

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url, { role: "worker" });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
});

/** A job fetched by "a worker" and marked running, as runJob does. */
async function startedJob(type: "spectrogram.generate" | "recording.ingest", retryLimit: number) {
  const job = await enqueueJob({ db: t.db, boss }, { type, payload: { recordingId: "r" }, retryLimit });
  const [fetched] = (await boss.fetch(type)) ?? [];
  expect(fetched?.id).toBe(job.bossJobId);
  return t.db.job.update({
    where: { id: job.id },
    data: { status: "running", attempts: 1, startedAt: new Date(Date.now() - 60_000) },
  });
}

it("leaves live leases alone and hands dead workers' jobs back to pg-boss", async () => {
  const alive = await JobLeases.open(t.url, t.db, boss, { reapIntervalSeconds: 0 });
  const dying = await JobLeases.open(t.url, t.db, boss, { reapIntervalSeconds: 0 });
  const lost: string[] = [];
  const reaper = await JobLeases.open(t.url, t.db, boss, {
    reapIntervalSeconds: 0,
    onFinalFailure: async (job) => {
      lost.push(job.id);
    },
  });
  for (const l of [alive, dying, reaper]) l.track("spectrogram.generate");

  const a = await startedJob("spectrogram.generate", 2);
  const b = await startedJob("spectrogram.generate", 2);
  const c = await startedJob("spectrogram.generate", 0); // last attempt
  const untracked = await startedJob("recording.ingest", 2);
  await alive.acquire(a.id);
  await dying.acquire(b.id);
  await dying.acquire(c.id);

  expect(await reaper.reap()).toBe(0); // everyone holds their lease
  await dying.close(); // the session ends as it would when the process is killed

  expect(await reaper.reap()).toBe(2);
  const row = (id: string) => t.db.job.findUniqueOrThrow({ where: { id } });
  expect(await row(a.id)).toMatchObject({ status: "running" });
  expect(await row(b.id)).toMatchObject({
    status: "queued",
    error: expect.stringMatching(/worker .* stopped/),
  });
  expect((await boss.getJobById("spectrogram.generate", b.bossJobId ?? ""))?.state).toBe("retry");
  expect(await row(c.id)).toMatchObject({ status: "failed" });
  expect((await boss.getJobById("spectrogram.generate", c.bossJobId ?? ""))?.state).toBe("failed");
  expect(lost).toEqual([c.id]);
  // a queue consumed without leases is never judged by them
  expect(await row(untracked.id)).toMatchObject({ status: "running" });
  expect(await reaper.reap()).toBe(0);

  await alive.close();
  await reaper.close();
});

it("hands back a job whose worker died after fetching it but before starting it", async () => {
  const reaper = await JobLeases.open(t.url, t.db, boss, { reapIntervalSeconds: 0, unstartedSeconds: 1 });
  reaper.track("spectrogram.generate");
  await reaper.reap(); // the previous test's jobs, whose lease holders are closed now
  // fetched by a worker (pg-boss: active) that died before its lease and the "running" row
  const job = await enqueueJob(
    { db: t.db, boss },
    { type: "spectrogram.generate", payload: { recordingId: "r2" }, retryLimit: 2 },
  );
  const [fetched] = (await boss.fetch("spectrogram.generate")) ?? [];
  expect(fetched?.id).toBe(job.bossJobId);
  expect(await reaper.reap()).toBe(0); // just fetched: a live worker would start it any moment
  await new Promise((r) => setTimeout(r, 1500));
  expect(await reaper.reap()).toBe(1);
  expect(await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
    status: "queued",
    message: "Attempt 1 was interrupted; retrying",
  });
  expect((await boss.getJobById("spectrogram.generate", job.bossJobId ?? ""))?.state).toBe("retry");
  expect(await reaper.reap()).toBe(0);
  await reaper.close();
});

it("a recording whose last processing attempt died is marked failed", async () => {
  const { markRecordingJobLost } = await import("@battycoda/core/processing");
  const groupId = await createGroup(t);
  const rec = await t.db.recording.create({
    data: { groupId, name: "x", filePath: "x.wav", processingStatus: "processing" },
  });
  await markRecordingJobLost(
    { db: t.db },
    { type: "spectrogram.generate", subjectType: "recording", subjectId: rec.id },
    "The worker running this job stopped before it finished",
  );
  expect(await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({
    processingStatus: "failed",
    processingError: expect.stringMatching(/stopped/),
  });
});
