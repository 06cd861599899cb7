import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "battycoda.mjs");
let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-cli-"));
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        DATA_DIR: dataDir,
        MEDIA_ROOT: path.join(dataDir, "media"),
        ...env,
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

describe("battycoda CLI", () => {
  it("initialize-defaults twice leaves the same rows", async () => {
    const first = await run(["initialize-defaults"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Defaults ready: 2 species created/);
    const rows = async () => ({
      species: await t.db.species.findMany({
        orderBy: { name: "asc" },
        include: { callTypes: { orderBy: { shortName: "asc" } } },
      }),
      algorithms: await t.db.segmentationAlgorithm.findMany({ orderBy: { key: "asc" } }),
      classifiers: await t.db.classifier.findMany(),
    });
    const before = await rows();
    const second = await run(["initialize-defaults"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Defaults ready: 0 species created \(2 present\), 0 call types added/);
    expect(await rows()).toEqual(before);
  });

  it("create-admin prints a generated password once", async () => {
    const r = await run(["create-admin", "--username", "labadmin", "--email", "labadmin@example.org"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created site admin labadmin <labadmin@example.org>/);
    expect(r.stdout).toMatch(/Password: [A-Za-z0-9_-]{20}/);
    const again = await run(["create-admin", "--username", "labadmin", "--email", "labadmin@example.org"]);
    expect(again.stdout).toMatch(/labadmin is now a site admin/);
    expect(again.stdout).not.toMatch(/Password:/);
    expect((await t.db.user.findUniqueOrThrow({ where: { username: "labadmin" } })).isSiteAdmin).toBe(true);
  });

  it("migrate reports an up-to-date database; bad input and bad config fail with a message", async () => {
    const m = await run(["migrate"]);
    expect(m.stdout).toContain("Database is up to date");
    expect(m.code).toBe(0);
    const missing = await run(["create-admin", "--username", "x"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--email/);
    const bad = await run(["initialize-defaults"], { MAX_UPLOAD_SIZE_MB: "lots" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid configuration: MAX_UPLOAD_SIZE_MB: expected a positive number");
  });
});
