// One batch of feature rows → one prediction per row, from the R server or the dummy rule.
import { type CallFeatures, FEATURE_NAMES } from "@battycoda/audio";
import {
  type ClassifierMethod,
  classifierMethods,
  isServerFailure,
  type ModelSource,
  type RClient,
  RServerRequestError,
  RServerResponseError,
} from "@battycoda/r-client";

export interface CallTypeRef {
  id: string;
  shortName: string;
}

export interface RowPrediction {
  /** The model's label (may be a class the species lacks); null = not classified. */
  label: string | null;
  confidence: number | null;
  /** Per call type of the species (id → probability); empty when not classified. */
  probabilities: Map<string, number>;
}

export interface BatchPrediction {
  rows: RowPrediction[];
  /** Model classes with no call type of that short name in the species. */
  unknownClasses: string[];
}

/** Same probability for every call type; no label, since none is more likely than another. */
export function dummyPrediction(callTypes: CallTypeRef[]): RowPrediction {
  const p = callTypes.length > 0 ? 1 / callTypes.length : 0;
  return {
    label: null,
    confidence: callTypes.length > 0 ? p : null,
    probabilities: new Map(callTypes.map((c) => [c.id, p])),
  };
}

export const NOT_CLASSIFIED: RowPrediction = { label: null, confidence: null, probabilities: new Map() };

export function methodOf(type: string): ClassifierMethod {
  if ((classifierMethods as readonly string[]).includes(type)) return type as ClassifierMethod;
  throw new RServerRequestError("", 400, `classifier type "${type}" cannot predict on the R server`);
}

/** A classifier's model as a run sends it to R: named by its sha256, uploaded only where missing. */
export interface RunModel {
  method: ClassifierMethod;
  source: ModelSource;
}

/**
 * Rows whose features are incomplete (a call too short to measure, shorter than 10 samples) are
 * not sent: R rejects NaN, and imputing would invent a prediction. They get a result with no label.
 */
export async function predictBatch(
  client: RClient,
  model: RunModel,
  rows: (CallFeatures | null)[],
  callTypes: CallTypeRef[],
  signal?: AbortSignal,
  /** Model class → current short name, for call types renamed or merged since training (taxonomy). */
  aliases: ReadonlyMap<string, string> = new Map(),
): Promise<BatchPrediction> {
  const send: number[] = [];
  rows.forEach((r, i) => {
    if (r) send.push(i);
  });
  const out: RowPrediction[] = rows.map(() => NOT_CLASSIFIED);
  if (send.length === 0) return { rows: out, unknownClasses: [] };
  const columns: Record<string, number[]> = {};
  for (const name of FEATURE_NAMES) columns[name] = send.map((i) => (rows[i] as CallFeatures)[name]);
  const res = await client.predict(
    { method: model.method, model: model.source, features: columns },
    { signal },
  );
  if (res.predictions.length !== send.length)
    throw new RServerResponseError(
      client.baseUrl,
      `${res.predictions.length} predictions for ${send.length} rows`,
    );
  const byName = new Map(callTypes.map((c) => [c.shortName, c.id]));
  const unknown = new Set<string>();
  res.predictions.forEach((p, k) => {
    const probabilities = new Map<string, number>();
    for (const [cls, prob] of Object.entries(p.probabilities)) {
      const id = byName.get(aliases.get(cls) ?? cls);
      // two classes of a model trained before a merge land on one call type: their sum
      if (id) probabilities.set(id, (probabilities.get(id) ?? 0) + prob);
      else unknown.add(cls);
    }
    // Call types the model never learnt are certainly not predicted: a stored 0, not a gap.
    for (const c of callTypes) if (!probabilities.has(c.id)) probabilities.set(c.id, 0);
    const label = p.label === null ? null : (aliases.get(p.label) ?? p.label);
    out[send[k] as number] = { label, confidence: p.confidence, probabilities };
  });
  return { rows: out, unknownClasses: [...unknown].sort() };
}

/** R is down, busy or failing inside: worth waiting for. A 4xx or a malformed answer is not. */
export function isTransient(err: unknown): boolean {
  return isServerFailure(err);
}

export function isPermanentRError(err: unknown): boolean {
  return err instanceof RServerRequestError || err instanceof RServerResponseError;
}
