// `battycoda classifier train|predict`: the app's own parsing, training and model card on a
// features CSV, without the database. Results go to stdout (JSON / CSV), progress to stderr.
import { type Command, Option } from "commander";
import { lazy } from "./lazy.ts";

/** core's TRAINABLE_TYPES, spelled out so `--help` needs no core module (a test keeps them equal). */
export const CLASSIFIER_TYPES = ["knn", "lda", "rf", "ensemble"] as const;

const run = () => import("./classifier.run.ts");

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
      new Option("--type <type>", "classifier type").choices([...CLASSIFIER_TYPES]).makeOptionMandatory(),
    )
    .requiredOption("--out <model.rds>", "where to write the model")
    .action(lazy(() => run().then((m) => m.train)));

  cmd
    .command("predict")
    .description(
      "Predict every row of a features CSV (a label column is optional and ignored); prints CSV: " +
        "row,predicted,confidence, then one probability column per class.",
    )
    .requiredOption("--model <model.rds>", "a model written by `classifier train` (or the app)")
    .requiredOption("--features <file>", "features CSV")
    .addOption(
      new Option("--type <type>", "the model's type when it has no model card").choices([
        ...CLASSIFIER_TYPES,
      ]),
    )
    .action(lazy(() => run().then((m) => m.predict)));
}
