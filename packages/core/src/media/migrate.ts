// Moves an installation's media from its current store to the other one (local folder ⇄ S3).
// Keys are the same in both, so this is a copy of every object: verified by reading the copy
// back and comparing SHA-256, resumable, and never touching the source. A journal of verified
// copies lets a rerun skip them without reading terabytes again; an object already in the target
// but not in the journal is compared by size and SHA-256 before it is skipped.
import { createHash } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CoreContext } from "../access/context.ts";
import type { MediaStore } from "./store.ts";

export interface MigrationProgress {
  phase: "listing" | "copying" | "done";
  objects: { total: number; done: number; copied: number; skipped: number; failed: number };
  /** done counts copied and skipped bytes; moved only those copied or hashed in this run. */
  bytes: { total: number; done: number; moved: number };
  /** At the rate of this run so far; null until some bytes were moved. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export interface MigrationResult extends MigrationProgress {
  dryRun: boolean;
  /** Dry run: objects that would be copied, and those present with the same size (checked by hash). */
  plan?: { copy: number; copyBytes: number; check: number; checkBytes: number; journaled: number };
  failures: { key: string; error: string }[];
  /** The run stopped early (signal): rerun to finish. */
  interrupted: boolean;
}

export interface MigrateMediaOptions {
  dryRun?: boolean;
  /** Objects copied at once (default 4): overlaps request latency on S3. */
  concurrency?: number;
  /** A local file recording verified copies (JSON lines); rerunning with it skips them cheaply. */
  journalPath?: string;
  onProgress?: (p: MigrationProgress) => void;
  /** Stops taking new objects (Ctrl-C); copies under way finish, and a rerun goes on from there. */
  signal?: AbortSignal;
}

interface JournalEntry {
  k: string;
  /** size, sha256, source and target modification times (ms) when the copy was verified */
  n: number;
  h: string;
  s: number | null;
  t: number | null;
}

/** Where `migrate-media` keeps its journal for one source/target pair. */
export function migrationJournalPath(dataDir: string, from: MediaStore, to: MediaStore): string {
  const pair = createHash("sha256").update(`${from.location}\n${to.location}`).digest("hex").slice(0, 12);
  return path.join(dataDir, "migrate-media", `${from.kind}-to-${to.kind}-${pair}.jsonl`);
}

/**
 * Copies every object of `ctx.media` into `target`. Failures of single objects are collected
 * (the rest goes on); the caller decides what a non-empty `failures` means (the CLI exits 1).
 */
export async function migrateMedia(
  { media: source }: Pick<CoreContext, "media">,
  target: MediaStore,
  options: MigrateMediaOptions = {},
): Promise<MigrationResult> {
  if (source.kind === target.kind && source.location === target.location)
    throw new Error(`Source and target are the same store (${source.location})`);
  const started = Date.now();
  const progress: MigrationProgress = {
    phase: "listing",
    objects: { total: 0, done: 0, copied: 0, skipped: 0, failed: 0 },
    bytes: { total: 0, done: 0, moved: 0 },
    etaSeconds: null,
    elapsedSeconds: 0,
  };
  const report = () => {
    progress.elapsedSeconds = (Date.now() - started) / 1000;
    const rate = progress.bytes.moved / Math.max(progress.elapsedSeconds, 1e-3);
    progress.etaSeconds = rate > 0 ? (progress.bytes.total - progress.bytes.done) / rate : null;
    options.onProgress?.({ ...progress, objects: { ...progress.objects }, bytes: { ...progress.bytes } });
  };

  const objects: { key: string; size: number }[] = [];
  for await (const o of source.list("")) {
    objects.push(o);
    progress.objects.total++;
    progress.bytes.total += o.size;
    if (progress.objects.total % 1000 === 0) report();
  }
  objects.sort((a, b) => a.key.localeCompare(b.key)); // a rerun walks the same order
  progress.phase = "copying";
  report();

  const journal = options.journalPath
    ? await loadJournal(options.journalPath)
    : new Map<string, JournalEntry>();
  const failures: MigrationResult["failures"] = [];

  if (options.dryRun) {
    const plan = { copy: 0, copyBytes: 0, check: 0, checkBytes: 0, journaled: 0 };
    await forEachLimited(objects, options.concurrency ?? 8, options.signal, async (o) => {
      const there = await target.stat(o.key);
      if (!there || there.size !== o.size) {
        plan.copy++;
        plan.copyBytes += o.size;
      } else if (await journaled(journal.get(o.key), o.size, source, o.key, there.modified)) plan.journaled++;
      else {
        plan.check++;
        plan.checkBytes += o.size;
      }
    });
    progress.phase = "done";
    report();
    return { ...progress, dryRun: true, plan, failures, interrupted: Boolean(options.signal?.aborted) };
  }

  const writer = options.journalPath ? await openJournal(options.journalPath) : null;
  try {
    await forEachLimited(objects, options.concurrency ?? 4, options.signal, async (o) => {
      try {
        const outcome = await migrateOne(source, target, o, journal.get(o.key), (bytes) => {
          progress.bytes.moved += bytes;
        });
        if (outcome.entry) await writer?.append(outcome.entry);
        progress.objects[outcome.copied ? "copied" : "skipped"]++;
      } catch (err) {
        progress.objects.failed++;
        failures.push({ key: o.key, error: err instanceof Error ? err.message : String(err) });
      }
      progress.objects.done++;
      progress.bytes.done += o.size;
      report();
    });
  } finally {
    await writer?.close();
  }
  progress.phase = "done";
  report();
  return { ...progress, dryRun: false, failures, interrupted: Boolean(options.signal?.aborted) };
}

