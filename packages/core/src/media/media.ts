// Where files live under MEDIA_ROOT. The database stores paths relative to MEDIA_ROOT, so the
// media folder can move; every read goes through resolveStoredPath, so a tampered or buggy DB
// value can never reach outside it.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Folder of one recording, relative to MEDIA_ROOT (posix separators, as stored in the DB). */
export function recordingDir(groupId: string, recordingId: string): string {
  return path.posix.join(safeSegment(groupId), "recordings", safeSegment(recordingId));
}

/**
 * Temp space for uploads in the store's staging folder: on the media disk for local media (so
 * imports are renames), a scratch folder on this host for S3.
 */
export function uploadsDir(media: { stagingDir: string }, kind: "tmp" | "tus" | "zip"): string {
  return path.join(media.stagingDir, kind);
}

function safeSegment(s: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new Error(`Unsafe path segment: ${JSON.stringify(s)}`);
  return s;
}

/**
 * A file name that is safe on every filesystem we care about: no separators, control characters
 * or leading dots, at most 120 bytes, keeping the extension. Researchers' names stay readable.
 */
export function safeFileName(original: string, fallback = "recording.wav"): string {
  const base = original.replace(/\\/g, "/").split("/").pop() ?? "";
  let name = base
    .normalize("NFC")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "");
  if (!name) name = fallback;
  const ext = path.extname(name).slice(0, 10);
  let stem = name.slice(0, name.length - path.extname(name).length);
  while (Buffer.byteLength(stem + ext) > 120) stem = stem.slice(0, -1);
  return (stem || "file") + ext;
}

/** Absolute path of a DB-relative media path; throws on anything that escapes MEDIA_ROOT. */
export function resolveStoredPath(mediaRoot: string, relative: string): string {
  if (!relative || path.isAbsolute(relative) || relative.includes("\0"))
    throw new Error(`Invalid media path: ${JSON.stringify(relative)}`);
  const root = path.resolve(mediaRoot);
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep))
    throw new Error(`Media path escapes MEDIA_ROOT: ${JSON.stringify(relative)}`);
  return full;
}

/** Moves a file into MEDIA_ROOT at `relative` by rename (same filesystem), creating folders. */
export async function moveIntoMedia(mediaRoot: string, from: string, relative: string): Promise<string> {
  const dest = resolveStoredPath(mediaRoot, relative);
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await rename(from, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    // Temp dir on another filesystem (unusual config): copy through a temp sibling, then rename.
    const { createReadStream } = await import("node:fs");
    const tmp = `${dest}.${randomUUID()}.part`;
    try {
      await pipeline(createReadStream(from), createWriteStream(tmp, { flags: "wx" }));
      await rename(tmp, dest);
      await rm(from, { force: true });
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
  return dest;
}

/** Removes a recording's folder (and anything in it). Missing is fine. */
export async function removeMediaDir(mediaRoot: string, relativeDir: string): Promise<void> {
  await rm(resolveStoredPath(mediaRoot, relativeDir), { recursive: true, force: true });
}

export async function fileSize(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

export interface StreamedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Streams `source` into a new temp file under `dir`, hashing on the way; the file is removed if
 * the stream fails. Memory stays at a few stream buffers whatever the size.
 */
export async function streamToTempFile(source: Readable, dir: string, suffix = ""): Promise<StreamedFile> {
  await mkdir(dir, { recursive: true });
  return streamToNewFile(source, path.join(dir, `${randomUUID()}${suffix}`));
}

/** Streams `source` into `file`, which must not exist yet; removed again if the stream fails. */
export async function streamToNewFile(source: Readable, file: string): Promise<StreamedFile> {
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, tap, createWriteStream(file, { flags: "wx" }));
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return { path: file, bytes, sha256: hash.digest("hex") };
}

/** SHA-256 of a file on disk, streamed. */
export async function sha256File(p: string): Promise<string> {
  const { createReadStream } = await import("node:fs");
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
