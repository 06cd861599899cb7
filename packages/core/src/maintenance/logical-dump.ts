// The built-in dump, used when no pg_dump of the server's major version is installed (the
// embedded PostgreSQL 17 ships none, Debian 12 has only 15). It holds the data of every table in
// the application schema as JSON lines; the schema itself comes from the committed migrations,
// which the restore applies first. pg-boss's own tables are not included: queued work is
// re-created by the worker, and Job rows whose queue entry is gone are closed by housekeeping.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { migrateDatabase } from "@battycoda/db/migrate";
import pg from "pg";

export const LOGICAL_FORMAT = "battycoda-logical-dump";
const VERSION = 1;
const BATCH = 500;

export interface LogicalHeader {
  format: typeof LOGICAL_FORMAT;
  version: number;
  serverVersion: string;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "battycoda-backup" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function applicationTables(c: pg.Client): Promise<string[]> {
  const r = await c.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname`,
  );
  return r.rows.map((x) => x.name);
}

/** Tables ordered so each comes after the tables its foreign keys point to. */
async function dependencyOrder(c: pg.Client, tables: string[]): Promise<string[]> {
  const r = await c.query<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND cl.relname <> pl.relname`,
  );
  const deps = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of r.rows) deps.get(child)?.add(parent);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, stack: Set<string>) => {
    if (seen.has(t) || stack.has(t)) return;
    stack.add(t);
    for (const p of deps.get(t) ?? []) visit(p, stack);
    stack.delete(t);
    seen.add(t);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

/**
 * Yields the dump as text lines: a JSON header, then per table a `@table` line with its name and
 * row count followed by one JSON object per row, read through a cursor in one repeatable-read
 * transaction so the whole dump is one consistent snapshot.
 */
export async function* logicalDump(url: string, onTable?: (table: string, rows: number) => void) {
  const client = new pg.Client({ connectionString: url, application_name: "battycoda-backup" });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const version = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const migrations = await client.query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    const tables = await dependencyOrder(client, await applicationTables(client));
    const header: LogicalHeader = {
      format: LOGICAL_FORMAT,
      version: VERSION,
      serverVersion: version.rows[0]?.v ?? "",
      createdAt: new Date().toISOString(),
      migrations: migrations.rows.map((m) => m.name),
      tables,
    };
    yield `${JSON.stringify(header)}\n`;
    for (const table of tables) {
      const id = client.escapeIdentifier(table);
      const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${id}`);
      const n = Number(count.rows[0]?.n ?? 0);
      yield `@table ${JSON.stringify({ table, rows: n })}\n`;
      await client.query(
        `DECLARE dump_cursor NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${id} t`,
      );
      for (;;) {
        const page = await client.query<{ j: string }>(`FETCH ${BATCH} FROM dump_cursor`);
        if (page.rows.length === 0) break;
        yield `${page.rows.map((r) => r.j).join("\n")}\n`;
      }
      await client.query("CLOSE dump_cursor");
      onTable?.(table, n);
    }
    yield "@end\n";
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

/** Throws unless the database has no application tables and no pg-boss schema. */
export async function assertEmptyDatabase(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p')`,
    );
    if (Number(r.rows[0]?.n ?? 0) > 0)
      throw new Error(
        "The target database is not empty: restore only into a newly created database (createdb …), never over live data",
      );
  });
}

export interface LogicalRestoreResult {
  tables: number;
  rows: number;
}

/**
 * Restores a logical dump into an empty database: applies the committed migrations, checks that
 * the dump's migrations are among them, then inserts every table's rows in ONE transaction (all
 * or nothing), parents before children. Rows of a table that points to itself (a recording's
 * parts, a classifier's parent) can come in any order, so foreign-key triggers are switched off
 * for the transaction where the role may (superuser); otherwise such a table goes in one INSERT,
 * whose constraints are checked at the end of the statement.
 */
