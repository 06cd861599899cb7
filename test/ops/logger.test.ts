// The worker's and CLI's logger: one JSON object per line in production (journalctl, log
// shippers), with journald's priority prefix under systemd; readable text in development.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCRIPT = `import { createLogger } from "./packages/config/src/logger.ts";
const log = createLogger("worker", "info");
log.debug("hidden");
log.info("started", { queues: 3 });
log.error("job failed", new Error("boom\\nsecond line"));`;

function run(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: "", NODE_ENV: "development", JOURNAL_STREAM: "", ...env },
    encoding: "utf8",
  });
  expect(r.status).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr };
}

it("writes one JSON object per line in production, errors with their stack", () => {
  const { stdout, stderr } = run({ NODE_ENV: "production" });
  const info = stdout.trim().split("\n");
  expect(info).toHaveLength(1);
  expect(JSON.parse(info[0] ?? "")).toMatchObject({
    level: "info",
    name: "worker",
    msg: "started",
    data: { queues: 3 },
  });
  const errors = stderr.trim().split("\n");
  expect(errors).toHaveLength(1); // the multi-line message and stack stay inside one line
  const e = JSON.parse(errors[0] ?? "");
  expect(e).toMatchObject({
    level: "error",
    msg: "job failed",
    data: { name: "Error", message: "boom\nsecond line" },
  });
  expect(e.data.stack).toContain("Error: boom");
});

it("prefixes journald's priority under systemd and stays text in development", () => {
  const journald = run({ LOG_FORMAT: "json", JOURNAL_STREAM: "8:12345" });
  expect(journald.stdout).toMatch(/^<6>\{"time":/);
  expect(journald.stderr).toMatch(/^<3>\{"time":/);
  const dev = run({});
  expect(dev.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[worker\] started \{"queues":3\}\n$/);
});
