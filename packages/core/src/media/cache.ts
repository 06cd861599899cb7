// The local read-through cache of a remote media store, for tools that need a file path (h5wasm,
// Rscript). Several processes on one host may share the folder (API and workers all default to
// <DATA_DIR>/media-cache), so the disk is the only index:
//   objects/<sha256(key)>.<version hash><ext>   one file per object version: a changed object
//                                               gets a new name, so a stale copy is never served
//   tmp/<owner>.<hex>.part                      downloads in progress, renamed when complete
//   inuse/<owner>.<hex><ext>                    a hard link per use of an entry: the link count is
//                                               the refcount (eviction skips nlink > 1), and the
//                                               caller reads the link, which survives an eviction
//                                               racing with it from another process
// <owner> = host.pid.token; whatever a dead owner left in tmp/ and inuse/ is removed at start.
import { createHash, randomBytes } from "node:crypto";
import { chmod, link, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { mediaNotFound } from "./not-found.ts";

export interface CachedVersion {
  /** Anything that changes when the object does (the ETag). */
  version: string;
  size: number;
}

export interface CacheSource {
  /** The object's current version, or null when it does not exist. */
  head(key: string): Promise<CachedVersion | null>;
  /** Writes the whole object to `dest` (a new file) and says which version it wrote. */
  download(key: string, dest: string): Promise<CachedVersion>;
}

export interface MediaCacheOptions {
  dir: string;
  maxBytes: number;
  /**
   * How long a version learnt from the store is trusted before the next use asks again (one
   * HEAD). Writes through this process invalidate at once; other hosts' writes are seen after this.
   */
  revalidateMs?: number;
}

const HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, "-") || "host";
/** Tells this process from an earlier one that had the same pid (containers restart as pid 1). */
const TOKEN = randomBytes(4).toString("hex");
const OWNER = `${HOST}.${process.pid}.${TOKEN}`;
/** How this process signs its temp and in-use files (tests plant other owners' leftovers). */
export const CACHE_OWNER = { host: HOST, pid: process.pid, token: TOKEN } as const;
/** A download untouched this long belongs to nobody, even if its pid is alive (pid reuse). */
const ABANDONED_AFTER_MS = 15 * 60_000;
/** Eviction goes below the limit by this share, so it does not run again after every download. */
const EVICT_TO = 0.9;
const MAX_KNOWN_VERSIONS = 10_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export class MediaCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly revalidateMs: number;
  private readonly objectsDir: string;
  private readonly tmpDir: string;
  private readonly inuseDir: string;
  private ready: Promise<void> | undefined;
  /** Version of each key as last learnt from the store, and when. */
  private readonly known = new Map<string, { version: string; checkedAt: number }>();
  private readonly checking = new Map<string, Promise<string>>();
  private readonly downloading = new Map<string, Promise<{ entry: string; size: number }>>();
  /** Bytes in objects/ as last counted, plus what was added since. */
  private approxBytes = 0;
  private evicting: Promise<void> | undefined;

  constructor(
    private readonly source: CacheSource,
    options: MediaCacheOptions,
  ) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
    this.revalidateMs = options.revalidateMs ?? 5_000;
    this.objectsDir = path.join(this.dir, "objects");
    this.tmpDir = path.join(this.dir, "tmp");
    this.inuseDir = path.join(this.dir, "inuse");
  }

  /** Creates the folders and removes what dead processes left; runs once, on first use. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await Promise.all(
        [this.objectsDir, this.tmpDir, this.inuseDir].map((d) => mkdir(d, { recursive: true })),
      );
      await Promise.all([
        this.removeAbandoned(this.tmpDir, true),
        this.removeAbandoned(this.inuseDir, false),
      ]);
      await this.evict();
    })();
    return this.ready;
  }

  /**
   * Runs `fn` with a local path holding the current version of `key` (downloaded once, however
   * many callers ask at the same time). The path is read-only and valid until `fn` settles.
   */
  async use<T>(key: string, fn: (file: string) => Promise<T>): Promise<T> {
    await this.init();
    const handle = await this.acquire(key);
    try {
      return await fn(handle);
    } finally {
      await rm(handle, { force: true });
      // What had to stay while in use may go now.
      if (this.approxBytes > this.maxBytes) await this.evict();
    }
  }

  /** A fresh path under tmp/ (removed at start if its owner died); for outputs on their way up. */
  async tempPath(ext = ""): Promise<string> {
    await this.init();
    return path.join(this.tmpDir, `${OWNER}.${randomBytes(6).toString("hex")}.part${ext}`);
  }

  /**
   * Takes a local file that now holds `version` of `key` (just uploaded) as the cache entry,
   * saving the download the next reader would make. Removes the file when it cannot be kept.
   */
  async adopt(key: string, file: string, found: CachedVersion): Promise<void> {
    await this.init();
    this.forget(key);
    const entry = this.entryPath(key, found.version);
    try {
      await chmod(file, 0o444);
      await rename(file, entry);
      this.remember(key, found.version);
      await this.added(found.size);
    } catch {
      await rm(file, { force: true }); // another filesystem (EXDEV) or a vanished file: not worth a copy
    }
  }

  /** After a write or delete through this process: the next use asks the store again. */
  forget(key: string): void {
    const k = this.known.get(key);
    this.known.delete(key);
    // The replaced version is garbage unless someone is reading it right now.
    if (k) void this.dropEntry(this.entryPath(key, k.version));
  }

  /** Keys whose version this process knows, under a prefix (for deletePrefix). */
  knownKeys(prefix: string): string[] {
    return [...this.known.keys()].filter((k) => k === prefix || k.startsWith(`${prefix}/`));
  }

  /** Bytes the cache holds now (a directory scan). */
  async size(): Promise<number> {
    await this.init();
    return (await this.scan()).reduce((n, f) => n + f.size, 0);
  }

  private entryPath(key: string, version: string): string {
    const ext = path.posix.extname(key).slice(0, 16);
    return path.join(this.objectsDir, `${sha256(key)}.${sha256(version).slice(0, 24)}${ext}`);
  }

  private async acquire(key: string): Promise<string> {
    const handle = path.join(
      this.inuseDir,
      `${OWNER}.${randomBytes(6).toString("hex")}${path.posix.extname(key)}`,
    );
    let entry = this.entryPath(key, await this.version(key));
    let downloaded = 0;
    // A second pass follows an entry evicted by another process between its download and our
    // link; a third would mean a cache far too small for the work.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(entry, handle);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        ({ entry, size: downloaded } = await this.fetch(key, entry));
        continue;
      }
      const now = new Date();
      await utimes(entry, now, now).catch(() => {}); // LRU order: last use
      // Only now, with the new entry linked (in use), may eviction make room for it.
      if (downloaded > 0) await this.added(downloaded);
      return handle;
    }
    throw new Error(`Media object ${key} was evicted from the cache each time it was staged`);
  }

  /** The version to use: the one learnt recently, else a HEAD (one per key at a time). */
  private async version(key: string): Promise<string> {
    const k = this.known.get(key);
    if (k && Date.now() - k.checkedAt < this.revalidateMs) return k.version;
    let pending = this.checking.get(key);
    if (!pending) {
      pending = (async () => {
        const head = await this.source.head(key);
        if (!head) {
          this.forget(key);
          throw mediaNotFound(key);
        }
        if (k && k.version !== head.version) this.forget(key);
        this.remember(key, head.version);
        return head.version;
      })().finally(() => this.checking.delete(key));
      this.checking.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, version: string): void {
    this.known.delete(key);
    this.known.set(key, { version, checkedAt: Date.now() });
    if (this.known.size > MAX_KNOWN_VERSIONS) this.known.delete(this.known.keys().next().value as string);
  }

  /**
   * Downloads `key` to a temp name and renames it into place; one download per entry at a time.
   * Resolves to the entry written: another one when the object changed since the HEAD.
   */
  private fetch(key: string, entry: string): Promise<{ entry: string; size: number }> {
    let pending = this.downloading.get(entry);
    if (!pending) {
      pending = (async () => {
        const tmp = path.join(this.tmpDir, `${OWNER}.${randomBytes(6).toString("hex")}.part`);
        try {
          const got = await this.source.download(key, tmp);
          await chmod(tmp, 0o444); // readers get a link to it: make an accidental write fail
          const written = this.entryPath(key, got.version);
          await rename(tmp, written);
          this.remember(key, got.version);
          return { entry: written, size: got.size };
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      })().finally(() => this.downloading.delete(entry));
      this.downloading.set(entry, pending);
    }
    return pending;
  }

  private async added(bytes: number): Promise<void> {
    this.approxBytes += bytes;
    if (this.approxBytes > this.maxBytes) await this.evict();
  }

  private async scan(): Promise<{ file: string; size: number; mtimeMs: number; nlink: number }[]> {
    const names = await readdir(this.objectsDir).catch(() => [] as string[]);
    const files = await Promise.all(
      names.map(async (name) => {
        const file = path.join(this.objectsDir, name);
        const s = await stat(file).catch(() => null);
        return s?.isFile() ? { file, size: s.size, mtimeMs: s.mtimeMs, nlink: s.nlink } : null;
      }),
    );
    return files.filter((f) => f !== null);
  }

  /** Least recently used first, down to 90 % of the limit; entries with a reader stay. */
  private evict(): Promise<void> {
    this.evicting ??= (async () => {
      const files = await this.scan();
      let total = files.reduce((n, f) => n + f.size, 0);
      if (total > this.maxBytes) {
        files.sort((a, b) => a.mtimeMs - b.mtimeMs);
        for (const f of files) {
          if (total <= this.maxBytes * EVICT_TO) break;
          if (f.nlink > 1) continue;
          await rm(f.file, { force: true });
          total -= f.size;
        }
      }
      this.approxBytes = total;
    })().finally(() => {
      this.evicting = undefined;
    });
    return this.evicting;
  }

  private async dropEntry(entry: string): Promise<void> {
    const s = await stat(entry).catch(() => null);
    if (s && s.nlink === 1) await rm(entry, { force: true });
  }

  /** Files of dead owners (or of an earlier process with our pid); old downloads of anyone. */
  private async removeAbandoned(dir: string, downloads: boolean): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const [host, pidText, token] = name.split(".");
      const pid = Number(pidText);
      let stale: boolean;
      if (host !== HOST || !Number.isInteger(pid))
        stale = false; // another host's, if ever shared
      else if (pid === process.pid) stale = token !== TOKEN;
      else if (!pidAlive(pid)) stale = true;
      else if (downloads) {
        const s = await stat(path.join(dir, name)).catch(() => null);
        stale = s !== null && Date.now() - s.mtimeMs > ABANDONED_AFTER_MS;
      } else stale = false;
      if (stale) await rm(path.join(dir, name), { force: true });
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
