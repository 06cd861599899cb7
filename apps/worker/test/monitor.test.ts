// The worker process's own monitoring, end to end: its heartbeat row while it runs (removed on
// SIGTERM), and the memory monitor with thresholds lowered below any real RSS.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readOutbox } from "@battycoda/core/mail";
import { listLiveWorkers } from "@battycoda/core/monitor";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const WORKER_DIR = path.resolve(import.meta.dirname, "..");
let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-worker-monitor-"));
  await t.db.user.create({ data: { username: "admin", email: "admin@example.org", isSiteAdmin: true } });
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("keeps a heartbeat while running, dumps and alerts above the memory threshold, and removes its row on SIGTERM", async () => {
  const logDir = path.join(dataDir, "var-log");
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: WORKER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      DATA_DIR: dataDir,
      LOG_DIR: logDir,
      LOG_LEVEL: "info",
      SENTRY_DSN: "",
      MEMORY_WARN_MB: "1",
      MEMORY_DUMP_MB: "1",
      MEMORY_SAMPLE_SECONDS: "0.2",
      WORKER_HEARTBEAT_SECONDS: "0.5",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await expect.poll(() => output, { timeout: 30_000, interval: 200 }).toContain("worker started");
    const live = await listLiveWorkers({ db: t.db });
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ host: os.hostname(), pid: child.pid, role: "worker", live: true });
    const first = live[0]?.lastSeenAt.getTime() ?? 0;
    await expect
      .poll(async () => (await listLiveWorkers({ db: t.db }))[0]?.lastSeenAt.getTime() ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThan(first);

    await expect.poll(() => output, { timeout: 15_000, interval: 200 }).toContain("memory dump written to");
    const dumps = fs.readdirSync(logDir).filter((f) => f.startsWith("memory-worker-") && f.endsWith(".json"));
    expect(dumps).toHaveLength(1); // one per hour while it stays high, not one per sample
    const dump = JSON.parse(fs.readFileSync(path.join(logDir, dumps[0] ?? ""), "utf8"));
    expect(dump.process.pid).toBe(child.pid);
    expect(output).toMatch(/WARN .*memory high: RSS \d+ MB/);
    await expect
      .poll(
        async () => (await readOutbox(path.join(dataDir, "outbox"), { to: "admin@example.org" })).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(1);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  expect(await t.db.workerHeartbeat.count()).toBe(0);
});
