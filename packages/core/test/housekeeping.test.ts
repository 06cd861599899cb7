import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBoss, enqueueJob, runHousekeeping } from "../src/jobs/index.ts";
import { CSP_REPORT_RETENTION, pruneCspReports } from "../src/security/csp-reports.ts";

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

it("deletes expired credentials and counters, keeps live ones, and fails lost jobs", async () => {
  const now = new Date();
  const past = new Date(now.getTime() - 60_000);
  const future = new Date(now.getTime() + 86400_000);
  const u = await t.db.user.create({ data: { email: "hk@example.org", username: "hk" } });
  const g = await t.db.group.create({ data: { name: "HK" } });
  await t.db.session.createMany({
    data: [
      { userId: u.id, tokenHash: "s-old", expiresAt: past },
      { userId: u.id, tokenHash: "s-live", expiresAt: future },
    ],
  });
  await t.db.loginCode.createMany({
    data: [
      { userId: u.id, codeHash: "x", tokenHash: "c-old", expiresAt: past },
      { userId: u.id, codeHash: "x", tokenHash: "c-live", expiresAt: future },
    ],
  });
  await t.db.passwordResetToken.create({ data: { userId: u.id, tokenHash: "p-old", expiresAt: past } });
  await t.db.rateLimitHit.createMany({
    data: [
      { bucket: "login:ip:1", createdAt: new Date(now.getTime() - 2 * 86400_000) },
      { bucket: "login:ip:1" },
    ],
  });
  await t.db.invitation.createMany({
    data: [
      {
        groupId: g.id,
        email: "a@x.org",
        tokenHash: "i-old",
        expiresAt: new Date(now.getTime() - 40 * 86400_000),
      },
      { groupId: g.id, email: "b@x.org", tokenHash: "i-recent", expiresAt: past },
    ],
  });
  const csp = {
    host: "h",
    documentUri: "https://x/",
    blockedUri: "inline",
    effectiveDirective: "script-src",
    disposition: "enforce",
    sourceFile: "",
    sample: "",
    userAgent: "",
  };
  await t.db.cspReport.createMany({
    data: [
      { ...csp, receivedAt: new Date(now.getTime() - 31 * 86400_000) },
      { ...csp, receivedAt: past },
    ],
  });
  // a running job whose pg-boss job has vanished, and a healthy queued one
  const lost = await enqueueJob({ db: t.db, boss }, { type: "upload.process", payload: { uploadId: "u1" } });
  await boss.deleteJob(lost.type, lost.bossJobId!);
  const healthy = await enqueueJob(
    { db: t.db, boss },
    { type: "upload.process", payload: { uploadId: "u2" } },
  );
  const later = new Date(now.getTime() + 2 * 3600_000);

  const r = await runHousekeeping({ db: t.db, boss }, later);
  expect(r).toEqual({
    sessions: 1,
    loginCodes: 1,
    passwordResetTokens: 1,
    rateLimitHits: 1,
    invitations: 1,
    cspReports: 1,
    lostJobs: 1,
  });
  expect(await t.db.cspReport.count()).toBe(1);
  expect(await t.db.session.count()).toBe(1);
  expect((await t.db.job.findUniqueOrThrow({ where: { id: lost.id } })).status).toBe("failed");
  expect((await t.db.job.findUniqueOrThrow({ where: { id: healthy.id } })).status).toBe("queued");
});

it("keeps at most the newest CSP_REPORT_RETENTION.rows reports", async () => {
  await t.db.cspReport.deleteMany();
  const base = Date.now() - 3600_000;
  const n = CSP_REPORT_RETENTION.rows + 7;
  const rows = Array.from({ length: n }, (_, i) => ({
    host: "h",
    documentUri: `https://x/${i}`,
    blockedUri: "eval",
    effectiveDirective: "script-src",
    disposition: "report",
    sourceFile: "",
    sample: "",
    userAgent: "",
    receivedAt: new Date(base + i * 1000),
  }));
  for (let i = 0; i < n; i += 2000) await t.db.cspReport.createMany({ data: rows.slice(i, i + 2000) });
  expect(await pruneCspReports({ db: t.db })).toBe(7);
  expect(await t.db.cspReport.count()).toBe(CSP_REPORT_RETENTION.rows);
  // the oldest went
  expect(await t.db.cspReport.count({ where: { documentUri: { in: ["https://x/0", "https://x/6"] } } })).toBe(
    0,
  );
  expect(await t.db.cspReport.count({ where: { documentUri: "https://x/7" } })).toBe(1);
  expect(await pruneCspReports({ db: t.db })).toBe(0);
});
