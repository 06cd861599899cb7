import type { HttpErrorBody } from "@battycoda/api";

/** A failed raw HTTP route (uploads, files, exports): the server's message, code and details. */
export class HttpRouteError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "HttpRouteError";
  }
}

/**
 * The one reader of the API's raw-route error body (`{ error: { code, message, details? } }`, sent
 * by apps/api/src/errors.ts). Anything else (a proxy's HTML page, no body) becomes
 * `<fallback> (HTTP <status>)`; status 0 means the request never reached the server.
 */
export function httpErrorFromText(status: number, text: string, fallback = "Request failed"): HttpRouteError {
  try {
    const body = JSON.parse(text) as Partial<HttpErrorBody> | null;
    const e = body?.error;
    if (e && typeof e === "object" && typeof e.message === "string")
      return new HttpRouteError(e.message, status, e.code, e.details);
  } catch {
    /* not JSON */
  }
  const message =
    status === 0 ? "Network error: the request did not reach the server" : `${fallback} (HTTP ${status})`;
  return new HttpRouteError(message, status, undefined, undefined);
}

/** Reads a failed fetch Response's body into an HttpRouteError. */
export async function httpErrorFrom(res: Response, fallback?: string): Promise<HttpRouteError> {
  const text = await res.text().catch(() => "");
  return httpErrorFromText(res.status, text, fallback);
}
