import {
  type AlgorithmSpec,
  type ParamSpec,
  SEGMENTATION_ALGORITHMS,
  type SegmentationAlgorithm,
  type SegmentParams,
} from "@battycoda/audio";
import { z } from "zod";
import { DomainError } from "../access/errors.ts";

export type AlgorithmKey = SegmentationAlgorithm;
export const ALGORITHM_KEYS = SEGMENTATION_ALGORITHMS.map((a) => a.name) as [AlgorithmKey, ...AlgorithmKey[]];
export const ZAlgorithmKey = z.enum(ALGORITHM_KEYS);

/** Parameter values as a client sends them: name → number, or null for "not set / auto". */
export const ZParamValues = z.record(z.string().max(64), z.number().nullable()).default({});

export function algorithmSpec(key: string): AlgorithmSpec {
  const spec = SEGMENTATION_ALGORITHMS.find((a) => a.name === key);
  if (!spec) {
    throw new DomainError(
      "BAD_REQUEST",
      `Unknown segmentation algorithm "${key}" (known: ${ALGORITHM_KEYS.join(", ")})`,
    );
  }
  return spec;
}

function paramSchema(p: ParamSpec) {
  let n = p.type === "integer" ? z.number().int() : z.number();
  n = n.refine(Number.isFinite, { error: "must be a finite number" });
  if (p.min !== undefined) n = n.min(p.min, { error: `must be at least ${p.min}` });
  if (p.max !== undefined) n = n.max(p.max, { error: `must be at most ${p.max}` });
  // A null default means "unset" (no filter, automatic band): clients may send null back.
  return p.default === null ? n.nullable().optional() : n.optional();
}

const schemas = new Map<string, z.ZodType<Record<string, number | null | undefined>>>();

/** The zod schema of one algorithm's parameters, built from its description in packages/audio. */
export function paramsSchemaFor(key: string) {
  const cached = schemas.get(key);
  if (cached) return cached;
  const spec = algorithmSpec(key);
  const shape = Object.fromEntries(spec.params.map((p) => [p.name, paramSchema(p)]));
  const names = new Set(spec.params.map((p) => p.name));
  const schema = z.strictObject(shape).superRefine((v: Record<string, number | null | undefined>, ctx) => {
    const low = v.low_hz;
    const high = v.high_hz;
    if (typeof low === "number" && typeof high === "number" && low >= high) {
      ctx.addIssue({ code: "custom", path: ["high_hz"], message: "must be above the lower band edge" });
    }
    if (names.has("release_db")) {
      const det = v.threshold_db ?? numDefault(spec, "threshold_db");
      const rel = v.release_db ?? numDefault(spec, "release_db");
      if (typeof det === "number" && typeof rel === "number" && rel > det) {
        ctx.addIssue({
          code: "custom",
          path: ["release_db"],
          message: "must not exceed the detection threshold",
        });
      }
    }
    if (names.has("max_duration_ms")) {
      const min = v.min_duration_ms ?? numDefault(spec, "min_duration_ms");
      const max = v.max_duration_ms ?? numDefault(spec, "max_duration_ms");
      if (typeof min === "number" && typeof max === "number" && min > max) {
        ctx.addIssue({
          code: "custom",
          path: ["max_duration_ms"],
          message: "must not be below the minimum duration",
        });
      }
    }
  }) as unknown as z.ZodType<Record<string, number | null | undefined>>;
  schemas.set(key, schema);
  return schema;
}

function numDefault(spec: AlgorithmSpec, name: string): number | null {
  return spec.params.find((p) => p.name === name)?.default ?? null;
}

/**
 * Checks parameter values against the algorithm's description (names, types, ranges and the few
 * cross-field rules); throws BAD_REQUEST listing every problem. Returns only the values given.
 */
export function validateParams(key: string, params: unknown, sampleRate?: number | null): SegmentParams {
  const result = paramsSchemaFor(key).safeParse(params ?? {});
  const issues = result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  if (result.success && sampleRate) {
    const nyquist = sampleRate / 2;
    for (const name of ["low_hz"] as const) {
      const v = result.data[name];
      if (typeof v === "number" && v >= nyquist) {
        issues.push({ path: name, message: `must be below the Nyquist frequency (${nyquist} Hz)` });
      }
    }
  }
  if (!result.success || issues.length > 0) {
    throw new DomainError(
      "BAD_REQUEST",
      `Invalid ${key} parameters: ${issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join("; ")}`,
      { issues },
    );
  }
  return result.data as SegmentParams;
}

/** Every parameter with its default (null = unset/auto). */
export function algorithmDefaults(key: string): Record<string, number | null> {
  return Object.fromEntries(algorithmSpec(key).params.map((p) => [p.name, p.default]));
}

/**
 * Keeps the entries of `stored` (e.g. a species' last used values, written by an older version)
 * that are still valid parameters of the algorithm; anything else is dropped, not trusted.
 */
export function sanitizeStoredParams(key: string, stored: unknown): Record<string, number | null> {
  if (!stored || typeof stored !== "object" || Array.isArray(stored)) return {};
  const out: Record<string, number | null> = {};
  const spec = algorithmSpec(key);
  for (const p of spec.params) {
    const v = (stored as Record<string, unknown>)[p.name];
    if (v === undefined) continue;
    if (v !== null && typeof v !== "number") continue;
    if (paramSchema(p).safeParse(v).success) out[p.name] = v;
  }
  return out;
}
