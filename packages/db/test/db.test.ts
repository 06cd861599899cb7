import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/embedded.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

describe("test databases", () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it("are migrated and isolated from each other", async () => {
    await a.db.user.create({ data: { email: "a@example.org", username: "a" } });
    expect(await a.db.user.count()).toBe(1);
    expect(await b.db.user.count()).toBe(0);
  });

  it("enforce one system row per name (NULLS NOT DISTINCT)", async () => {
    await a.db.species.create({ data: { name: "Myotis lucifugus", isSystem: true } });
    await expect(
      a.db.species.create({ data: { name: "Myotis lucifugus", isSystem: true } }),
    ).rejects.toThrow();
    const group = await a.db.group.create({ data: { name: "Lab" } });
    await a.db.species.create({ data: { name: "Myotis lucifugus", groupId: group.id } });
  });

  it("are exactly what schema.prisma describes (the migrations are written by hand: prisma migrate dev cannot run here)", () => {
    const dir = path.resolve(import.meta.dirname, "..");
    // `migrate diff --from-url` is refused with the driver adapter; `db push` tells whether the database already
    // matches the schema (and would change it otherwise: this database is dropped after the test).
    const out = execFileSync("pnpm", ["exec", "prisma", "db", "push", "--skip-generate"], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: b.url, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    expect(out).toContain("The database is already in sync with the Prisma schema.");
  }, 120_000);

  it("drop removes the database", async () => {
    const c = await createTestDatabase();
    const name = new URL(c.url).pathname.slice(1);
    await c.drop();
    const admin = new pg.Client({ connectionString: process.env.BATTYCODA_TEST_PG_ADMIN_URL });
    await admin.connect();
    const r = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    await admin.end();
    expect(r.rowCount).toBe(0);
  });
});

describe("embedded PostgreSQL", () => {
  it("initialises once, keeps data across restarts and stops cleanly", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-embedded-"));
    try {
      const first = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), ephemeral: true });
      const c1 = new pg.Client({ connectionString: first.url });
      await c1.connect();
      await c1.query("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
      await c1.end();
      await first.stop();
      expect(fs.existsSync(path.join(dir, "pg", "postmaster.pid"))).toBe(false);

      const second = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), preferredPort: first.port });
      try {
        const c2 = new pg.Client({ connectionString: second.url });
        await c2.connect();
        const r = await c2.query("SELECT v FROM kept");
        await c2.end();
        expect(r.rows).toEqual([{ v: 42 }]);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
