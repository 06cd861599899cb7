export type ZipLimitName =
  | "entryCount"
  | "totalUncompressedBytes"
  | "entryUncompressedBytes"
  | "compressionRatio"
  /** the entry inflated past the size its header declared: a corrupt or deliberately lying archive */
  | "declaredSize";

export class ZipError extends Error {
  override name = "ZipError";
}

/** The archive itself is unreadable (not a ZIP, truncated, corrupt central directory). */
export class ZipFormatError extends ZipError {
  override name = "ZipFormatError";
}

/** A limit was hit. `entryName` is set when one entry caused it; `actual` is what was seen so far. */
export class ZipLimitError extends ZipError {
  override name = "ZipLimitError";
  constructor(
    readonly limit: ZipLimitName,
    message: string,
    readonly max: number,
    readonly actual: number,
    readonly entryName?: string,
  ) {
    super(entryName ? `${entryName}: ${message}` : message);
  }
}

/** An entry name that could write outside the extraction folder, or is otherwise unusable. */
export class ZipEntryNameError extends ZipError {
  override name = "ZipEntryNameError";
  constructor(
    readonly entryName: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(entryName)}: ${reason}`);
  }
}

/** Encrypted, symlinked or compressed with a method other than store/deflate. */
export class ZipUnsupportedEntryError extends ZipError {
  override name = "ZipUnsupportedEntryError";
  constructor(
    readonly entryName: string,
    readonly reason: string,
  ) {
    super(`${entryName}: ${reason}`);
  }
}

/**
 * Two central-directory records whose data overlaps: a few KB of archive can then name one
 * large compressed stream many times and unpack to many times its size. Never made by a real tool.
 */
export class ZipOverlapError extends ZipFormatError {
  override name = "ZipOverlapError";
  constructor(
    readonly first: string,
    readonly second: string,
  ) {
    super(
      `entries ${JSON.stringify(first)} and ${JSON.stringify(second)} share the same bytes of the archive (overlapping entries); the archive is refused`,
    );
  }
}
