/**
 * Raven (Cornell) selection tables: tab-separated text, one row per selection and
 * view. Raven writes a row per view ("Waveform 1", "Spectrogram 1") for the same
 * selection; we keep one, preferring the spectrogram row because its frequency box
 * is the meaningful one. Columns without a Segment field become `key=value` notes and
 * come back as columns on export.
 */

import { neutralizeCell } from "../cells.ts";
import { noteColumns, optNumber } from "./csv.ts";
import { formatNotes } from "./notes.ts";
import { formatNumber, parseDecimal } from "./numbers.ts";
import { decodeText, splitLines } from "./text.ts";
import {
  checkTimes,
  type ParsedSegments,
  type Segment,
  SegmentFileError,
  type SegmentIssue,
} from "./types.ts";

const COL = {
  selection: "selection",
  view: "view",
  channel: "channel",
  begin: "begin time (s)",
  end: "end time (s)",
  low: "low freq (hz)",
  high: "high freq (hz)",
} as const;
const LABEL_COLUMNS = ["annotation", "label"];

export function looksLikeRaven(text: string): boolean {
  const header =
    splitLines(text)
      .find((l) => l.text.trim() !== "")
      ?.text.toLowerCase() ?? "";
  return header.includes("\t") && header.includes(COL.begin) && header.includes(COL.end);
}

interface Row {
  line: number;
  selection: string;
  view: string;
  segment: Segment;
}

export function parseRavenTable(input: Uint8Array | string): ParsedSegments {
  const text = typeof input === "string" ? input : decodeText(input);
  const lines = splitLines(text);
  const headerLine = lines.find((l) => l.text.trim() !== "");
  if (!headerLine) throw new SegmentFileError([{ message: "the file has no rows" }]);
  const header = headerLine.text.split("\t").map((h) => h.trim());
  const idx = (name: string) => header.findIndex((h) => h.toLowerCase() === name);
  const at = {
    selection: idx(COL.selection),
    view: idx(COL.view),
    channel: idx(COL.channel),
    begin: idx(COL.begin),
    end: idx(COL.end),
    low: idx(COL.low),
    high: idx(COL.high),
    label: header.findIndex((h) => LABEL_COLUMNS.includes(h.toLowerCase())),
  };
  if (at.begin < 0 || at.end < 0) {
    throw new SegmentFileError([
      {
        line: headerLine.number,
        message: `not a Raven selection table: no "Begin Time (s)" and "End Time (s)" columns`,
      },
    ]);
  }
  const known = new Set(Object.values(at).filter((i) => i >= 0));
  const extraCols = header.map((name, i) => ({ name, i })).filter((c) => !known.has(c.i) && c.name !== "");

  const issues: SegmentIssue[] = [];
  const rows: Row[] = [];
  for (const line of lines.slice(headerLine.number)) {
    if (line.text.trim() === "") continue;
    const cells = line.text.split("\t");
    const cell = (i: number) => (i >= 0 ? (cells[i] ?? "").trim() : "");
    const row = readRow(cell, at, extraCols);
    if (typeof row === "string") issues.push({ line: line.number, message: row });
    else
      rows.push({
        line: line.number,
        selection: cell(at.selection) || String(rows.length + 1),
        view: cell(at.view),
        segment: row,
      });
  }
  if (issues.length > 0) throw new SegmentFileError(issues);

  const warnings: string[] = [];
  return { format: "raven", segments: onePerSelection(rows, warnings), warnings };
}

