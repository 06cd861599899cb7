// The default global classifiers, trained from reference feature tables that the caller points to
// (`battycoda initialize-defaults --features DIR`): the product never reads ../shared by itself.
// Idempotent: the same table and method as the stored classifier → nothing to do.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@battycoda/db";
import type { RClient } from "@battycoda/r-client";
import type { MediaContext } from "../access/context.ts";
import { parseFeaturesCsv } from "../classifiers/features-csv.ts";
import { trainingDataHash } from "../classifiers/model.ts";
import type { TrainableType } from "../classifiers/schemas.ts";
import { saveTrainedClassifier } from "../classifiers/train.ts";

export const DEFAULT_CLASSIFIERS = [
  {
    species: "Eptesicus fuscus",
    file: "efuscus_features.csv",
    name: "Eptesicus fuscus reference classifier",
  },
  {
    species: "Carollia perspicillata",
    file: "carollia_features.csv",
    name: "Carollia perspicillata reference classifier",
  },
] as const;

export interface DefaultClassifierResult {
  name: string;
  classifierId: string;
  type: TrainableType;
  status: "created" | "retrained" | "unchanged";
  version: number;
  balancedAccuracy: number | null;
}

/** The ensemble where the R server offers it, else the class-weighted forest (the better single model). */
export async function defaultClassifierType(client: RClient): Promise<TrainableType> {
  const ping = await client.ping();
  return ping.methods.includes("ensemble") ? "ensemble" : "rf";
}

export async function trainDefaultClassifiers(
  { db, media }: MediaContext,
  client: RClient,
  options: { featuresDir: string; type?: TrainableType; log?: (line: string) => void },
): Promise<DefaultClassifierResult[]> {
  const log = options.log ?? (() => {});
  const type = options.type ?? (await defaultClassifierType(client));
  const out: DefaultClassifierResult[] = [];
  for (const def of DEFAULT_CLASSIFIERS) {
    const file = path.join(options.featuresDir, def.file);
    const parsed = parseFeaturesCsv(await readFile(file, "utf8"), { requireLabels: true });
    const species = await db.species.findFirst({ where: { groupId: null, name: def.species } });
    if (!species)
      throw new Error(
        `System species ${def.species} is missing: run initialize-defaults without --features first`,
      );
    const { count } = await db.callType.createMany({
      data: [...new Set(parsed.labels)].map((shortName) => ({
        speciesId: species.id,
        shortName,
        longName: shortName,
      })),
      skipDuplicates: true,
    });
    if (count > 0) log(`${def.species}: ${count} call types added from ${def.file}`);
    const hash = trainingDataHash(parsed);
    const existing = await db.classifier.findFirst({ where: { groupId: null, name: def.name } });
    if (existing && existing.trainingDataHash === hash && existing.type === type && existing.modelPath) {
      log(`${def.name}: unchanged (same ${def.file}, ${type})`);
      out.push({
        name: def.name,
        classifierId: existing.id,
        type,
        status: "unchanged",
        version: existing.version,
        balancedAccuracy:
          (existing.metrics as { balancedAccuracy?: number } | null)?.balancedAccuracy ?? null,
      });
      continue;
    }
    log(
      `${def.name}: training ${type} on ${parsed.rows.length} calls of ${def.file} (5-fold cross-validation)…`,
    );
    const { classifier, model } = await saveTrainedClassifier(
      { db, media },
      client,
      {
        groupId: null,
        name: def.name,
        description: `Default ${def.species} classifier, trained on ${parsed.rows.length} hand-labelled calls of the reference feature table ${def.file}.`,
        speciesId: species.id,
        type,
        table: { ...parsed, origins: parsed.lines.map((line) => ({ line })) },
        source: { kind: "defaults", file: def.file, rows: parsed.rows.length },
      },
      {},
    );
    const bal = model.metrics?.balancedAccuracy ?? null;
    log(
      `${def.name}: version ${classifier.version}, accuracy ${model.metrics?.accuracy.toFixed(3) ?? "n/a"}, balanced accuracy ${bal?.toFixed(3) ?? "n/a"}`,
    );
    out.push({
      name: def.name,
      classifierId: classifier.id,
      type,
      status: existing ? "retrained" : "created",
      version: classifier.version,
      balancedAccuracy: bal,
    });
  }
  return out;
}
