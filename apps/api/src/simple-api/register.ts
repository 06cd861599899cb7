// Registers the original /simple-api/ routes (see handlers.ts) inside their own plugin, which alone
// reads urlencoded forms and alone accepts the deprecated `api_key` query/form field.
import type { RateLimitRule } from "@battycoda/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { apiKeyFromHeaders } from "../http/request-auth.ts";
import { apiCallerOf, authenticateKey, GROUP_ID_PARAM } from "../rest/api-key-auth.ts";
import { httpFailureOf } from "../rest/http-errors.ts";
import type { ServerDeps } from "../trpc.ts";
import { callerFor } from "./caller.ts";
import { SIMPLE_ROUTES, type SimpleRoute } from "./handlers.ts";
import { receiveForm } from "./multipart.ts";
import {
  API_KEY_FIELD,
  INVALID_KEY_ERROR,
  markDeprecatedKey,
  queryValue,
  SIMPLE_API_PREFIX,
  SimpleApiError,
} from "./protocol.ts";

function sendFailure(reply: FastifyReply, req: FastifyRequest, err: unknown) {
  if (err instanceof SimpleApiError)
    return reply.status(err.status).send({ success: false, error: err.message });
  const f = httpFailureOf(err, req.log);
  if (f.headers) reply.headers(f.headers);
  const error = f.code === "UNAUTHORIZED" ? INVALID_KEY_ERROR : f.message;
  return reply.status(f.status).send({ success: false, error });
}

async function handle(
  deps: ServerDeps,
  rule: RateLimitRule,
  route: SimpleRoute,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  let cleanup = async () => {};
  try {
    const headerKey = apiKeyFromHeaders(req);
    const queryKey = queryValue(req, API_KEY_FIELD);
    const early = headerKey ?? queryKey;
    // A key we can see before the body is checked before a byte of an upload is stored.
    let user = early ? await authenticateKey(deps, rule, early) : null;
    const form =
      route.method === "POST"
        ? await receiveForm(req, deps, route.fileFields ?? [])
        : { fields: {} as Record<string, string>, files: new Map(), cleanup: async () => {} };
    cleanup = form.cleanup;
    const key = early ?? form.fields[API_KEY_FIELD];
    if (!headerKey && key) markDeprecatedKey(reply);
    const groupId = queryValue(req, GROUP_ID_PARAM) ?? form.fields[GROUP_ID_PARAM] ?? null;
    user ??= await authenticateKey(deps, rule, key);
    const who = apiCallerOf(deps, user, groupId);
    const access = await who.access();
    const query = Object.fromEntries(
      Object.keys((req.query as object) ?? {}).map((k) => [k, queryValue(req, k) ?? ""]),
    );
    const body = await route.handle({
      req,
      deps,
      who,
      caller: await callerFor(deps, req, who),
      access,
      params: req.params as Record<string, string>,
      fields: route.method === "GET" ? query : { ...query, ...form.fields },
      files: form.files,
    });
    return reply.status(200).send(body);
  } catch (err) {
    return sendFailure(reply, req, err);
  } finally {
    await cleanup();
  }
}

export async function registerSimpleApi(app: FastifyInstance, deps: ServerDeps, rule: RateLimitRule) {
  await app.register(
    async (scope) => {
      // The original took form posts from R's httr and Python's requests alike.
      scope.addContentTypeParser(
        "application/x-www-form-urlencoded",
        { parseAs: "string", bodyLimit: 64 * 1024 },
        (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      for (const route of SIMPLE_ROUTES)
        scope.route({
          method: route.method,
          url: route.path,
          handler: (req, reply) => handle(deps, rule, route, req, reply),
        });
    },
    { prefix: SIMPLE_API_PREFIX },
  );
}
