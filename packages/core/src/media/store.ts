// The one way to read and write media (recordings, spectrograms, images, models, exports).
// Keys are the DB-relative posix paths stored today ("<group>/recordings/<id>/audio.wav"), so a
// local installation and an S3 one hold the same keys and migrate-media only copies objects.
// Nothing outside a MediaStore backend touches MEDIA_ROOT or the bucket directly.
import type { Readable } from "node:stream";

export interface MediaObjectInfo {
  size: number;
  modified: Date | null;
}

/**
 * Positional reads of one object, the subset of fs.FileHandle the WAV and HDF5 readers use, so
 * a local file handle and an S3 object (ranged GETs) are interchangeable.
 */
export interface RandomAccessSource {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Inclusive byte range, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  bytes: number;
  sha256: string;
}

export interface MediaStore {
  readonly kind: "local" | "s3";
  /** Where the media live, for logs and the admin panel (a folder or s3://bucket/prefix). */
  readonly location: string;
  /**
   * A local folder for files on their way into the store (uploads being received, archives being
   * unpacked, outputs being written). For the local store it is on the media disk, so importing
   * is a rename; for a remote store it is a scratch folder on this host, never under MEDIA_ROOT.
   */
  readonly stagingDir: string;

  /** Size and time of an object, or null when it does not exist. */
  stat(key: string): Promise<MediaObjectInfo | null>;
  /** A whole object in memory: only for small objects (models, cards, images, small CSVs). */
  read(key: string): Promise<Buffer>;
  /** Streams an object or an inclusive byte range of it (Range playback, downloads). */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Positional reads without fetching the whole object (WAV headers and windows). */
  openRandomAccess(key: string): Promise<RandomAccessSource>;

  /** Writes a small object atomically: readers see the old object or the new one, never half. */
  write(key: string, data: Uint8Array | string): Promise<void>;
  /** Streams into an object atomically, hashing on the way; nothing is left behind on failure. */
  writeStream(key: string, source: Readable): Promise<StoredObject>;
  /**
   * Moves a finished local file into the store and removes the local copy (a rename when the
   * store is the same local disk, an upload otherwise).
   */
  importFile(localPath: string, key: string): Promise<void>;

  /**
   * Runs `fn` with a local path holding the object, for tools that only read files (h5wasm,
   * Rscript). Local: the file itself. Remote: a staged copy, removed when `fn` settles.
   */
  withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with a fresh local path to write the object to (HDF5 writer, R model), then stores
   * it under `key` atomically. If `fn` throws, nothing is stored and the local file is removed.
   */
  withLocalOutput<T>(key: string, fn: (path: string) => Promise<T>): Promise<T>;

  /** Removes one object; missing is fine. */
  delete(key: string): Promise<void>;
  /** Removes every object under a folder-like prefix ("<group>/recordings/<id>"); missing is fine. */
  deletePrefix(prefix: string): Promise<void>;
  /** Every object under a prefix ("" for all), in no particular order. */
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;

  /**
   * The local path of an object when the store is a local folder, else null. For callers that
   * can do better with a path (sendfile, disk checks); they must also work when it is null.
   */
  localPath(key: string): string | null;
}

/** Keys are relative posix paths without "..", empty or absolute parts (the DB stores them). */
export function assertMediaKey(key: string): string {
  if (
    !key ||
    key.includes("\0") ||
    key.includes("\\") ||
    key.startsWith("/") ||
    key.split("/").some((part) => part === "" || part === "." || part === "..")
  )
    throw new Error(`Invalid media key: ${JSON.stringify(key)}`);
  return key;
}

/** Prefixes are keys, or "" for the whole store. */
export function assertMediaPrefix(prefix: string): string {
  return prefix === "" ? prefix : assertMediaKey(prefix.replace(/\/+$/, ""));
}
