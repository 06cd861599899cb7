// Worker thread entry for the audio pool. Worker threads inherit the parent's execArgv, so under
// `tsx` TypeScript already loads. Under other runners (vitest, plain node) it does not: then
// register tsx's ESM hooks in this thread. A throwaway probe module decides, because Node caches
// a failed import of a URL and the worker itself must only be imported once.
try {
  await import("./ts-probe.ts");
} catch (err) {
  if (err?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw err;
  const { register } = await import("tsx/esm/api");
  register();
}
const mod = await import("./worker.ts");
export default mod.default;
