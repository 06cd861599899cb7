// Every tRPC procedure that carries REST metadata, read from the router itself, so a procedure
// gets its REST route and its OpenAPI entry the moment someone adds `.meta({ rest })` to it.
import { z } from "zod";
import { appRouter } from "../router.ts";
import type { RestMethod, RestOperation } from "./meta.ts";

export interface RestProcedure extends RestOperation {
  /** tRPC path, e.g. "projects.get". */
  procedure: string;
  operationId: string;
  /** Path parameter names, in order. */
  pathParams: string[];
  /** The procedure's input schema (unwrapped from optional), or null when it takes none. */
  input: z.ZodType | null;
  output: z.ZodType;
}

interface ProcedureDef {
  _def: { type: string; meta?: { rest?: RestOperation }; inputs: unknown[]; output?: unknown };
}

function unwrapInput(parsers: unknown[]): z.ZodType | null {
  if (parsers.length === 0) return null;
  if (parsers.length > 1) throw new Error("REST procedures take one input schema");
  let schema = parsers[0];
  if (!(schema instanceof z.ZodType)) throw new Error("REST procedures need a zod input schema");
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    schema = (schema as z.ZodOptional).unwrap();
  return schema instanceof z.ZodVoid || schema instanceof z.ZodUndefined ? null : (schema as z.ZodType);
}

/**
 * The operation ids of the first, hand-written REST version, kept so clients generated from it
 * keep their method names.
 */
const FIRST_VERSION_IDS: Record<string, string> = {
  "auth.me": "getMe",
  "groups.list": "listGroups",
  "projects.list": "listProjects",
  "projects.create": "createProject",
  "projects.get": "getProject",
  "projects.update": "updateProject",
  "projects.delete": "deleteProject",
  "species.list": "listSpecies",
  "species.get": "getSpecies",
  "species.addCallType": "addCallType",
  "recordings.list": "listRecordings",
  "recordings.get": "getRecording",
  "segmentation.list": "listSegmentations",
  "segmentation.segments.list": "listSegments",
};

/** "classification.listRuns" → "classificationListRuns": unique because tRPC paths are. */
const operationIdOf = (procedure: string) =>
  FIRST_VERSION_IDS[procedure] ?? procedure.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());

function fromRouter(): RestProcedure[] {
  const found: RestProcedure[] = [];
  const procedures = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
  for (const [procedure, { _def }] of Object.entries(procedures)) {
    const rest = _def.meta?.rest;
    if (!rest) continue;
    if (!(_def.output instanceof z.ZodType)) throw new Error(`${procedure}: REST procedures need .output()`);
    const expected: RestMethod[] = _def.type === "query" ? ["GET"] : ["POST", "PATCH", "PUT", "DELETE"];
    if (!expected.includes(rest.method))
      throw new Error(`${procedure}: a ${_def.type} cannot be served as ${rest.method}`);
    const input = unwrapInput(_def.inputs);
    const pathParams = [...rest.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const shape = input instanceof z.ZodObject ? (input.shape as Record<string, unknown>) : {};
    for (const p of pathParams)
      if (!(p in shape)) throw new Error(`${procedure}: path parameter :${p} is not an input field`);
    found.push({
      ...rest,
      procedure,
      operationId: operationIdOf(procedure),
      pathParams,
      input,
      output: _def.output,
    });
  }
  const seen = new Set<string>();
  for (const r of found) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`Two procedures claim ${key}`);
    seen.add(key);
  }
  return found;
}

export const REST_PROCEDURES: readonly RestProcedure[] = fromRouter();
