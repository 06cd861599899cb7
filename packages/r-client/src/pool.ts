// Several R servers behind one object (R_SERVER_URLS). Each R process is single-threaded, so a
// consortium scales prediction by running more of them, on this host or others; the workers spread
// their batches over the servers in turn and step around one that is down, without waiting for it.
import { RClient, type RClientOptions, type RClient as RClientType } from "./client.ts";
import {
  RServerError,
  RServerInternalError,
  RServerTimeoutError,
  RServerUnavailableError,
} from "./errors.ts";

export interface RServerPoolOptions extends Omit<RClientOptions, "baseUrl"> {
  /** How long a server that failed is skipped before it is tried again (default 30 s). */
  downForMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A failure that says the server, not the request, is the problem: another server may do. */
export function isServerFailure(err: unknown): boolean {
  return (
    err instanceof RServerUnavailableError ||
    err instanceof RServerTimeoutError ||
    err instanceof RServerInternalError
  );
}

export class RServerPool {
  readonly clients: readonly RClientType[];
  private readonly downUntil: number[];
  private readonly calls: number[];
  private next = 0;
  private readonly downForMs: number;
  private readonly now: () => number;

  constructor(urls: readonly string[], options: RServerPoolOptions = {}) {
    const unique = [...new Set(urls.map((u) => u.replace(/\/+$/, "")))];
    if (unique.length === 0) throw new RangeError("An R server pool needs at least one URL");
    const { downForMs, now, ...clientOptions } = options;
    this.clients = unique.map((baseUrl) => new RClient({ ...clientOptions, baseUrl }));
    this.downUntil = unique.map(() => 0);
    this.calls = unique.map(() => 0);
    this.downForMs = downForMs ?? 30_000;
    this.now = now ?? Date.now;
  }

  get size(): number {
    return this.clients.length;
  }

  /** Calls answered per server URL, in pool order (for logs and tests). */
  answered(): Record<string, number> {
    return Object.fromEntries(this.clients.map((c, i) => [c.baseUrl, this.calls[i] ?? 0]));
  }

  /**
   * Runs `fn` on the next server in turn that is not resting after a failure. When a server fails
   * as a server (unreachable, timeout, 5xx) it rests for `downForMs` and the next one is tried; a
   * rejected request (4xx, bad answer) is thrown at once, since any server would reject it. When
   * every server has failed, the last failure is thrown, so the caller's own wait-and-retry applies.
   */
  async call<T>(fn: (client: RClientType) => Promise<T>): Promise<T> {
    const n = this.clients.length;
    const t = this.now();
    // Resting servers go last rather than being skipped outright: with all of them down the
    // caller still gets a real error from a real attempt.
    const order = Array.from({ length: n }, (_, k) => (this.next + k) % n).sort(
      (a, b) => Number((this.downUntil[a] ?? 0) > t) - Number((this.downUntil[b] ?? 0) > t),
    );
    this.next = (this.next + 1) % n;
    let last: unknown = null;
    for (const i of order) {
      const client = this.clients[i] as RClientType;
      try {
        const out = await fn(client);
        this.downUntil[i] = 0;
        this.calls[i] = (this.calls[i] ?? 0) + 1;
        return out;
      } catch (err) {
        if (!isServerFailure(err)) throw err;
        this.downUntil[i] = this.now() + this.downForMs;
        last = err;
      }
    }
    throw last instanceof RServerError
      ? last
      : new RServerUnavailableError(this.clients[0]?.baseUrl ?? "", last);
  }
}
