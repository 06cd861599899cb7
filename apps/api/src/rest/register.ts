import type { FastifyInstance } from "fastify";
import { formatZodIssues, sendError } from "../errors.ts";
import { RECORDING_RAW_OPENAPI_PATHS } from "../http/recordings-rest.ts";
import type { CookieSettings } from "../http/request-auth.ts";
import { accessFor, requireUser } from "../http/route-auth.ts";
import { SEGMENT_IMPORT_OPENAPI_PATHS } from "../http/segment-files.ts";
import type { ServerDeps } from "../trpc.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { REST_ROUTES, type RestRoute } from "./routes.ts";

export const OPENAPI_PATH = "/api/v1/openapi.json";

/**
 * Validation failures answer 400 with `{ error: { code: "BAD_REQUEST", message: "<path>: <message>; …" } }`;
 * domain errors use their own status (see HTTP_STATUS_BY_CODE) through the server's error handler.
 */
export function registerRestApi(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings) {
  const document = buildOpenApiDocument(REST_ROUTES, deps.config.publicUrl);
  for (const [p, ops] of Object.entries(RECORDING_RAW_OPENAPI_PATHS))
    document.paths[p] = { ...document.paths[p], ...ops };
  for (const [p, ops] of Object.entries(SEGMENT_IMPORT_OPENAPI_PATHS))
    document.paths[p] = { ...document.paths[p], ...ops };
  app.get(OPENAPI_PATH, async () => document);
  for (const route of REST_ROUTES) registerRoute(app, deps, cookies, route);
}

function registerRoute(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings, route: RestRoute) {
  app.route({
    method: route.method,
    url: route.path,
    async handler(req, reply) {
      const user = await requireUser(deps, cookies, req, reply, { apiKeyOnly: true });
      if (!user) return reply;
      const parts = [
        ["params", route.params, req.params],
        ["query", route.query, req.query],
        ["body", route.body, req.body ?? {}],
      ] as const;
      const input: Record<string, unknown> = {};
      for (const [name, schema, value] of parts) {
        if (!schema) continue;
        const parsed = schema.safeParse(value);
        if (!parsed.success) return sendError(reply, 400, "BAD_REQUEST", formatZodIssues(parsed.error));
        input[name] = parsed.data;
      }
      let access: ReturnType<typeof accessFor> | undefined;
      const result = await route.handler(
        { deps, user, access: () => (access ??= accessFor(deps, user)) },
        { params: input.params, query: input.query, body: input.body },
      );
      return reply.status(route.status ?? 200).send(route.response.parse(result));
    },
  });
}
