import { register } from "node:module";

type H5wasm = typeof import("h5wasm/node").default;

let loading: Promise<H5wasm> | undefined;

/**
 * Loads h5wasm (used for reading HDF5 back). Registers a loader hook first so that, when running
 * under tsx, h5wasm's 4 MB emscripten bundle bypasses tsx's transform: without it the process
 * grows by ~600 MB (measured). Harmless when tsx is not present.
 */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    // A bundle runs without tsx, and a hook would only cost a loader thread there.
    if (process.env.BATTYCODA_BUNDLE !== "1") {
      try {
        register(new URL("./bypass-loader.mjs", import.meta.url));
      } catch {
        // Hooks unavailable (e.g. some test runners): fall back to a plain import.
      }
    }
    const mod = await import("h5wasm/node");
    const h5wasm = mod.default;
    await h5wasm.ready;
    return h5wasm;
  })();
  return loading;
}
