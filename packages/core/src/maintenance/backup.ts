// Database (and optionally media) backups to S3, their listing, and restore into an empty
// database. A dump is streamed: pg_dump (or the built-in logical dump) → gzip → S3 multipart,
// never a whole copy on local disk.
import { spawn } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "@battycoda/config";
import { DomainError } from "../access/errors.ts";
import { assertEmptyDatabase, LOGICAL_FORMAT, logicalDump, logicalRestore } from "./logical-dump.ts";
import { findPgTool, libpqConnection, serverVersion } from "./pg-tools.ts";
import type { ProcedureReporter } from "./reporter.ts";
import {
  createBackupS3Client,
  downloadStream,
  headObject,
  listObjects,
  onBackupStore,
  uploadStream,
} from "./s3.ts";

export type BackupKind = "database" | "media";
export type DumpFormat = "pg_dump" | typeof LOGICAL_FORMAT;

export interface BackupContext {
  config: Pick<Config, "backup" | "mediaRoot" | "pgBinDir"> & {
    mediaStorage?: Pick<Config["mediaStorage"], "kind">;
  };
  /** The database to dump. */
  databaseUrl: string;
  /** Default: a client for config.backup. */
  s3?: S3Client;
}

/** "2026-12-04T19-03-07Z": sortable, and safe in S3 keys and file names. */
export function backupStamp(now = new Date()): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "-");
}

export function backupKey(prefix: string, kind: BackupKind, format: DumpFormat | "tar", now = new Date()) {
  const ext = kind === "media" ? "media.tar.gz" : format === "pg_dump" ? "sql.gz" : "bcdump.gz";
  return `${prefix}battycoda-${backupStamp(now)}.${ext}`;
}

export function backupKindOf(key: string): { kind: BackupKind; format: DumpFormat | "tar" } | null {
  if (key.endsWith(".media.tar.gz")) return { kind: "media", format: "tar" };
  if (key.endsWith(".sql.gz")) return { kind: "database", format: "pg_dump" };
  if (key.endsWith(".bcdump.gz")) return { kind: "database", format: LOGICAL_FORMAT };
  return null;
}

export interface BackupResult {
  key: string;
  bucket: string;
  format: DumpFormat;
  /** Compressed bytes stored. */
  size: number;
  serverVersion: string;
  media?: { key: string; size: number };
}

