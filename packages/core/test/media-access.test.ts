// Issue 15: every read and write of media goes through the MediaStore, so MEDIA_STORAGE=s3 works
// everywhere. This fails on any source file outside the stores that reaches for MEDIA_ROOT (the
// config's mediaRoot, or resolving a stored path to a file) itself.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SOURCE_DIRS = ["apps/api/src", "apps/worker/src", "packages/core/src", "packages/cli/src", "scripts"];

/** Allowed to know where local media live, each for a reason. */
const ALLOWED = new Set<string>([
  "packages/core/src/media/create-store.ts", // builds the local store
  "packages/core/src/media/local-store.ts", // is the local store
  "packages/core/src/media/media.ts", // its path helpers
  "packages/core/src/media/migrate.ts", // copies between the two stores
  "packages/core/src/maintenance/backup.ts", // tars the local folder (refused for S3 media)
  "packages/core/src/maintenance/disk.ts", // watches the disk the local media are on
  "packages/cli/src/commands/migrate-media.run.ts", // prints the folder it migrates from
  "scripts/start.ts", // creates the local folder on first start
  "scripts/bench-scale.ts", // sets MEDIA_ROOT for the processes it measures
]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "generated") out.push(...sources(rel));
    } else if (/\.tsx?$/.test(e.name) && !/\.(test|e2e)\.ts$|testing\.ts$/.test(e.name)) out.push(rel);
  }
  return out;
}

const withoutComments = (code: string) =>
  code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

describe("media access", () => {
  it("goes through the media store everywhere outside the stores themselves", () => {
    const offenders: string[] = [];
    for (const file of SOURCE_DIRS.flatMap(sources)) {
      if (ALLOWED.has(file)) continue;
      const code = withoutComments(readFileSync(path.join(ROOT, file), "utf8"));
      for (const pattern of [/\bmediaRoot\b/, /\bresolveStoredPath\(/, /\bmoveIntoMedia\(/, /\bMEDIA_ROOT\b/])
        if (pattern.test(code)) offenders.push(`${file}: ${pattern.source}`);
    }
    expect(offenders).toEqual([]);
  });
});
