/** One call, times in seconds from the start of the recording, frequencies in Hz. */
export interface Segment {
  onset: number;
  offset: number;
  label?: string;
  lowFreq?: number;
  highFreq?: number;
  /** Free text; columns a format has no field for are kept here as `key=value; …` (see notes.ts). */
  notes?: string;
  /** Raven channel (1-based) when the source had one. */
  channel?: number;
}

export type SegmentFormat = "pickle" | "csv" | "raven";

export interface ParsedSegments {
  format: SegmentFormat;
  segments: Segment[];
  /** Things that were accepted but a person may want to know (ignored columns, dropped duplicate rows…). */
  warnings: string[];
  /** The original's amplitude threshold, when a pickle carried one. */
  threshold?: number;
}

export interface SegmentIssue {
  /** 1-based line in a text file. */
  line?: number;
  /** 0-based segment index in a pickle. */
  index?: number;
  message: string;
}

const MAX_LISTED = 20;

/** A segment file whose content is unusable; `issues` lists every bad row (not just the first). */
export class SegmentFileError extends Error {
  override name = "SegmentFileError";
  constructor(
    readonly issues: SegmentIssue[],
    summary?: string,
  ) {
    super(summary ?? formatIssues(issues));
  }
}

export function formatIssue(i: SegmentIssue): string {
  if (i.line !== undefined) return `line ${i.line}: ${i.message}`;
  if (i.index !== undefined) return `segment ${i.index}: ${i.message}`;
  return i.message;
}

function formatIssues(issues: SegmentIssue[]): string {
  const shown = issues.slice(0, MAX_LISTED).map(formatIssue);
  if (issues.length > MAX_LISTED) shown.push(`… and ${issues.length - MAX_LISTED} more`);
  return shown.join("\n");
}

/** The checks every format applies to a row; returns a message or null. `text` keeps the user's spelling. */
export function checkTimes(
  onset: number,
  offset: number,
  text?: { onset: string; offset: string },
): string | null {
  const on = text?.onset ?? String(onset);
  const off = text?.offset ?? String(offset);
  if (!Number.isFinite(onset)) return `onset ${on} is not a finite number`;
  if (!Number.isFinite(offset)) return `offset ${off} is not a finite number`;
  if (offset < onset) return `offset ${off} is before onset ${on}`;
  if (offset === onset) return `offset ${off} equals onset ${on} (empty segment)`;
  return null;
}
