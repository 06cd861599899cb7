/**
 * Segment tables as CSV: `onset,offset[,label][,low_freq,high_freq]` in seconds/Hz.
 * Reading is tolerant of header spellings (start/end, begin/end, "Begin Time (s)"…),
 * of `,` `;` or tab delimiters, of a missing header, and of decimal commas when the
 * delimiter is not a comma. Every bad row is reported with its line number.
 */
import { neutralizeCell } from "../cells.ts";
import { formatNotes, parseNotes } from "./notes.ts";
import { formatNumber, parseDecimal } from "./numbers.ts";
import {
  decodeText,
  detectDelimiter,
  isBlankOrComment,
  type Line,
  quoteCell,
  splitCells,
  splitLines,
} from "./text.ts";
import {
  checkTimes,
  type ParsedSegments,
  type Segment,
  SegmentFileError,
  type SegmentIssue,
} from "./types.ts";

// `duration` is derived (offset − onset, as BattyCoda's own export writes it): read and dropped,
// never kept as a note.
type Field = "onset" | "offset" | "duration" | "label" | "lowFreq" | "highFreq" | "notes" | "channel";

const ALIASES: Record<Field, string[]> = {
  onset: ["onset", "onsets", "start", "starttime", "begin", "begintime", "tstart"],
  offset: ["offset", "offsets", "end", "endtime", "stop", "stoptime", "tend"],
  duration: ["duration", "dur"],
  label: ["label", "annotation", "calltype", "type", "class"],
  lowFreq: ["lowfreq", "lowfrequency", "low", "minfreq", "minfrequency", "freqmin", "fmin"],
  highFreq: ["highfreq", "highfrequency", "high", "maxfreq", "maxfrequency", "freqmax", "fmax"],
  notes: ["notes", "note", "comment", "comments"],
  channel: ["channel"],
};
const UNIT_TOKENS = new Set(["s", "sec", "secs", "second", "seconds", "hz", "khz", "ms"]);

interface Column {
  index: number;
  field: Field | null;
  name: string;
  /** kHz headers are converted to Hz */
  scale: number;
}

export function parseSegmentsCsv(input: Uint8Array | string): ParsedSegments {
  const text = typeof input === "string" ? input : decodeText(input);
  const lines = splitLines(text).filter((l) => !isBlankOrComment(l.text));
  const first = lines[0];
  if (!first) throw new SegmentFileError([{ message: "the file has no rows" }]);
  const delimiter = detectDelimiter(first.text);
  const decimalComma = delimiter !== ",";
  const warnings: string[] = [];

  const firstCells = cellsOrThrow(first, delimiter);
  const headerless =
    firstCells.length >= 2 && firstCells.slice(0, 2).every((c) => parseDecimal(c, decimalComma) !== null);
  const columns = headerless
    ? positionalColumns(first, firstCells.length)
    : headerColumns(first, firstCells, warnings);
  const rows = headerless ? lines : lines.slice(1);

  const issues: SegmentIssue[] = [];
  const segments: Segment[] = [];
  for (const line of rows) {
    const cells = splitCells(line.text, delimiter);
    if (!Array.isArray(cells)) {
      issues.push({ line: line.number, message: cells.error });
      continue;
    }
    const result = readRow(cells, columns, decimalComma);
    if (typeof result === "string") issues.push({ line: line.number, message: result });
    else segments.push(result);
  }
  if (issues.length > 0) throw new SegmentFileError(issues);
  return { format: "csv", segments, warnings };
}

function cellsOrThrow(line: Line, delimiter: string): string[] {
  const cells = splitCells(line.text, delimiter);
  if (!Array.isArray(cells)) throw new SegmentFileError([{ line: line.number, message: cells.error }]);
  return cells;
}

function positionalColumns(line: Line, n: number): Column[] {
  const layouts: Record<number, Field[]> = {
    2: ["onset", "offset"],
    3: ["onset", "offset", "label"],
    4: ["onset", "offset", "lowFreq", "highFreq"],
    5: ["onset", "offset", "label", "lowFreq", "highFreq"],
  };
  const layout = layouts[n];
  if (!layout) {
    throw new SegmentFileError([
      {
        line: line.number,
        message: `without a header, expected 2 to 5 columns (onset, offset[, label][, low_freq, high_freq]); found ${n}`,
      },
    ]);
  }
  return layout.map((field, index) => ({ index, field, name: field, scale: 1 }));
}

