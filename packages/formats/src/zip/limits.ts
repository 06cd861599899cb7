import { Transform, type TransformCallback } from "node:stream";
import { ZipFormatError, ZipLimitError } from "./errors.ts";

export interface ZipLimits {
  /** central directory records, junk and directories included */
  maxEntries: number;
  /** across the archive: declared sizes are checked up front, inflated bytes while reading */
  maxTotalUncompressedBytes: number;
  maxEntryUncompressedBytes: number;
  /** uncompressed / compressed; WAV audio rarely deflates better than 3:1 */
  maxCompressionRatio: number;
  /** below this many bytes the ratio is not enforced: a short file of silence compresses very well */
  ratioGraceBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalUncompressedBytes: 64 * 1024 ** 3,
  maxEntryUncompressedBytes: 4 * 1024 ** 3,
  maxCompressionRatio: 100,
  ratioGraceBytes: 1024 ** 2,
};

/** State shared by every entry stream of one archive. */
export interface ArchiveBudget {
  limits: ZipLimits;
  inflatedTotal: number;
  /** set once the archive-wide budget is blown; the iterator rethrows it */
  failure: ZipLimitError | null;
}

export interface EntrySizes {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/**
 * Counts the bytes that actually come out of the inflater and fails the stream the
 * moment a limit is crossed, whatever the headers claimed. Failing destroys the
 * pipeline, so the inflater stops after at most one more chunk.
 */
export class LimitedEntryStream extends Transform {
  private seen = 0;

  constructor(
    private readonly entry: EntrySizes,
    private readonly budget: ArchiveBudget,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    this.budget.inflatedTotal += chunk.length;
    const err = this.check();
    if (err) done(err);
    else done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.entry.uncompressedSize) {
      done(
        new ZipFormatError(
          `${this.entry.name}: inflated to ${this.seen} bytes, header says ${this.entry.uncompressedSize}`,
        ),
      );
    } else done();
  }

  private check(): Error | null {
    const { limits } = this.budget;
    const { name, compressedSize, uncompressedSize } = this.entry;
    if (this.seen > limits.maxEntryUncompressedBytes) {
      return new ZipLimitError(
        "entryUncompressedBytes",
        `inflates past the per-entry limit of ${limits.maxEntryUncompressedBytes} bytes`,
        limits.maxEntryUncompressedBytes,
        this.seen,
        name,
      );
    }
    if (this.budget.inflatedTotal > limits.maxTotalUncompressedBytes) {
      this.budget.failure ??= new ZipLimitError(
        "totalUncompressedBytes",
        `the archive inflates past the total limit of ${limits.maxTotalUncompressedBytes} bytes`,
        limits.maxTotalUncompressedBytes,
        this.budget.inflatedTotal,
        name,
      );
      return this.budget.failure;
    }
    if (this.seen > limits.ratioGraceBytes && this.seen > limits.maxCompressionRatio * compressedSize) {
      return new ZipLimitError(
        "compressionRatio",
        `compression ratio exceeds ${limits.maxCompressionRatio}:1 (${this.seen} bytes from ${compressedSize})`,
        limits.maxCompressionRatio,
        this.seen / Math.max(compressedSize, 1),
        name,
      );
    }
    if (this.seen > uncompressedSize) {
      return new ZipLimitError(
        "declaredSize",
        `inflates past its declared size of ${uncompressedSize} bytes (corrupt or malicious archive)`,
        uncompressedSize,
        this.seen,
        name,
      );
    }
    return null;
  }
}
