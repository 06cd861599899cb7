import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "@battycoda/config";
import { createBoss } from "@battycoda/core/jobs";
import { queueEmail, waitForOutboxMessage } from "@battycoda/core/mail";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker } from "../src/worker.ts";

const WORKER_DIR = path.resolve(import.meta.dirname, "..");
let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-worker-"));
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("worker", () => {
  it("delivers queued email to the outbox and stops cleanly", async () => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "warn" }, { persistSecretKey: false });
    const worker = await startWorker({
      config,
      databaseUrl: t.url,
      handlerOptions: { pollingIntervalSeconds: 0.5 },
      housekeepingCron: null,
    });
    const sender = await createBoss(t.url);
    try {
      expect(worker.queues).toContain("email.send");
      // Imports queue it; a worker that did not consume it would leave their boxes unmeasured for ever.
      expect(worker.queues).toContain("segmentation.bands");
      const job = await queueEmail(
        { db: t.db, boss: sender },
        {
          to: "ana@example.org",
          subject: "Welcome",
          text: "Hello Ana",
        },
      );
      const msg = await waitForOutboxMessage(config.outboxDir, "ana@example.org", { timeoutMs: 15_000 });
      expect(msg).toMatchObject({ subject: "Welcome", text: "Hello Ana", to: ["ana@example.org"] });
      const row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      await expect
        .poll(async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status)
        .toBe("completed");
      expect(row.type).toBe("email.send");
    } finally {
      await sender.stop({ graceful: false, wait: true });
      await worker.stop(5_000);
    }
  });

  it("runs as a process and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: WORKER_DIR,
      env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: dataDir, LOG_LEVEL: "info", SENTRY_DSN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await expect.poll(() => output, { timeout: 30_000, interval: 200 }).toContain("worker started");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("worker stopped");
  });
});