/** Runs a child process and yields its stdout; rejects with its stderr when it exits non-zero. */
async function* processOutput(file: string, args: string[], env?: NodeJS.ProcessEnv): AsyncGenerator<Buffer> {
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? 1));
  });
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    if (code !== 0) throw new Error(`${file.split("/").pop()} failed (exit ${code}): ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
  }
}

function gzipped(source: AsyncIterable<Buffer | string>): Readable {
  const gzip = createGzip({ level: 6 });
  // errors of the source end the pipeline, and with it the upload (which then aborts)
  pipeline(Readable.from(source), gzip).catch((err) => gzip.destroy(err as Error));
  return gzip;
}

/**
 * Dumps the database to `DATABASE_BACKUP_BUCKET/DATABASE_BACKUP_PREFIX` under a timestamped key,
 * with pg_dump of the server's major version when one is installed and the built-in logical dump
 * otherwise; with `media`, also a tar of MEDIA_ROOT under the same stamp.
 */
export async function backupDatabase(
  ctx: BackupContext,
  options: { media?: boolean; now?: Date; dryRun?: boolean },
  report: ProcedureReporter,
): Promise<BackupResult & { dryRun?: boolean }> {
  const { backup } = ctx.config;
  if (!backup.bucket) throw new DomainError("PRECONDITION_FAILED", "DATABASE_BACKUP_BUCKET is not set");
  const s3 = ctx.s3 ?? createBackupS3Client(backup);
  const now = options.now ?? new Date();
  const server = await serverVersion(ctx.databaseUrl);
  const pgDump = await findPgTool("pg_dump", server.major, ctx.config.pgBinDir);
  const format: DumpFormat = pgDump ? "pg_dump" : LOGICAL_FORMAT;
  const key = backupKey(backup.prefix, "database", format, now);
  await report.log(
    pgDump
      ? `PostgreSQL ${server.version}: dumping with ${pgDump}`
      : `PostgreSQL ${server.version}: no pg_dump ${server.major} installed (set PG_BIN_DIR), using the built-in logical dump`,
  );
  // The store answers and the bucket exists, before a dump is started for nothing.
  await onBackupStore(backup, () => listObjects(s3, backup.bucket, backup.prefix));
  if (options.dryRun) {
    await report.log(
      `Dry run: would store s3://${backup.bucket}/${key}${options.media ? " and the media" : ""}`,
    );
    return { key, bucket: backup.bucket, format, size: 0, serverVersion: server.version, dryRun: true };
  }
  await report.progress(0.05, "Dumping the database");
  const conn = libpqConnection(ctx.databaseUrl);
  const source: AsyncIterable<Buffer | string> = pgDump
    ? processOutput(
        pgDump,
        [
          `--dbname=${conn.dbname}`,
          "--format=plain",
          "--no-owner",
          "--no-privileges",
          "--quote-all-identifiers",
        ],
        conn.env,
      )
    : logicalDump(ctx.databaseUrl, (table, rows) => {
        void report.log(`dumped ${table}: ${rows} rows`);
      });
  let lastLogged = 0;
  const { size } = await onBackupStore(backup, () =>
    uploadStream(
      s3,
      {
        bucket: backup.bucket,
        key,
        metadata: { format, "server-version": server.version },
      },
      gzipped(source),
      (bytes) => {
        if (bytes - lastLogged >= 64 * 1024 * 1024) {
          lastLogged = bytes;
          void report.log(`${(bytes / 1024 / 1024).toFixed(0)} MB uploaded`);
        }
      },
    ),
  );
  await report.log(`Stored s3://${backup.bucket}/${key} (${size} bytes)`);
  const result: BackupResult = { key, bucket: backup.bucket, format, size, serverVersion: server.version };
  if (options.media) {
    await report.progress(0.6, "Archiving media");
    result.media = await backupMedia(ctx, s3, now, report);
  }
  await report.progress(1, "Backup complete");
  return result;
}

async function backupMedia(ctx: BackupContext, s3: S3Client, now: Date, report: ProcedureReporter) {
  const { backup, mediaRoot } = ctx.config;
  if (ctx.config.mediaStorage?.kind === "s3")
    // Copying a bucket through this host would be slow and costly; object stores protect their
    // data with versioning and replication, which is where media backups belong then.
    throw new Error(
      "Media live in S3 (MEDIA_STORAGE=s3): back them up with the bucket's versioning or replication, not backup-database --media",
    );
  await mkdir(mediaRoot, { recursive: true });
  const key = backupKey(backup.prefix, "media", "tar", now);
  const { size } = await uploadStream(
    s3,
    { bucket: backup.bucket, key, metadata: { format: "tar" } },
    // tar compresses itself; -C keeps paths relative to MEDIA_ROOT
    processOutput("tar", ["-C", mediaRoot, "-czf", "-", "."]),
  );
  await report.log(`Stored s3://${backup.bucket}/${key} (${size} bytes)`);
  return { key, size };
}

export interface BackupEntry {
  key: string;
  kind: BackupKind;
  format: string;
  size: number;
  lastModified: Date;
  ageSeconds: number;
}

/** Backups under the prefix, newest first. */
export async function listBackups(
  ctx: Pick<BackupContext, "config" | "s3">,
  now = new Date(),
): Promise<BackupEntry[]> {
  const { backup } = ctx.config;
  const s3 = ctx.s3 ?? createBackupS3Client(backup);
  const objects = await onBackupStore(backup, () => listObjects(s3, backup.bucket, backup.prefix));
  return objects
    .flatMap((o) => {
      const kind = backupKindOf(o.key);
      if (!kind) return [];
      return [
        {
          key: o.key,
          kind: kind.kind,
          format: kind.format,
          size: o.size,
          lastModified: o.lastModified,
          ageSeconds: Math.max(0, Math.round((now.getTime() - o.lastModified.getTime()) / 1000)),
        },
      ];
    })
    .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || b.key.localeCompare(a.key));
}

