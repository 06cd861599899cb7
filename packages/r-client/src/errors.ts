/** Errors raised by the R classification server client. All extend {@link RServerError}. */

export class RServerError extends Error {
  override name = "RServerError";
  /** The URL that was requested. */
  readonly url: string;
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.url = url;
  }
}

/** The server could not be reached at all (not running, connection refused/reset, DNS). */
export class RServerUnavailableError extends RServerError {
  override name = "RServerUnavailableError";
  /** System error code when there is one (ECONNREFUSED, ECONNRESET, ...). */
  readonly code: string | undefined;
  constructor(url: string, cause?: unknown) {
    const code = errorCode(cause);
    super(
      `R classification server unavailable at ${url}${code ? ` (${code})` : ""}: is it running? Start it with \`Rscript r_code/server.R\``,
      url,
      { cause },
    );
    this.code = code;
  }
}

/** The server accepted the connection but did not answer within the timeout. */
export class RServerTimeoutError extends RServerError {
  override name = "RServerTimeoutError";
  readonly timeoutMs: number;
  constructor(url: string, timeoutMs: number) {
    super(`R classification server at ${url} did not answer within ${timeoutMs} ms`, url);
    this.timeoutMs = timeoutMs;
  }
}

/** The server rejected the request (4xx): the message is the server's explanation. */
export class RServerRequestError extends RServerError {
  override name = "RServerRequestError";
  readonly status: number;
  /** The server's error message, e.g. "missing feature column(s): 'duration'". */
  readonly serverMessage: string;
  /** Structured extra information when the server gives any (missing columns, rare labels, ...). */
  readonly details: unknown;
  /** The server's name for the error when it has one (model_not_cached, sha256_mismatch, ...). */
  readonly code: string | undefined;
  constructor(url: string, status: number, serverMessage: string, details?: unknown, code?: string) {
    super(`R classification server rejected the request (${status}): ${serverMessage}`, url);
    this.status = status;
    this.serverMessage = serverMessage;
    this.details = details;
    this.code = code;
  }
}

/** The server failed while handling the request (5xx). */
export class RServerInternalError extends RServerError {
  override name = "RServerInternalError";
  readonly status: number;
  readonly serverMessage: string;
  constructor(url: string, status: number, serverMessage: string) {
    super(`R classification server failed (${status}): ${serverMessage}`, url);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** The server answered 2xx with a body that does not match the expected contract. */
export class RServerResponseError extends RServerError {
  override name = "RServerResponseError";
  constructor(url: string, problem: string, options?: { cause?: unknown }) {
    super(`unexpected response from R classification server at ${url}: ${problem}`, url, options);
  }
}

/** startRServer() could not bring a server up. `output` holds the last lines the process printed. */
export class RServerStartError extends Error {
  override name = "RServerStartError";
  readonly output: string;
  constructor(message: string, output = "", options?: { cause?: unknown }) {
    super(output ? `${message}\n--- R server output (last lines) ---\n${output}` : message, options);
    this.output = output;
  }
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object") {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const inner = (err as { errors?: unknown[] }).errors;
    if (Array.isArray(inner)) {
      for (const e of inner) {
        const c = errorCode(e);
        if (c) return c;
      }
    }
  }
  return undefined;
}