function headerColumns(line: Line, cells: string[], warnings: string[]): Column[] {
  const seen = new Set<Field>();
  const columns = cells.map((name, index): Column => {
    const lower = name.toLowerCase();
    const allTokens = lower.split(/[^a-z0-9]+/);
    const tokens = lower
      .replace(/[([].*?[)\]]/g, " ")
      .split(/[^a-z0-9]+/)
      .filter((t) => t && !UNIT_TOKENS.has(t));
    const key = tokens.join("");
    let field = (Object.keys(ALIASES) as Field[]).find((f) => ALIASES[f].includes(key)) ?? null;
    if (field && seen.has(field)) {
      warnings.push(`column "${name}" repeats ${field}; kept as a note`);
      field = null;
    }
    if (field) seen.add(field);
    const isTime = field === "onset" || field === "offset";
    if (isTime && allTokens.some((t) => t === "ms" || t.startsWith("millisec"))) {
      throw new SegmentFileError([
        { line: line.number, message: `column "${name}" is in milliseconds; times must be in seconds` },
      ]);
    }
    const scale = (field === "lowFreq" || field === "highFreq") && /khz/.test(lower) ? 1000 : 1;
    return { index, field, name, scale };
  });
  const missing = (["onset", "offset"] as const).filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new SegmentFileError([
      {
        line: line.number,
        message: `no ${missing.join(" or ")} column in the header (${cells.join(", ")}); expected e.g. onset,offset or start,end`,
      },
    ]);
  }
  return columns;
}

function readRow(cells: string[], columns: Column[], decimalComma: boolean): Segment | string {
  const byField = new Map<Field, { text: string; col: Column }>();
  const extras: Record<string, string> = {};
  for (const col of columns) {
    const text = cells[col.index] ?? "";
    if (col.field) byField.set(col.field, { text, col });
    else if (text !== "") extras[col.name] = text;
  }
  const on = byField.get("onset")?.text ?? "";
  const off = byField.get("offset")?.text ?? "";
  if (on === "" || off === "")
    return `expected onset and offset, found ${cells.length} column${cells.length === 1 ? "" : "s"}`;
  const onset = parseDecimal(on, decimalComma);
  if (onset === null) return `onset "${on}" is not a number`;
  const offset = parseDecimal(off, decimalComma);
  if (offset === null) return `offset "${off}" is not a number`;
  const problem = checkTimes(onset, offset, { onset: on, offset: off });
  if (problem) return problem;

  const seg: Segment = { onset, offset };
  const label = byField.get("label")?.text;
  if (label) seg.label = label;
  for (const f of ["lowFreq", "highFreq"] as const) {
    const cell = byField.get(f);
    if (!cell || cell.text === "") continue;
    const v = parseDecimal(cell.text, decimalComma);
    if (v === null || v < 0) return `${cell.col.name} "${cell.text}" is not a frequency`;
    seg[f] = v * cell.col.scale;
  }
  if (seg.lowFreq !== undefined && seg.highFreq !== undefined && seg.highFreq < seg.lowFreq) {
    return `high frequency ${seg.highFreq} is below low frequency ${seg.lowFreq}`;
  }
  const channel = byField.get("channel")?.text;
  if (channel) {
    if (!/^\d+$/.test(channel)) return `channel "${channel}" is not a whole number`;
    seg.channel = Number(channel);
  }
  const notesText = byField.get("notes")?.text ?? "";
  if (Object.keys(extras).length > 0)
    seg.notes = formatNotes(notesText ? { notes: notesText, ...extras } : extras);
  else if (notesText) seg.notes = notesText;
  return seg;
}

export interface CsvExportOptions {
  delimiter?: "," | ";" | "\t";
}

/**
 * `onset,offset` plus label / low_freq,high_freq / notes columns when any segment has
 * them. Notes in `key=value; …` form are spread back into their own columns.
 */
export function exportSegmentsCsv(segments: readonly Segment[], options: CsvExportOptions = {}): string {
  const d = options.delimiter ?? ",";
  const hasLabel = segments.some((s) => s.label !== undefined && s.label !== "");
  const hasFreq = segments.some((s) => s.lowFreq !== undefined || s.highFreq !== undefined);
  const extras = segments.map((s) => noteColumns(s.notes));
  const extraNames = [...new Set(extras.flatMap((e) => Object.keys(e)))];
  const header = [
    "onset",
    "offset",
    ...(hasLabel ? ["label"] : []),
    ...(hasFreq ? ["low_freq", "high_freq"] : []),
    ...extraNames,
  ];
  const rows = segments.map((s, i) => {
    const cells = [formatNumber(s.onset), formatNumber(s.offset)];
    if (hasLabel) cells.push(neutralizeCell(s.label ?? ""));
    if (hasFreq) cells.push(optNumber(s.lowFreq), optNumber(s.highFreq));
    for (const name of extraNames) cells.push(neutralizeCell(extras[i]?.[name] ?? ""));
    return cells.map((c) => quoteCell(c, d)).join(d);
  });
  const head = header.map((c) => quoteCell(neutralizeCell(c), d)).join(d);
  return `${[head, ...rows].join("\n")}\n`;
}

export function optNumber(v: number | undefined): string {
  return v === undefined ? "" : formatNumber(v);
}

export function noteColumns(notes: string | undefined): Record<string, string> {
  if (!notes) return {};
  return parseNotes(notes) ?? { notes };
}
