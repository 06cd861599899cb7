// Worker thread entry for ProcessingPool. Like the audio package's entry: under `tsx` the thread
// inherits the TypeScript loader; under other runners (vitest, plain node) register tsx here. A
// throwaway probe module decides, because Node caches a failed import of a URL.
try {
  await import("./pool-probe.ts");
} catch (err) {
  if (err?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw err;
  const { register } = await import("tsx/esm/api");
  register();
}
const mod = await import("./pool-worker.ts");
export default mod.default;
