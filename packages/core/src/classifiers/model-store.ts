// Trained models in the media store (local folder or S3) and how one reaches an R server.
//
// A model is stored under its content hash, models/<group|global>/<classifier id>/<sha256>.rds,
// with its model card beside it (<sha256>.json), and the Classifier row names that key. The bytes
// are written before the row is committed, so a worker that dies in between leaves an object that
// no row names, never a row without its model; removeOrphanModels deletes such objects (and the
// models of versions a retrain replaced) once they are older than a grace period that covers a
// training's write-then-commit and the classification runs still using a replaced version.
import { type ModelSource, sha256Hex } from "@battycoda/r-client";
import type { MediaContext } from "../access/context.ts";
import { isMediaNotFound } from "../media/not-found.ts";
import type { MediaStore } from "../media/store.ts";
import { MODEL_CARD_FORMAT, type ModelCard, modelCard, type TrainedModel } from "./model.ts";

export const MODELS_PREFIX = "models";

/** The folder of every version of one classifier's models. */
export function classifierModelsPrefix(groupId: string | null, classifierId: string): string {
  return `${MODELS_PREFIX}/${groupId ?? "global"}/${classifierId}`;
}

export function modelKey(groupId: string | null, classifierId: string, sha256: string): string {
  return `${classifierModelsPrefix(groupId, classifierId)}/${sha256}.rds`;
}

export function modelCardKey(modelKey: string): string {
  return `${modelKey.replace(/\.rds$/i, "")}.json`;
}

/** The sha256 a content-addressed key carries; null for keys of models stored before (…-v2.rds). */
export function sha256OfModelKey(key: string): string | null {
  return /(?:^|\/)([0-9a-f]{64})\.rds$/.exec(key)?.[1] ?? null;
}

/** Writes the model and then its card; a failure removes what was written. */
export async function storeModel(
  media: MediaStore,
  key: string,
  bytes: Uint8Array,
  model: TrainedModel,
): Promise<void> {
  try {
    await media.write(key, bytes);
    await media.write(modelCardKey(key), JSON.stringify(modelCard(model)));
  } catch (err) {
    await removeModel(media, key).catch(() => undefined);
    throw err;
  }
}

export async function removeModel(media: MediaStore, key: string): Promise<void> {
  await media.delete(key);
  await media.delete(modelCardKey(key));
}

export async function readModelCard(media: MediaStore, modelKey: string): Promise<ModelCard | null> {
  let text: Buffer;
  try {
    text = await media.read(modelCardKey(modelKey));
  } catch (err) {
    if (isMediaNotFound(err)) return null;
    throw err;
  }
  const card = JSON.parse(text.toString("utf8")) as ModelCard;
  return card?.format === MODEL_CARD_FORMAT ? card : null;
}

/**
 * A stored model as the R client takes it: its sha256, and its bytes read from the store only when
 * an R server lacks it (once, however many servers ask). A model stored before content-addressed
 * keys has to be read now to learn its hash.
 */
export async function storedModel(media: MediaStore, key: string): Promise<ModelSource> {
  const sha256 = sha256OfModelKey(key);
  if (!sha256) {
    const bytes = await media.read(key);
    return { sha256: sha256Hex(bytes), load: async () => bytes };
  }
  let bytes: Promise<Buffer> | null = null;
  return {
    sha256,
    load: () => {
      bytes ??= media.read(key).catch((err) => {
        bytes = null;
        throw err;
      });
      return bytes;
    },
  };
}

/**
 * Deletes model objects (and cards) that no Classifier names and that are older than `graceMs`
 * (default a day): models of trainings whose worker died before committing, and the superseded
 * models of retrained classifiers. Safe to run at any time, from any host.
 */
export async function removeOrphanModels(
  { db, media }: MediaContext,
  options: { graceMs?: number; now?: Date } = {},
): Promise<{ removed: string[] }> {
  const graceMs = options.graceMs ?? 24 * 3600_000;
  const now = (options.now ?? new Date()).getTime();
  // Read before listing: a model committed meanwhile is younger than the grace period.
  const rows = await db.classifier.findMany({
    where: { modelPath: { not: null } },
    select: { modelPath: true },
  });
  const referenced = new Set(rows.map((r) => r.modelPath as string));
  const removed: string[] = [];
  for await (const { key } of media.list(MODELS_PREFIX)) {
    const model = key.endsWith(".json") ? key.replace(/\.json$/, ".rds") : key;
    if (referenced.has(model)) continue;
    const info = await media.stat(key);
    if (!info?.modified || now - info.modified.getTime() < graceMs) continue;
    await media.delete(key);
    removed.push(key);
  }
  return { removed };
}
