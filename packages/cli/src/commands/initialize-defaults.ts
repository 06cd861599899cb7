import path from "node:path";
import { withRServer } from "@battycoda/core/classifiers";
import { initializeDefaults, trainDefaultClassifiers } from "@battycoda/core/defaults";
import { createMediaStore } from "@battycoda/core/media";
import type { Command } from "commander";
import { print, withDatabase } from "./context.ts";

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
    .action(async (opts: { sharedData?: string; images: boolean; features?: string }) => {
      await withDatabase(async ({ db, config }) => {
        const r = await initializeDefaults(
          { db, media: createMediaStore(config) },
          {
            ...(opts.images === false
              ? { sharedDataDir: null }
              : opts.sharedData
                ? { sharedDataDir: opts.sharedData }
                : {}),
            log: print,
          },
        );
        print(
          `Defaults ready: ${r.species.created} species created (${r.species.existing} present), ` +
            `${r.callTypes.created} call types added, ${r.images.copied} images copied, ` +
            `${r.segmentationAlgorithms.created} segmentation algorithms created (${r.segmentationAlgorithms.updated} updated), ` +
            `${r.classifiers.created} classifiers created`,
        );
        const featuresDir = opts.features;
        if (!featuresDir) return;
        const trained = await withRServer({ url: config.rServerUrl, log: print }, (client) =>
          trainDefaultClassifiers({ db }, client, {
            featuresDir: path.resolve(featuresDir),
            mediaRoot: config.mediaRoot,
            log: print,
          }),
        );
        const count = (s: string) => trained.filter((t) => t.status === s).length;
        print(
          `Default classifiers: ${count("created")} created, ${count("retrained")} retrained, ${count("unchanged")} unchanged`,
        );
      });
    });
}
