/**
 * Streaming, defensive ZIP reading for batch uploads, on top of yauzl (random access
 * to the file, one entry at a time): the archive is never unpacked whole, in memory
 * or on disk.
 *
 * Iteration yields every file entry, either usable (`ok: true`) or rejected with a
 * typed per-entry error, so one bad entry never sinks the rest. Archive-wide
 * problems (too many entries, total size, unreadable archive) end the iteration by
 * throwing.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { readCentralDirectory } from "./central-directory.ts";
import { ZipEntryNameError, ZipFormatError, ZipLimitError, ZipUnsupportedEntryError } from "./errors.ts";
import { type ArchiveBudget, DEFAULT_ZIP_LIMITS, LimitedEntryStream, type ZipLimits } from "./limits.ts";
import { checkEntryName, decodeEntryName, isJunk } from "./names.ts";

export interface ZipFileEntry {
  ok: true;
  /** normalised relative path with `/` separators; safe to join onto a target folder */
  name: string;
  baseName: string;
  /** "" at the archive root */
  dirName: string;
  /** as declared by the header; reading enforces it */
  uncompressedSize: number;
  compressedSize: number;
  lastModified: Date;
  /** Inflated bytes, failing with ZipLimitError as soon as a limit is crossed. Read before advancing the iterator. */
  openReadStream(): Promise<Readable>;
  /** Streams the entry to `dest` through a temporary sibling file renamed at the end; nothing is left behind on failure. */
  extractTo(dest: string): Promise<{ bytes: number }>;
}

export interface ZipRejectedEntry {
  ok: false;
  /** the name as decoded, before any normalisation */
  name: string;
  error: ZipEntryNameError | ZipLimitError | ZipUnsupportedEntryError;
}

export type ZipEntry = ZipFileEntry | ZipRejectedEntry;

export interface ZipSummary {
  /** central-directory records, directories and junk included */
  entryCount: number;
  /** what the archive claims it unpacks to; reading never writes more (see LimitedEntryStream) */
  declaredUncompressedBytes: number;
}

/**
 * Checks an archive without inflating anything: readable, within the entry-count and total-size
 * limits, no overlapping entries. Throws like iteration would; use it to refuse an upload up front.
 */
export async function inspectZip(zipPath: string, limits: Partial<ZipLimits> = {}): Promise<ZipSummary> {
  const zip = await openYauzl(zipPath);
  try {
    const dir = await readCentralDirectory(zip, { ...DEFAULT_ZIP_LIMITS, ...limits }, nextEntry);
    return { entryCount: dir.entries.length, declaredUncompressedBytes: dir.declaredUncompressedBytes };
  } finally {
    zip.close();
  }
}

export function openZip(zipPath: string, limits: Partial<ZipLimits> = {}): ZipReader {
  return new ZipReader(zipPath, { ...DEFAULT_ZIP_LIMITS, ...limits });
}

export class ZipReader implements AsyncIterable<ZipEntry> {
  /** directories and OS junk (`__MACOSX/`, `._*`, `.DS_Store`…) passed over silently */
  readonly skipped: string[] = [];
  private started = false;
  private readonly budget: ArchiveBudget;

  constructor(
    readonly zipPath: string,
    readonly limits: ZipLimits,
  ) {
    this.budget = { limits, inflatedTotal: 0, failure: null };
  }

  [Symbol.asyncIterator](): AsyncIterator<ZipEntry> {
    if (this.started) throw new Error("a ZipReader can be iterated only once");
    this.started = true;
    return this.entries();
  }

  private async *entries(): AsyncGenerator<ZipEntry> {
    const zip = await openYauzl(this.zipPath);
    try {
      const { entries } = await readCentralDirectory(zip, this.limits, nextEntry);
      const seen = new Set<string>();
      for (const raw of entries) {
        if (this.budget.failure) throw this.budget.failure;
        const entry = this.classify(zip, raw, seen);
        if (entry) yield entry;
      }
      if (this.budget.failure) throw this.budget.failure;
    } finally {
      // yauzl keeps the file open until streams still reading have finished
      zip.close();
    }
  }

