// Module-loader hook that hands h5wasm's files to Node untouched.
// Why: tsx's ESM hook rewrites dynamic imports in every .js module it loads; on h5wasm's 4 MB
// emscripten bundle that costs ~600 MB of RSS (measured), which breaks the memory budget of
// spectrogram jobs. Registered after tsx, this hook runs first and short-circuits those URLs.
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && /\/h5wasm\/dist\/node\/[^/]+\.js$/.test(url)) {
    return { format: "module", source: await readFile(new URL(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
