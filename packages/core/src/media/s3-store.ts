// Media in an S3 bucket (AWS, MinIO, Ceph, Garage): keys are the DB's relative paths under
// MEDIA_S3_PREFIX. Reads stream byte ranges straight from S3; only tools that need a path get a
// staged copy, from the local read-through cache (cache.ts). Every write is a single PUT or a
// multipart upload completed at the end, so readers see the old object or the new one.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  createS3Client,
  headObject,
  isS3NotFound,
  listObjectPages,
  type S3StoreConfig,
  uploadStream,
} from "../s3/client.ts";
import { type CachedVersion, MediaCache } from "./cache.ts";
import { mediaNotFound } from "./not-found.ts";
import {
  assertMediaKey,
  assertMediaPrefix,
  type ByteRange,
  type MediaObjectInfo,
  type MediaStore,
  type RandomAccessSource,
  type StoredObject,
} from "./store.ts";

export interface S3MediaStoreOptions {
  s3: S3StoreConfig;
  /** MEDIA_CACHE_DIR: staged copies for withLocalFile, temp outputs, the staging folder. */
  cacheDir: string;
  /** MEDIA_CACHE_MAX_MB in bytes. */
  cacheMaxBytes: number;
  /** Default: a client for `s3`. */
  client?: S3Client;
  /** How long a staged copy is trusted before a HEAD checks that the object did not change. */
  revalidateMs?: number;
  /** openRandomAccess: block size of its ranged reads, and how many blocks each handle keeps. */
  blockSize?: number;
  cachedBlocks?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  ".wav": "audio/wav",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".h5": "application/x-hdf5",
  ".csv": "text/csv",
  ".json": "application/json",
  ".zip": "application/zip",
};
const contentType = (key: string) =>
  CONTENT_TYPES[path.posix.extname(key).toLowerCase()] ?? "application/octet-stream";

/** ETag names a version; a server without ETags still changes size or time with the content. */
const versionOf = (o: { ETag?: string; ContentLength?: number; LastModified?: Date }) =>
  o.ETag ?? `${o.ContentLength ?? 0}@${o.LastModified?.toISOString() ?? ""}`;

export class S3MediaStore implements MediaStore {
  readonly kind = "s3" as const;
  readonly location: string;
  readonly stagingDir: string;
  readonly client: S3Client;
  readonly cache: MediaCache;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly blockSize: number;
  private readonly cachedBlocks: number;

  constructor(options: S3MediaStoreOptions) {
    this.bucket = options.s3.bucket;
    this.prefix = options.s3.prefix;
    this.location = `s3://${this.bucket}/${this.prefix}`;
    this.client = options.client ?? createS3Client(options.s3);
    this.stagingDir = path.join(path.resolve(options.cacheDir), "staging");
    this.blockSize = options.blockSize ?? 256 * 1024;
    this.cachedBlocks = options.cachedBlocks ?? 16;
    this.cache = new MediaCache(
      {
        head: async (key) => {
          const h = await headObject(this.client, this.bucket, this.objectKey(key));
          return h ? { version: versionOf(h), size: h.ContentLength ?? 0 } : null;
        },
        download: (key, dest) => this.download(key, dest),
      },
      { dir: options.cacheDir, maxBytes: options.cacheMaxBytes, revalidateMs: options.revalidateMs },
    );
  }

  /** The bucket key of a media key. */
  objectKey(key: string): string {
    return this.prefix + assertMediaKey(key);
  }

  async stat(key: string): Promise<MediaObjectInfo | null> {
    const h = await headObject(this.client, this.bucket, this.objectKey(key));
    return h ? { size: h.ContentLength ?? 0, modified: h.LastModified ?? null } : null;
  }

  async read(key: string): Promise<Buffer> {
    const r = await this.get(key);
    return buffer(r.Body as Readable);
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    if (!range) return (await this.get(key)).Body as Readable;
    checkRange(range);
    let r: GetObjectCommandOutput;
    try {
      r = await this.get(key, range);
    } catch (err) {
      // A start past the end: fs gives an empty stream, so this store does too.
      if ((err as { name?: string }).name === "InvalidRange") return Readable.from([]);
      throw err;
    }
    return exactRange(r.Body as Readable, range, r.ContentRange);
  }

  async openRandomAccess(key: string): Promise<RandomAccessSource> {
    const h = await headObject(this.client, this.bucket, this.objectKey(key));
    if (!h) throw mediaNotFound(key);
    return new S3RandomAccess(
      this,
      key,
      h.ContentLength ?? 0,
      versionOf(h),
      this.blockSize,
      this.cachedBlocks,
    );
  }

