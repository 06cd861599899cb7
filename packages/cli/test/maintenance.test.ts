import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type LocalS3, startLocalS3 } from "@battycoda/core/maintenance/testing";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "battycoda.mjs");
let t: TestDatabase;
let empty: TestDatabase;
let s3: LocalS3;
let dataDir: string;

beforeAll(async () => {
  [t, empty] = await Promise.all([createTestDatabase(), createTestDatabase({ empty: true })]);
  s3 = await startLocalS3("cli-backups", "nightly/");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-cli-maint-"));
});
afterAll(async () => {
  await Promise.all([t?.drop(), empty?.drop(), s3?.stop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        DATA_DIR: dataDir,
        MEDIA_ROOT: path.join(dataDir, "media"),
        DATABASE_BACKUP_BUCKET: s3.backup.bucket,
        DATABASE_BACKUP_PREFIX: s3.backup.prefix,
        DATABASE_BACKUP_S3_ENDPOINT: s3.backup.endpoint ?? "",
        DATABASE_BACKUP_S3_ACCESS_KEY_ID: "S3RVER",
        DATABASE_BACKUP_S3_SECRET_ACCESS_KEY: "S3RVER",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const COMMANDS: [string, RegExp][] = [
  ["backup-database", /--media[\s\S]*--dry-run/],
  ["list-backups", /newest first/],
  ["restore-database", /<key>[\s\S]*--target-url[\s\S]*--yes[\s\S]*--dry-run/],
  ["generate-missing-hdf5", /--dry-run[\s\S]*--batch-size <n>[\s\S]*--concurrency <n>/],
  ["check-disk", /--dry-run/],
  ["import-species", /<file>[\s\S]*--dry-run/],
  ["populate-memberships", /--dry-run/],
  ["measure-missing-bands", /--dry-run/],
];

describe("maintenance commands", () => {
  it.each(COMMANDS)("%s --help", { timeout: 60_000 }, async (command, options) => {
    const r = await run([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: battycoda ${command}`));
    expect(r.stdout).toMatch(options);
  });

  it("dry runs report and change nothing", { timeout: 180_000 }, async () => {
    const csv = path.join(dataDir, "species.csv");
    fs.writeFileSync(csv, "species,call_types\nMyotis myotis,FM:Frequency modulated\n");
    const hdf5 = await run(["generate-missing-hdf5", "--dry-run", "--batch-size", "10"]);
    expect(hdf5.stderr).toBe("");
    expect(hdf5.stdout).toMatch(/Dry run: 0 examined/);
    const species = await run(["import-species", csv, "--dry-run"]);
    expect(species.stdout).toMatch(/Would import: 1 species created/);
    expect(await t.db.species.count({ where: { name: "Myotis myotis" } })).toBe(0);
    const members = await run(["populate-memberships", "--dry-run"]);
    expect(members.stdout).toMatch(/Would repair: 0 personal groups created/);
    const bands = await run(["measure-missing-bands", "--dry-run"]);
    expect(bands.stdout).toMatch(/0 segments without a frequency box in 0 segmentations/);
    const disk = await run(["check-disk", "--dry-run"]);
    expect(disk.code).toBe(0);
    expect(disk.stdout).toMatch(/media disk \(.*\): [\d.]+ % used/);
    const backup = await run(["backup-database", "--dry-run"]);
    expect(backup.stdout).toMatch(
      /Dry run: would store s3:\/\/cli-backups\/nightly\/battycoda-.*\.(sql|bcdump)\.gz/,
    );
    const listed = await run(["list-backups"]);
    expect(listed.stdout).toMatch(/No backups in s3:\/\/cli-backups\/nightly\//);
  });

  it("backs up, lists, dry-runs a restore and refuses bad input", { timeout: 180_000 }, async () => {
    const backup = await run(["backup-database"]);
    expect(backup.code).toBe(0);
    const key = /Stored s3:\/\/cli-backups\/(\S+)/.exec(backup.stdout)?.[1] ?? "";
    expect(key).toMatch(/^nightly\/battycoda-/);
    const listed = await run(["list-backups"]);
    expect(listed.stdout).toContain(`${key}\tdatabase`);
    const dry = await run(["restore-database", key, "--target-url", empty.url, "--dry-run"]);
    expect(dry.stdout).toMatch(/exists and the target database is empty/);
    const noConfirm = await run(["restore-database", key, "--target-url", empty.url]);
    expect(noConfirm.code).toBe(1);
    expect(noConfirm.stderr).toMatch(/pass --yes/);
    const live = await run(["restore-database", key, "--yes"]);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/not empty/);
    const badBatch = await run(["generate-missing-hdf5", "--batch-size", "0"]);
    expect(badBatch.code).toBe(1);
    expect(badBatch.stderr).toMatch(/--batch-size must be a whole number/);
  });
});
