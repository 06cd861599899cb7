// Every operations script explains itself (--help), refuses unknown options, and does what its
// dry run says: deploy.sh's steps (Sentry only with all three settings), the background HDF5
// generation's log file on a real database.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const execFileP = promisify(execFile);
let t: TestDatabase;
let tmp: string;

async function sh(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await execFileP("bash", args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-scripts-"));
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it("every operations script answers --help and refuses unknown options", async () => {
  for (const script of [
    "scripts/deploy.sh",
    "scripts/dev.sh",
    "scripts/generate_hdf5_background.sh",
    "scripts/setup_nginx.sh",
    "systemd/install_services.sh",
    "systemd/notify-failure.sh",
  ]) {
    const help = await sh([script, "--help"]);
    expect(help.code, script).toBe(0);
    expect(help.stdout, script).toMatch(/^usage: /);
    if (script.endsWith("notify-failure.sh")) continue; // its argument is a unit name
    const bad = await sh([script, "--no-such-option"]);
    expect(bad.code, script).toBe(2);
    expect(bad.stderr, script).toContain("unknown option --no-such-option");
  }
  const build = await execFileP(process.execPath, ["--import", "tsx", "scripts/build.ts", "--help"], {
    cwd: ROOT,
  });
  expect(build.stdout).toMatch(/^usage: pnpm build/);
});

it("deploy.sh --dry-run lists install, build, migrate, Sentry and restart in order", async () => {
  const env = { BATTYCODA_ENV_FILE: path.join(tmp, "none.env") };
  const plain = await sh(["scripts/deploy.sh", "--dry-run"], env);
  expect(plain.code).toBe(0);
  const steps = plain.stdout.split("\n").filter((l) => l.startsWith("[deploy]"));
  expect(steps.slice(1)).toEqual([
    "[deploy] install",
    "[deploy] build: Node bundles",
    "[deploy] build: web app",
    "[deploy] Sentry: source maps not uploaded (SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_PROJECT not all set)",
    "[deploy] restart battycoda.target",
  ]);
  expect(plain.stdout).toContain("would run: bash scripts/install.sh");
  expect(plain.stdout).toMatch(/would run: env BATTYCODA_VERSION=[0-9a-f]{12} pnpm run --silent build/);

  // settings from the env file count as well as real environment variables
  fs.writeFileSync(path.join(tmp, "deploy.env"), "SENTRY_AUTH_TOKEN=tok\nSENTRY_ORG=lab\nPORT=8123\n");
  const full = await sh(["scripts/deploy.sh", "--dry-run", "--skip-install", "--migrate"], {
    BATTYCODA_ENV_FILE: path.join(tmp, "deploy.env"),
    SENTRY_PROJECT: "battycoda",
  });
  expect(full.code).toBe(0);
  expect(full.stdout).toContain("[deploy] install skipped (--skip-install)");
  expect(full.stdout).toContain(
    `would run: node --env-file=${path.join(tmp, "deploy.env")} packages/cli/bin/battycoda.mjs migrate`,
  );
  expect(full.stdout).toMatch(/npx --yes @sentry\/cli releases new [0-9a-f]{12}/);
  expect(full.stdout).toMatch(/@sentry\/cli sourcemaps upload --release [0-9a-f]{12} apps\/api\/dist/);
  expect(full.stdout).toContain("would wait for http://127.0.0.1:8123/health");
  const noRestart = await sh(["scripts/deploy.sh", "--dry-run", "--skip-install", "--no-restart"], env);
  expect(noRestart.stdout).toContain("[deploy] restart skipped (--no-restart)");
});

it("generate_hdf5_background.sh logs the run to a timestamped file in LOG_DIR", async () => {
  const logDir = path.join(tmp, "logs");
  const env = {
    DATABASE_URL: t.url,
    DATA_DIR: tmp,
    LOG_DIR: logDir,
    BATTYCODA_ENV_FILE: path.join(tmp, "none.env"),
  };
  const bad = await sh(["scripts/generate_hdf5_background.sh", "--batch-size", "0"], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--batch-size needs a positive whole number");

  const r = await sh(
    ["scripts/generate_hdf5_background.sh", "--foreground", "--dry-run", "--batch-size", "7"],
    env,
  );
  const logs = fs.readdirSync(logDir).filter((f) => /^generate-hdf5-\d{8}T\d{6}Z\.log$/.test(f));
  expect(logs).toHaveLength(1);
  const log = fs.readFileSync(path.join(logDir, logs[0] ?? ""), "utf8");
  expect(r.stdout).toContain(`log: ${path.join(logDir, logs[0] ?? "")}`);
  expect(log).toMatch(/^# \S+ battycoda generate-missing-hdf5 --dry-run --batch-size 7 /);
  expect(log).toMatch(/# \S+ finished: exit status 0\n$/);
  expect(r.code).toBe(0);

  // detached: returns at once with the PID; the log fills in behind it
  const bg = await sh(["scripts/generate_hdf5_background.sh", "--dry-run"], env);
  expect(bg.code).toBe(0);
  const pid = Number(/pid (\d+)/.exec(bg.stdout)?.[1]);
  expect(pid).toBeGreaterThan(0);
  const file = /log: (\S+)/.exec(bg.stdout)?.[1] ?? "";
  await expect
    .poll(() => fs.existsSync(file) && fs.readFileSync(file, "utf8"), { timeout: 60_000 })
    .toMatch(/finished: exit status 0/);
}, 180_000);
