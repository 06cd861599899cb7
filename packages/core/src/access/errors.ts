// Domain functions are transport-agnostic: they throw DomainError, and each transport (tRPC,
// REST, CLI) maps the code to its own vocabulary. The codes deliberately mirror tRPC's so the
// mapping is the identity there.
export type DomainErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  | "PRECONDITION_FAILED";

export class DomainError extends Error {
  override name = "DomainError";
  readonly code: DomainErrorCode;
  /** Machine-readable extras for clients (e.g. line-numbered import errors). */
  readonly details: unknown;

  constructor(code: DomainErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const HTTP_STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  PRECONDITION_FAILED: 412,
};

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const badRequest = (message: string, details?: unknown) =>
  new DomainError("BAD_REQUEST", message, details);
export const conflict = (message: string) => new DomainError("CONFLICT", message);

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
