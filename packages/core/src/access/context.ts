// The one context every domain function takes first. tRPC procedures pass their ctx, the worker
// passes its deps, the CLI builds one: the fields are the same everywhere, so a function's
// signature says which of them it needs (`Pick<CoreContext, "db">`) and nothing else.
import type { Config } from "@battycoda/config";
import type { Db, DbOrTx, DbTransaction } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { resolveStoredPath } from "../media/media.ts";

/** Where media files live. Today one local folder; every path in the DB is relative to it. */
export interface MediaStore {
  readonly root: string;
  /** Absolute path of a DB-relative media path; throws on anything that escapes the root. */
  resolve(relative: string): string;
}

export interface CoreContext {
  /** The database, or the transaction the caller is already in. */
  db: DbOrTx;
  /** pg-boss for queueing background work; null where nothing may be queued (some tests, CLIs). */
  boss: PgBoss | null;
  media: MediaStore;
  config: Config;
}

/** What most domain functions need: the database alone. */
export type DbContext = Pick<CoreContext, "db">;

export function localMediaStore(root: string): MediaStore {
  return { root, resolve: (relative) => resolveStoredPath(root, relative) };
}

/** Builds the full context from long-lived dependencies (API start-up, worker, CLI, tests). */
export function createCoreContext(deps: { db: DbOrTx; boss?: PgBoss | null; config: Config }): CoreContext {
  return {
    db: deps.db,
    boss: deps.boss ?? null,
    media: localMediaStore(deps.config.mediaRoot),
    config: deps.config,
  };
}

/**
 * Runs `fn` in a transaction: a new one on the root client, or the caller's own when `db` is
 * already a transaction, so a domain function composes inside a larger atomic operation.
 */
export function inTransaction<T>(
  db: DbOrTx,
  fn: (tx: DbTransaction) => Promise<T>,
  options: { timeout?: number; maxWait?: number } = {},
): Promise<T> {
  // Longer than Prisma's 5 s default: segment edits and batch writes hold a transaction while
  // they write thousands of rows on a loaded 2-core machine.
  const timing = { timeout: options.timeout ?? 30_000, maxWait: options.maxWait ?? 10_000 };
  return "$transaction" in db ? (db as Db).$transaction(fn, timing) : fn(db);
}
