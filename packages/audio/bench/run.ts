// `pnpm bench`: runs every benchmark module in turn. Each exports `run(): Promise<void>` and prints
// its own numbers with a baseline measured in the same run. Modules can be picked by name:
// `pnpm bench spectrogram`.
const modules: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  spectrogram: () => import("./spectrogram.ts"),
  segmentation: () => import("./segmentation.ts"),
  features: () => import("./features.ts"),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(modules);
console.log(
  `# BattyCoda audio benchmarks — Node ${process.version}, ${(await import("node:os")).availableParallelism()} cores (shared)`,
);
for (const name of names) {
  const load = modules[name];
  if (!load) throw new Error(`unknown bench "${name}" (known: ${Object.keys(modules).join(", ")})`);
  const started = performance.now();
  await (await load()).run();
  console.log(`[${name}: ${((performance.now() - started) / 1000).toFixed(1)} s]`);
}
