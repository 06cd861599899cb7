import { DomainError, HTTP_STATUS_BY_CODE } from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import type { FastifyReply } from "fastify";
import type { z } from "zod";

export function toTRPCError(err: DomainError): TRPCError {
  return new TRPCError({ code: err.code, message: err.message, cause: err });
}

/** JSON error body of the raw HTTP and REST routes: `{ error: { code, message, details? } }`. */
export interface HttpErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  const body: HttpErrorBody = { error: { code, message, ...(details !== undefined ? { details } : {}) } };
  return reply.status(status).send(body);
}

export function sendDomainError(reply: FastifyReply, err: DomainError) {
  return sendError(reply, HTTP_STATUS_BY_CODE[err.code], err.code, err.message, err.details);
}

/** One line per issue, "path: message", the same wording the forms show. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

export { DomainError };
