// `battycoda classifier train|predict`: the app's own parsing, training and model card on a
// features CSV, without the database. Results go to stdout (JSON / CSV), progress to stderr.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@battycoda/config";
import {
  parseFeaturesCsv,
  predictionsCsv,
  predictTable,
  TRAINABLE_TYPES,
  type TrainableType,
  trainModel,
  withRServer,
  writeModelCard,
} from "@battycoda/core/classifiers";
import { type Command, Option } from "commander";

const progress = (line: string) => process.stderr.write(`${line}\n`);

/** One stderr line per stage R reports (the folds, the final fit), not one per status poll. */
function stageReporter() {
  let last: string | null = null;
  return (fraction: number, stage: string | null) => {
    if (stage === last) return;
    last = stage;
    progress(`  ${Math.round(fraction * 100)} %${stage ? ` ${stage}` : ""}`);
  };
}

function modelFile(out: string): string {
  const abs = path.resolve(out);
  if (!/\.rds$/i.test(abs)) throw new Error(`--out must name an .rds file (got ${out})`);
  return abs;
}

export function registerClassifier(program: Command) {
  const cmd = program
    .command("classifier")
    .description("Train a call-type classifier from a features CSV, or apply one (uses the R server)");

  cmd
    .command("train")
    .description(
      "Train on a features CSV (27 feature columns + label) with stratified 5-fold cross-validation " +
        "(seed 42); prints the metrics as JSON. Writes MODEL.rds and its model card MODEL.json.",
    )
    .requiredOption("--features <file>", "features CSV")
    .addOption(
      new Option("--type <type>", "classifier type").choices([...TRAINABLE_TYPES]).makeOptionMandatory(),
    )
    .requiredOption("--out <model.rds>", "where to write the model")
    .action(async (opts: { features: string; type: TrainableType; out: string }) => {
      const modelPath = modelFile(opts.out);
      const parsed = parseFeaturesCsv(await readFile(opts.features, "utf8"), { requireLabels: true });
      progress(
        `${parsed.rows.length} calls, ${new Set(parsed.labels).size} call types from ${opts.features}`,
      );
      const model = await withRServer({ url: getConfig().rServerUrl, log: progress }, (client) => {
        progress(`Training ${opts.type} with 5-fold cross-validation…`);
        return trainModel(client, {
          type: opts.type,
          table: { ...parsed, origins: parsed.lines.map((line) => ({ line })) },
          modelPath,
          onProgress: stageReporter(),
        });
      });
      const card = await writeModelCard(model);
      progress(`Model written to ${model.modelPath} (model card ${card})`);
      const { cvPredictions: _rows, ...summary } = model;
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });

  cmd
    .command("predict")
    .description(
      "Predict every row of a features CSV (a label column is optional and ignored); prints CSV: " +
        "row,predicted,confidence, then one probability column per class.",
    )
    .requiredOption("--model <model.rds>", "a model written by `classifier train` (or the app)")
    .requiredOption("--features <file>", "features CSV")
    .addOption(
      new Option("--type <type>", "the model's type when it has no model card").choices([...TRAINABLE_TYPES]),
    )
    .action(async (opts: { model: string; features: string; type?: TrainableType }) => {
      const table = parseFeaturesCsv(await readFile(opts.features, "utf8"), { requireLabels: false });
      progress(`${table.rows.length} calls from ${opts.features}`);
      const result = await withRServer({ url: getConfig().rServerUrl, log: progress }, (client) =>
        predictTable(client, {
          modelPath: path.resolve(opts.model),
          table,
          ...(opts.type ? { method: opts.type } : {}),
        }),
      );
      process.stdout.write(predictionsCsv(result));
    });
}
