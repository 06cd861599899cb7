// Predicting a features table with a saved model (`battycoda classifier predict`): the method comes
// from the model card written at training, and the answer is a CSV with a probability per class.
import { neutralizeCell } from "@battycoda/formats";
import type { ClassifierMethod, RClient } from "@battycoda/r-client";
import { badRequest } from "../access/errors.ts";
import type { MediaStore } from "../media/store.ts";
import type { FeatureCsvTable } from "./features-csv.ts";
import { modelCardKey, readModelCard, storedModel } from "./model-store.ts";

export interface TablePredictions {
  classes: string[];
  rows: { row: number; predicted: string; confidence: number; probabilities: Record<string, number> }[];
}

/** `key`: the model's key in `media` (the CLI uses a local store rooted at the model's folder). */
export async function predictTable(
  client: RClient,
  input: { media: MediaStore; key: string; table: FeatureCsvTable; method?: ClassifierMethod },
): Promise<TablePredictions> {
  const method: ClassifierMethod | undefined =
    input.method ?? (await readModelCard(input.media, input.key))?.method;
  if (!method)
    throw badRequest(
      `No model card ${modelCardKey(input.key)} next to the model: say which method trained it (--type)`,
    );
  const columns: Record<string, number[]> = {};
  input.table.featureNames.forEach((name, j) => {
    columns[name] = input.table.rows.map((r) => r[j] as number);
  });
  const res = await client.predict({
    method: method as ClassifierMethod,
    model: await storedModel(input.media, input.key),
    features: columns,
  });
  return {
    classes: res.classes,
    rows: res.predictions.map((p, i) => ({
      row: i + 1,
      predicted: p.label,
      confidence: p.confidence,
      probabilities: p.probabilities,
    })),
  };
}

/** Labels are user text: quoted when needed, formula starts neutralised like every export. */
function csvCell(text: string): string {
  const value = neutralizeCell(text);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `row,predicted,confidence,<one column per class>`; numbers at full precision. */
export function predictionsCsv(p: TablePredictions): string {
  const lines = [["row", "predicted", "confidence", ...p.classes].map(csvCell).join(",")];
  for (const r of p.rows)
    lines.push(
      [
        String(r.row),
        csvCell(r.predicted),
        String(r.confidence),
        ...p.classes.map((c) => String(r.probabilities[c] ?? 0)),
      ].join(","),
    );
  return `${lines.join("\n")}\n`;
}
