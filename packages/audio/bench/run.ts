// `pnpm bench`: runs every benchmark module in turn. Each prints its own numbers with a baseline
// measured in the same run. Modules can be picked by name: `pnpm bench spectrogram`.
// Each module runs in a fresh Node process (same loader flags): a previous module's heap, pool
// threads and JIT state otherwise skew the next one's CPU-time figures by 10-20 %.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

// Benchmarks of other packages that run through this entry point (path relative to this file).
const external: Record<string, string> = {
  classification: "../../../apps/worker/bench/classification.ts",
  tasks: "../../../apps/api/bench/tasks.ts",
  clustering: "../../../apps/worker/bench/clustering.ts",
};
const modules = ["spectrogram", "segmentation", "detector", "features", ...Object.keys(external)];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : modules;
console.log(
  `# BattyCoda audio benchmarks — Node ${process.version}, ${availableParallelism()} cores (shared)`,
);
let failed = false;
for (const name of names) {
  if (!modules.includes(name)) throw new Error(`unknown bench "${name}" (known: ${modules.join(", ")})`);
  const file = fileURLToPath(new URL(external[name] ?? `./${name}.ts`, import.meta.url));
  const started = performance.now();
  const child = spawnSync(process.execPath, [...process.execArgv, file], { stdio: "inherit" });
  if (child.status !== 0) failed = true;
  console.log(
    `[${name}: ${((performance.now() - started) / 1000).toFixed(1)} s${child.status === 0 ? "" : ", FAILED"}]`,
  );
}
if (failed) process.exitCode = 1;
