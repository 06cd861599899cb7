import { getConfig } from "@battycoda/config";
import { createPrismaClient } from "@battycoda/db";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createBoss } from "../jobs/boss.ts";
import type { Mailer, SentEmail } from "../mail/mailer.ts";
import type { EmailMessage } from "../mail/message.ts";
import { listAlertStates, sendAdminAlert } from "./alerts.ts";
import { renderAlert } from "./template.ts";

let t: TestDatabase;
let boss: PgBoss;
const config = getConfig();
const HOUR = 3_600_000;

/** A mailer that records what it is asked to send (the real outbox mailer is used elsewhere here). */
function recordingMailer(fail = false): Mailer & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = [];
  return {
    transport: "outbox",
    sent,
    async send(message): Promise<SentEmail> {
      if (fail) throw new Error("mail provider down");
      sent.push(message);
      return { id: String(sent.length), transport: "outbox" };
    },
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  await t.db.user.createMany({
    data: [
      { username: "root1", email: "root1@example.org", isSiteAdmin: true },
      { username: "root2", email: "root2@example.org", isSiteAdmin: true },
      { username: "gone", email: "gone@example.org", isSiteAdmin: true, isActive: false },
      { username: "plain", email: "plain@example.org" },
    ],
  });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
});
beforeEach(async () => {
  await t.db.alertState.deleteMany();
});

it("mails each active site admin once per period per key, then again after the period", async () => {
  const ctx = { db: t.db, boss: null, config };
  const mailer = recordingMailer();
  const t0 = new Date("2026-12-04T10:00:00Z");
  const alert = { key: "disk:/data", periodMs: 4 * HOUR, subject: "Disk almost full", text: "95 % used" };

  const first = await sendAdminAlert(ctx, { ...alert, value: { percent: 95 }, now: t0 }, { mailer });
  expect(first).toEqual({ sent: true, recipients: ["root1@example.org", "root2@example.org"] });
  expect(mailer.sent.map((m) => m.to)).toEqual(["root1@example.org", "root2@example.org"]);
  expect(mailer.sent[0]?.subject).toBe("[BattyCoda] Disk almost full");
  expect(mailer.sent[0]?.text).toContain("95 % used");
  expect(mailer.sent[0]?.text).toContain("at most once every 4 hours");
  expect(mailer.sent[0]?.html).toContain("<h2");

  const again = await sendAdminAlert(
    ctx,
    { ...alert, now: new Date(t0.getTime() + 4 * HOUR - 1) },
    { mailer },
  );
  expect(again).toEqual({ sent: false, reason: "throttled", lastSentAt: t0 });
  // another key is independent
  const other = await sendAdminAlert(ctx, { ...alert, key: "disk:/db", now: t0 }, { mailer });
  expect(other.sent).toBe(true);
  expect(mailer.sent).toHaveLength(4);

  const later = new Date(t0.getTime() + 4 * HOUR);
  const next = await sendAdminAlert(ctx, { ...alert, value: { percent: 97 }, now: later }, { mailer });
  expect(next.sent).toBe(true);
  expect(mailer.sent).toHaveLength(6);
  const states = await listAlertStates(ctx);
  expect(states.find((s) => s.key === "disk:/data")).toEqual({
    key: "disk:/data",
    lastSentAt: later,
    lastValue: { percent: 97 },
  });
});

it("sends exactly once when several processes raise the same alert at the same moment", async () => {
  // separate clients = separate connections, as the API, worker and CLI would have
  const clients = Array.from({ length: 4 }, () => createPrismaClient(t.url, { max: 2 }));
  try {
    const mailer = recordingMailer();
    const results = await Promise.all(
      clients.flatMap((db) =>
        [0, 1].map(() =>
          sendAdminAlert(
            { db, boss: null, config },
            { key: "race", periodMs: HOUR, subject: "Worker failed", text: "x" },
            { mailer },
          ),
        ),
      ),
    );
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    expect(results.filter((r) => !r.sent && r.reason === "throttled")).toHaveLength(7);
    expect(mailer.sent).toHaveLength(2); // one per admin
  } finally {
    await Promise.all(clients.map((c) => c.$disconnect()));
  }
});

