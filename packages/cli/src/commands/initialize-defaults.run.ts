import path from "node:path";
import { withRServer } from "@battycoda/core/classifiers";
import { initializeDefaults, trainDefaultClassifiers } from "@battycoda/core/defaults";
import { createMediaStore } from "@battycoda/core/media";
import { print, withDatabase } from "./context.ts";

export async function initialize(opts: { sharedData?: string; images: boolean; features?: string }) {
  await withDatabase(async ({ db, config }) => {
    const media = createMediaStore(config);
    const r = await initializeDefaults(
      { db, media },
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
      trainDefaultClassifiers({ db, media }, client, {
        featuresDir: path.resolve(featuresDir),
        log: print,
      }),
    );
    const count = (s: string) => trained.filter((t) => t.status === s).length;
    print(
      `Default classifiers: ${count("created")} created, ${count("retrained")} retrained, ${count("unchanged")} unchanged`,
    );
  });
}
