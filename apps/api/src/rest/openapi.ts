import { z } from "zod";
import type { RestRoute } from "./routes.ts";

const ZErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    target: "openapi-3.0",
  });
  return rest as JsonSchema;
}

function parametersOf(schema: z.ZodObject | undefined, location: "path" | "query") {
  if (!schema) return [];
  const json = schemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: location,
    required: location === "path" || (json.required ?? []).includes(name),
    schema: s,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** OpenAPI 3.0 for the REST surface, generated from the same zod schemas that validate it. */
export function buildOpenApiDocument(routes: RestRoute[], publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const status = String(route.status ?? 200);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(route.body, "input") } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: "Success",
          content: { "application/json": { schema: schemaOf(route.response, "output") } },
        },
        "400": errorResponse("Invalid input"),
        "401": errorResponse("Missing or invalid API key"),
        "403": errorResponse("Not allowed (e.g. not a group admin)"),
        "404": errorResponse("Not found, or belongs to another group"),
        "409": errorResponse("Conflicts with existing data (e.g. duplicate name)"),
        "429": errorResponse("Rate limited"),
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "BattyCoda API",
      version: "1.0.0",
      description:
        "Acts in the API key owner's current group (switch it in the web app). Generate a key on the Profile page.",
    },
    servers: [{ url: publicUrl }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Authorization: Bearer bc_…" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      schemas: { Error: schemaOf(ZErrorBody, "output") },
    },
    paths,
  };
}
