/**
 * Start the R classification server as a child process (tests, scripts/start.sh, the worker).
 *
 *   const server = await startRServer({ port: 0 });   // 0 / undefined: a free port
 *   await server.client.train({...});
 *   await server.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RClient } from "./client.ts";
import { RServerStartError } from "./errors.ts";
import type { PingResponse } from "./schemas.ts";

/** The monorepo root (this file is packages/r-client/src/server.ts). */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** r_code/server.R, or $BATTYCODA_R_SERVER_SCRIPT. */
export function defaultServerScript(env: NodeJS.ProcessEnv = process.env): string {
  return env.BATTYCODA_R_SERVER_SCRIPT ?? path.join(repoRoot, "r_code", "server.R");
}

export interface StartRServerOptions {
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  host?: string;
  /** Rscript executable (default $RSCRIPT or "Rscript" on PATH). */
  rscript?: string;
  serverScript?: string;
  /** How long to wait for /ping (default 30 s). */
  startupTimeoutMs?: number;
  /** Extra environment for the R process (e.g. R_MODEL_CACHE_DIR). */
  env?: NodeJS.ProcessEnv;
  /** Receives each line the server prints (stdout and stderr). Default: kept only for error reports. */
  onLog?: (line: string) => void;
  /** Client timeouts for the returned `client`. */
  timeoutMs?: number;
  trainTimeoutMs?: number;
}

export interface RServerHandle {
  url: string;
  port: number;
  host: string;
  pid: number;
  ping: PingResponse;
  client: RClient;
  /** Resolves when the process has exited (after stop() or a crash). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Last lines of server output. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Ask the OS for a free TCP port on `host`. */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

/** The server and the training processes it started share a process group: end them together. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave an R server behind when the parent exits without calling stop().
  process.on("exit", () => {
    for (const child of running) killGroup(child, "SIGKILL");
  });
}

export async function startRServer(options: StartRServerOptions = {}): Promise<RServerHandle> {
  const pickPort = !options.port;
  const attempts = pickPort ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const port = options.port || (await findFreePort(options.host ?? "127.0.0.1"));
      return await startOnce(options, port);
    } catch (err) {
      lastError = err;
      // A free port can be taken between findFreePort() and R binding it: try another.
      if (
        !(
          pickPort &&
          err instanceof RServerStartError &&
          /in use|bind|Failed to create server/i.test(err.output)
        )
      )
        throw err;
    }
  }
  throw lastError;
}

async function startOnce(options: StartRServerOptions, port: number): Promise<RServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const rscript = options.rscript ?? process.env.RSCRIPT ?? "Rscript";
  const script = options.serverScript ?? defaultServerScript();
  if (!existsSync(script)) throw new RServerStartError(`R server script not found: ${script}`);
  const startupTimeoutMs = options.startupTimeoutMs ?? 30_000;

  const output: string[] = [];
  const keepLine = (line: string) => {
    output.push(line);
    if (output.length > 60) output.shift();
    options.onLog?.(line);
  };
  const recentOutput = () => output.join("\n");

  const child = spawn(rscript, [script, "--port", String(port), "--host", host], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // own process group, so stop() also ends trainings still running in their R processes
    detached: true,
  });
  running.add(child);
  installExitHook();
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        keepLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    });
    stream?.on("end", () => {
      if (buf) keepLine(buf);
      buf = "";
    });
  }

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (err) => {
      spawnError = err;
      running.delete(child);
      exitInfo ??= { code: null, signal: null };
      resolve(exitInfo);
    });
    child.on("exit", (code, signal) => {
      running.delete(child);
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exitInfo || child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const client = new RClient({
    baseUrl: url,
    timeoutMs: options.timeoutMs,
    trainTimeoutMs: options.trainTimeoutMs,
  });
  const deadline = Date.now() + startupTimeoutMs;
  while (true) {
    if (spawnError) {
      const code = (spawnError as NodeJS.ErrnoException).code;
      throw new RServerStartError(
        code === "ENOENT"
          ? `cannot start the R server: '${rscript}' not found (install r-base-core: scripts/install.sh)`
          : `cannot start the R server: ${spawnError.message}`,
        recentOutput(),
        { cause: spawnError },
      );
    }
    if (exitInfo) {
      throw new RServerStartError(
        `R server exited during startup (code ${exitInfo.code}, signal ${exitInfo.signal}) on ${url}`,
        recentOutput(),
      );
    }
    if (Date.now() > deadline) {
      await stop(1_000);
      throw new RServerStartError(
        `R server did not answer /ping on ${url} within ${startupTimeoutMs} ms`,
        recentOutput(),
      );
    }
    try {
      const ping = await client.ping({ timeoutMs: 1_000 });
      // Something else may already be listening on this port: only accept our own process.
      if (ping.pid === child.pid) {
        return { url, port, host, pid: child.pid, ping, client, exited, recentOutput, stop };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
