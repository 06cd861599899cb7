import yauzl from "yauzl";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The entry's name as its author saw it. Follows the spec (UTF-8 flag, Info-ZIP
 * Unicode Path field, else CP437) except that unflagged names that are valid UTF-8
 * are read as UTF-8: macOS's Archive Utility writes them that way.
 */
export function decodeEntryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
  const unicodeExtra = entry.extraFields.some((f) => f.id === 0x7075);
  if (!flagged && !unicodeExtra && raw.some((b) => b >= 0x80)) {
    try {
      return utf8.decode(raw).replace(/\\/g, "/");
    } catch {
      // not UTF-8: CP437 as the spec says
    }
  }
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

export type NameCheck =
  | { ok: true; name: string; baseName: string; dirName: string; isDirectory: boolean }
  | { ok: false; reason: string };

/**
 * Accepts only names that stay inside the extraction folder. Backslashes count as
 * separators (Windows tools write them), so `a\..\..\x` is caught like `a/../../x`.
 */
export function checkEntryName(decoded: string): NameCheck {
  if (decoded.includes("\u0000")) return { ok: false, reason: "the name contains a NUL byte" };
  const name = decoded.replace(/\\/g, "/");
  if (/^[a-zA-Z]:/.test(name)) return { ok: false, reason: "absolute path with a drive letter (zip slip)" };
  if (name.startsWith("/")) return { ok: false, reason: "absolute path (zip slip)" };
  const parts = name.split("/");
  if (parts.includes(".."))
    return { ok: false, reason: "'..' in the path would write outside the target folder (zip slip)" };
  const segs = parts.filter((p) => p !== "" && p !== ".");
  if (segs.length === 0) return { ok: false, reason: "empty name" };
  if (segs.some((s) => Buffer.byteLength(s) > 255))
    return { ok: false, reason: "a path segment is longer than 255 bytes" };
  return {
    ok: true,
    name: segs.join("/"),
    baseName: segs[segs.length - 1] as string,
    dirName: segs.slice(0, -1).join("/"),
    isDirectory: name.endsWith("/"),
  };
}

/** Finder and Explorer droppings that are never user data. */
export function isJunk(name: string, baseName: string): boolean {
  const first = name.split("/")[0]?.toLowerCase();
  const base = baseName.toLowerCase();
  return (
    first === "__macosx" ||
    baseName.startsWith("._") ||
    base === ".ds_store" ||
    base === "thumbs.db" ||
    base === "desktop.ini"
  );
}
