// `pnpm bench:startup`: start-up time of the production bundles against the TypeScript sources
// (tsx), on this machine, now. Prints numbers; asserts nothing (the machine is shared, so the
// figures move with its load: compare the rows of one run, and the CPU column more than wall).
// Targets (issue 14): a CLI `--help` under 200 ms; the API ready (/health 200) under 1 s after
// the database is up. Builds the bundles first unless --no-build.
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
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(
    "usage: pnpm bench:startup [--runs N] [--no-build]\n\nCLI --help and API start-up times, bundles vs tsx sources.\n",
  );
  process.exit(0);
}
const RUNS = Number(values.runs);

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
function timeCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Timing {
  const started = performance.now();
  const r = spawnSync(
    "bash",
    [
      "-c",
      '"$0" "$@" >/dev/null 2>/tmp/battycoda-bench-startup.err; s=$?; times; exit $s',
      process.execPath,
      ...args,
    ],
    {
      cwd: ROOT,
      env,
      encoding: "utf8",
    },
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

function row(label: string, runs: Timing[], target?: string) {
  const wall = median(runs.map((r) => r.wallMs));
  const cpu = median(runs.map((r) => r.cpuMs));
  console.log(
    `${label.padEnd(44)} wall ${wall.toFixed(0).padStart(5)} ms   cpu ${cpu.toFixed(0).padStart(5)} ms${target ? `   (${target})` : ""}`,
  );
  return wall;
}

function repeat(args: string[], env?: NodeJS.ProcessEnv): Timing[] {
  timeCommand(args, env); // warm the file cache
  return Array.from({ length: RUNS }, () => timeCommand(args, env));
}

console.log(
  `# start-up bench — Node ${process.version}, ${os.availableParallelism()} cores, load ${os.loadavg()[0]?.toFixed(1)}, median of ${RUNS}`,
);
row("node -e 0 (Node itself)", repeat(["-e", "0"]));
row("battycoda --help (bundle)", repeat(["packages/cli/dist/battycoda.mjs", "--help"]), "target < 200 ms");
row("battycoda --help (bin wrapper → bundle)", repeat(["packages/cli/bin/battycoda.mjs", "--help"]));
row("battycoda --help (tsx sources)", repeat(["--import", "tsx", "packages/cli/src/main.ts", "--help"]));
row(
  "battycoda-audio --help (bundle)",
  repeat(["packages/audio/dist/battycoda-audio.mjs", "--help"]),
  "target < 200 ms",
);
row(
  "battycoda-audio --help (tsx sources)",
  repeat(["--import", "tsx", "packages/audio/src/cli/main.ts", "--help"]),
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

/** Spawn → first 200 from /health, with the database already up and migrated. */
async function apiReady(args: string[], url: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: path.join(ROOT, "apps", "api"),
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
        if (res.ok) return performance.now() - started;
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
  for (const [label, args, target] of [
    ["API ready after the database (bundle)", ["--enable-source-maps", "dist/main.mjs"], "target < 1000 ms"],
    ["API ready after the database (tsx sources)", ["--import", "tsx", "src/main.ts"], undefined],
  ] as const) {
    await apiReady([...args], pg.url, tmp); // warm-up (first start also creates the secret key)
    const runs: Timing[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++)
      runs.push({ wallMs: await apiReady([...args], pg.url, tmp), cpuMs: Number.NaN });
    row(label, runs, target);
  }
} finally {
  await pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
