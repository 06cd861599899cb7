// README command 1 without the install step: scripts/start.ts on a fresh DATA_DIR must come up,
// print a working admin login, stop everything on Ctrl-C, and reuse the same data next time.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@battycoda/db/embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
let dataDir: string;
let port: number;
let rPort: number;
const started: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-start-"));
  port = await findFreePort();
  rPort = await findFreePort();
});
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function start() {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "development",
      DATA_DIR: dataDir,
      MEDIA_ROOT: "",
      DATABASE_URL: "",
      PORT: String(port),
      R_SERVER_URL: `http://127.0.0.1:${rPort}`,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = async () => {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const m = plain().match(/BattyCoda is running at (\S+) — log in as (\S+) \/ (\S+)/);
      if (m) return { url: m[1]!, username: m[2]!, password: m[3]! };
      if (child.exitCode !== null) throw new Error(`start.ts exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`start.ts did not come up:\n${output}`);
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colours, in case stdout looks like a TTY
  const plain = () => output.replace(/\x1b\[[0-9;]*m/g, "");
  return { child, exited, ready, output: plain };
}

async function login(url: string, identifier: string, password: string) {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ identifier, password }),
  });
  return res.status;
}

describe("./scripts/start.sh (orchestrator)", () => {
  it("starts everything, prints a working login, stops cleanly and restarts with the same data", async () => {
    const first = start();
    const login1 = await first.ready();
    expect(login1.url).toBe(`http://127.0.0.1:${port}`);
    expect(login1.username).toBe("admin");
    expect((await fetch(`${login1.url}/health`)).status).toBe(200);
    expect(await login(login1.url, login1.username, login1.password)).toBe(200);
    expect(fs.readFileSync(path.join(dataDir, "admin-credentials.txt"), "utf8")).toContain(
      `password=${login1.password}`,
    );

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("[start] stopped");
    expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
    await expect(fetch(`${login1.url}/health`)).rejects.toThrow();

    const second = start();
    const login2 = await second.ready();
    expect(login2.password).toBe(login1.password);
    expect(second.output()).not.toContain("first start");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
