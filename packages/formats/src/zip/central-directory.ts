import type yauzl from "yauzl";
import { ZipLimitError, ZipOverlapError } from "./errors.ts";
import type { ZipLimits } from "./limits.ts";
import { decodeEntryName } from "./names.ts";

/** Fixed part of a local file header; the name and extra field that follow only add to it. */
const LOCAL_HEADER_BYTES = 30;

export interface CentralDirectory {
  entries: yauzl.Entry[];
  /** sum of every record's declared uncompressed size (directories and junk included) */
  declaredUncompressedBytes: number;
}

/**
 * Reads every central-directory record before any entry is inflated, so archive-wide problems
 * (too many entries, too many declared bytes, overlapping data) refuse the archive with nothing
 * written. Reading records only touches the directory at the end of the file.
 */
export async function readCentralDirectory(
  zip: yauzl.ZipFile,
  limits: ZipLimits,
  next: (zip: yauzl.ZipFile) => Promise<yauzl.Entry | null>,
): Promise<CentralDirectory> {
  if (zip.entryCount > limits.maxEntries) {
    throw new ZipLimitError(
      "entryCount",
      `the archive has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`,
      limits.maxEntries,
      zip.entryCount,
    );
  }
  const entries: yauzl.Entry[] = [];
  let declared = 0;
  for (let raw = await next(zip); raw; raw = await next(zip)) {
    entries.push(raw);
    declared += raw.uncompressedSize;
    if (declared > limits.maxTotalUncompressedBytes) {
      throw new ZipLimitError(
        "totalUncompressedBytes",
        `the archive declares more than ${limits.maxTotalUncompressedBytes} uncompressed bytes`,
        limits.maxTotalUncompressedBytes,
        declared,
      );
    }
  }
  assertNoOverlap(entries);
  return { entries, declaredUncompressedBytes: declared };
}

/**
 * Each entry owns at least [local header offset, + 30 + compressed size): the local header's name
 * and extra field and a data descriptor only make it longer, so any two records whose lower-bound
 * ranges intersect cannot both be genuine.
 */
export function assertNoOverlap(entries: readonly yauzl.Entry[]): void {
  const ranges = entries
    .map((e) => ({
      entry: e,
      start: e.relativeOffsetOfLocalHeader,
      end: e.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + e.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const cur = ranges[i];
    if (prev && cur && cur.start < prev.end)
      throw new ZipOverlapError(decodeEntryName(prev.entry), decodeEntryName(cur.entry));
  }
}
