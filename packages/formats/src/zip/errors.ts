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
