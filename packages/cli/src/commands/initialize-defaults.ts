import { initializeDefaults } from "@battycoda/core/defaults";
import type { Command } from "commander";
import { print, withDatabase } from "./context.ts";

export function registerInitializeDefaults(program: Command) {
  program
    .command("initialize-defaults")
    .description(
      "Create the system species (Eptesicus fuscus, Carollia perspicillata) and their call types, the " +
        "segmentation algorithms and the dummy classifier. Safe to run again.",
    )
    .option("--shared-data <dir>", "reference data folder with species/ images (default: ../shared/data)")
    .option("--no-images", "do not copy repertoire images")
    .action(async (opts: { sharedData?: string; images: boolean }) => {
      await withDatabase(async ({ db, config }) => {
        const r = await initializeDefaults(db, {
          mediaRoot: config.mediaRoot,
          ...(opts.images === false
            ? { sharedDataDir: null }
            : opts.sharedData
              ? { sharedDataDir: opts.sharedData }
              : {}),
          log: print,
        });
        print(
          `Defaults ready: ${r.species.created} species created (${r.species.existing} present), ` +
            `${r.callTypes.created} call types added, ${r.images.copied} images copied, ` +
            `${r.segmentationAlgorithms.created} segmentation algorithms created (${r.segmentationAlgorithms.updated} updated), ` +
            `${r.classifiers.created} classifiers created`,
        );
      });
    });
}
