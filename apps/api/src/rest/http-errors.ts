// One mapping from a thrown error to the REST error answer, shared by /api/v1 and /simple-api/:
// tRPC errors (the procedures'), DomainErrors (core functions called directly) and zod errors.
import { DomainError, HTTP_STATUS_BY_CODE, retryAfterSecondsOf } from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { FastifyBaseLogger } from "fastify";
import { ZodError } from "zod";
import { formatZodIssues } from "../errors.ts";
import { POOL_RETRY_AFTER_SECONDS } from "../http/heavy-work.ts";
import { captureException } from "../sentry.ts";

export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

export function httpFailureOf(err: unknown, log: FastifyBaseLogger): HttpFailure {
  if (err instanceof DomainError) return fromDomain(err);
  if (err instanceof ZodError) return { status: 400, code: "BAD_REQUEST", message: formatZodIssues(err) };
  if (err instanceof TRPCError) {
    const cause = err.cause;
    if (cause instanceof DomainError) return fromDomain(cause);
    // Input validation: the same "field: message" lines as every other REST error.
    if (err.code === "BAD_REQUEST" && cause instanceof ZodError)
      return { status: 400, code: "BAD_REQUEST", message: formatZodIssues(cause) };
    if (err.code !== "INTERNAL_SERVER_ERROR") {
      const status = getHTTPStatusCodeFromError(err);
      return {
        status,
        code: err.code,
        message: err.message,
        ...(err.code === "SERVICE_UNAVAILABLE"
          ? { headers: { "retry-after": String(POOL_RETRY_AFTER_SECONDS) } }
          : {}),
      };
    }
  }
  log.error(err);
  captureException(err);
  return { status: 500, code: "INTERNAL_SERVER_ERROR", message: "Internal server error" };
}

function fromDomain(err: DomainError): HttpFailure {
  const retryAfter = retryAfterSecondsOf(err);
  return {
    status: HTTP_STATUS_BY_CODE[err.code],
    code: err.code,
    message: err.message,
    ...(err.details !== undefined ? { details: err.details } : {}),
    // a script backs off exactly as long as the limit needs (RFC 9110 §10.2.3)
    ...(retryAfter !== null ? { headers: { "retry-after": String(retryAfter) } } : {}),
  };
}
