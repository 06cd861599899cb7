// The original /simple-api/ protocol: `{ success: true, … }` / `{ success: false, error }`, the key
// in the `api_key` query or form field (accepted only here, and answered with deprecation
// headers), and the original's error statuses.
import type { FastifyReply, FastifyRequest } from "fastify";

export const SIMPLE_API_PREFIX = "/simple-api";
export const API_KEY_FIELD = "api_key";
export const INVALID_KEY_ERROR = "Invalid or missing API key";
/** When the query/form key stops working: announced in every answer that used it (RFC 8594). */
export const API_KEY_FIELD_SUNSET = "Wed, 30 Jun 2027 00:00:00 GMT";

/** A failure the original answered with this status and message. */
export class SimpleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const fail = (status: number, message: string) => new SimpleApiError(status, message);

/** Marks an answer to a request that sent its key in the query or form (RFC 9745 + 8594). */
export function markDeprecatedKey(reply: FastifyReply) {
  reply.header("deprecation", "true");
  reply.header("sunset", API_KEY_FIELD_SUNSET);
  reply.header(
    "link",
    '</api/reference>; rel="deprecation"; type="text/html", </api/openapi.json>; rel="successor-version"',
  );
  reply.header(
    "warning",
    '299 - "api_key in the query or form is deprecated: send Authorization: Bearer <key>"',
  );
}

/** Query values as the original read them (the last one when repeated). */
export function queryValue(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  const last = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === "string" ? last : undefined;
}
