// Everything under /api/v1 that lives in this folder, the OpenAPI documents and the reference page.
import { DomainError, type RateLimitRule } from "@battycoda/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { cspNonceOf } from "../http/security-headers.ts";
import type { ServerDeps } from "../trpc.ts";
import {
  type ApiCaller,
  authenticateApiCall,
  DEFAULT_API_KEY_RATE_LIMIT,
  GROUP_ID_PARAM,
  restCredentials,
} from "./api-key-auth.ts";
import { FILE_ROUTES, registerFileRoutes } from "./file-routes.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { registerProcedureRoutes, sendFailure } from "./procedure-routes.ts";
import { REST_PROCEDURES } from "./procedures.ts";
import { renderReferencePage } from "./reference-page.ts";

export const OPENAPI_PATH = "/api/openapi.json";
/** The same document as OpenAPI 3.0, where it always was, for tools that read only 3.0. */
export const OPENAPI_30_PATH = "/api/v1/openapi.json";
export const REFERENCE_PATH = "/api/reference";

export interface RestApiOptions {
  /** Requests per API key (default DEFAULT_API_KEY_RATE_LIMIT). */
  apiKeyRateLimit?: RateLimitRule;
}

const callers = new WeakMap<FastifyRequest, Promise<ApiCaller>>();

/** Authenticates and counts the request once, however many places ask. */
export function apiCallerFor(deps: ServerDeps, rule: RateLimitRule) {
  return (req: FastifyRequest, key = restCredentials(req).key): Promise<ApiCaller> => {
    let pending = callers.get(req);
    if (!pending) {
      pending = authenticateApiCall(deps, rule, key, restCredentials(req).groupId);
      callers.set(req, pending);
    }
    return pending;
  };
}

function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
}

export function registerRestApi(app: FastifyInstance, deps: ServerDeps, options: RestApiOptions = {}) {
  const rule = options.apiKeyRateLimit ?? DEFAULT_API_KEY_RATE_LIMIT;
  const authenticate = apiCallerFor(deps, rule);
  const publicUrl = deps.config.publicUrl;
  // Built on first request and kept: generating them from every schema is start-up time otherwise.
  const doc31 = once(() => buildOpenApiDocument(REST_PROCEDURES, FILE_ROUTES, publicUrl, "3.1.0"));
  const doc30 = once(() => buildOpenApiDocument(REST_PROCEDURES, FILE_ROUTES, publicUrl, "3.0.3"));
  app.get(OPENAPI_PATH, async () => doc31());
  app.get(OPENAPI_30_PATH, async () => doc30());
  app.get(REFERENCE_PATH, async (_req, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(renderReferencePage(doc31(), cspNonceOf(reply))),
  );

  // The upload, audio and import routes of /api/v1 live in http/ and authenticate themselves (group_id included,
  // http/request-group.ts); this counts their requests against the key's limit too, before a byte of an upload is
  // read.
  app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/api/v1/")) return;
    const { key } = restCredentials(req);
    if (!key) return;
    try {
      await authenticate(req);
    } catch (err) {
      // Bad keys are answered by the route itself (same 401); only the limit stops here.
      if ((err as { code?: string }).code === "TOO_MANY_REQUESTS") return sendFailure(reply, req, err);
    }
  });

  registerProcedureRoutes(app, deps, authenticate);
  registerFileRoutes(app, deps, authenticate);
}
