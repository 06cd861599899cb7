// Every admin.* procedure run by a site admin against the real database, a real pg-boss and the
// real maintenance handler (the worker's): what each one answers and what it changes, and the
// audit entry of each action that changes something. The refusals for everyone else are in
// access-matrix.test.ts (plain users) and impersonation.test.ts (impersonated sessions).
import fs from "node:fs";
import { createBoss, enqueueJob, QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { maintenanceRunHandler } from "@battycoda/core/maintenance/index";
import { type LocalS3, startLocalS3 } from "@battycoda/core/maintenance/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/router.ts";
import { expectTRPCError } from "./expect-error.ts";
import {
  anonymousCaller,
  type Caller,
  createTestEnv,
  makeSiteAdmin,
  registerAndLogin,
  sessionCaller,
  type TestEnv,
  type TestUser,
} from "./helpers.ts";
import { buildTestServer } from "./http-helpers.ts";

let t: TestEnv;
let s3: LocalS3;
let boss: PgBoss;
let admin: TestUser;
let ada: Caller;
let ben: TestUser;

const db = () => t.deps.db;
const groupOf = async (userId: string) =>
  (await db().membership.findFirstOrThrow({ where: { userId } })).groupId;

async function auditOf(action: string, targetId: string) {
  return db().auditEntry.findMany({ where: { action, targetId }, orderBy: { createdAt: "asc" } });
}

/** Polls the panel's own view of a run until it has ended. */
async function finished(jobId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await ada.admin.maintenanceRun({ jobId });
    if (!["queued", "running"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${jobId} still ${run.status}: ${run.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  s3 = await startLocalS3("admin-test", "backups/");
  t = await createTestEnv({
    DATABASE_BACKUP_BUCKET: s3.backup.bucket,
    DATABASE_BACKUP_PREFIX: s3.backup.prefix,
    DATABASE_BACKUP_S3_ENDPOINT: s3.backup.endpoint ?? "",
    DATABASE_BACKUP_S3_ACCESS_KEY_ID: s3.backup.accessKeyId ?? "",
    DATABASE_BACKUP_S3_SECRET_ACCESS_KEY: s3.backup.secretAccessKey ?? "",
    // nothing listens here: the status must say the R server is down, not hang
    R_SERVER_URL: "http://127.0.0.1:9",
  });
  boss = await createBoss(t.database.url, { role: "worker" });
  t.deps.boss = boss;
  // the worker's own handler for the panel's procedures
  await registerJobHandler(
    { db: db(), boss },
    QUEUES.maintenanceRun,
    maintenanceRunHandler({ config: t.config, databaseUrl: t.database.url }),
    { pollingIntervalSeconds: 0.5 },
  );
  admin = await registerAndLogin(t, "ada");
  await makeSiteAdmin(t, admin.id);
  ada = await sessionCaller(t, admin.token);
  ben = await registerAndLogin(t, "ben");
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.close();
  await s3?.stop();
});

describe("admin procedures, as a site admin", () => {
  it("covers every admin procedure in this file", () => {
    const names = Object.keys(appRouter._def.procedures)
      .filter((p) => p.startsWith("admin."))
      .map((p) => p.slice("admin.".length));
    const text = fs.readFileSync(import.meta.filename, "utf8");
    expect(names.filter((n) => !text.includes(`admin.${n}(`))).toEqual([]);
  });

  it("stats: the site's counts and jobs by status", async () => {
    const stats = await ada.admin.stats();
    expect(stats).toMatchObject({
      users: await db().user.count(),
      groups: await db().group.count(),
      projects: await db().project.count(),
      recordings: await db().recording.count(),
    });
    expect(stats.users).toBeGreaterThanOrEqual(2);
  });

  it("users: search by name or email; setUserActive signs the user out everywhere, audited", async () => {
    const found = await ada.admin.users({ search: "BEN@example", limit: 10 });
    expect(found.map((u) => u.username)).toEqual(["ben"]);
    expect(found[0]).toMatchObject({ isActive: true, isSiteAdmin: false, groups: 1 });
    expect(await db().session.count({ where: { userId: ben.id } })).toBeGreaterThan(0);

    await ada.admin.setUserActive({ userId: ben.id, value: false });
    expect((await db().user.findUniqueOrThrow({ where: { id: ben.id } })).isActive).toBe(false);
    expect(await db().session.count({ where: { userId: ben.id } })).toBe(0);
    expect((await ada.admin.users({ search: "ben", limit: 10 }))[0]?.isActive).toBe(false);
    // Logging in: the right password hears why (not "invalid password", which would send them to reset it); a
    // wrong one learns nothing about the account.
    const { caller: anon } = anonymousCaller(t);
    await expectTRPCError(
      anon.auth.login({ identifier: "ben", password: ben.password }),
      "FORBIDDEN",
      "This account has been deactivated",
    );
    await expectTRPCError(
      anon.auth.login({ identifier: "ben", password: "not the password" }),
      "UNAUTHORIZED",
      "Invalid username/email or password",
    );
    await ada.admin.setUserActive({ userId: ben.id, value: true });
    expect((await db().user.findUniqueOrThrow({ where: { id: ben.id } })).isActive).toBe(true);
    expect((await auditOf("user.deactivate", ben.id)).map((e) => e.actorId)).toEqual([admin.id]);
    expect(await auditOf("user.activate", ben.id)).toHaveLength(1);

    await expectTRPCError(ada.admin.setUserActive({ userId: admin.id, value: false }), "BAD_REQUEST");
    await expectTRPCError(ada.admin.setUserActive({ userId: "nobody", value: false }), "NOT_FOUND");
  });

  it("setSiteAdmin: make and revoke admin, audited; an admin cannot demote themself", async () => {
    await ada.admin.setSiteAdmin({ userId: ben.id, value: true });
    expect((await db().user.findUniqueOrThrow({ where: { id: ben.id } })).isSiteAdmin).toBe(true);
    await ada.admin.setSiteAdmin({ userId: ben.id, value: false });
    expect((await db().user.findUniqueOrThrow({ where: { id: ben.id } })).isSiteAdmin).toBe(false);
    expect(await auditOf("user.make-admin", ben.id)).toHaveLength(1);
    expect(await auditOf("user.revoke-admin", ben.id)).toHaveLength(1);
    await expectTRPCError(ada.admin.setSiteAdmin({ userId: admin.id, value: false }), "BAD_REQUEST");
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).isSiteAdmin).toBe(true);
  });

  it("groups, groupStorage and setGroupStorageQuota (audited)", async () => {
    const benGroup = await groupOf(ben.id);
    const groups = await ada.admin.groups();
    expect(groups.find((g) => g.id === benGroup)).toMatchObject({
      members: 1,
      recordings: 0,
      isPersonal: true,
    });
    expect(groups).toHaveLength(await db().group.count());

    const set = await ada.admin.setGroupStorageQuota({ groupId: benGroup, quotaBytes: 5_000_000 });
    expect(set).toMatchObject({ groupId: benGroup, quotaBytes: 5_000_000 });
    const listed = await ada.admin.groupStorage();
    expect(listed.groups.find((g) => g.groupId === benGroup)).toMatchObject({ ownQuotaBytes: 5_000_000 });
    expect((await db().group.findUniqueOrThrow({ where: { id: benGroup } })).storageQuotaBytes).toBe(
      5_000_000n,
    );
    expect((await auditOf("group.storage-quota", benGroup))[0]?.details).toEqual({ quotaBytes: 5_000_000 });
    await ada.admin.setGroupStorageQuota({ groupId: benGroup, quotaBytes: null });
  });

  it("startMaintenance runs populate-memberships on the worker's handler; maintenanceRun(s) follow it; audited", async () => {
    // a user without any group: the procedure gives them a personal one
    const lonely = await db().user.create({ data: { username: "lonely", email: "lonely@example.org" } });
    const dry = await ada.admin.startMaintenance({ procedure: "populate-memberships", dryRun: true });
    expect(dry).toMatchObject({ procedure: "populate-memberships", status: "queued", userId: admin.id });
    const dryDone = await finished(dry.id);
    expect(dryDone.status).toBe("completed");
    expect(dryDone.result).toMatchObject({ dryRun: true, personalGroupsCreated: 1 });
    expect(await db().membership.count({ where: { userId: lonely.id } })).toBe(0);

    const real = await ada.admin.startMaintenance({ procedure: "populate-memberships", dryRun: false });
    const done = await finished(real.id);
    expect(done).toMatchObject({ status: "completed", progress: 1 });
    expect(done.result).toMatchObject({ personalGroupsCreated: 1 });
    expect(done.log).toMatch(/populate-memberships finished/);
    expect(await db().membership.count({ where: { userId: lonely.id } })).toBe(1);

    const runs = await ada.admin.maintenanceRuns({ procedure: "populate-memberships", limit: 10 });
    expect(runs.map((r) => r.id)).toEqual([real.id, dry.id]);
    const audit = await auditOf("maintenance.run", real.id);
    expect(audit[0]).toMatchObject({ actorId: admin.id });
    expect(audit[0]?.details).toMatchObject({
      procedure: "populate-memberships",
      options: { dryRun: false },
    });

    await expectTRPCError(ada.admin.maintenanceRun({ jobId: "no-such-job" }), "NOT_FOUND");
    // options are checked when the run is started, not later in the worker
    await expectTRPCError(
      ada.admin.startMaintenance({ procedure: "generate-missing-hdf5", batchSize: 0 } as never),
      "BAD_REQUEST",
    );
  });

  it("backup-database from the panel stores a dump in S3; backups lists it; systemStatus shows it as the last backup", async () => {
    const before = await ada.admin.backups();
    expect(before).toMatchObject({ bucket: "admin-test", prefix: "backups/", items: [], error: null });
    const run = await ada.admin.startMaintenance({
      procedure: "backup-database",
      media: false,
      dryRun: false,
    });
    const done = await finished(run.id, 120_000);
    expect(done.status, done.log).toBe("completed");
    const key = (done.result as { key: string }).key;
    expect(key).toMatch(/^backups\//);

    const after = await ada.admin.backups();
    expect(after.error).toBeNull();
    expect(after.items.map((b) => b.key)).toEqual([key]);
    expect(after.items[0]).toMatchObject({ kind: "database" });
    expect(after.items[0]?.size).toBeGreaterThan(1000);

    const status = await ada.admin.systemStatus();
    expect(status.lastBackup).toMatchObject({ jobId: run.id, status: "completed", key });
  });

  it("backups reports an unreachable store instead of failing", async () => {
    const t2 = await createTestEnv({ DATABASE_BACKUP_S3_ENDPOINT: "http://127.0.0.1:9" });
    try {
      const other = await registerAndLogin(t2, "root");
      await makeSiteAdmin(t2, other.id);
      const list = await (await sessionCaller(t2, other.token)).admin.backups();
      expect(list.items).toEqual([]);
      expect(list.error).toBeTruthy();
    } finally {
      await t2.close();
    }
  });

  it("schedules: every schedule with its last run", async () => {
    const schedules = await ada.admin.schedules();
    const names = schedules.map((s) => s.name);
    for (const n of ["classification.process-queue", "backup-database", "check-disk"])
      expect(names).toContain(n);
    // the backup above is the backup schedule's last run
    expect(schedules.find((s) => s.name === "backup-database")).toMatchObject({ lastStatus: "completed" });
  });

  it("jobs, cancelJob and retryJob act on any group's jobs, audited", async () => {
    const benGroup = await groupOf(ben.id);
    // a queue nothing works on here, so the job stays queued until cancelled
    const job = await enqueueJob(
      { db: db(), boss },
      { type: "spectrogram.generate", payload: { recordingId: "none" }, groupId: benGroup },
    );
    const queued = await ada.admin.jobs({ status: "queued", limit: 50 });
    expect(queued.map((j) => j.id)).toContain(job.id);

    const cancelled = await ada.admin.cancelJob({ jobId: job.id });
    expect(cancelled.status).toBe("cancelled");
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("cancelled");
    // cancelling again changes nothing and records nothing
    await ada.admin.cancelJob({ jobId: job.id });
    expect(await auditOf("job.cancel", job.id)).toHaveLength(1);

    const retried = await ada.admin.retryJob({ jobId: job.id });
    expect(retried.status).toBe("queued");
    expect((await auditOf("job.retry", job.id))[0]).toMatchObject({ actorId: admin.id });
    await expectTRPCError(ada.admin.retryJob({ jobId: job.id }), "PRECONDITION_FAILED");
    await ada.admin.cancelJob({ jobId: job.id });
    expect(
      (await ada.admin.jobs({ status: "cancelled", type: "spectrogram.generate", limit: 50 })).map(
        (j) => j.id,
      ),
    ).toEqual([job.id]);
  });

  it("systemStatus: database, R server, workers, disks, memory and queue depths", async () => {
    await db().workerHeartbeat.create({
      data: {
        id: "host-a:42:1",
        host: "host-a",
        pid: 42,
        version: "test",
        startedAt: new Date(),
        lastSeenAt: new Date(),
        rssBytes: 123_000_000n,
        activeJobs: [],
      },
    });
    const s = await ada.admin.systemStatus();
    expect(s.database.ok).toBe(true);
    expect(s.rServer).toEqual({ state: "down", url: "http://127.0.0.1:9" });
    expect(s.workers.find((w) => w.id === "host-a:42:1")).toMatchObject({
      live: true,
      rssBytes: 123_000_000,
    });
    expect(s.disks.map((d) => d.label).sort()).toEqual(["database", "media"]);
    for (const d of s.disks) expect(d.usedFraction).toBeGreaterThan(0);
    expect(s.apiMemory.rssBytes).toBeGreaterThan(0);
    expect(s.queues.find((q) => q.type === "spectrogram.generate")).toMatchObject({ queued: 0, failed: 0 });
  });

  it("cspReports: the reports browsers posted", async () => {
    const app = await buildTestServer(t);
    try {
      const res = await app.inject({
        method: "POST",
        url: "/api/csp-report",
        headers: { "content-type": "application/csp-report" },
        payload: JSON.stringify({
          "csp-report": { "document-uri": "http://battycoda.test/admin", "blocked-uri": "inline" },
        }),
      });
      expect(res.statusCode, res.body).toBe(204);
    } finally {
      await app.close();
    }
    const { items } = await ada.admin.cspReports({ limit: 5 });
    expect(items[0]).toMatchObject({ documentUri: "http://battycoda.test/admin" });
  });

  it("impersonate and auditLog: acting as a user is recorded and listed with the actor's name", async () => {
    const started = await ada.admin.impersonate({ userId: ben.id });
    expect(started.user).toEqual({ id: ben.id, username: "ben" });
    const log = await ada.admin.auditLog({ action: "impersonation.", limit: 10 });
    expect(log[0]).toMatchObject({ action: "impersonation.start", actorName: "ada", targetId: ben.id });
    const all = await ada.admin.auditLog({ limit: 200 });
    const actions = new Set(all.map((e) => e.action));
    for (const a of [
      "user.deactivate",
      "user.make-admin",
      "maintenance.run",
      "job.cancel",
      "job.retry",
      "group.storage-quota",
    ])
      expect(actions).toContain(a);
    const forBen = await ada.admin.auditLog({ targetId: ben.id, limit: 200 });
    expect(forBen.every((e) => e.targetId === ben.id)).toBe(true);
  });
});