export interface RestoreOptions {
  key: string;
  /** The empty database to restore into. */
  targetUrl: string;
  /** Must equal `key`: the caller typed it (panel) or passed --yes (CLI). */
  confirm: string;
  /** Check the backup and the target, restore nothing. */
  dryRun?: boolean;
}

export interface RestoreResult {
  key: string;
  format: DumpFormat;
  tables?: number;
  rows?: number;
}

/** Restores a database backup into an empty database, all or nothing. */
export async function restoreDatabase(
  ctx: Pick<BackupContext, "config" | "s3">,
  options: RestoreOptions,
  report: ProcedureReporter,
): Promise<RestoreResult> {
  const { backup } = ctx.config;
  if (!options.dryRun && options.confirm !== options.key)
    throw new DomainError("BAD_REQUEST", "Confirm the restore by typing the backup key exactly");
  const kind = backupKindOf(options.key);
  if (kind?.kind !== "database")
    throw new DomainError("BAD_REQUEST", `${options.key} is not a database backup (…sql.gz or …bcdump.gz)`);
  const s3 = ctx.s3 ?? createBackupS3Client(backup);
  if (!(await onBackupStore(backup, () => headObject(s3, backup.bucket, options.key))))
    throw new DomainError("NOT_FOUND", `No backup ${options.key} in bucket ${backup.bucket}`);
  await assertEmptyDatabase(options.targetUrl);
  if (options.dryRun) {
    await report.log(`Dry run: s3://${backup.bucket}/${options.key} exists and the target database is empty`);
    return { key: options.key, format: kind.format as DumpFormat };
  }
  await report.log(`Restoring s3://${backup.bucket}/${options.key}`);
  await report.progress(0.05, "Downloading");
  const body = (await downloadStream(s3, backup.bucket, options.key)).pipe(createGunzip());
  if (kind.format === LOGICAL_FORMAT) {
    const r = await logicalRestore(options.targetUrl, body, (line) => report.log(line));
    await report.log(`Restored ${r.rows} rows in ${r.tables} tables`);
    await report.progress(1, "Restore complete");
    return { key: options.key, format: LOGICAL_FORMAT, ...r };
  }
  const server = await serverVersion(options.targetUrl);
  const psql = await findPgTool("psql", server.major, ctx.config.pgBinDir);
  if (!psql)
    throw new DomainError(
      "PRECONDITION_FAILED",
      `No psql ${server.major} found: install it or set PG_BIN_DIR`,
    );
  const conn = libpqConnection(options.targetUrl);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      psql,
      ["--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1", `--dbname=${conn.dbname}`],
      { stdio: ["pipe", "ignore", "pipe"], env: conn.env },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`psql failed (exit ${code}): ${stderr.trim()}`)),
    );
    pipeline(body, child.stdin).catch(reject);
  });
  await report.progress(1, "Restore complete");
  return { key: options.key, format: "pg_dump" };
}

/** Unpacks a media backup into an empty (or new) folder. */
export async function restoreMedia(
  ctx: Pick<BackupContext, "config" | "s3">,
  options: { key: string; targetDir: string },
  report: ProcedureReporter,
): Promise<void> {
  const { backup } = ctx.config;
  if (backupKindOf(options.key)?.kind !== "media")
    throw new DomainError("BAD_REQUEST", `${options.key} is not a media backup (…media.tar.gz)`);
  await mkdir(options.targetDir, { recursive: true });
  if ((await readdir(options.targetDir)).length > 0)
    throw new DomainError("PRECONDITION_FAILED", `${options.targetDir} is not empty`);
  const s3 = ctx.s3 ?? createBackupS3Client(backup);
  const body = await downloadStream(s3, backup.bucket, options.key);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("tar", ["-C", options.targetDir, "-xzf", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`tar failed (exit ${code}): ${stderr.trim()}`)),
    );
    pipeline(body, child.stdin).catch(reject);
  });
  await report.log(`Media restored into ${options.targetDir}`);
}