  async write(key: string, data: Uint8Array | string): Promise<void> {
    const body = typeof data === "string" ? Buffer.from(data) : data;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.length,
        ContentType: contentType(key),
      }),
    );
    this.cache.forget(key);
  }

  async writeStream(key: string, source: Readable): Promise<StoredObject> {
    const hash = createHash("sha256");
    async function* hashed() {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk as Buffer;
      }
    }
    try {
      const { size } = await uploadStream(
        this.client,
        { bucket: this.bucket, key: this.objectKey(key), contentType: contentType(key) },
        hashed(),
      );
      return { bytes: size, sha256: hash.digest("hex") };
    } catch (err) {
      source.destroy();
      throw err;
    } finally {
      this.cache.forget(key);
    }
  }

  async importFile(localPath: string, key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    const { size, etag } = await uploadStream(
      this.client,
      { bucket: this.bucket, key: objectKey, contentType: contentType(key) },
      createReadStream(localPath),
    );
    // The uploaded file is the next reader's staged copy; the ETag names its version.
    if (etag) await this.cache.adopt(key, localPath, { version: etag, size });
    else {
      this.cache.forget(key);
      await rm(localPath, { force: true });
    }
  }

  async withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    assertMediaKey(key);
    return this.cache.use(key, fn);
  }

  async withLocalOutput<T>(key: string, fn: (path: string) => Promise<T>): Promise<T> {
    assertMediaKey(key);
    const tmp = await this.cache.tempPath(path.posix.extname(key));
    try {
      const result = await fn(tmp);
      await this.importFile(tmp, key);
      return result;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    this.cache.forget(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = assertMediaPrefix(prefix);
    if (p === "") throw new Error("Refusing to delete the whole media store");
    // Like rm -r on the local store: the folder's objects, and an object named exactly so.
    for await (const page of listObjectPages(this.client, this.bucket, `${this.prefix}${p}/`))
      if (page.length > 0) await this.deleteMany(page.map((o) => o.key));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${p}` }));
    for (const key of this.cache.knownKeys(p)) this.cache.forget(key);
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const p = assertMediaPrefix(prefix);
    for await (const page of listObjectPages(
      this.client,
      this.bucket,
      p ? `${this.prefix}${p}/` : this.prefix,
    ))
      for (const o of page) {
        const key = o.key.slice(this.prefix.length);
        // "folder/" markers made by consoles and foreign junk are not media.
        if (isMediaKey(key)) yield { key, size: o.size };
      }
  }

  /** Bucket keys in one DeleteObjects request (≤ 1000, one list page). */
  private async deleteMany(keys: string[]): Promise<void> {
    let failed: { Key?: string; Code?: string }[];
    try {
      const r = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      failed = r.Errors ?? [];
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) throw err;
      // Some S3-compatible servers lack multi-object delete or fail it under load (s3rver races
      // on its folder clean-up); single deletes, one at a time, work everywhere.
      for (const Key of keys) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
      return;
    }
    if (failed.length > 0)
      throw new Error(`Could not delete ${failed.length} object(s): ${failed[0]?.Key} (${failed[0]?.Code})`);
  }

  localPath(): null {
    return null;
  }

  /** GetObject of the whole object or an inclusive range; ENOENT when missing. */
  async get(key: string, range?: ByteRange): Promise<GetObjectCommandOutput> {
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!r.Body) throw new Error(`S3 returned no body for ${key}`);
      return r;
    } catch (err) {
      if (isS3NotFound(err)) throw mediaNotFound(key);
      throw err;
    }
  }

  private async download(key: string, dest: string): Promise<CachedVersion> {
    const r = await this.get(key);
    await pipeline(r.Body as Readable, createWriteStream(dest, { flags: "wx" }));
    const bytes = (await stat(dest)).size;
    if (r.ContentLength !== undefined && bytes !== r.ContentLength)
      throw new Error(`Download of ${key} ended after ${bytes} of ${r.ContentLength} bytes`);
    return { version: versionOf(r), size: bytes };
  }
}

function isMediaKey(key: string): boolean {
  try {
    assertMediaKey(key);
    return true;
  } catch {
    return false;
  }
}

function checkRange(range: ByteRange): void {
  if (
    !Number.isSafeInteger(range.start) ||
    !Number.isSafeInteger(range.end) ||
    range.start < 0 ||
    range.end < range.start
  )
    throw new RangeError(`Invalid byte range ${range.start}-${range.end}`);
}

/**
 * The body of a ranged GET, cut to exactly the bytes asked for. Some servers answer a range with
 * more (s3rver returns the rest of the object for "bytes=0-0") or ignore it (200, whole object).
 */
function exactRange(body: Readable, range: ByteRange, contentRange: string | undefined): Readable {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? "");
  const servedStart = m ? Number(m[1]) : 0;
  const servedEnd = m ? Number(m[2]) : Number.POSITIVE_INFINITY;
  const size = m && m[3] !== "*" ? Number(m[3]) : Number.POSITIVE_INFINITY;
  const wantedEnd = Math.min(range.end, size - 1);
  if (servedStart === range.start && servedEnd === wantedEnd) return body;
  let skip = range.start - servedStart;
  let left = wantedEnd - range.start + 1;
  async function* cut() {
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        let c = chunk;
        if (skip > 0) {
          const n = Math.min(skip, c.length);
          c = c.subarray(n);
          skip -= n;
        }
        if (c.length === 0) continue;
        if (c.length >= left) {
          yield c.subarray(0, left);
          left = 0;
          return;
        }
        left -= c.length;
        yield c;
      }
    } finally {
      body.destroy(); // stop downloading what nobody wants
    }
  }
  return Readable.from(cut(), { objectMode: false });
}

/**
 * Positional reads of one S3 object through ranged GETs of aligned blocks. The WAV and HDF5
 * readers ask for many small pieces near each other (a header walk, then a window), so a few
 * recent blocks are kept; a read over many missing blocks is one GET.
 */
class S3RandomAccess implements RandomAccessSource {
  private readonly blocks = new Map<number, Promise<Buffer>>();
  /** GETs made: for tests and benchmarks of the request count. */
  requests = 0;

  constructor(
    private readonly store: S3MediaStore,
    private readonly key: string,
    private readonly size: number,
    private readonly version: string,
    private readonly blockSize: number,
    private readonly maxBlocks: number,
  ) {}

  async stat(): Promise<{ size: number }> {
    return { size: this.size };
  }

  async close(): Promise<void> {
    this.blocks.clear();
  }

  async read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }> {
    const end = Math.min(position + length, this.size);
    if (end <= position) return { bytesRead: 0 };
    const B = this.blockSize;
    const first = Math.floor(position / B);
    const last = Math.floor((end - 1) / B);
    const parts: Promise<Buffer>[] = [];
    for (let b = first; b <= last; ) {
      const hit = this.blocks.get(b);
      if (hit) {
        this.blocks.delete(b); // LRU: re-inserted as the newest
        this.blocks.set(b, hit);
        parts.push(hit);
        b++;
        continue;
      }
      const a = b;
      let z = a;
      while (z < last && !this.blocks.has(z + 1)) z++;
      const run = this.fetch(a * B, Math.min((z + 1) * B, this.size) - 1);
      for (let i = a; i <= z; i++) {
        const part = run.then((buf) => buf.subarray((i - a) * B, (i - a + 1) * B));
        parts.push(part);
        // Keep the run's ends (where the next read most likely lands) as copies, so a cached
        // block never pins a large run in memory.
        if (i === a || i === z)
          this.remember(
            i,
            part.then((p) => Buffer.from(p)),
          );
      }
      b = z + 1;
    }
    const got = await Promise.all(parts);
    let written = 0;
    for (let i = 0; i < got.length; i++) {
      const blockStart = (first + i) * B;
      const from = Math.max(position, blockStart) - blockStart;
      const to = Math.min(end, blockStart + B) - blockStart;
      buffer.set((got[i] as Buffer).subarray(from, to), offset + written);
      written += to - from;
    }
    return { bytesRead: written };
  }

  private remember(block: number, data: Promise<Buffer>): void {
    this.blocks.set(block, data);
    data.catch(() => this.blocks.delete(block));
    while (this.blocks.size > this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value as number);
  }

  private async fetch(start: number, end: number): Promise<Buffer> {
    this.requests++;
    const r = await this.store.get(this.key, { start, end });
    // Blocks of two versions must never mix: a replaced object fails the read instead.
    if (r.ETag !== undefined && r.ETag !== this.version)
      throw Object.assign(new Error(`Media object ${this.key} changed while it was being read`), {
        code: "ESTALE",
      });
    const data = await buffer(exactRange(r.Body as Readable, { start, end }, r.ContentRange));
    if (data.length !== end - start + 1)
      throw new Error(`Ranged read of ${this.key} returned ${data.length} of ${end - start + 1} bytes`);
    return data;
  }
}
