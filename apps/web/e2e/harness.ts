// Browser-test harness: builds the SPA, starts the REAL API and worker (child processes running
// apps/api/src/main.ts and apps/worker/src/main.ts) against a fresh PostgreSQL database from
// @battycoda/db/testing, with DATA_DIR (and so the email outbox) in a temp folder, and launches
// Debian's Chromium through playwright-core. Everything started here is stopped by `stop()`.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readOutbox } from "@battycoda/core/mail";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
// Relative: the web package does not depend on the R client; only this harness starts R.
import { type RServerHandle, startRServer } from "../../../packages/r-client/src/index.ts";
import { cspFailure, guardCsp } from "./csp-guard.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, "..");
export const REPO_ROOT = path.resolve(WEB_DIR, "../..");
const API_MAIN = path.join(REPO_ROOT, "apps/api/src/main.ts");
const WORKER_MAIN = path.join(REPO_ROOT, "apps/worker/src/main.ts");

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface Stack {
  baseUrl: string;
  dataDir: string;
  outboxDir: string;
  database: TestDatabase;
  browser: Browser;
  /** CSP violations seen in any page so far; stop() throws when there are any. */
  cspViolations: string[];
  /** The R classifier server, when started with `{ rServer: true }` (the API and worker use it). */
  rServer: RServerHandle | null;
  /** Output of the child processes so far (printed when a test fails). */
  logs(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${out}`)),
    );
  });
}

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** True when apps/web/dist is newer than every SPA source (so each e2e file need not rebuild). */
function buildIsFresh(): boolean {
  const built = path.join(WEB_DIR, "dist/index.html");
  if (!fs.existsSync(built)) return false;
  const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((f) =>
    path.join(WEB_DIR, f),
  );
  return fs.statSync(built).mtimeMs > Math.max(...sources.filter((f) => fs.existsSync(f)).map(newestMtime));
}

/** `vite build` into apps/web/dist, which the API serves; skipped when the build is up to date. */
export async function buildSpa(): Promise<void> {
  if (process.env.BATTYCODA_E2E_FORCE_BUILD !== "1" && buildIsFresh()) return;
  const vite = path.join(WEB_DIR, "node_modules/vite/bin/vite.js");
  // No DSN in the test build: the SPA must make no third-party calls.
  const env = { ...process.env, VITE_SENTRY_DSN: "" };
  await run(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: WEB_DIR, env });
}

class ManagedProcess {
  private child: ChildProcess;
  private exited = false;
  output = "";
  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
  ) {
    // Own process group, so stop() also ends anything the script spawns.
    this.child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const append = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
      if (process.env.BATTYCODA_E2E_VERBOSE) process.stderr.write(`[${name}] ${d}`);
    };
    this.child.stdout?.on("data", append);
    this.child.stderr?.on("data", append);
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.output += `\n[${name} exited code=${code} signal=${signal}]\n`;
    });
  }
  get alive() {
    return !this.exited;
  }
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const pid = this.child.pid;
    const done = new Promise<void>((r) => this.child.once("exit", () => r()));
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 8000);
    await done;
    clearTimeout(timer);
  }
}

async function waitForHealth(url: string, proc: ManagedProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) throw new Error(`${proc.name} exited before becoming healthy:\n${proc.output}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name} not healthy after ${timeoutMs} ms:\n${proc.output}`);
}

export interface StackOptions {
  /** Also start the R classifier server (r_code) and point R_SERVER_URL at it. */
  rServer?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  for (const f of [API_MAIN, WORKER_MAIN]) {
    if (!fs.existsSync(f))
      throw new Error(
        `${path.relative(REPO_ROOT, f)} does not exist yet: the e2e needs the real API and worker`,
      );
  }
  const procs: ManagedProcess[] = [];
  let database: TestDatabase | undefined;
  let launching: Promise<Browser> | undefined;
  let rServer: RServerHandle | null = null;
  let cspViolations: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-"));
  const stop = async () => {
    const browser = await launching?.catch(() => undefined);
    await browser?.close().catch(() => {});
    // Reverse order: worker and API first, then their database.
    for (const p of procs.reverse()) await p.stop();
    await rServer?.stop().catch(() => {});
    await database?.drop().catch(() => {});
    if (!process.env.BATTYCODA_E2E_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
    const csp = cspFailure(cspViolations);
    if (csp) throw csp;
  };
  try {
    const mediaRoot = path.join(dataDir, "media");
    const [, db, port, r] = await Promise.all([
      buildSpa(),
      createTestDatabase(),
      freePort(),
      // Models reach R over HTTP and stay in its cache, inside this run's folder.
      options.rServer
        ? startRServer({ port: 0, env: { R_MODEL_CACHE_DIR: path.join(dataDir, "r-models") } })
        : Promise.resolve(null),
    ]);
    database = db;
    rServer = r;
    const baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      MEDIA_ROOT: mediaRoot,
      ...(rServer ? { R_SERVER_URL: rServer.url } : {}),
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // Outbox transport: never SES from a test.
      AWS_SES_ACCESS_KEY_ID: "",
      AWS_SES_SECRET_ACCESS_KEY: "",
      SENTRY_DSN: "",
      // The SPA must work under the strictest policy the API can send.
      CSP_MODE: "strict",
    };
    launching = chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    // API first, worker once it is healthy: both install pg-boss queues on start, and doing that
    // concurrently on a fresh database can deadlock (seen here: 40P01 in ensureQueues).
    const api = new ManagedProcess("api", API_MAIN, env);
    procs.push(api);
    await waitForHealth(`${baseUrl}/health`, api);
    const worker = new ManagedProcess("worker", WORKER_MAIN, env);
    procs.push(worker);
    const browser = await launching;
    cspViolations = guardCsp(browser);
    return {
      baseUrl,
      dataDir,
      outboxDir: path.join(dataDir, "outbox"),
      database: db,
      browser,
      cspViolations,
      rServer,
      logs: () =>
        [
          ...procs.map((p) => `--- ${p.name} ---\n${p.output}`),
          ...(rServer ? [`--- R ---\n${rServer.recentOutput()}`] : []),
        ].join("\n"),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type OutboxEmail = Awaited<ReturnType<typeof readOutbox>>[number];

/** Waits until the worker has written at least `count` emails to `to` whose subject matches; returns them oldest first. */
export async function waitForEmails(
  outboxDir: string,
  to: string,
  subject: RegExp,
  count: number,
  timeoutMs = 30_000,
): Promise<OutboxEmail[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await readOutbox(outboxDir, { to })).filter((m) => subject.test(m.subject));
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Fewer than ${count} emails to ${to} matching ${subject} in ${outboxDir} after ${timeoutMs} ms`,
  );
}

