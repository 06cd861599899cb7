import { parseSegmentsCsv } from "./csv.ts";
import { parseSegmentPickle } from "./pickle.ts";
import { looksLikeRaven, parseRavenTable } from "./raven.ts";
import { decodeText } from "./text.ts";
import { type ParsedSegments, type Segment, SegmentFileError } from "./types.ts";

/** Segment files are small; anything bigger is a mistake (or an attack) and is refused before parsing. */
export const MAX_SEGMENT_FILE_BYTES = 32 * 1024 * 1024;

export const SEGMENT_FILE_EXTENSIONS = [".pickle", ".pkl", ".csv", ".tsv", ".txt"] as const;

/**
 * Parses a segment file by extension: .pickle/.pkl (original format), .csv/.tsv, and
 * .txt (a Raven selection table when its header has Begin/End Time (s), else CSV-like).
 * Throws SegmentFileError, or PickleError/UnsafePickleError for pickles.
 */
export function parseSegmentFile(name: string, buf: Uint8Array): ParsedSegments {
  if (buf.length > MAX_SEGMENT_FILE_BYTES) {
    throw new SegmentFileError([{ message: `${name}: ${buf.length} bytes is too large for a segment file` }]);
  }
  const ext = /\.[^./\\]+$/.exec(name)?.[0].toLowerCase() ?? "";
  switch (ext) {
    case ".pickle":
    case ".pkl":
      return parseSegmentPickle(buf);
    case ".csv":
    case ".tsv":
      return parseSegmentsCsv(buf);
    case ".txt": {
      const text = decodeText(buf);
      return looksLikeRaven(text) ? parseRavenTable(text) : parseSegmentsCsv(text);
    }
    default:
      throw new SegmentFileError([
        {
          message: `${name}: unsupported segment file type "${ext || "(none)"}"; expected ${SEGMENT_FILE_EXTENSIONS.join(", ")}`,
        },
      ]);
  }
}

export type OutsideKind = "starts-before-recording" | "ends-after-recording" | "entirely-outside";

export interface OutsideSegment {
  index: number;
  segment: Segment;
  kind: OutsideKind;
  message: string;
}

/**
 * Which segments do not fit a recording of `duration` seconds. Nothing is dropped or
 * clipped here: the caller shows the report and decides.
 */
export function validateAgainstDuration(
  segments: readonly Segment[],
  duration: number,
): { ok: boolean; outside: OutsideSegment[] } {
  if (!(duration > 0) || !Number.isFinite(duration))
    throw new RangeError(`invalid recording duration ${duration}`);
  const outside: OutsideSegment[] = [];
  segments.forEach((segment, index) => {
    const { onset, offset } = segment;
    const span = `${onset}–${offset} s`;
    let kind: OutsideKind | null = null;
    let message = "";
    if (offset <= 0 || onset >= duration) {
      kind = "entirely-outside";
      message = `segment ${index + 1} (${span}) lies outside the recording (0–${duration} s)`;
    } else if (onset < 0) {
      kind = "starts-before-recording";
      message = `segment ${index + 1} (${span}) starts before the recording`;
    } else if (offset > duration) {
      kind = "ends-after-recording";
      message = `segment ${index + 1} (${span}) ends after the recording ends at ${duration} s`;
    }
    if (kind) outside.push({ index, segment, kind, message });
  });
  return { ok: outside.length === 0, outside };
}
