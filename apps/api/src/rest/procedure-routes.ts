// /api/v1 routes of the procedures with REST metadata. Each one calls its procedure through a
// tRPC caller, so input validation, group scoping and errors are exactly the tRPC ones; this file
// only moves path, query and body into the procedure's input and the answer back out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { sendError } from "../errors.ts";
import { createCaller } from "../router.ts";
import { createInnerContext, type ServerDeps } from "../trpc.ts";
import { type ApiCaller, GROUP_ID_PARAM } from "./api-key-auth.ts";
import { httpFailureOf } from "./http-errors.ts";
import { REST_PROCEDURES, type RestProcedure } from "./procedures.ts";

type JsonSchema = {
  type?: string | string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
};

/** What each top-level input field is, to turn query-string text into numbers, booleans, lists. */
function fieldKinds(input: z.ZodType | null): Record<string, string> {
  if (!input) return {};
  const json = z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const kinds: Record<string, string> = {};
  for (const [name, s] of Object.entries(json.properties ?? {})) {
    const types = [s.type, ...(s.anyOf ?? []).map((a) => a.type)].flat().filter(Boolean) as string[];
    kinds[name] = types.find((t) => t !== "null") ?? "any";
  }
  return kinds;
}

function coerceText(value: string, kind: string): unknown {
  if ((kind === "number" || kind === "integer") && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  if (kind === "boolean" && (value === "true" || value === "false")) return value === "true";
  if (kind === "null" && value === "null") return null;
  if (kind === "object" || kind === "array") {
    try {
      return JSON.parse(value);
    } catch {
      // left as text: the schema names the field in its error
    }
  }
  return value;
}

/** Query strings carry text only; give each field the type its schema asks for. */
export function coerceQuery(query: Record<string, unknown>, kinds: Record<string, string>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === GROUP_ID_PARAM) continue;
    const kind = kinds[k] ?? "any";
    if (kind === "array") {
      const list = (Array.isArray(v) ? v : [v]).flatMap((x) =>
        typeof x === "string" && x.startsWith("[")
          ? (coerceText(x, "array") as unknown[])
          : String(x).split(","),
      );
      out[k] = list;
    } else out[k] = typeof v === "string" ? coerceText(v, kind) : v;
  }
  return out;
}

/** Calls `procedure` ("ns.name") on a caller acting as the API key's owner. */
export async function callProcedure(
  deps: ServerDeps,
  req: FastifyRequest,
  who: ApiCaller,
  procedure: string,
  input: unknown,
): Promise<unknown> {
  const caller = createCaller(
    createInnerContext(deps, {
      user: who.user,
      meta: { ip: req.ip, userAgent: req.headers["user-agent"] },
      access: who.requestedGroupId ? await who.access() : null,
    }),
  );
  let fn: unknown = caller;
  for (const part of procedure.split(".")) fn = (fn as Record<string, unknown>)[part];
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

export function sendFailure(reply: FastifyReply, req: FastifyRequest, err: unknown) {
  const f = httpFailureOf(err, req.log);
  if (f.headers) reply.headers(f.headers);
  return sendError(reply, f.status, f.code, f.message, f.details);
}

export function registerProcedureRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  authenticate: (req: FastifyRequest) => Promise<ApiCaller>,
) {
  for (const route of REST_PROCEDURES) registerOne(app, deps, authenticate, route);
}

function registerOne(
  app: FastifyInstance,
  deps: ServerDeps,
  authenticate: (req: FastifyRequest) => Promise<ApiCaller>,
  route: RestProcedure,
) {
  // worked out on the route's first call: JSON schemas of 57 inputs are start-up time otherwise
  let kinds: Record<string, string> | undefined;
  const fromQuery = route.method === "GET" || route.method === "DELETE";
  app.route({
    method: route.method,
    url: route.path,
    async handler(req, reply) {
      try {
        const who = await authenticate(req);
        let input: unknown;
        if (route.input) {
          kinds ??= fieldKinds(route.input);
          const query = coerceQuery((req.query ?? {}) as Record<string, unknown>, kinds);
          const body = fromQuery ? {} : (req.body ?? {});
          if (typeof body !== "object" || Array.isArray(body))
            return sendError(reply, 400, "BAD_REQUEST", "The request body must be a JSON object");
          const { [GROUP_ID_PARAM]: _, ...fields } = body as Record<string, unknown>;
          const params = req.params as Record<string, string>;
          input = { ...(fromQuery ? query : fields), ...params };
        }
        const result = await callProcedure(deps, req, who, route.procedure, input);
        return reply.status(route.status ?? 200).send(result);
      } catch (err) {
        return sendFailure(reply, req, err);
      }
    },
  });
}