/** The first email to `to` whose subject matches. */
export async function waitForEmail(
  outboxDir: string,
  to: string,
  subject: RegExp,
  timeoutMs = 30_000,
): Promise<OutboxEmail> {
  const [first] = await waitForEmails(outboxDir, to, subject, 1, timeoutMs);
  return first as OutboxEmail;
}

/**
 * After "Create account" on the register page: the page asks to check the inbox, and the user
 * opens the link the worker mailed (the account exists only from then on).
 */
export async function finishRegistration(page: Page, stack: Stack, email: string): Promise<void> {
  await page.getByText("Check your inbox").waitFor();
  const mail = await waitForEmail(
    stack.outboxDir,
    email.toLowerCase(),
    /Finish creating your BattyCoda account/,
  );
  await page.goto(linkIn(mail, `${stack.baseUrl}/register/confirm?token=`));
}

/** A tRPC query as the page's signed-in browser makes it (its cookies); asserts success. */
export async function trpcQuery<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const q = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await page.request.get(`/trpc/${procedure}${q}`);
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { result: { data: T } }).result.data;
}

/** A tRPC mutation as the page's signed-in browser makes it; asserts success. */
export async function trpcMutation<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const res = await page.request.post(`/trpc/${procedure}`, { data: input });
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { result: { data: T } }).result.data;
}

/** Polls `fn` until it returns something truthy, or throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined>,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The first URL in an email's text that starts with `prefix`. */
export function linkIn(email: OutboxEmail, prefix: string): string {
  const m = email.text.match(/https?:\/\/\S+/g) ?? [];
  const link = m.find((u) => u.startsWith(prefix));
  if (!link) throw new Error(`No link starting with ${prefix} in:\n${email.text}`);
  return link;
}

/**
 * A new page in its own browser context on the stack. Page crashes and console errors go into
 * `errors` (journeys assert it stays empty); 4xx answers, which Chromium logs as failed loads,
 * are expected in some steps and left out. The context is pushed onto `contexts` for closing.
 */
export async function openPage(
  stack: Stack,
  contexts: BrowserContext[],
  errors: string[],
  opts: { height: number; timeoutMs: number },
): Promise<Page> {
  const context = await stack.browser.newContext({
    baseURL: stack.baseUrl,
    viewport: { width: 1280, height: opts.height },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs);
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  return page;
}

/** Full-page screenshot from the top (a scrolled page draws the sticky header mid-page). */
export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