it("keeps no claim when delivery fails, so the next attempt sends", async () => {
  const ctx = { db: t.db, boss: null, config };
  const failed = sendAdminAlert(
    ctx,
    { key: "backup", periodMs: HOUR, subject: "Backup failed", text: "x" },
    { mailer: recordingMailer(true) },
  );
  await expect(failed).rejects.toThrow("mail provider down");
  expect(await t.db.alertState.count()).toBe(0);
  const mailer = recordingMailer();
  const retry = await sendAdminAlert(
    ctx,
    { key: "backup", periodMs: HOUR, subject: "Backup failed", text: "x" },
    { mailer },
  );
  expect(retry.sent).toBe(true);
});

it("queues one email.send job per admin through pg-boss when the context has a queue", async () => {
  const r = await sendAdminAlert(
    { db: t.db, boss, config },
    { key: "queued", periodMs: HOUR, subject: "Memory high", text: "2.1 GB", html: "<p>2.1 GB</p>" },
  );
  expect(r.sent).toBe(true);
  const jobs = await t.db.job.findMany({ where: { type: "email.send" }, orderBy: { createdAt: "asc" } });
  const messages = jobs.map((j) => (j.payload as { message: EmailMessage }).message);
  expect(messages.map((m) => m.to).sort()).toEqual(["root1@example.org", "root2@example.org"]);
  expect(messages[0]?.html).toMatch(/^<p>2\.1 GB<\/p>\n<hr>/);
  const queued = await boss.getQueueSize("email.send");
  expect(queued).toBe(2);
});

it("writes through the real outbox mailer by default without a queue", async () => {
  const r = await sendAdminAlert(
    { db: t.db, boss: null, config },
    { key: "outbox", periodMs: HOUR, subject: "Outbox <check>", text: "a & b" },
  );
  expect(r.sent).toBe(true);
  const { readOutbox } = await import("../mail/mailer.ts");
  const mails = await readOutbox(config.outboxDir, { to: "root1@example.org" });
  const mine = mails.filter((m) => m.subject === "[BattyCoda] Outbox <check>");
  expect(mine).toHaveLength(1);
  expect(mine[0]?.html).toContain("Outbox &lt;check&gt;");
  expect(mine[0]?.html).toContain("a &amp; b");
});

it("claims nothing when there is no active site admin, and refuses bad input", async () => {
  await t.db.user.updateMany({ where: { isSiteAdmin: true }, data: { isActive: false } });
  try {
    const r = await sendAdminAlert(
      { db: t.db, boss: null, config },
      { key: "nobody", periodMs: HOUR, subject: "s", text: "t" },
      { mailer: recordingMailer() },
    );
    expect(r).toEqual({ sent: false, reason: "no-recipients" });
    expect(await t.db.alertState.count()).toBe(0);
  } finally {
    await t.db.user.updateMany({ where: { username: { in: ["root1", "root2"] } }, data: { isActive: true } });
  }
  const ctx = { db: t.db, boss: null, config };
  await expect(sendAdminAlert(ctx, { key: " ", periodMs: 1, subject: "s", text: "t" })).rejects.toThrow(
    /key/,
  );
  await expect(sendAdminAlert(ctx, { key: "k", periodMs: -1, subject: "s", text: "t" })).rejects.toThrow(
    /periodMs/,
  );
  await expect(
    sendAdminAlert(ctx, { key: "k", periodMs: 1, subject: "s", text: "t", delivery: "queue" }),
  ).rejects.toThrow(/needs ctx.boss/);
});

it("renders facts, action and details in both bodies, escaping HTML", () => {
  const r = renderAlert({
    title: "Disk <full>",
    summary: "Media disk at 95 %",
    facts: [
      ["Mount", "/data"],
      ["Used", "95 %"],
    ],
    action: "Free space",
    details: "line1\n<script>",
  });
  expect(r.text).toBe(
    "Disk <full>\n\nMedia disk at 95 %\n\nMount: /data\nUsed:  95 %\n\nFree space\n\nline1\n<script>",
  );
  expect(r.html).toContain("Disk &lt;full&gt;");
  expect(r.html).toContain('<th style="text-align:left;padding:2px 12px 2px 0">Mount</th>');
  expect(r.html).not.toContain("<script>");
});
