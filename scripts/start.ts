// `./scripts/start.sh` runs this after install.sh: database (embedded unless DATABASE_URL),
// migrations, defaults, an admin login, the web build, then the R server, API and worker as
// child processes with prefixed logs. Ctrl-C (or SIGTERM) stops everything, database last.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Config, ConfigError, getConfig } from "@battycoda/config";
import { createMediaStore, verifyPassword } from "@battycoda/core";
import { createSiteAdmin, initializeDefaults } from "@battycoda/core/defaults";
import { createPrismaClient, type Db } from "@battycoda/db";
import {
  EMBEDDED_DEFAULT_PORT,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import { freshBundle } from "./build-fresh.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
/** Paths inside the repository are shown relative to it. */
const show = (p: string) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);
const ADMIN_USERNAME = "admin";
const COLORS: Record<string, string> = { api: "36", worker: "35", r: "33", web: "32", db: "34" };

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);

function say(message: string) {
  process.stdout.write(`${bold("[start]")} ${message}\n`);
}

function prefixLines(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) {
  if (!stream) return;
  const tag = tty ? `\x1b[${COLORS[name] ?? "0"}m[${name}]\x1b[0m` : `[${name}]`;
  let buf = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buf += chunk;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      out.write(`${tag} ${buf.slice(0, nl)}\n`);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  });
  stream.on("end", () => {
    if (buf) out.write(`${tag} ${buf}\n`);
  });
}

interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const managed: Managed[] = [];
const cleanups: (() => Promise<void>)[] = [];
let shuttingDown = false;

/** Each child gets its own process group so Ctrl-C reaches only us and we stop them in order. */
function launch(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Managed {
  const child = spawn(process.execPath, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const m = { name, child, exited };
  managed.push(m);
  void exited.then((code) => {
    if (!shuttingDown) {
      say(`${name} exited unexpectedly (code ${code}); stopping everything`);
      void shutdown(1);
    }
  });
  return m;
}

async function stopManaged(m: Managed, graceMs = 15_000) {
  if (m.child.exitCode !== null || m.child.signalCode !== null || m.child.pid === undefined) return;
  try {
    process.kill(-m.child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-m.child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }, graceMs);
  await m.exited;
  clearTimeout(timer);
}

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => {});
  shuttingDown = true;
  say("stopping…");
  await Promise.all([...managed].reverse().map((m) => stopManaged(m)));
  for (const c of cleanups.reverse()) await c().catch((err) => say(`cleanup failed: ${String(err)}`));
  say("stopped");
  process.exit(code);
}

// If we die unexpectedly, do not leave the children running.
process.on("exit", () => {
  for (const m of managed) {
    if (m.child.pid && m.child.exitCode === null) {
      try {
        process.kill(-m.child.pid, "SIGTERM");
      } catch {
        // gone
      }
    }
  }
});

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(true));
    srv.listen({ host, port }, () => srv.close(() => resolve(false)));
  });
}

async function ensureDatabase(config: Config): Promise<string> {
  if (config.databaseUrl) {
    say("database: DATABASE_URL");
    return config.databaseUrl;
  }
  const dir = path.join(config.dataDir, "postgres");
  const running = runningEmbeddedPostgres(dir);
  if (running) {
    throw new Error(
      `the embedded PostgreSQL in ${dir} is already running (pid ${running.pid}) — is BattyCoda already started?`,
    );
  }
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  say(`database: embedded PostgreSQL 17 in ${show(dir)}${fresh ? " (first start: initialising)" : ""}`);
  const pgHandle = await startEmbeddedPostgres({ dir, preferredPort: EMBEDDED_DEFAULT_PORT });
  cleanups.push(() => pgHandle.stop());
  return pgHandle.url;
}

interface AdminLogin {
  username: string;
  password: string | undefined;
  note?: string;
}

/** First start: an `admin` site admin with a random password kept in <DATA_DIR>/admin-credentials.txt. */
async function ensureAdmin(db: Db, config: Config): Promise<AdminLogin> {
  const file = path.join(config.dataDir, "admin-credentials.txt");
  let saved: { username: string; password: string } | undefined;
  if (fs.existsSync(file)) {
    const kv = Object.fromEntries(
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.match(/^(\w+)=(.*)$/))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    if (kv.username && kv.password) saved = { username: kv.username, password: kv.password };
  }
  const username = saved?.username ?? ADMIN_USERNAME;
  const user = await db.user.findUnique({ where: { username } });
  if (user) {
    if (saved && user.passwordHash && (await verifyPassword(saved.password, user.passwordHash))) {
      return { username, password: saved.password };
    }
    return { username, password: undefined, note: "its password was changed since the first start" };
  }
  const created = await createSiteAdmin(
    { db },
    {
      username,
      email: `${username}@battycoda.local`,
      ...(saved ? { password: saved.password } : {}),
    },
  );
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(
    file,
    `# Created by ./scripts/start.sh on first start. Change the password in the app (Profile).\nusername=${username}\npassword=${created.password}\n`,
    { mode: 0o600 },
  );
  say(`created site admin '${username}' (credentials in ${show(file)})`);
  return { username, password: created.password };
}

