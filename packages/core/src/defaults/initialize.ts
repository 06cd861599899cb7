import fs from "node:fs/promises";
import path from "node:path";
import { DEFAULT_ALGORITHM, SEGMENTATION_ALGORITHMS } from "@battycoda/audio";
import type { Db, Prisma } from "@battycoda/db";
import type { MediaContext } from "../access/context.ts";
import { isUniqueViolation } from "../access/errors.ts";
import { DUMMY_CLASSIFIER, SYSTEM_SPECIES, type SystemSpeciesDefinition } from "./data.ts";

export interface InitializeDefaultsOptions {
  /**
   * Reference data folder holding species/<image>. Images are skipped when it does not exist
   * (a production install has no ../shared). Default: <repo>/../shared/data.
   */
  sharedDataDir?: string | null;
  log?: (message: string) => void;
}

export interface InitializeDefaultsResult {
  species: { created: number; existing: number };
  callTypes: { created: number };
  images: { copied: number; skipped: number };
  segmentationAlgorithms: { created: number; updated: number };
  classifiers: { created: number; existing: number };
}

const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..", "..", "..");
export const DEFAULT_SHARED_DATA_DIR = path.resolve(REPO_ROOT, "..", "shared", "data");

/** find-or-create that survives a concurrent run (the unique index decides, we re-read). */
async function findOrCreate<T>(
  find: () => Promise<T | null>,
  create: () => Promise<T>,
): Promise<[T, boolean]> {
  const found = await find();
  if (found) return [found, false];
  try {
    return [await create(), true];
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const again = await find();
    if (!again) throw err;
    return [again, false];
  }
}

/** jsonb does not keep key order, so compare with sorted keys. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Idempotent: creates what is missing and never overwrites what a site admin changed on the
 * system species (names, descriptions, added call types, a replaced image). Product-defined rows
 * (segmentation algorithm descriptions and default parameters) are brought up to date.
 */
export async function initializeDefaults(
  { db, media }: MediaContext,
  options: InitializeDefaultsOptions = {},
): Promise<InitializeDefaultsResult> {
  const log = options.log ?? (() => {});
  const sharedDataDir = options.sharedDataDir === undefined ? DEFAULT_SHARED_DATA_DIR : options.sharedDataDir;
  const result: InitializeDefaultsResult = {
    species: { created: 0, existing: 0 },
    callTypes: { created: 0 },
    images: { copied: 0, skipped: 0 },
    segmentationAlgorithms: { created: 0, updated: 0 },
    classifiers: { created: 0, existing: 0 },
  };

  for (const def of SYSTEM_SPECIES) {
    const [species, created] = await findOrCreate(
      () => db.species.findFirst({ where: { groupId: null, name: def.name } }),
      () =>
        db.species.create({
          data: { name: def.name, commonName: def.commonName, description: def.description, isSystem: true },
        }),
    );
    result.species[created ? "created" : "existing"]++;
    if (!species.isSystem) await db.species.update({ where: { id: species.id }, data: { isSystem: true } });

    const { count } = await db.callType.createMany({
      data: def.callTypes.map(([shortName, longName]) => ({ speciesId: species.id, shortName, longName })),
      skipDuplicates: true,
    });
    result.callTypes.created += count;

    const copied = await ensureSpeciesImage({ db, media }, species, def, sharedDataDir);
    result.images[copied ? "copied" : "skipped"]++;
    log(
      `species ${def.name}: ${created ? "created" : "present"}, ${count} call types added${copied ? ", image copied" : ""}`,
    );
  }

  for (const spec of SEGMENTATION_ALGORITHMS) {
    const defaultParams = Object.fromEntries(
      spec.params.map((p) => [p.name, p.default]),
    ) as Prisma.InputJsonObject;
    const data = {
      name: spec.label,
      description: spec.description,
      defaultParams,
    };
    const [row, created] = await findOrCreate(
      () => db.segmentationAlgorithm.findFirst({ where: { groupId: null, key: spec.name } }),
      () => db.segmentationAlgorithm.create({ data: { key: spec.name, ...data } }),
    );
    if (created) result.segmentationAlgorithms.created++;
    else if (
      row.name !== data.name ||
      row.description !== data.description ||
      canonicalJson(row.defaultParams) !== canonicalJson(defaultParams)
    ) {
      await db.segmentationAlgorithm.update({ where: { id: row.id }, data });
      result.segmentationAlgorithms.updated++;
    }
  }
  log(
    `segmentation algorithms: ${SEGMENTATION_ALGORITHMS.map((s) => s.name).join(", ")} (default ${DEFAULT_ALGORITHM})`,
  );

  const [, classifierCreated] = await findOrCreate(
    () => db.classifier.findFirst({ where: { groupId: null, name: DUMMY_CLASSIFIER.name } }),
    () =>
      db.classifier.create({
        data: {
          name: DUMMY_CLASSIFIER.name,
          type: "dummy",
          description: DUMMY_CLASSIFIER.description,
          parameters: DUMMY_CLASSIFIER.parameters,
        },
      }),
  );
  result.classifiers[classifierCreated ? "created" : "existing"]++;
  log(`classifier ${DUMMY_CLASSIFIER.name}: ${classifierCreated ? "created" : "present"}`);
  return result;
}

/**
 * Copies the repertoire image to the media store at system/species/<id>-repertoire.<ext> when the species
 * has none yet (or has that file recorded but lost, e.g. after a media wipe).
 */
async function ensureSpeciesImage(
  { db, media }: MediaContext,
  species: { id: string; imagePath: string | null },
  def: SystemSpeciesDefinition,
  sharedDataDir: string | null,
): Promise<boolean> {
  if (!sharedDataDir) return false;
  const source = path.join(sharedDataDir, "species", def.image);
  if (!(await exists(source))) return false;
  const relative = path.posix.join(
    "system",
    "species",
    `${species.id}-repertoire${path.extname(def.image).toLowerCase()}`,
  );
  if (species.imagePath && species.imagePath !== relative) return false; // replaced by an admin
  if (species.imagePath === relative && (await media.stat(relative))) return false;
  await media.write(relative, await fs.readFile(source));
  if (species.imagePath !== relative)
    await db.species.update({ where: { id: species.id }, data: { imagePath: relative } });
  return true;
}
