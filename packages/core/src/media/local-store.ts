// The default media store: one folder (MEDIA_ROOT) on the local disk. Writes go to a temp
// sibling and are renamed into place, so a crash never leaves half a file under a real key.
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { moveIntoMedia, resolveStoredPath, streamToNewFile } from "./media.ts";
import {
  assertMediaKey,
  assertMediaPrefix,
  type ByteRange,
  type MediaObjectInfo,
  type MediaStore,
  type RandomAccessSource,
  type StoredObject,
} from "./store.ts";
import { removeStaleTemps, tempNameFor, writingTo } from "./temp-files.ts";

export class LocalMediaStore implements MediaStore {
  readonly kind = "local" as const;
  readonly location: string;
  readonly stagingDir: string;

  constructor(readonly root: string) {
    this.location = path.resolve(root);
    this.stagingDir = path.join(this.location, ".uploads");
  }

  private file(key: string): string {
    return resolveStoredPath(this.root, assertMediaKey(key));
  }

  async stat(key: string): Promise<MediaObjectInfo | null> {
    try {
      const s = await stat(this.file(key));
      return s.isFile() ? { size: s.size, modified: s.mtime } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    if (range && (range.start < 0 || range.end < range.start))
      throw new RangeError(`Invalid byte range ${range.start}-${range.end}`);
    // Opening first makes a missing file fail here (ENOENT), not later inside the stream.
    const fh = await open(this.file(key), "r");
    return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async openRandomAccess(key: string): Promise<RandomAccessSource> {
    return open(this.file(key), "r");
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const dest = this.file(key);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = tempNameFor(dest);
    try {
      await writeFile(tmp, data, { flag: "wx" });
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async writeStream(key: string, source: Readable): Promise<StoredObject> {
    // through withLocalOutput: a temp name the sweeper knows, so a write killed mid-stream goes next time
    const streamed = await this.withLocalOutput(key, (tmp) => streamToNewFile(source, tmp));
    return { bytes: streamed.bytes, sha256: streamed.sha256 };
  }

  async importFile(localPath: string, key: string): Promise<void> {
    await moveIntoMedia(this.root, localPath, assertMediaKey(key));
  }

  async withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    const file = this.file(key);
    await stat(file); // a missing object fails with ENOENT like the remote store
    return fn(file);
  }

  async withLocalOutput<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    const dest = this.file(key);
    await mkdir(path.dirname(dest), { recursive: true });
    return writingTo(dest, async () => {
      // Temps of an attempt that was killed (crash, OOM) go before this attempt writes.
      await removeStaleTemps(dest);
      const tmp = tempNameFor(dest);
      try {
        const result = await fn(tmp);
        await rename(tmp, dest);
        return result;
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = assertMediaPrefix(prefix);
    if (p === "") throw new Error("Refusing to delete the whole media store");
    await rm(resolveStoredPath(this.root, p), { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const p = assertMediaPrefix(prefix);
    const start = p === "" ? path.resolve(this.root) : resolveStoredPath(this.root, p);
    yield* walk(start, p);
  }

  localPath(key: string): string {
    return this.file(key);
  }
}

async function* walk(dir: string, keyPrefix: string): AsyncIterable<{ key: string; size: number }> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw err;
  }
  for (const e of entries) {
    // Upload staging and in-flight temp files are not media.
    if (e.name.startsWith(".") || e.name.endsWith(".part") || e.name.endsWith(".tmp")) continue;
    const key = keyPrefix ? `${keyPrefix}/${e.name}` : e.name;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(full, key);
    else if (e.isFile()) yield { key, size: (await stat(full)).size };
  }
}