function newestMtime(p: string): number {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry === "node_modules" || entry === "dist") continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

async function buildWebIfNeeded() {
  const web = path.join(ROOT, "apps", "web");
  if (!fs.existsSync(path.join(web, "package.json"))) return;
  const built = fs.statSync(path.join(web, "dist", "index.html"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    ...["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) =>
      newestMtime(path.join(web, p)),
    ),
    fs.statSync(path.join(ROOT, ".env"), { throwIfNoEntry: false })?.mtimeMs ?? 0,
  );
  if (built >= sources && process.env.BATTYCODA_FORCE_WEB_BUILD !== "1") {
    say("web: apps/web/dist is up to date");
    return;
  }
  say("web: building apps/web (vite build)…");
  const child = spawn("pnpm", ["--filter", "@battycoda/web", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixLines("web", child.stdout, process.stdout);
  prefixLines("web", child.stderr, process.stderr);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`the web build failed (exit ${code})`);
}

async function startR(config: Config) {
  const script = path.join(ROOT, "r_code", "server.R");
  if (!fs.existsSync(script)) return;
  const url = new URL(config.rServerUrl);
  if (!["127.0.0.1", "localhost"].includes(url.hostname)) {
    say(`R server: using ${config.rServerUrl}`);
    return;
  }
  const { startRServer } = await import("@battycoda/r-client");
  try {
    const r = await startRServer({
      port: Number(url.port || 80),
      host: "127.0.0.1",
      // models arrive over HTTP; the cache lives with the rest of the local data
      env: { R_MODEL_CACHE_DIR: path.join(config.dataDir, "r-models") },
      onLog: (line) => process.stdout.write(`${tty ? "\x1b[33m[r]\x1b[0m" : "[r]"} ${line}\n`),
      startupTimeoutMs: 60_000,
    });
    cleanups.push(() => r.stop());
    void r.exited.then(({ code, signal }) => {
      if (!shuttingDown)
        say(`R server exited (code ${code}, signal ${signal}); classification will be unavailable`);
    });
    say(`R server: ${r.url} (R ${r.ping.rVersion})`);
  } catch (err) {
    // The rest of BattyCoda works without R; say so clearly instead of refusing to start.
    say(`R server could not start: ${(err as Error).message}`);
  }
}

async function waitForHealth(url: string, api: Managed, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null) throw new Error("the API exited during start-up");
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function main() {
  let config: Config;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n(see .env.example)\n`);
      process.exit(1);
    }
    throw err;
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

  const probeHost = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  if (await portInUse(config.host, config.port)) {
    throw new Error(`port ${config.port} on ${config.host} is in use (set PORT in .env to use another one)`);
  }

  const url = await ensureDatabase(config);
  say("database: applying migrations");
  await migrateDatabase(url);
  const db = createPrismaClient(url, { max: 2 });
  let admin: AdminLogin;
  try {
    const r = await initializeDefaults({ db, media: createMediaStore(config) });
    say(
      `defaults: ${r.species.created + r.species.existing} system species (${r.species.created} new), ` +
        `${r.segmentationAlgorithms.created} segmentation algorithms added, ${r.segmentationAlgorithms.updated} updated`,
    );
    admin = await ensureAdmin(db, config);
  } finally {
    await db.$disconnect();
  }

  // --dev (scripts/dev.sh): sources with hot reload — tsx watch restarts the API and the worker
  // on every change, Vite serves the SPA with HMR and proxies the API.
  const dev = process.argv.includes("--dev");
  if (!dev) await buildWebIfNeeded();
  await startR(config);

  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url };
  const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
  // the bundles start.sh just built, as in production; the sources through tsx if one is stale
  const entry = (app: string) => {
    if (dev) return [tsxCli, "watch", "--clear-screen=false", "src/main.ts"];
    const bundle = freshBundle(pathToFileURL(path.join(ROOT, "apps", app, "dist", "main.mjs")));
    return bundle ? ["--enable-source-maps", fileURLToPath(bundle)] : ["--import", "tsx", "src/main.ts"];
  };
  const api = launch("api", entry("api"), path.join(ROOT, "apps", "api"), env);
  launch("worker", entry("worker"), path.join(ROOT, "apps", "worker"), env);

  let base = `http://${probeHost}:${config.port}`;
  await waitForHealth(`${base}/health`, api);
  if (dev) {
    const web = path.join(ROOT, "apps", "web");
    // vite's package exports hide its bin; pnpm links the package into the app's node_modules
    const vite = path.join(web, "node_modules", "vite", "bin", "vite.js");
    launch("web", [vite, "--strictPort"], web, { ...env, BATTYCODA_API_URL: base });
    base = "http://127.0.0.1:5173";
  }
  const login = admin.password
    ? `log in as ${admin.username} / ${admin.password}`
    : `log in as ${admin.username} (${admin.note ?? "password set outside start.sh"})`;
  say("");
  process.stdout.write(`${bold(`BattyCoda is running at ${base} — ${login}`)}\n`);
  say("press Ctrl-C to stop");
}

main().catch(async (err) => {
  process.stderr.write(`\n[start] failed: ${(err as Error).message}\n`);
  await shutdown(1);
});
