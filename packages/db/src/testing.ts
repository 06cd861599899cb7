// Fresh databases for tests. The root vitest globalSetup (test/global-setup.ts) starts one
// embedded PostgreSQL per run and migrates a template database once; every test file then gets
// its own copy with `CREATE DATABASE … TEMPLATE`, which takes milliseconds instead of a migration.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPrismaClient, type PrismaClient } from "./index.ts";
import { migrateDatabase } from "./migrate.ts";

/** Set by the global setup: URL of the cluster's `postgres` database (superuser). */
export const TEST_PG_ADMIN_URL_ENV = "BATTYCODA_TEST_PG_ADMIN_URL";
export const TEST_TEMPLATE_DB = "battycoda_template";

export interface TestDatabase {
  /** URL of the new database, e.g. for pg-boss or a child process. */
  url: string;
  /** A Prisma client connected to it. */
  db: PrismaClient;
  /** Disconnects `db` and drops the database (other connections are terminated). */
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminUrl(): Promise<string> {
  const fromEnv = process.env[TEST_PG_ADMIN_URL_ENV];
  if (fromEnv) return fromEnv;
  try {
    const { inject } = await import("vitest");
    const provided = (inject as (key: string) => unknown)("pgAdminUrl");
    if (typeof provided === "string" && provided) return provided;
  } catch {
    // not running under vitest
  }
  throw new Error(
    `${TEST_PG_ADMIN_URL_ENV} is not set: run tests through the root vitest config (pnpm exec vitest run), whose global setup starts PostgreSQL`,
  );
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Used by the global setup: (re)creates the template database and applies all migrations to it. */
export async function prepareTemplateDatabase(admin: string, name = TEST_TEMPLATE_DB): Promise<string> {
  await withAdmin(admin, async (c) => {
    const id = c.escapeIdentifier(name);
    await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${id}`);
  });
  const url = withDatabase(admin, name);
  await migrateDatabase(url);
  // Copying requires that nobody is connected to the template; marking it as one documents that.
  await withAdmin(admin, (c) => c.query(`ALTER DATABASE ${c.escapeIdentifier(name)} WITH IS_TEMPLATE true`));
  return url;
}

export interface CreateTestDatabaseOptions {
  /** Start empty instead of from the migrated template (e.g. to test migrations themselves). */
  empty?: boolean;
  /** Prisma pool size (default 4). */
  max?: number;
}

/** A new, migrated, empty database for one test file. Call `drop()` in afterAll. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const admin = await adminUrl();
  const name = `test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(admin, async (c) => {
    const sql = `CREATE DATABASE ${c.escapeIdentifier(name)}${
      options.empty ? "" : ` TEMPLATE ${c.escapeIdentifier(TEST_TEMPLATE_DB)}`
    }`;
    // Two files copying the template at the same instant can collide on its lock; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(sql);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const url = withDatabase(admin, name);
  const db = createPrismaClient(url, { max: options.max ?? 4 });
  let dropped = false;
  return {
    url,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.$disconnect();
      await withAdmin(admin, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}
