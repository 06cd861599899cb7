// The OpenAPI document, generated from the zod schemas of the procedures with REST metadata and
// of the file routes: nothing here describes a field by hand. 3.1 (JSON Schema 2020-12) is the
// document; 3.0 is kept at the old address for tools that read only 3.0.
import { z } from "zod";
import { GROUP_ID_PARAM } from "./api-key-auth.ts";
import type { FileRoute } from "./file-routes.ts";
import type { RestProcedure } from "./procedures.ts";

export type OpenApiVersion = "3.1.0" | "3.0.3";
type JsonSchema = Record<string, unknown>;

const ZErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input: the message names each field (`field: problem; …`)",
  401: "Missing, unknown or revoked API key",
  403: "Not allowed (e.g. not a group admin)",
  404: "Not found, or belongs to another group",
  409: "Conflicts with existing data",
  412: "Not possible in the current state",
  413: "Too large",
  415: "Unsupported media type",
  416: "Range not satisfiable",
  429: "Rate limited (per API key)",
  503: "Busy: retry after the Retry-After seconds",
};
const COMMON_ERRORS = [400, 401, 404, 429];

function schemaOf(schema: z.ZodType, io: "input" | "output", version: OpenApiVersion): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    target: version === "3.0.3" ? "openapi-3.0" : "draft-2020-12",
  }) as JsonSchema;
  return rest;
}

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

function parameters(
  schema: z.ZodType | null | undefined,
  names: { path: string[]; query: boolean },
  version: OpenApiVersion,
): Parameter[] {
  if (!schema) return [];
  const json = schemaOf(schema, "input", version) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  const out: Parameter[] = [];
  for (const [name, s] of Object.entries(json.properties ?? {})) {
    const isPath = names.path.includes(name);
    if (!isPath && !names.query) continue;
    out.push({
      name,
      in: isPath ? "path" : "query",
      required: isPath || (json.required ?? []).includes(name),
      schema: s,
    });
  }
  return out;
}

/** The body fields: the input without its path parameters. */
function bodySchema(route: RestProcedure, version: OpenApiVersion): JsonSchema | null {
  if (!route.input) return null;
  const json = schemaOf(route.input, "input", version) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  if (!json.properties) return json;
  const properties = Object.fromEntries(
    Object.entries(json.properties).filter(([k]) => !route.pathParams.includes(k)),
  );
  const required = (json.required ?? []).filter((k) => !route.pathParams.includes(k));
  return { ...json, properties, ...(required.length ? { required } : { required: undefined }) };
}

const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    [...new Set([...COMMON_ERRORS, ...codes])].sort().map((c) => [
      String(c),
      {
        description: ERROR_TEXT[c] ?? "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );

const groupParameter: Parameter = {
  name: GROUP_ID_PARAM,
  in: "query",
  required: false,
  schema: { type: "string" },
  description:
    "Act in this group (you must be a member); default: your current group. Not accepted by the upload, audio and segment-import routes.",
};

const groupHeader = {
  name: "X-Group-Id",
  in: "header",
  required: false,
  schema: { type: "string" },
  description: groupParameter.description,
};

const openApiPath = (p: string) => p.replace(/:(\w+)/g, "{$1}");

function procedureOperation(route: RestProcedure, version: OpenApiVersion) {
  const inQuery = route.method === "GET" || route.method === "DELETE";
  const body = inQuery ? null : bodySchema(route, version);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Same as the tRPC procedure \`${route.procedure}\`.`,
    tags: [route.tag],
    parameters: parameters(route.input, { path: route.pathParams, query: inQuery }, version),
    ...(body && Object.keys((body.properties as object | undefined) ?? { x: 1 }).length
      ? { requestBody: { required: true, content: { "application/json": { schema: body } } } }
      : {}),
    responses: {
      [String(route.status ?? 200)]: {
        description: "Success",
        content: { "application/json": { schema: schemaOf(route.output, "output", version) } },
      },
      ...errorResponses(route.errors ?? []),
    },
  };
}

function fileOperation(route: FileRoute, version: OpenApiVersion) {
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const responses: Record<string, unknown> = {};
  const errors: number[] = [];
  for (const [status, r] of Object.entries(route.responses)) {
    if (Number(status) >= 400) {
      errors.push(Number(status));
      continue;
    }
    responses[status] = {
      description: r.description,
      content: {
        [r.contentType]: {
          schema: r.schema
            ? schemaOf(r.schema, "output", version)
            : r.contentType === "application/json"
              ? { type: "object" }
              : { type: "string", format: "binary" },
        },
      },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: [
      ...parameters(route.params, { path: pathNames, query: false }, version),
      ...parameters(route.query, { path: [], query: true }, version),
    ],
    ...(route.form
      ? {
          requestBody: {
            required: true,
            content: { "multipart/form-data": { schema: schemaOf(route.form, "input", version) } },
          },
        }
      : {}),
    responses: { ...responses, ...errorResponses(errors) },
  };
}

export function buildOpenApiDocument(
  procedures: readonly RestProcedure[],
  files: readonly FileRoute[],
  publicUrl: string,
  version: OpenApiVersion,
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of procedures) {
    const p = openApiPath(route.path);
    paths[p] = { ...paths[p], [route.method.toLowerCase()]: procedureOperation(route, version) };
  }
  for (const route of files) {
    const p = openApiPath(route.path);
    paths[p] = { ...paths[p], [route.method.toLowerCase()]: fileOperation(route, version) };
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: version,
    info: {
      title: "BattyCoda API",
      version: "1.0.0",
      description:
        "Scripts authenticate with an API key in `Authorization: Bearer <key>` or `X-API-Key: <key>` " +
        "(generate one on the Profile page). Calls act in the key owner's current group, or in the group named by " +
        "the `group_id` query parameter or `X-Group-Id` header (members of several groups). " +
        "Each key is rate-limited. Errors: `{ error: { code, message, details? } }`. " +
        "The original `/simple-api/` routes remain for old scripts (deprecated).",
    },
    servers: [{ url: publicUrl }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Authorization: Bearer bc_…" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      schemas: { Error: schemaOf(ZErrorBody, "output", version) },
      // Accepted by every operation; kept out of each operation's list so generated clients stay
      // simple (send it as the X-Group-Id header or the group_id query parameter).
      parameters: { GroupId: groupParameter, GroupIdHeader: groupHeader },
    },
    paths: sorted,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
