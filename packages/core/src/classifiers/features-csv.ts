// Feature tables as CSV (the format of the reference tables: the 27 warbleR columns + `label`).
// Cell parsing is r-client's parseFeatureCsv; this module adds the checks a user needs named by
// line and column before anything is stored or sent to R.
import { FEATURE_NAMES } from "@battycoda/audio";
import { parseFeatureCsv } from "@battycoda/r-client";
import { badRequest, type DomainError } from "../access/errors.ts";

export const LABEL_COLUMN = "label";
/** Stratified folds of every training (the metrics protocol of the reference baselines). */
export const CV_FOLDS = 5;
export const CV_SEED = 42;

export interface CsvIssue {
  line: number | null;
  column: string | null;
  message: string;
}

export interface FeatureCsvTable {
  /** Always FEATURE_NAMES, in that order (extra columns are left out). */
  featureNames: string[];
  /** One array of FEATURE_NAMES values per data row. */
  rows: number[][];
  /** Empty strings when the file has no label column (prediction input). */
  labels: string[];
  /** The 1-based line of the file each row came from. */
  lines: number[];
  /** Columns that are neither features nor the label: ignored. */
  ignoredColumns: string[];
}

function csvError(issue: CsvIssue): DomainError {
  const where = [
    issue.line !== null ? `line ${issue.line}` : null,
    issue.column ? `column '${issue.column}'` : null,
  ]
    .filter(Boolean)
    .join(", ");
  return badRequest(`Features CSV${where ? `, ${where}` : ""}: ${issue.message}`, { issues: [issue] });
}

/** 1-based line numbers of the non-blank lines (parseFeatureCsv counts only those). */
function nonBlankLineNumbers(text: string): number[] {
  const out: number[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() !== "") out.push(i + 1);
  });
  return out;
}

/**
 * Parses a features CSV. `requireLabels` (training): a `label` column with at least two call types
 * and at least `minRows` rows; without it (prediction) a label column is optional.
 */
export function parseFeaturesCsv(
  text: string,
  options: { requireLabels: boolean; minRows?: number },
): FeatureCsvTable {
  const clean = text.replace(/^\uFEFF/, "");
  const lineNos = nonBlankLineNumbers(clean);
  const headerLineNo = lineNos[0];
  if (headerLineNo === undefined) throw csvError({ line: null, column: null, message: "the file is empty" });
  const headerText = clean.split(/\r?\n/)[headerLineNo - 1] as string;
  // parseFeatureCsv on the header alone returns the header's cells (all but the label column).
  const hasLabel = parseFeatureCsv(`${headerText},${LABEL_COLUMN}`).featureNames.includes(LABEL_COLUMN);
  if (!hasLabel && options.requireLabels)
    throw csvError({ line: headerLineNo, column: LABEL_COLUMN, message: "the header has no 'label' column" });
  // Prediction input may lack labels; a constant empty label column lets the same parser read it.
  const body = hasLabel
    ? clean
    : clean
        .split(/\r?\n/)
        .map((l, i) => (l.trim() === "" ? l : i + 1 === headerLineNo ? `${l},${LABEL_COLUMN}` : `${l},`))
        .join("\n");
  const header = parseFeatureCsv(`${body.split(/\r?\n/)[headerLineNo - 1]}`).featureNames;
  const all = [...header, LABEL_COLUMN];
  const seen = new Set<string>();
  for (const name of all) {
    if (seen.has(name))
      throw csvError({ line: headerLineNo, column: name, message: "the header names this column twice" });
    seen.add(name);
  }
  const missing = FEATURE_NAMES.filter((n) => !seen.has(n));
  if (missing.length > 0)
    throw csvError({
      line: headerLineNo,
      column: missing[0] as string,
      message: `missing feature column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")}`,
    });
  if (lineNos.length < 2)
    throw csvError({ line: null, column: null, message: "the file has a header but no rows" });

  let parsed: ReturnType<typeof parseFeatureCsv>;
  try {
    parsed = parseFeatureCsv(body, LABEL_COLUMN);
  } catch (err) {
    throw translateParseError(err, lineNos, hasLabel ? 0 : 1);
  }
  const rows = parsed.rows.map((r) => FEATURE_NAMES.map((n) => r[n] as number));
  const labels = parsed.labels;
  const lines = lineNos.slice(1);
  if (options.requireLabels) {
    const empty = labels.indexOf("");
    if (empty >= 0)
      throw csvError({ line: lines[empty] ?? null, column: LABEL_COLUMN, message: "the label is empty" });
    const classes = new Set(labels);
    if (classes.size < 2)
      throw csvError({
        line: null,
        column: LABEL_COLUMN,
        message: `every row has the label '${labels[0]}': a classifier needs at least two call types`,
      });
    const minRows = options.minRows ?? CV_FOLDS;
    if (rows.length < minRows)
      throw csvError({
        line: null,
        column: null,
        message: `${rows.length} rows are fewer than the ${minRows} cross-validation folds`,
      });
  }
  return {
    featureNames: [...FEATURE_NAMES],
    rows,
    labels,
    lines,
    ignoredColumns: header.filter((n) => !(FEATURE_NAMES as readonly string[]).includes(n)),
  };
}

/** parseFeatureCsv numbers non-blank lines; give the user the file's own line numbers. */
function translateParseError(err: unknown, lineNos: number[], addedColumns: number): DomainError {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^CSV line (\d+)(?:, column '([^']*)')?:? (.*)$/.exec(message);
  if (!m) return csvError({ line: null, column: null, message });
  const line = lineNos[Number(m[1]) - 1] ?? Number(m[1]);
  const column = m[2] ?? null;
  const rest = (m[3] ?? "").replace(
    /^has (\d+) cells, expected (\d+)$/,
    (_s, got: string, want: string) =>
      `has ${Number(got) - addedColumns} cells, the header has ${Number(want) - addedColumns}`,
  );
  return csvError({ line, column, message: rest });
}
