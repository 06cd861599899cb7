/**
 * Cross-validated baselines on the shared feature tables, through the real R server.
 *   pnpm --filter @battycoda/r-client baseline [dataDir]     (default: <repo>/../shared/data)
 * Prints accuracy and balanced accuracy for 1-NN, LDA and class-weighted RF (5-fold, seed 42).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ClassifierMethod, readFeatureCsv, repoRoot, startRServer } from "../src/index.ts";

const dataDir = path.resolve(process.argv[2] ?? path.resolve(repoRoot, "../shared/data"));
const files = ["efuscus_features.csv", "carollia_features.csv"];
const methods: { method: ClassifierMethod; name: string; options: Record<string, unknown> }[] = [
  { method: "knn", name: "1-NN", options: { k: 1 } },
  { method: "lda", name: "LDA", options: {} },
  { method: "rf", name: "RF (500 trees, balanced)", options: { numTrees: 500 } },
];

const dir = await mkdtemp(path.join(os.tmpdir(), "r-baseline-"));
const server = await startRServer();
try {
  console.log("| table | method | accuracy | balanced accuracy | macro F1 | seconds |");
  console.log("|---|---|---|---|---|---|");
  for (const file of files) {
    const table = await readFeatureCsv(path.join(dataDir, "features", file));
    for (const m of methods) {
      const res = await server.client.train({
        method: m.method,
        features: table.rows,
        labels: table.labels,
        modelPath: path.join(dir, `${file}-${m.method}.rds`),
        options: { ...m.options, cvFolds: 5, seed: 42, minSamplesPerLabel: 1 },
      });
      const cv = res.cv;
      if (!cv) throw new Error("no CV in response");
      console.log(
        `| ${file} | ${m.name} | ${cv.accuracy.toFixed(3)} | ${cv.balancedAccuracy.toFixed(3)} | ${cv.macroF1.toFixed(3)} | ${res.elapsedSeconds.toFixed(1)} |`,
      );
    }
  }
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
