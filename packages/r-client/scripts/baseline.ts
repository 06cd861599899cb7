/**
 * Cross-validated quality on the shared feature tables, through the real R server, against the
 * data README's baselines; then prediction speed on batches.
 *   pnpm --filter @battycoda/r-client baseline [dataDir]     (default: <repo>/../shared/data)
 * Every method with its default (improved) settings, plus the baseline's own settings for KNN and
 * LDA; 5-fold stratified CV, seed 42, all labels kept.
 */
import path from "node:path";
import {
  type ClassifierMethod,
  type ModelSource,
  modelFromBytes,
  readFeatureCsv,
  repoRoot,
  startRServer,
} from "../src/index.ts";

const dataDir = path.resolve(process.argv[2] ?? path.resolve(repoRoot, "../shared/data"));
const species = [
  {
    name: "E. fuscus",
    file: "efuscus_features.csv",
    baseline: { knn: [0.725, 0.347], lda: [0.753, 0.392], rf: [0.79, 0.412] },
  },
  {
    name: "C. perspicillata",
    file: "carollia_features.csv",
    baseline: { knn: [0.693, 0.306], lda: [0.76, 0.307], rf: [0.792, 0.311] },
  },
] as const;
const runs: { method: ClassifierMethod; name: string; options: Record<string, unknown> }[] = [
  {
    method: "knn",
    name: "1-NN (baseline settings)",
    options: { k: 1, weighting: "uniform", prior: "proportional" },
  },
  { method: "lda", name: "LDA (baseline settings)", options: { prior: "proportional" } },
  { method: "knn", name: "KNN (default: k by CV, distance, equal priors)", options: {} },
  { method: "lda", name: "LDA (default: equal priors)", options: {} },
  { method: "rf", name: "RF (default: 500 trees, balanced, equal priors)", options: {} },
  { method: "ensemble", name: "ensemble LDA+RF+KNN (default)", options: {} },
];

const server = await startRServer();
try {
  console.log(
    "| species | method | accuracy | balanced accuracy | baseline acc / bal (same method) | Δ bal vs best baseline | seconds |",
  );
  console.log("|---|---|---|---|---|---|---|");
  const models: { method: ClassifierMethod; model: ModelSource; file: string }[] = [];
  for (const s of species) {
    const table = await readFeatureCsv(path.join(dataDir, "features", s.file));
    const best = Math.max(...Object.values(s.baseline).map((b) => b[1]));
    for (const r of runs) {
      const res = await server.client.train({
        method: r.method,
        features: table.rows,
        labels: table.labels,
        options: { ...r.options, cvFolds: 5, seed: 42, minSamplesPerLabel: 1 },
      });
      const cv = res.cv;
      if (!cv) throw new Error("no CV in response");
      const b = r.method === "ensemble" ? null : s.baseline[r.method];
      const delta = cv.balancedAccuracy - best;
      console.log(
        `| ${s.name} | ${r.name}${res.tuning ? ` k=${res.tuning.k}` : ""} | ${cv.accuracy.toFixed(3)} | ${cv.balancedAccuracy.toFixed(3)} | ${b ? `${b[0]} / ${b[1]}` : "–"} | ${delta >= 0 ? "+" : ""}${delta.toFixed(3)} | ${res.elapsedSeconds.toFixed(1)} |`,
      );
      models.push({ method: r.method, model: modelFromBytes(res.model), file: s.file });
    }
  }

  // Prediction speed: the app sends batches of 500-2000 rows; 10 000 rows in batches of 1000.
  console.log("\n| method | rows | batch | seconds | rows/s |");
  console.log("|---|---|---|---|---|");
  const table = await readFeatureCsv(path.join(dataDir, "features", "carollia_features.csv"));
  const rows = Array.from(
    { length: 10_000 },
    (_, i) => table.rows[i % table.rows.length] as Record<string, number>,
  );
  for (const m of models.filter((x) => x.file === "efuscus_features.csv").slice(2)) {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 1000) {
      await server.client.predict({
        method: m.method,
        model: m.model,
        features: rows.slice(i, i + 1000),
      });
    }
    const sec = (performance.now() - t0) / 1000;
    console.log(
      `| ${m.method} | ${rows.length} | 1000 | ${sec.toFixed(2)} | ${Math.round(rows.length / sec)} |`,
    );
  }
} finally {
  await server.stop();
}