function readRow(
  cell: (i: number) => string,
  at: Record<"begin" | "end" | "low" | "high" | "label" | "channel", number>,
  extraCols: { name: string; i: number }[],
): Segment | string {
  const on = cell(at.begin);
  const off = cell(at.end);
  const onset = parseDecimal(on);
  if (onset === null) return `Begin Time (s) "${on}" is not a number`;
  const offset = parseDecimal(off);
  if (offset === null) return `End Time (s) "${off}" is not a number`;
  const problem = checkTimes(onset, offset, { onset: on, offset: off });
  if (problem) return problem;
  const seg: Segment = { onset, offset };
  for (const [key, i, name] of [
    ["lowFreq", at.low, "Low Freq (Hz)"],
    ["highFreq", at.high, "High Freq (Hz)"],
  ] as const) {
    const t = cell(i);
    if (t === "") continue;
    const v = parseDecimal(t);
    if (v === null || v < 0) return `${name} "${t}" is not a frequency`;
    seg[key] = v;
  }
  if (seg.lowFreq !== undefined && seg.highFreq !== undefined && seg.highFreq < seg.lowFreq) {
    return `High Freq (Hz) ${cell(at.high)} is below Low Freq (Hz) ${cell(at.low)}`;
  }
  const channel = cell(at.channel);
  if (channel !== "") {
    if (!/^\d+$/.test(channel)) return `Channel "${channel}" is not a whole number`;
    seg.channel = Number(channel);
  }
  const label = cell(at.label);
  if (label !== "") seg.label = label;
  const extras: Record<string, string> = {};
  for (const c of extraCols) {
    const v = cell(c.i);
    if (v !== "") extras[c.name] = v;
  }
  const keys = Object.keys(extras);
  // A lone Notes column is free text (our own export writes free-text notes that way).
  if (keys.length === 1 && keys[0]?.toLowerCase() === "notes") seg.notes = extras[keys[0]] as string;
  else if (keys.length > 0) seg.notes = formatNotes(extras);
  return seg;
}

function onePerSelection(rows: Row[], warnings: string[]): Segment[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.selection}\u0000${r.segment.channel ?? ""}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  let dropped = 0;
  const kept: Segment[] = [];
  for (const g of groups.values()) {
    const chosen = g.find((r) => /^spectrogram/i.test(r.view)) ?? (g[0] as Row);
    for (const r of g) {
      if (r === chosen) continue;
      dropped++;
      if (r.segment.onset !== chosen.segment.onset || r.segment.offset !== chosen.segment.offset) {
        warnings.push(
          `selection ${chosen.selection}: line ${r.line} (${r.view || "no view"}) has other times than line ${chosen.line}; kept line ${chosen.line}`,
        );
      }
    }
    kept.push(chosen.segment);
  }
  if (dropped > 0)
    warnings.push(
      `kept one row per selection; ${dropped} duplicate view row${dropped === 1 ? "" : "s"} dropped`,
    );
  return kept;
}

export interface RavenExportOptions {
  /** Raven wants a frequency box; segments without one get 0 … nyquistHz when given, else empty cells. */
  nyquistHz?: number;
}

export function exportRavenTable(segments: readonly Segment[], options: RavenExportOptions = {}): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, " ");
  const hasLabel = segments.some((s) => s.label !== undefined && s.label !== "");
  const extras = segments.map((s) => noteColumns(s.notes));
  const fixed = new Set([
    "selection",
    "view",
    "channel",
    COL.begin,
    COL.end,
    COL.low,
    COL.high,
    ...LABEL_COLUMNS,
  ]);
  const extraNames = [...new Set(extras.flatMap((e) => Object.keys(e)))].filter(
    (n) => !fixed.has(n.toLowerCase()),
  );
  const header = [
    "Selection",
    "View",
    "Channel",
    "Begin Time (s)",
    "End Time (s)",
    "Low Freq (Hz)",
    "High Freq (Hz)",
    ...(hasLabel ? ["Annotation"] : []),
    ...extraNames,
  ];
  const rows = segments.map((s, i) => {
    const noBox = s.lowFreq === undefined && s.highFreq === undefined && options.nyquistHz !== undefined;
    const cells = [
      String(i + 1),
      "Spectrogram 1",
      String(s.channel ?? 1),
      formatNumber(s.onset),
      formatNumber(s.offset),
      noBox ? "0" : optNumber(s.lowFreq),
      noBox ? formatNumber(options.nyquistHz as number) : optNumber(s.highFreq),
    ];
    if (hasLabel) cells.push(neutralizeCell(clean(s.label ?? "")));
    for (const name of extraNames) cells.push(neutralizeCell(clean(extras[i]?.[name] ?? "")));
    return cells.map(clean).join("\t");
  });
  return `${[header.map((h) => neutralizeCell(clean(h))).join("\t"), ...rows].join("\n")}\n`;
}
