// The work of `battycoda classifier train|predict` (definitions in classifier.ts), loaded only
// when one of them runs.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@battycoda/config";
import {
  modelCardKey,
  parseFeaturesCsv,
  predictionsCsv,
  predictTable,
  storeModel,
  type TrainableType,
  trainModel,
  withRServer,
} from "@battycoda/core/classifiers";
import { LocalMediaStore } from "@battycoda/core/media";

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

/** A model file as the core's model store sees it: a key in a local store of its folder. */
function modelInFolder(file: string) {
  return { media: new LocalMediaStore(path.dirname(file)), key: path.basename(file) };
}

export async function train(opts: { features: string; type: TrainableType; out: string }) {
  const modelPath = modelFile(opts.out);
  const parsed = parseFeaturesCsv(await readFile(opts.features, "utf8"), { requireLabels: true });
  progress(`${parsed.rows.length} calls, ${new Set(parsed.labels).size} call types from ${opts.features}`);
  const { model, bytes } = await withRServer({ url: getConfig().rServerUrl, log: progress }, (client) => {
    progress(`Training ${opts.type} with 5-fold cross-validation…`);
    return trainModel(client, {
      type: opts.type,
      table: { ...parsed, origins: parsed.lines.map((line) => ({ line })) },
      onProgress: stageReporter(),
    });
  });
  const out = modelInFolder(modelPath);
  await storeModel(out.media, out.key, bytes, model);
  progress(
    `Model written to ${modelPath} (model card ${path.join(path.dirname(modelPath), modelCardKey(out.key))})`,
  );
  const { cvPredictions: _rows, ...summary } = model;
  process.stdout.write(`${JSON.stringify({ ...summary, modelPath }, null, 2)}\n`);
}

export async function predict(opts: { model: string; features: string; type?: TrainableType }) {
  const table = parseFeaturesCsv(await readFile(opts.features, "utf8"), { requireLabels: false });
  progress(`${table.rows.length} calls from ${opts.features}`);
  const result = await withRServer({ url: getConfig().rServerUrl, log: progress }, (client) =>
    predictTable(client, {
      ...modelInFolder(path.resolve(opts.model)),
      table,
      ...(opts.type ? { method: opts.type } : {}),
    }),
  );
  process.stdout.write(predictionsCsv(result));
}
