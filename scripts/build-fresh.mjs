// Whether a bundle made by scripts/build.ts may run: it exists and none of the files it was
// built from (our sources and pnpm-lock.yaml, listed in <bundle>.inputs.json) changed since.
// Plain JavaScript because the `bin` wrappers call it before anything can load TypeScript.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The bundle's file URL when it is current, otherwise null (also when BATTYCODA_SOURCES=1, which
 * forces the TypeScript sources).
 * @param {URL | string} bundleUrl
 * @returns {string | null}
 */
export function freshBundle(bundleUrl) {
  if (process.env.BATTYCODA_SOURCES === "1") return null;
  const bundle = fileURLToPath(bundleUrl);
  const manifestFile = bundle.replace(/\.mjs$/, ".inputs.json");
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (!fs.existsSync(bundle)) return null;
  } catch {
    return null;
  }
  const root = path.resolve(path.dirname(manifestFile), manifest.root);
  for (const input of manifest.inputs) {
    const stat = fs.statSync(path.join(root, input), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > manifest.builtAt) return null;
  }
  return pathToFileURL(bundle).href;
}