async function migrateOne(
  source: MediaStore,
  target: MediaStore,
  o: { key: string; size: number },
  entry: JournalEntry | undefined,
  moved: (bytes: number) => void,
): Promise<{ copied: boolean; entry: JournalEntry | null }> {
  const [from, there] = await Promise.all([source.stat(o.key), target.stat(o.key)]);
  if (!from) throw new Error("disappeared from the source while migrating");
  const sourceTime = from.modified?.getTime() ?? null;
  if (there && there.size === from.size) {
    if (
      entry &&
      entry.n === from.size &&
      entry.s === sourceTime &&
      entry.t === (there.modified?.getTime() ?? null)
    )
      return { copied: false, entry: null };
    // Present but not known to be ours: the same bytes, or copy again.
    const [a, b] = await Promise.all([sha256Of(source, o.key, moved), sha256Of(target, o.key, moved)]);
    if (a === b)
      return { copied: false, entry: { k: o.key, n: from.size, h: a, s: sourceTime, t: time(there) } };
  }
  const written = await target.writeStream(o.key, await countingStream(source, o.key, moved));
  // Read the copy back: what the target holds must hash to what was read from the source.
  const check = await sha256Of(target, o.key, () => {});
  if (check !== written.sha256)
    throw new Error(`checksum mismatch after copying (read ${written.sha256}, stored ${check})`);
  const after = await target.stat(o.key);
  return {
    copied: true,
    entry: { k: o.key, n: written.bytes, h: check, s: sourceTime, t: after ? time(after) : null },
  };
}

const time = (s: { modified: Date | null }) => s.modified?.getTime() ?? null;

async function journaled(
  entry: JournalEntry | undefined,
  size: number,
  source: MediaStore,
  key: string,
  targetModified: Date | null,
): Promise<boolean> {
  if (!entry || entry.n !== size || entry.t !== (targetModified?.getTime() ?? null)) return false;
  const from = await source.stat(key);
  return from !== null && entry.s === (from.modified?.getTime() ?? null);
}

async function countingStream(store: MediaStore, key: string, moved: (bytes: number) => void) {
  const stream = await store.createReadStream(key);
  return stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        moved(chunk.length);
        done(null, chunk);
      },
    }),
  );
}

async function sha256Of(store: MediaStore, key: string, moved: (bytes: number) => void): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(await store.createReadStream(key), async (chunks: AsyncIterable<Buffer>) => {
    for await (const c of chunks) {
      hash.update(c);
      moved(c.length);
    }
  });
  return hash.digest("hex");
}

/** Runs `fn` over `items` with at most `limit` at once; stops taking new ones once aborted. */
async function forEachLimited<T>(
  items: T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
}

async function loadJournal(file: string): Promise<Map<string, JournalEntry>> {
  const out = new Map<string, JournalEntry>();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw err;
  }
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as JournalEntry;
      if (typeof e.k === "string") out.set(e.k, e);
    } catch {
      // the last line of a run that was killed mid-write
    }
  }
  return out;
}

async function openJournal(file: string) {
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, "a+");
  // A run killed mid-line left no newline: end that line, so the next entry is not glued to it.
  const { size } = await fh.stat();
  if (size > 0) {
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await fh.write("\n");
  }
  return {
    append: async (e: JournalEntry) => {
      await fh.write(`${JSON.stringify(e)}\n`);
    },
    close: () => fh.close(),
  };
}
