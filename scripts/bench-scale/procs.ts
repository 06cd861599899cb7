// The scale bench's processes: the real API and worker programs (production bundle when fresh,
// else the TypeScript sources through tsx), and CPU accounting from /proc so the report can say
// where the machine's cores went.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freshBundle } from "../build-fresh.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export type App = "api" | "worker";

export function appEntry(app: App): { args: string[]; bundled: boolean } {
  const bundle = freshBundle(new URL(`../../apps/${app}/dist/main.mjs`, import.meta.url));
  if (bundle) return { args: [new URL(bundle).pathname], bundled: true };
  return { args: ["--import", "tsx", path.join(ROOT, `apps/${app}/src/main.ts`)], bundled: false };
}

/** Whether audio pool threads load the prebuilt bundle (AudioPool checks the same file). */
export function poolBundled(): boolean {
  return (
    process.env.BATTYCODA_POOL_BUNDLE !== "0" &&
    freshBundle(new URL("../../packages/audio/dist/pool-worker.mjs", import.meta.url)) !== null
  );
}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
}

export function startProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code, signal) => keep(Buffer.from(`\n[${name} exited ${code ?? signal}]\n`)));
  if (!child.pid) throw new Error(`could not start ${name}`);
  return { name, child, pid: child.pid, output: () => out };
}

/** SIGTERM (the programs finish running jobs and close), SIGKILL after `graceMs`. */
export function stopProc(p: Proc, graceMs = 30_000): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    const kill = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
    p.child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    p.child.kill("SIGTERM");
  });
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  procs: Proc[] = [],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead || Date.now() > deadline)
      throw new Error(
        `${dead ? `${dead.name} exited` : "timed out"} waiting for ${what}\n` +
          procs.map((p) => `--- ${p.name} ---\n${p.output()}`).join("\n"),
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Stat {
  ppid: number;
  own: number;
  children: number;
}

function readStat(pid: number): Stat | null {
  let s: string;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // fields after "(comm)": state ppid … utime(14) stime(15) cutime(16) cstime(17)
  const f = s
    .slice(s.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return {
    ppid: f[1] ?? 0,
    own: ((f[11] ?? 0) + (f[12] ?? 0)) / TICKS,
    children: ((f[13] ?? 0) + (f[14] ?? 0)) / TICKS,
  };
}

/** CPU seconds (user + system, all threads) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  return readStat(pid)?.own ?? 0;
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster, its live backends, and backends that
 * already exited (counted in the postmaster's children time once reaped).
 */
export function postgresCpuSeconds(dataDir: string): number {
  let postmaster: number;
  try {
    postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return 0;
  }
  const root = readStat(postmaster);
  if (!root) return 0;
  let total = root.own + root.children;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s?.ppid === postmaster) total += s.own;
  }
  return total;
}

/** Machine-wide CPU time from /proc/stat: busy and total, in seconds summed over cores. */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy / TICKS, total: (busy + (idle ?? 0) + (iowait ?? 0)) / TICKS };
}
