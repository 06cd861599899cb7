import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getConfig } from "@battycoda/config";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBoss } from "../jobs/boss.ts";
import { JobLeases } from "../jobs/leases.ts";
import { readOutbox } from "../mail/mailer.ts";
import { ActiveJobs } from "./active-jobs.ts";
import { listLiveWorkers, listWorkers, startHeartbeat } from "./heartbeat.ts";
import { createMemoryMonitor, MemoryMonitor } from "./memory.ts";
import { appVersion } from "./version.ts";

let t: TestDatabase;
let boss: PgBoss;
let tmp: string;
const config = getConfig();

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    info: (msg: string) => void lines.push({ level: "info", msg }),
    warn: (msg: string) => void lines.push({ level: "warn", msg }),
    error: (msg: string) => void lines.push({ level: "error", msg }),
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bc-monitor-"));
  await t.db.user.create({ data: { username: "ops", email: "ops@example.org", isSiteAdmin: true } });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it("warns above the warning threshold and dumps once above the dump threshold", async () => {
  const log = recordingLog();
  const rss = process.memoryUsage().rss;
  let clock = new Date("2026-12-04T12:00:00Z");
  const dumps: string[] = [];
  // thresholds lowered around this process's real RSS
  const warnOnly = new MemoryMonitor({
    warnBytes: 1,
    dumpBytes: rss * 100,
    sampleMs: 60_000,
    logDir: path.join(tmp, "warn"),
    log,
    now: () => clock,
  });
  const w1 = await warnOnly.check();
  expect(w1.level).toBe("warn");
  expect(w1.dumpFile).toBeUndefined();
  await warnOnly.check();
  expect(log.lines.filter((l) => l.level === "warn")).toHaveLength(1); // not every sample
  clock = new Date(clock.getTime() + 600_000);
  await warnOnly.check();
  expect(log.lines.filter((l) => l.level === "warn")).toHaveLength(2); // reminded after 10 min
  expect(fs.existsSync(path.join(tmp, "warn"))).toBe(false);

  const logDir = path.join(tmp, "dumps");
  const monitor = new MemoryMonitor({
    warnBytes: 1,
    dumpBytes: 2,
    sampleMs: 60_000,
    logDir,
    role: "worker",
    log,
    activeJobs: async () => [
      { id: "j1", type: "classification.run", since: clock.toISOString(), progress: 0.5, message: "" },
    ],
    onDump: async (file) => void dumps.push(file),
    now: () => clock,
  });
  const first = await monitor.check();
  expect(first.level).toBe("dump");
  expect(first.dumpFile).toBeDefined();
  expect(path.dirname(String(first.dumpFile))).toBe(logDir);
  expect(dumps).toEqual([first.dumpFile]);
  const dump = JSON.parse(fs.readFileSync(String(first.dumpFile), "utf8"));
  expect(dump.process.pid).toBe(process.pid);
  expect(dump.process.version).toBe(appVersion());
  expect(dump.heapStatistics.heap_size_limit).toBeGreaterThan(0);
  expect(dump.heapSpaces.map((s: { space_name: string }) => s.space_name)).toContain("old_space");
  expect(dump.activeJobs).toEqual([expect.objectContaining({ id: "j1", type: "classification.run" })]);
  expect(dump.reason).toEqual({ rssBytes: first.rssBytes, warnBytes: 1, dumpBytes: 2 });

  expect((await monitor.check()).dumpFile).toBeUndefined(); // still high: no second dump yet
  clock = new Date(clock.getTime() + 3_600_000);
  const again = await monitor.check();
  expect(again.dumpFile).toBeDefined();
  expect(fs.readdirSync(logDir).filter((f) => f.endsWith(".json"))).toHaveLength(2);
  expect(() => new MemoryMonitor({ warnBytes: 10, dumpBytes: 5, sampleMs: 1, logDir, log })).toThrow(/below/);
});

