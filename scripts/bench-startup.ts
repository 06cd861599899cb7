// `pnpm bench:startup`: start-up time of the production bundles against the TypeScript sources
// (tsx), on this machine, now. Prints numbers; asserts nothing (the machine is shared, so the
// figures move with its load: compare the rows of one run, and the CPU column more than wall).
// Targets (issue 14): a CLI `--help` under 200 ms; the API ready (/health 200) under 1 s after
// the database is up. Builds the bundles first unless --no-build.
//
// --baseline DIR: another checkout with its bundles built (e.g. `git archive <commit>` unpacked
// and `pnpm build` run there) measured in the same run, each row with the ratio now/baseline.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "no-build": { type: "boolean", default: false },
    baseline: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(
    [
      "usage: pnpm bench:startup [--runs N] [--no-build] [--baseline DIR]",
      "",
      "CLI --help and API start-up times, bundles vs tsx sources. --baseline DIR also measures the",
      "bundles of another checkout (built there beforehand) and prints now/baseline ratios.",
      "",
    ].join("\n"),
  );
  process.exit(0);
}
const RUNS = Number(values.runs);
const BASELINE = values.baseline ? path.resolve(values.baseline) : null;
if (BASELINE && !fs.existsSync(path.join(BASELINE, "packages/cli/dist/battycoda.mjs")))
  throw new Error(`${BASELINE} has no bundles: run \`pnpm build\` there first`);

if (!values["no-build"]) {
  const b = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--quiet"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (b.status !== 0) throw new Error("build failed");
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Wall time, and CPU time (user + sys) from bash's `times` for the command it waited for. */
function timeCommand(args: string[], cwd = ROOT): Timing {
  const started = performance.now();
  const r = spawnSync(
    "bash",
    [
      "-c",
      '"$0" "$@" >/dev/null 2>/tmp/battycoda-bench-startup.err; s=$?; times; exit $s',
      process.execPath,
      ...args,
    ],
    { cwd, encoding: "utf8" },
  );
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
  // second line: the children's user and system time, e.g. "0m0.081s 0m0.012s"
  const children = r.stdout.trim().split("\n")[1] ?? "";
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { wallMs, cpuMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Row {
  wall: number;
  cpu: number;
}

function row(label: string, runs: Timing[], extra?: { target?: string; baseline?: Row }): Row {
  const wall = median(runs.map((r) => r.wallMs));
  const cpu = median(runs.map((r) => r.cpuMs));
  const ratio = extra?.baseline
    ? `   now/baseline: wall ${(wall / extra.baseline.wall).toFixed(2)}, cpu ${(cpu / extra.baseline.cpu).toFixed(2)}`
    : "";
  console.log(
    `${label.padEnd(48)} wall ${wall.toFixed(0).padStart(5)} ms   cpu ${cpu.toFixed(0).padStart(5)} ms${extra?.target ? `   (${extra.target})` : ""}${ratio}`,
  );
  return { wall, cpu };
}

/** Alternates the roots run by run, so both see the same load. */
function repeat(args: string[], roots: string[]): Timing[][] {
  for (const r of roots) timeCommand(args, r); // warm the file cache
  const out: Timing[][] = roots.map(() => []);
  for (let i = 0; i < RUNS; i++) for (const [k, r] of roots.entries()) out[k]?.push(timeCommand(args, r));
  return out;
}

const roots = BASELINE ? [ROOT, BASELINE] : [ROOT];

console.log(
  `# start-up bench — Node ${process.version}, ${os.availableParallelism()} cores, load ${os.loadavg()[0]?.toFixed(1)}, median of ${RUNS}${BASELINE ? `, baseline ${BASELINE}` : ""}`,
);
row("node -e 0 (Node itself)", repeat(["-e", "0"], [ROOT])[0] ?? []);
{
  const [now, base] = repeat(["packages/cli/dist/battycoda.mjs", "--help"], roots);
  const b = base ? row("battycoda --help (baseline bundle)", base) : undefined;
  row("battycoda --help (bundle)", now ?? [], { target: "target < 200 ms", ...(b ? { baseline: b } : {}) });
}
row(
  "battycoda --help (bin wrapper → bundle)",
  repeat(["packages/cli/bin/battycoda.mjs", "--help"], [ROOT])[0] ?? [],
);
row(
  "battycoda --help (tsx sources)",
  repeat(["--import", "tsx", "packages/cli/src/main.ts", "--help"], [ROOT])[0] ?? [],
);
row(
  "battycoda-audio --help (bundle)",
  repeat(["packages/audio/dist/battycoda-audio.mjs", "--help"], [ROOT])[0] ?? [],
  { target: "target < 200 ms" },
);
row(
  "battycoda-audio --help (tsx sources)",
  repeat(["--import", "tsx", "packages/audio/src/cli/main.ts", "--help"], [ROOT])[0] ?? [],
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_MS =
  1000 / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** user + system CPU of a process so far (all its threads), from /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields 14 and 15 of stat(5), counted after the ")" that ends the command name
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICKS_MS;
  } catch {
    return Number.NaN;
  }
}

/** Spawn → first 200 from /health, with the database already up and migrated; and the CPU it took. */
async function apiReady(root: string, args: string[], url: string, dataDir: string): Promise<Timing> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: path.join(root, "apps", "api"),
    env: {
      ...process.env,
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return { wallMs: performance.now() - started, cpuMs: processCpuMs(child.pid ?? -1) };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-bench-startup-"));
const pg = await startEmbeddedPostgres({ dir: path.join(tmp, "pg"), ephemeral: true });
try {
  await migrateDatabase(pg.url);
  const bundle = ["--enable-source-maps", "dist/main.mjs"];
  const apiRoots = BASELINE ? [ROOT, BASELINE] : [ROOT];
  for (const r of apiRoots) await apiReady(r, bundle, pg.url, tmp); // warm-up (also creates the secret key)
  const apiRuns: Timing[][] = apiRoots.map(() => []);
  for (let i = 0; i < Math.max(3, Math.min(RUNS, 5)); i++)
    for (const [k, r] of apiRoots.entries()) apiRuns[k]?.push(await apiReady(r, bundle, pg.url, tmp));
  const base = apiRuns[1] ? row("API ready after the database (baseline bundle)", apiRuns[1]) : undefined;
  row("API ready after the database (bundle)", apiRuns[0] ?? [], {
    target: "target < 1000 ms",
    ...(base ? { baseline: base } : {}),
  });
  const sources: Timing[] = [];
  await apiReady(ROOT, ["--import", "tsx", "src/main.ts"], pg.url, tmp);
  for (let i = 0; i < Math.min(RUNS, 3); i++)
    sources.push(await apiReady(ROOT, ["--import", "tsx", "src/main.ts"], pg.url, tmp));
  row("API ready after the database (tsx sources)", sources);
} finally {
  await pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
