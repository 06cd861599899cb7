// Locks on resumable uploads across API hosts. @tus/server serialises the requests of one upload
// with an in-process lock, and a newer request asks the holder to let go (a client that lost its
// connection retries while its old PATCH is still draining). With several hosts the retry may land
// elsewhere, and two hosts appending parts to one multipart upload would interleave them. So each
// API process holds one PostgreSQL session: a session advisory lock per upload id, and a NOTIFY
// that asks the holder, on whatever host, to let go. PostgreSQL drops the locks of a session that
// ends, so a crashed host never strands an upload.
import pg from "pg";

/** Advisory lock namespace (first key of the two-int form); the second key is hashtext(id). */
const LOCK_CLASS = 0x747573; // "tus"
const RELEASE_CHANNEL = "battycoda_tus_release";
const POLL_MS = 100;
/** How often a waiting request repeats its NOTIFY (the holder may have missed or ignored one). */
const ASK_AGAIN_MS = 2000;

export class UploadLockTimeout extends Error {
  constructor(id: string) {
    super(`Upload ${id} is still locked by another request`);
  }
}

export interface SharedUploadLocksOptions {
  /** How long a request waits for the lock before giving up; default 30 s (as @tus/server's own). */
  timeoutMs?: number;
  onError?: (err: unknown) => void;
}

export class SharedUploadLocks {
  private session: Promise<pg.Client> | null = null;
  /** Upload ids this process holds, each with its holder's "please let go". */
  private readonly held = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: SharedUploadLocksOptions = {},
  ) {}

  /**
   * Waits until no request anywhere holds `id`, asking the holder to let go. `onReleaseRequested`
   * is called when a request elsewhere wants it while we hold it. Callers serialise requests of
   * one id within the process first (advisory locks are re-entrant within a session).
   */
  async acquire(id: string, signal: AbortSignal, onReleaseRequested: () => void): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 30_000);
    let askedAt = 0;
    for (;;) {
      const session = await this.connect();
      const { rows } = await session.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok",
        [LOCK_CLASS, id],
      );
      if (rows[0]?.ok) {
        this.held.set(id, onReleaseRequested);
        return;
      }
      if (signal.aborted || Date.now() > deadline) throw new UploadLockTimeout(id);
      if (Date.now() - askedAt >= ASK_AGAIN_MS) {
        await session.query("SELECT pg_notify($1, $2)", [RELEASE_CHANNEL, id]);
        askedAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async release(id: string): Promise<void> {
    if (!this.held.delete(id) || !this.session) return;
    const session = await this.session.catch(() => null);
    // a broken session has released everything already
    await session
      ?.query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [LOCK_CLASS, id])
      .catch((err) => this.options.onError?.(err));
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = await this.session?.catch(() => null);
    this.session = null;
    this.held.clear();
    await session?.end().catch(() => {});
  }

  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error("The upload locks are closed"));
    this.session ??= this.open();
    return this.session;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, application_name: "battycoda-tus-locks" });
    const lost = (err?: unknown) => {
      if (err) this.options.onError?.(err);
      // the server dropped our locks with the session; the next request opens a new one
      if (this.session === current) {
        this.session = null;
        this.held.clear();
      }
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (msg) => {
      if (msg.channel === RELEASE_CHANNEL && msg.payload) this.held.get(msg.payload)?.();
    });
    const current = (async () => {
      await client.connect();
      await client.query(`LISTEN ${RELEASE_CHANNEL}`);
      return client;
    })();
    current.catch(() => {
      if (this.session === current) this.session = null;
    });
    return current;
  }
}
