// The one context every domain function takes first. tRPC procedures pass their ctx, the worker
// passes its deps, the CLI builds one: the fields are the same everywhere, so a function's
// signature says which of them it needs (`Pick<CoreContext, "db">`) and nothing else.
import type { Config } from "@battycoda/config";
import type { Db, DbOrTx, DbTransaction } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { createMediaStore } from "../media/create-store.ts";
import type { MediaStore } from "../media/store.ts";

export type { MediaStore } from "../media/store.ts";

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

/** What reading or changing stored files needs: the database and the media store. */
export type MediaContext = Pick<CoreContext, "db" | "media">;

/** Builds the full context from long-lived dependencies (API start-up, worker, CLI, tests). */
export function createCoreContext(deps: {
  db: DbOrTx;
  boss?: PgBoss | null;
  config: Config;
  media?: MediaStore;
}): CoreContext {
  return {
    db: deps.db,
    boss: deps.boss ?? null,
    media: deps.media ?? createMediaStore(deps.config),
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
