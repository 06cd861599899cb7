// The systemd units pass `systemd-analyze verify` (Debian's, no running systemd needed) as
// install_services.sh writes them for this checkout, a broken unit is refused, and the failure
// notifier mails the site admins once per unit per hour.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { readOutbox } from "@battycoda/core/mail";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const execFileP = promisify(execFile);
let t: TestDatabase;
let tmp: string;

async function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  try {
    const r = await execFileP(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-systemd-"));
  await t.db.user.create({ data: { username: "sre", email: "sre@example.org", isSiteAdmin: true } });
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("systemd units", () => {
  it("are written for this checkout and pass systemd-analyze verify", async () => {
    const dest = path.join(tmp, "units");
    const r = await sh("bash", [
      "systemd/install_services.sh",
      "--no-system",
      "--dest",
      dest,
      "--prefix",
      ROOT,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("systemd-analyze verify: ok");
    const api = fs.readFileSync(path.join(dest, "battycoda-api.service"), "utf8");
    expect(api).toContain(`ExecStart=/usr/bin/node --enable-source-maps ${ROOT}/apps/api/dist/main.mjs`);
    expect(api).not.toContain("/opt/battycoda");
    expect(api).not.toContain("tsx");
    for (const unit of ["battycoda-api.service", "battycoda-worker.service", "battycoda-r.service"]) {
      expect(fs.readFileSync(path.join(dest, unit), "utf8")).toContain(
        "OnFailure=battycoda-notify@%n.service",
      );
    }
    expect(fs.readFileSync(path.join(dest, "battycoda-worker.service"), "utf8")).toContain(
      `${ROOT}/apps/worker/dist/main.mjs`,
    );
    // verify again directly, so the check does not depend on the script's own reading of it
    const v = await sh("systemd-analyze", [
      "verify",
      "--man=no",
      ...fs
        .readdirSync(dest)
        .map((f) => path.join(dest, f))
        .filter((f) => !f.includes("@")),
    ]);
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
  });

  it("refuses a unit that systemd cannot use", async () => {
    const copy = path.join(tmp, "broken");
    fs.cpSync(path.join(ROOT, "systemd"), copy, { recursive: true });
    const unit = path.join(copy, "battycoda-worker.service");
    fs.writeFileSync(unit, fs.readFileSync(unit, "utf8").replace("Restart=on-failure", "Restart=sometimes"));
    const r = await sh("bash", [
      path.join(copy, "install_services.sh"),
      "--no-system",
      "--dest",
      path.join(tmp, "out"),
      "--prefix",
      ROOT,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/restart specifier/);
    expect(r.stderr).toContain("systemd-analyze verify failed");
  });

  it("install_services.sh and notify-failure.sh explain themselves", async () => {
    for (const script of ["systemd/install_services.sh", "systemd/notify-failure.sh"]) {
      const r = await sh("bash", [script, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: /);
    }
    const bad = await sh("bash", ["systemd/install_services.sh", "--frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option --frobnicate");
    const none = await sh("bash", ["systemd/notify-failure.sh"]);
    expect(none.code).toBe(2);
  });
});

describe("failure notifier", () => {
  it("mails the active site admins once per unit per hour", async () => {
    const env = { DATABASE_URL: t.url, DATA_DIR: tmp, NODE_ENV: "test" };
    const first = await sh("bash", ["systemd/notify-failure.sh", "battycoda-worker.service"], env);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("Alert about battycoda-worker.service sent to sre@example.org");
    const second = await sh("bash", ["systemd/notify-failure.sh", "battycoda-worker.service"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already sent at .*not repeated within the hour/);
    const other = await sh(
      "bash",
      ["systemd/notify-failure.sh", "battycoda-api.service", "--lines", "5"],
      env,
    );
    expect(other.stdout).toContain("Alert about battycoda-api.service sent");

    const mails = await readOutbox(path.join(tmp, "outbox"), { to: "sre@example.org" });
    expect(mails.map((m) => m.subject).sort()).toEqual([
      `[BattyCoda] battycoda-api.service failed on ${os.hostname()}`,
      `[BattyCoda] battycoda-worker.service failed on ${os.hostname()}`,
    ]);
    const worker = mails.find((m) => m.subject.includes("worker"));
    expect(worker?.text).toContain("systemctl status battycoda-worker.service");
    expect(worker?.html).toContain("<table");

    const bad = await sh("bash", ["systemd/notify-failure.sh", "worker; rm -rf /"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("not a systemd unit name");
  }, 120_000);
});
