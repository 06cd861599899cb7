import { badRequest } from "../access/errors.ts";
import type { TCallTypeImportError } from "./species.schemas.ts";
import { ZCallTypeLongName, ZCallTypeShortName } from "./species.schemas.ts";

export interface ParsedCallType {
  line: number;
  shortName: string;
  longName: string;
}

/**
 * Parses a call-type list: one `short,long` or `short|long` per line (the first separator
 * splits, so long names may contain commas), a bare `short` allowed, blank lines and `#`
 * comments ignored. Collects every problem with its 1-based line number rather than stopping at
 * the first, so a user can fix the file in one go.
 */
export function parseCallTypeFile(text: string): {
  callTypes: ParsedCallType[];
  errors: TCallTypeImportError[];
} {
  const callTypes: ParsedCallType[] = [];
  const errors: TCallTypeImportError[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const sep = trimmed.search(/[,|]/);
    const short = (sep === -1 ? trimmed : trimmed.slice(0, sep)).trim();
    const long = sep === -1 ? "" : trimmed.slice(sep + 1).trim();
    const s = ZCallTypeShortName.safeParse(short);
    if (!s.success) {
      errors.push({ line, message: s.error.issues[0]?.message ?? "Invalid short name" });
      continue;
    }
    const l = ZCallTypeLongName.safeParse(long);
    if (!l.success) {
      errors.push({ line, message: l.error.issues[0]?.message ?? "Invalid long name" });
      continue;
    }
    const key = s.data.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line, message: `Duplicate short name "${s.data}" (first on line ${first})` });
      continue;
    }
    seen.set(key, line);
    callTypes.push({ line, shortName: s.data, longName: l.data });
  }
  if (errors.length === 0 && callTypes.length === 0)
    errors.push({ line: 0, message: "The file contains no call types" });
  return { callTypes, errors };
}

export function parseCallTypeFileOrThrow(text: string): ParsedCallType[] {
  const { callTypes, errors } = parseCallTypeFile(text);
  if (errors.length > 0) {
    const shown = errors
      .slice(0, 10)
      .map((e) => (e.line > 0 ? `Line ${e.line}: ${e.message}` : e.message))
      .join("; ");
    const more = errors.length > 10 ? ` (and ${errors.length - 10} more)` : "";
    throw badRequest(`${shown}${more}`, errors);
  }
  return callTypes;
}