  private classify(zip: yauzl.ZipFile, raw: yauzl.Entry, seen: Set<string>): ZipEntry | null {
    const decoded = decodeEntryName(raw);
    const checked = checkEntryName(decoded);
    if (!checked.ok)
      return { ok: false, name: decoded, error: new ZipEntryNameError(decoded, checked.reason) };
    const { name, baseName, dirName } = checked;
    if (checked.isDirectory || isJunk(name, baseName)) {
      this.skipped.push(decoded);
      return null;
    }
    const reject = (error: ZipRejectedEntry["error"]): ZipRejectedEntry => ({
      ok: false,
      name: decoded,
      error,
    });
    if (seen.has(name)) return reject(new ZipEntryNameError(decoded, `a second entry named ${name}`));
    seen.add(name);

    const unixType = raw.versionMadeBy >> 8 === 3 ? (raw.externalFileAttributes >>> 16) & 0o170000 : 0;
    if (unixType === 0o120000)
      return reject(new ZipUnsupportedEntryError(name, "symbolic links are not accepted"));
    if (raw.isEncrypted())
      return reject(new ZipUnsupportedEntryError(name, "encrypted entries are not supported"));
    if (raw.compressionMethod !== 0 && raw.compressionMethod !== 8) {
      return reject(
        new ZipUnsupportedEntryError(
          name,
          `compression method ${raw.compressionMethod} is not supported (only stored and deflated)`,
        ),
      );
    }
    const { limits } = this;
    if (raw.uncompressedSize > limits.maxEntryUncompressedBytes) {
      return reject(
        new ZipLimitError(
          "entryUncompressedBytes",
          `declares ${raw.uncompressedSize} bytes; the per-entry limit is ${limits.maxEntryUncompressedBytes}`,
          limits.maxEntryUncompressedBytes,
          raw.uncompressedSize,
          name,
        ),
      );
    }
    const ratio = raw.uncompressedSize / Math.max(raw.compressedSize, 1);
    if (raw.uncompressedSize > limits.ratioGraceBytes && ratio > limits.maxCompressionRatio) {
      return reject(
        new ZipLimitError(
          "compressionRatio",
          `declares a compression ratio of ${ratio.toFixed(0)}:1; the limit is ${limits.maxCompressionRatio}:1`,
          limits.maxCompressionRatio,
          ratio,
          name,
        ),
      );
    }

    const sizes = { name, compressedSize: raw.compressedSize, uncompressedSize: raw.uncompressedSize };
    const openReadStream = async (): Promise<Readable> => {
      if (this.budget.failure) throw this.budget.failure;
      const source = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(raw, (err, s) =>
          err ? reject(new ZipFormatError(`${name}: ${err.message}`)) : resolve(s),
        ),
      );
      const limited = new LimitedEntryStream(sizes, this.budget);
      // Errors on either side tear down both: a limit hit stops the inflater.
      source.on("error", (e) =>
        limited.destroy(e instanceof ZipFormatError ? e : new ZipFormatError(`${name}: ${e.message}`)),
      );
      limited.on("close", () => source.destroy());
      source.pipe(limited);
      return limited;
    };
    return {
      ok: true,
      name,
      baseName,
      dirName,
      uncompressedSize: raw.uncompressedSize,
      compressedSize: raw.compressedSize,
      lastModified: raw.getLastModDate(),
      openReadStream,
      extractTo: async (dest) => {
        await mkdir(path.dirname(dest), { recursive: true });
        const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomUUID()}.part`);
        let bytes = 0;
        try {
          await pipeline(await openReadStream(), createWriteStream(tmp, { flags: "wx" }));
          bytes = (await stat(tmp)).size;
          await rename(tmp, dest);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        return { bytes };
      },
    };
  }
}

function openYauzl(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      zipPath,
      // decodeStrings off: yauzl would abort the whole archive on one bad name; we reject per entry.
      // validateEntrySizes off: LimitedEntryStream does the same check and reports it as a limit.
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false },
      (err, zip) =>
        err || !zip
          ? reject(new ZipFormatError(`not a readable ZIP archive: ${err?.message}`))
          : resolve(zip),
    ),
  );
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (e: yauzl.Entry) => {
      cleanup();
      resolve(e);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new ZipFormatError(`corrupt ZIP archive: ${e.message}`));
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}
