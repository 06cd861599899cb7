// The pg_dump → S3 → psql path of backup-database, which the embedded PostgreSQL of the other
// tests never takes (its npm package ships no pg_dump): a throwaway cluster of Debian's own
// PostgreSQL (`postgresql`, which scripts/install.sh --test installs: 15 on Debian 12, 17 on 13),
// whose own client tools then match.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPrismaClient, type PrismaClient } from "@battycoda/db";
import { findFreePort } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSiteAdmin } from "../defaults/admin.ts";
import { initializeDefaults } from "../defaults/initialize.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { backupDatabase, restoreDatabase } from "./backup.ts";
import { libpqConnection } from "./pg-tools.ts";
import { silentReporter } from "./reporter.ts";
import { type LocalS3, startLocalS3 } from "./testing.ts";

/** The newest Debian PostgreSQL with initdb and pg_dump, or null. */
function systemPostgres(): { major: number; bin: string } | null {
  const majors = (existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql") : [])
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .sort((a, b) => b - a);
  for (const major of majors) {
    const bin = `/usr/lib/postgresql/${major}/bin`;
    if (existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "pg_dump"))) return { major, bin };
  }
  return null;
}
const SYSTEM_PG = systemPostgres();
const PG_BIN = SYSTEM_PG?.bin ?? "/usr/lib/postgresql/<major>/bin";
const PG_MAJOR = SYSTEM_PG?.major ?? 0;
// characters that must survive the URL → libpq round trip of pg_dump and psql
const PASSWORD = "pg dump p@ss/w:rd?&%";

interface Cluster {
  port: number;
  url(database: string): string;
  stop(): void;
}

/**
 * initdb and postgres refuse to run as root: as root the cluster belongs to `postgres` (or
 * `nobody`) and its commands run through runuser.
 */
function startCluster(dir: string, port: number): Cluster {
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? (hasUser("postgres") ? "postgres" : "nobody") : null;
  const run = (tool: string, args: string[]) => {
    const cmd = user ? "runuser" : path.join(PG_BIN, tool);
    const argv = user ? ["-u", user, "--", path.join(PG_BIN, tool), ...args] : args;
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], cwd: dir });
  };
  const data = path.join(dir, "data");
  const pwfile = path.join(dir, "pw");
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  run("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    `--pwfile=${pwfile}`,
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--no-locale",
    "--no-sync",
  ]);
  const stop = () => {
    if (!existsSync(path.join(data, "postmaster.pid"))) return;
    try {
      run("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w"]);
    } catch {
      // already stopped
    }
  };
  // pg_ctl daemonises postgres: stop it even when the run dies without afterAll
  process.once("exit", stop);
  run("pg_ctl", [
    "start",
    "-D",
    data,
    "-w",
    "-t",
    "60",
    "-l",
    path.join(dir, "log"),
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
  ]);
  return {
    port,
    url: (database) => `postgresql://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`,
    stop,
  };
}

