/** Reading feature tables (warbleR feature CSVs: numeric columns + a label column). */
import { readFile } from "node:fs/promises";
import type { FeatureRow } from "./client.ts";

export interface FeatureTableData {
  featureNames: string[];
  rows: FeatureRow[];
  labels: string[];
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parse CSV text whose columns are numeric features plus `labelColumn` (default "label"). */
export function parseFeatureCsv(text: string, labelColumn = "label"): FeatureTableData {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim());
  const labelIdx = header.indexOf(labelColumn);
  if (labelIdx < 0) throw new Error(`CSV has no '${labelColumn}' column`);
  const featureNames = header.filter((_, i) => i !== labelIdx);
  const rows: FeatureRow[] = [];
  const labels: string[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = splitCsvLine(lines[r] as string);
    if (cells.length !== header.length) {
      throw new Error(`CSV line ${r + 1} has ${cells.length} cells, expected ${header.length}`);
    }
    const row: FeatureRow = {};
    header.forEach((name, i) => {
      if (i === labelIdx) return;
      const v = Number(cells[i]);
      if (cells[i]?.trim() === "" || !Number.isFinite(v)) {
        throw new Error(`CSV line ${r + 1}, column '${name}': not a finite number (${cells[i]})`);
      }
      row[name] = v;
    });
    rows.push(row);
    labels.push((cells[labelIdx] as string).trim());
  }
  return { featureNames, rows, labels };
}

export async function readFeatureCsv(file: string, labelColumn = "label"): Promise<FeatureTableData> {
  return parseFeatureCsv(await readFile(file, "utf8"), labelColumn);
}
