/**
 * What it costs that models travel over HTTP: one 2 000-row prediction batch on an R server that
 * has never seen the model (predict → model_not_cached → upload → predict again) against the same
 * batch once the model is cached there, for each method, with real models trained on the shared
 * C. perspicillata table. Also measured in the same run: the upload alone, and the first batch on
 * the server that trained the model (on its disk, not yet in memory: what a first call cost when
 * R read models from a shared disk by path).
 *   pnpm --filter @battycoda/r-client bench [dataDir]     (default: <repo>/../shared/data)
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type ClassifierMethod,
  type ModelSource,
  readFeatureCsv,
  repoRoot,
  sha256Hex,
  startRServer,
} from "../src/index.ts";

const dataDir = path.resolve(process.argv[2] ?? path.join(repoRoot, "../shared/data"));
const BATCH = 2_000;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

const methods: { method: ClassifierMethod; options: Record<string, unknown> }[] = [
  { method: "lda", options: {} },
  { method: "knn", options: { k: 10 } },
  { method: "rf", options: { numThreads: 1 } },
  { method: "ensemble", options: { k: 10, numThreads: 1 } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const table = await readFeatureCsv(path.join(dataDir, "features", "carollia_features.csv"));
const batch = Array.from(
  { length: BATCH },
  (_, i) => table.rows[i % table.rows.length] as Record<string, number>,
);
const dir = await mkdtemp(path.join(os.tmpdir(), "r-bench-models-"));
// A cache of one byte keeps only the model stored last: storing another one evicts the measured
// model (from disk and memory), so its first call can be measured again on a warm server.
const server = (name: string, maxBytes?: number) =>
  startRServer({
    env: {
      R_MODEL_CACHE_DIR: path.join(dir, name),
      ...(maxBytes ? { R_MODEL_CACHE_MAX_BYTES: String(maxBytes) } : {}),
    },
  });
const [trainer, fresh, uploadOnly] = await Promise.all([
  server("trainer"),
  server("fresh", 1),
  server("upload-only", 1),
]);
try {
  console.log(
    `${BATCH}-row prediction batches (${table.featureNames.length} features; models trained on ${table.rows.length} rows of carollia_features.csv, no CV); medians of ${REPEATS} runs each, servers warmed up per method\n`,
  );
  console.log(
    "| method | model size | first call (404, upload, predict) | cached call | first ÷ cached | upload alone | first call where the model is on disk, not in memory (the old shared-disk path) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const m of methods) {
    // every `stride`-th row: the table is sorted by label
    const train = (stride: number, seed: number) =>
      trainer.client.train(
        {
          method: m.method,
          features: table.rows.filter((_, i) => i % stride === 0),
          labels: table.labels.filter((_, i) => i % stride === 0),
          options: { ...m.options, cvFolds: 0, seed, minSamplesPerLabel: 1, dropRareLabels: true },
        },
        { timeoutMs: 30 * 60_000 },
      );
    const trained = await train(1, 42);
    const other = await train(7, 7); // warms each server up for this method, then evicts the measured model
    let loads = 0;
    const model: ModelSource = {
      sha256: sha256Hex(trained.model),
      load: async () => {
        loads++;
        return trained.model;
      },
    };
    const warm: ModelSource = { sha256: other.modelSha256, load: async () => other.model };
    const predict = (srv: typeof fresh, src: ModelSource) =>
      srv.client.predict({ method: m.method, model: src, features: batch });
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    await predict(fresh, warm);
    await predict(trainer, warm);
    await uploadOnly.client.uploadModel(warm.sha256, other.model);

    const first: number[] = [];
    const cached: number[] = [];
    const upload: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      first.push(await timed(() => predict(fresh, model)));
      cached.push(await timed(() => predict(fresh, model)));
      await fresh.client.uploadModel(warm.sha256, other.model); // evicts `model`
      upload.push(await timed(() => uploadOnly.client.uploadModel(model.sha256, trained.model)));
      await uploadOnly.client.uploadModel(warm.sha256, other.model);
    }
    if (loads !== REPEATS) throw new Error(`expected ${REPEATS} uploads, saw ${loads}`);
    // the trainer holds the model on disk since the training, and has not read it yet
    const onDisk = await timed(() => predict(trainer, model));

    const f = median(first);
    const c = median(cached);
    console.log(
      `| ${m.method} | ${Math.max(1, Math.round(trained.model.length / 1024))} KB | ${f.toFixed(0)} ms | ${c.toFixed(0)} ms | ${(f / c).toFixed(2)} | ${median(upload).toFixed(0)} ms | ${onDisk.toFixed(0)} ms |`,
    );
  }
} finally {
  await Promise.all([trainer.stop(), fresh.stop(), uploadOnly.stop()]);
  await rm(dir, { recursive: true, force: true });
}