function hasUser(name: string): boolean {
  try {
    execFileSync("id", ["-u", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function tableCounts(url: string): Promise<Record<string, number>> {
  const tables = await query<{ t: string }>(
    url,
    `SELECT relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY relname`,
  );
  const out: Record<string, number> = {};
  for (const { t } of tables)
    out[t] = Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM "${t}"`))[0]?.n);
  return out;
}

let dir = "";
let mediaRoot = "";
let cluster: Cluster | undefined;
let s3: LocalS3 | undefined;
let db: PrismaClient | undefined;
let sourceUrl = "";
let targetUrl = "";

beforeAll(async () => {
  // a missing system PostgreSQL is an install problem to see, not a reason to skip
  if (!SYSTEM_PG)
    throw new Error(
      "No /usr/lib/postgresql/<major>/bin with initdb and pg_dump: install Debian's postgresql (scripts/install.sh --test)",
    );
  dir = mkdtempSync(path.join(os.tmpdir(), "battycoda-pgdump-"));
  mediaRoot = mkdtempSync(path.join(os.tmpdir(), "battycoda-pgdump-media-"));
  cluster = startCluster(dir, await findFreePort());
  await query(cluster.url("postgres"), "CREATE DATABASE source");
  await query(cluster.url("postgres"), "CREATE DATABASE target");
  sourceUrl = cluster.url("source");
  targetUrl = cluster.url("target");
  await migrateDatabase(sourceUrl);
  s3 = await startLocalS3("backup-pgdump", "pgdump/");

  db = createPrismaClient(sourceUrl, { max: 2 });
  await initializeDefaults({ db, media: new LocalMediaStore(mediaRoot) }, { sharedDataDir: null });
  await createSiteAdmin({ db }, { username: "root", email: "root@example.org", password: "Tr0ub4dor&3xyz!" });
  const user = await db.user.findFirstOrThrow();
  const group = await db.group.create({
    data: { name: "Bat lab «Ω»", storageQuotaBytes: 9_007_199_254_740_993n },
  });
  await db.membership.create({ data: { userId: user.id, groupId: group.id, isAdmin: true } });
  const species = await db.species.findFirstOrThrow();
  const parent = await db.recording.create({
    data: {
      groupId: group.id,
      speciesId: species.id,
      name: "night 1",
      filePath: "groups/x/night1.wav",
      fileSize: 123_456_789_012n,
      duration: 3600.000_125,
      sampleRate: 250_000,
      metadata: { guano: { "Loc Position": [52.1, -1.5], Note: "tab\tand\nnewline" } },
      recordedDate: new Date("2026-06-01T22:13:14.567Z"),
      createdById: user.id,
    },
  });
  for (let p = 0; p < 3; p++) {
    const part = await db.recording.create({
      data: {
        groupId: group.id,
        name: `night 1 part ${p}`,
        filePath: `groups/x/night1_${p}.wav`,
        parentRecordingId: parent.id,
        partIndex: p,
        partCount: 3,
      },
    });
    const seg = await db.segmentation.create({
      data: { groupId: group.id, recordingId: part.id, name: "manual", source: "manual", isActive: true },
    });
    await db.segment.createMany({
      data: Array.from({ length: 400 }, (_, i) => ({
        segmentationId: seg.id,
        onset: i * 0.1 + p,
        offset: i * 0.1 + p + 0.0123,
        lowFreq: i % 7 === 0 ? null : 20_000 + i,
        label: i % 3 === 0 ? "FM" : null,
        notes: `"quoted" \\ back ${i}`,
        features: i % 5 === 0 ? { dur: 0.0123, peak: [1e-9, 1e20] } : undefined,
      })),
    });
  }
  // a BIGSERIAL table: its sequence must continue after the restored ids
  for (let i = 0; i < 5; i++) await db.rateLimitHit.create({ data: { bucket: `login:${i}` } });
}, 180_000);

afterAll(async () => {
  await db?.$disconnect();
  await s3?.stop();
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (mediaRoot) rmSync(mediaRoot, { recursive: true, force: true });
});

describe("libpqConnection", () => {
  it("keeps the password out of the arguments and drops what libpq refuses", () => {
    const url = `postgresql://bc:${encodeURIComponent(PASSWORD)}@db.example:6543/bc?schema=public&sslmode=no-verify&application_name=x`;
    const c = libpqConnection(url);
    expect(c.dbname).toBe("postgresql://bc@db.example:6543/bc?sslmode=require&application_name=x");
    expect(c.env.PGPASSWORD).toBe(PASSWORD);
    expect(libpqConnection("postgresql://bc@db.example/bc").env.PGPASSWORD).toBe(process.env.PGPASSWORD);
  });
});

describe("backup-database with pg_dump (Debian's PostgreSQL)", () => {
  let key = "";

  it("dumps with the server's own pg_dump, not the logical fallback", { timeout: 120_000 }, async () => {
    if (!s3) throw new Error("no S3");
    const lines: string[] = [];
    const reporter = { ...silentReporter, log: async (line: string) => void lines.push(line) };
    // with the ?schema= Prisma users put in DATABASE_URL, which libpq refuses
    const ctx = {
      config: { backup: s3.backup, mediaRoot, pgBinDir: undefined },
      databaseUrl: `${sourceUrl}?schema=public`,
    };
    const r = await backupDatabase(ctx, { now: new Date("2026-12-05T08:00:00Z") }, reporter);
    expect(r.format).toBe("pg_dump");
    expect(r.serverVersion.split(".")[0]).toBe(String(PG_MAJOR));
    expect(r.key).toBe("pgdump/battycoda-2026-12-05T08-00-00Z.sql.gz");
    expect(r.size).toBeGreaterThan(1000);
    expect(lines.join("\n")).toContain(`dumping with ${PG_BIN}/pg_dump`);
    key = r.key;
  });

  it("restores with the same major's psql into an empty database: identical counts and rows", {
    timeout: 120_000,
  }, async () => {
    if (!s3) throw new Error("no S3");
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined } };
    const r = await restoreDatabase(
      ctx,
      { key, targetUrl: `${targetUrl}?schema=public&connection_limit=3`, confirm: key },
      silentReporter,
    );
    expect(r.format).toBe("pg_dump");
    const before = await tableCounts(sourceUrl);
    expect(before.Segment).toBe(1200);
    expect(before.Recording).toBe(4);
    expect(before._prisma_migrations).toBeGreaterThan(0);
    expect(await tableCounts(targetUrl)).toEqual(before);
    for (const table of Object.keys(before)) {
      const sql = `SELECT row_to_json(t)::text AS j FROM "${table}" t ORDER BY 1`;
      expect(await query(targetUrl, sql), table).toEqual(await query(sourceUrl, sql));
    }
    // the serial sequence came along: new rows get fresh ids
    const next = await query<{ id: string }>(
      targetUrl,
      `INSERT INTO "RateLimitHit" (bucket) VALUES ('after') RETURNING id::text AS id`,
    );
    expect(Number(next[0]?.id)).toBe(6);
    // and the restored schema is the migrated one: Prisma reads it as is
    const restored = createPrismaClient(targetUrl, { max: 1 });
    try {
      const parent = await restored.recording.findFirstOrThrow({
        where: { parentRecordingId: null, name: "night 1" },
        include: { parts: true, group: true },
      });
      expect(parent.parts).toHaveLength(3);
      expect(parent.fileSize).toBe(123_456_789_012n);
      expect(parent.group.storageQuotaBytes).toBe(9_007_199_254_740_993n);
      expect(parent.recordedDate?.toISOString()).toBe("2026-06-01T22:13:14.567Z");
    } finally {
      await restored.$disconnect();
    }
  });

  it("refuses to restore the same dump over the now non-empty database", async () => {
    if (!s3) throw new Error("no S3");
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined } };
    await expect(restoreDatabase(ctx, { key, targetUrl, confirm: key }, silentReporter)).rejects.toThrow(
      /not empty/,
    );
  });
});
