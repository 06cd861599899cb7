import type { Command } from "commander";
import { lazy } from "./lazy.ts";

export function registerInitializeDefaults(program: Command) {
  program
    .command("initialize-defaults")
    .description(
      "Create the system species (Eptesicus fuscus, Carollia perspicillata) and their call types, the " +
        "segmentation algorithms and the dummy classifier. With --features, also train the default " +
        "global classifiers from DIR/efuscus_features.csv and DIR/carollia_features.csv (skipped when " +
        "the data and method are unchanged). Safe to run again.",
    )
    .option("--shared-data <dir>", "reference data folder with species/ images (default: ../shared/data)")
    .option("--no-images", "do not copy repertoire images")
    .option("--features <dir>", "train the default classifiers from the reference feature tables in <dir>")
    .action(lazy(() => import("./initialize-defaults.run.ts").then((m) => m.initialize)));
}
