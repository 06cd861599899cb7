import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSiteAdmin } from "../defaults/admin.ts";
import { initializeDefaults } from "../defaults/initialize.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { backupDatabase, backupKindOf, listBackups, restoreDatabase, restoreMedia } from "./backup.ts";
import { silentReporter } from "./reporter.ts";
import { type LocalS3, startLocalS3 } from "./testing.ts";

let source: TestDatabase;
let target: TestDatabase;
let s3: LocalS3;
let mediaRoot: string;
let restoredMedia: string;

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
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND relname <> '_prisma_migrations' ORDER BY relname`,
  );
  const out: Record<string, number> = {};
  for (const { t } of tables)
    out[t] = Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM "${t}"`))[0]?.n);
  return out;
}

function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  [source, target] = await Promise.all([createTestDatabase(), createTestDatabase({ empty: true })]);
  s3 = await startLocalS3();
  mediaRoot = mkdtempSync(path.join(os.tmpdir(), "battycoda-media-"));
  restoredMedia = mkdtempSync(path.join(os.tmpdir(), "battycoda-media-restored-"));
  // rows of many shapes: enums, JSON, floats, timestamps, self-references, BigInt ids
  await initializeDefaults({ db: source.db, media: new LocalMediaStore(mediaRoot) }, { sharedDataDir: null });
  await createSiteAdmin(
    { db: source.db },
    { username: "root", email: "root@example.org", password: "Tr0ub4dor&3xyz!" },
  );
  const user = await source.db.user.findFirstOrThrow();
  for (let i = 0; i < 1200; i++)
    await source.db.job.create({
      data: {
        type: "maintenance.run",
        payload: { i, nested: { x: [1, 2.5, "é"] } },
        progress: i / 1199,
        userId: user.id,
        log: `line ${i}\nwith "quotes" and \\backslashes\\`,
      },
    });
  mkdirSync(path.join(mediaRoot, "groups", "g1"), { recursive: true });
  writeFileSync(
    path.join(mediaRoot, "groups", "g1", "a.wav"),
    Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)),
  );
  writeFileSync(path.join(mediaRoot, "top.txt"), "hello");
});

afterAll(async () => {
  await Promise.all([source?.drop(), target?.drop(), s3?.stop()]);
  rmSync(mediaRoot, { recursive: true, force: true });
  rmSync(restoredMedia, { recursive: true, force: true });
});

describe("backup-database", () => {
  let dbKey = "";
  let mediaKey = "";

  it("explains a backup store it cannot use: no credentials, no such bucket, unreachable", async () => {
    // The SDK's own "Could not load credentials from any providers" names no setting; nothing is dumped first.
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith("AWS_")) delete process.env[k];
    process.env.AWS_EC2_METADATA_DISABLED = "true"; // no instance-role probe on this machine
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(mediaRoot, "no-such-credentials");
    process.env.AWS_CONFIG_FILE = path.join(mediaRoot, "no-such-config");
    try {
      const base = { mediaRoot, pgBinDir: undefined };
      const noKeys = { ...s3.backup, accessKeyId: undefined, secretAccessKey: undefined };
      const ctx = { config: { ...base, backup: noKeys }, databaseUrl: source.url };
      const dry = backupDatabase(ctx, { dryRun: true }, silentReporter);
      await expect(dry).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
      await expect(dry).rejects.toThrow(
        /^Backup store s3:\/\/.+: no S3 credentials: set DATABASE_BACKUP_S3_ACCESS_KEY_ID and DATABASE_BACKUP_S3_SECRET_ACCESS_KEY/,
      );
      await expect(backupDatabase(ctx, {}, silentReporter)).rejects.toThrow(/no S3 credentials/);
      await expect(listBackups({ config: ctx.config })).rejects.toThrow(/no S3 credentials/);

      const noBucket = { ...s3.backup, bucket: "no-such-bucket" };
      await expect(listBackups({ config: { ...base, backup: noBucket } })).rejects.toThrow(
        "the bucket no-such-bucket does not exist: create it, or set DATABASE_BACKUP_BUCKET",
      );
      const away = { ...s3.backup, endpoint: "http://127.0.0.1:9" };
      await expect(listBackups({ config: { ...base, backup: away } })).rejects.toThrow(
        /the store cannot be reached \(ECONNREFUSED\): check DATABASE_BACKUP_S3_ENDPOINT/,
      );
      expect(await listBackups({ config: { ...base, backup: s3.backup } })).toEqual([]);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("streams a dump and the media to S3 under timestamped keys and lists them", async () => {
    const now = new Date("2026-12-04T10:00:00Z");
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined }, databaseUrl: source.url };
    const r = await backupDatabase(ctx, { media: true, now }, silentReporter);
    expect(r.key).toMatch(/^db\/battycoda-2026-12-04T10-00-00Z\.(sql|bcdump)\.gz$/);
    expect(r.media?.key).toBe("db/battycoda-2026-12-04T10-00-00Z.media.tar.gz");
    dbKey = r.key;
    mediaKey = r.media?.key ?? "";
    const list = await listBackups({ config: ctx.config }, new Date("2026-12-04T11:00:00Z"));
    expect(list.map((b) => b.key).sort()).toEqual([dbKey, mediaKey].sort());
    const db = list.find((b) => b.key === dbKey);
    expect(db?.size).toBe(r.size);
    expect(db?.kind).toBe("database");
    expect(backupKindOf(mediaKey)?.kind).toBe("media");
  });

  it("refuses a restore that is not confirmed, or into a database with tables", async () => {
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined } };
    await expect(
      restoreDatabase(ctx, { key: dbKey, targetUrl: target.url, confirm: "yes" }, silentReporter),
    ).rejects.toThrow(/typing the backup key/);
    await expect(
      restoreDatabase(ctx, { key: dbKey, targetUrl: source.url, confirm: dbKey }, silentReporter),
    ).rejects.toThrow(/not empty/);
    await expect(
      restoreDatabase(
        ctx,
        { key: "db/nothing.bcdump.gz", targetUrl: target.url, confirm: "db/nothing.bcdump.gz" },
        silentReporter,
      ),
    ).rejects.toThrow(/No backup/);
    // nothing was written to the target by the refusals
    expect(await tableCounts(target.url)).toEqual({});
  });

  it("restores into an empty database with identical row counts and rows", { timeout: 180_000 }, async () => {
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined } };
    await restoreDatabase(ctx, { key: dbKey, targetUrl: target.url, confirm: dbKey }, silentReporter);
    const before = await tableCounts(source.url);
    expect(before.Job).toBe(1200);
    expect(await tableCounts(target.url)).toEqual(before);
    for (const table of ["Job", "User", "Species", "CallType", "Classifier", "SegmentationAlgorithm"]) {
      const sql = `SELECT row_to_json(t)::text AS j FROM "${table}" t ORDER BY id`;
      expect(await query(target.url, sql)).toEqual(await query(source.url, sql));
    }
  });

  it("restores the media files byte for byte", async () => {
    const ctx = { config: { backup: s3.backup, mediaRoot, pgBinDir: undefined } };
    await restoreMedia(ctx, { key: mediaKey, targetDir: restoredMedia }, silentReporter);
    const original = hashTree(mediaRoot);
    expect(Object.keys(original)).toHaveLength(2);
    expect(hashTree(restoredMedia)).toEqual(original);
  });
});