it("falls back to the data folder when the log folder cannot be created", async () => {
  const blocker = path.join(tmp, "a-file");
  fs.writeFileSync(blocker, "");
  const log = recordingLog();
  const monitor = new MemoryMonitor({
    warnBytes: 1,
    dumpBytes: 1,
    sampleMs: 60_000,
    logDir: path.join(blocker, "logs"), // under a regular file: ENOTDIR, even as root
    fallbackDir: path.join(tmp, "fallback"),
    log,
  });
  const s = await monitor.check();
  expect(path.dirname(String(s.dumpFile))).toBe(path.join(tmp, "fallback"));
  expect(log.lines.some((l) => l.level === "warn" && l.msg.includes("cannot write to"))).toBe(true);
});

it("the configured monitor mails the site admins with the dump's path, once per hour", async () => {
  const log = recordingLog();
  const lowered = {
    ...config,
    logDir: path.join(tmp, "configured"),
    memoryMonitor: { warnBytes: 1, dumpBytes: 1, sampleMs: 1, sampleSeconds: 1 },
  };
  let clock = new Date("2026-12-05T08:00:00Z");
  const monitor = createMemoryMonitor(
    { db: t.db, boss, config: lowered },
    { log, role: "worker", now: () => clock },
  );
  const s = await monitor.check();
  expect(s.dumpFile?.startsWith(lowered.logDir)).toBe(true);
  const mails = (await readOutbox(config.outboxDir, { to: "ops@example.org" })).filter((m) =>
    m.subject.startsWith("[BattyCoda] Memory high on"),
  );
  expect(mails).toHaveLength(1);
  expect(mails[0]?.text).toContain(String(s.dumpFile));
  expect(mails[0]?.html).toContain("<table");
  const state = await t.db.alertState.findFirstOrThrow({ where: { key: { startsWith: "memory:" } } });
  expect(state.lastValue).toMatchObject({ rssBytes: s.rssBytes, dumpFile: s.dumpFile });
  // an hour later (monitor clock) a second dump is written; the alert's period counts in real time
  clock = new Date(clock.getTime() + 3_600_000);
  expect((await monitor.check()).dumpFile).toBeDefined();
  expect(
    (await readOutbox(config.outboxDir, { to: "ops@example.org" })).filter((m) =>
      m.subject.startsWith("[BattyCoda] Memory high on"),
    ),
  ).toHaveLength(1);
});

it("heartbeats list live workers with their running jobs, go stale, and vanish on a clean stop", async () => {
  const leases = await JobLeases.open(t.url, t.db, boss);
  const active = new ActiveJobs(leases);
  const job = await t.db.job.create({
    data: { type: "classification.run", status: "running", progress: 0.25, message: "page 3" },
  });
  let clock = new Date();
  const hb = await startHeartbeat(
    { db: t.db },
    { intervalMs: 60_000, activeJobs: () => active.list({ db: t.db }), now: () => clock },
  );
  try {
    const [w] = await listLiveWorkers({ db: t.db }, { now: clock });
    expect(w).toMatchObject({ id: hb.id, host: os.hostname(), pid: process.pid, role: "worker", live: true });
    expect(w?.version).toBe(appVersion());
    expect(w?.rssBytes).toBeGreaterThan(0);
    expect(w?.activeJobs).toEqual([]);

    const release = await active.acquire(job.id);
    await hb.beat();
    const [busy] = await listLiveWorkers({ db: t.db }, { now: clock });
    expect(busy?.activeJobs).toEqual([
      expect.objectContaining({ id: job.id, type: "classification.run", progress: 0.25, message: "page 3" }),
    ]);
    await release();
    expect(active.ids).toEqual([]);

    // no beat for over a minute: not live, still listed as stale
    const later = new Date(clock.getTime() + 61_000);
    expect(await listLiveWorkers({ db: t.db }, { now: later })).toEqual([]);
    const all = await listWorkers({ db: t.db }, { now: later, includeStale: true });
    expect(all.map((x) => [x.id, x.live])).toEqual([[hb.id, false]]);
    clock = later;
    await hb.beat();
    expect((await listLiveWorkers({ db: t.db }, { now: later })).map((x) => x.id)).toEqual([hb.id]);
  } finally {
    await hb.stop();
    await leases.close();
  }
  expect(await t.db.workerHeartbeat.count()).toBe(0);
});
