import type { DbOrTx } from "@battycoda/db";
import {
  exportRavenTable,
  formatNumber,
  neutralizeCell,
  type Segment,
  spanDuration,
} from "@battycoda/formats";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { findSegmentationInGroup } from "./common.ts";

export type ExportFormat = "csv" | "raven";

export interface SegmentExport {
  fileName: string;
  contentType: string;
  body: string;
  segments: number;
}

/** A file name safe in a Content-Disposition header and on every file system. */
function safeName(s: string): string {
  return (
    s
      .normalize("NFKD")
      .replace(/[^\w.\- ()]+/g, "_")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 150) || "segments"
  );
}

export const SEGMENT_CSV_COLUMNS = [
  "onset",
  "offset",
  "duration",
  "low_freq",
  "high_freq",
  "label",
  "notes",
] as const;

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
const num = (x: number | undefined) => (x === undefined ? "" : formatNumber(x));

/**
 * Every column, always, in a fixed order (a spreadsheet or script reading several exports finds
 * the same columns in each): times in s, frequencies in Hz, the label (the call type's short name)
 * and the notes as typed. Text cells are neutralised so a label like `=cmd()` stays text in Excel.
 * The importer reads this back (duration is derived, so it comes back as a note).
 */
export function segmentsCsv(segments: readonly Segment[]): string {
  const rows = segments.map((s) =>
    [
      formatNumber(s.onset),
      formatNumber(s.offset),
      formatNumber(spanDuration(s.onset, s.offset)),
      num(s.lowFreq),
      num(s.highFreq),
      neutralizeCell(s.label ?? ""),
      neutralizeCell(s.notes ?? ""),
    ]
      .map(quote)
      .join(","),
  );
  return `${[SEGMENT_CSV_COLUMNS.join(","), ...rows].join("\n")}\n`;
}

/**
 * CSV or Raven selection table. Times are written with the formats package's shortest-round-trip
 * formatter from the stored doubles, so Raven → import → export gives the same numbers back.
 */
export async function exportSegmentation(
  { db }: DbContext,
  access: GroupAccess,
  segmentationId: string,
  format: ExportFormat,
): Promise<SegmentExport> {
  const seg = await findSegmentationInGroup({ db }, access, segmentationId);
  const rows = await db.segment.findMany({
    where: { segmentationId: seg.id },
    orderBy: [{ onset: "asc" }, { id: "asc" }],
  });
  const segments: Segment[] = rows.map((r) => ({
    onset: r.onset,
    offset: r.offset,
    ...(r.lowFreq !== null ? { lowFreq: r.lowFreq } : {}),
    ...(r.highFreq !== null ? { highFreq: r.highFreq } : {}),
    ...(r.label ? { label: r.label } : {}),
    ...(r.notes ? { notes: r.notes } : {}),
  }));
  const base = safeName(`${seg.recording.name} - ${seg.name}`);
  if (format === "csv") {
    return {
      fileName: `${base}.csv`,
      contentType: "text/csv; charset=utf-8",
      body: segmentsCsv(segments),
      segments: segments.length,
    };
  }
  return {
    fileName: `${base}.Table.1.selections.txt`,
    contentType: "text/plain; charset=utf-8",
    body: exportRavenTable(segments, {
      ...(seg.recording.sampleRate ? { nyquistHz: seg.recording.sampleRate / 2 } : {}),
    }),
    segments: segments.length,
  };
}