export async function logicalRestore(
  url: string,
  lines: Readable,
  log: (line: string) => Promise<void>,
): Promise<LogicalRestoreResult> {
  await assertEmptyDatabase(url);
  await log("Applying the committed migrations to the empty database");
  await migrateDatabase(url);
  const client = new pg.Client({ connectionString: url, application_name: "battycoda-restore" });
  await client.connect();
  const reader = createInterface({ input: lines, crlfDelay: Number.POSITIVE_INFINITY });
  // readline emits lines as soon as it exists: take the iterator now, or the lines read while
  // the transaction is being opened are lost
  const lineIterator = reader[Symbol.asyncIterator]();
  let tableCount = 0;
  let rowCount = 0;
  try {
    await client.query("BEGIN");
    await client.query("SAVEPOINT replica");
    let triggersOff = true;
    try {
      await client.query("SET LOCAL session_replication_role = replica");
    } catch {
      triggersOff = false;
      await client.query("ROLLBACK TO SAVEPOINT replica");
    }
    const selfRefs = new Set(
      (
        await client.query<{ t: string }>(
          `SELECT c.relname AS t FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE k.contype = 'f' AND n.nspname = 'public' AND k.conrelid = k.confrelid`,
        )
      ).rows.map((r) => r.t),
    );
    let header: LogicalHeader | null = null;
    let table: string | null = null;
    let columns: string[] = [];
    let batch: string[] = [];
    let ended = false;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const id = client.escapeIdentifier(table);
      const cols = columns.map((c) => client.escapeIdentifier(c)).join(", ");
      await client.query(
        `INSERT INTO ${id} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${id}, $1::json)`,
        [`[${batch.join(",")}]`],
      );
      rowCount += batch.length;
      batch = [];
    };
    for await (const line of { [Symbol.asyncIterator]: () => lineIterator }) {
      if (!line) continue;
      if (!header) {
        const parsed = JSON.parse(line) as LogicalHeader;
        if (parsed.format !== LOGICAL_FORMAT || parsed.version !== VERSION)
          throw new Error(`This object is not a BattyCoda logical dump (version 1): ${line.slice(0, 200)}`);
        header = parsed;
        const applied = await client.query<{ name: string }>(
          "SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL",
        );
        const known = new Set(applied.rows.map((r) => r.name));
        const unknown = parsed.migrations.filter((m) => !known.has(m));
        if (unknown.length > 0)
          throw new Error(
            `The backup was made by a newer BattyCoda (migrations ${unknown.join(", ")}): restore it with that version`,
          );
        continue;
      }
      if (line.startsWith("@table ")) {
        await flush();
        const { table: name } = JSON.parse(line.slice(7)) as { table: string };
        const cols = await client.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'",
          [name],
        );
        if (cols.rows.length === 0) throw new Error(`The dump has table ${name}, which this schema does not`);
        table = name;
        columns = cols.rows.map((r) => r.column_name);
        tableCount++;
        await log(`Restoring ${name}`);
        continue;
      }
      if (line === "@end") {
        await flush();
        ended = true;
        break;
      }
      batch.push(line);
      if (batch.length >= BATCH && (triggersOff || !selfRefs.has(table ?? ""))) await flush();
    }
    if (!header) throw new Error("The backup is empty");
    if (!ended) throw new Error("The backup is truncated (no end marker): nothing was restored");
    // serial columns continue after the restored ids
    const serials = await client.query<{ tbl: string; col: string; seq: string }>(
      `SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    );
    for (const s of serials.rows) {
      const t = client.escapeIdentifier(s.tbl);
      const col = client.escapeIdentifier(s.col);
      await client.query(`SELECT setval($1, COALESCE((SELECT max(${col}) FROM ${t}), 0) + 1, false)`, [
        s.seq,
      ]);
    }
    await client.query("COMMIT");
    return { tables: tableCount, rows: rowCount };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    reader.close();
    await client.end();
  }
}
