// The command registry's rule, checked on the sources: a command's definition file loads nothing
// but commander and lazy.ts, so `battycoda --help` stays fast however many commands there are; the
// work lives in <name>.run.ts, imported by the action when the command runs.
import fs from "node:fs";
import path from "node:path";
import { TRAINABLE_TYPES } from "@battycoda/core/classifiers";
import { describe, expect, it } from "vitest";
import { CLASSIFIER_TYPES } from "../src/commands/classifier.ts";
import { buildProgram } from "../src/program.ts";

const COMMANDS_DIR = path.resolve(import.meta.dirname, "../src/commands");
const CHEAP = new Set(["commander", "./lazy.ts"]);

/** Specifiers of the static imports that are not `import type`. */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1] as string);
}

describe("battycoda command definitions", () => {
  const definitions = fs
    .readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".run.ts") && !["lazy.ts", "context.ts"].includes(f));

  it("import only commander and lazy.ts at load time", () => {
    expect(definitions.length).toBeGreaterThanOrEqual(6);
    const heavy = definitions.flatMap((f) =>
      runtimeImports(path.join(COMMANDS_DIR, f))
        .filter((s) => !CHEAP.has(s))
        .map((s) => `${f}: ${s}`),
    );
    expect(heavy).toEqual([]);
  });

  it("program.ts loads only commander and the definitions", () => {
    const imports = runtimeImports(path.resolve(COMMANDS_DIR, "../program.ts"));
    expect(imports.filter((s) => s !== "commander" && !/^\.\/commands\/[\w-]+\.ts$/.test(s))).toEqual([]);
    for (const s of imports.filter((i) => i.startsWith("./commands/")))
      expect(s.endsWith(".run.ts"), s).toBe(false);
  });

  it("spells out the classifier types exactly as core trains them", () => {
    expect([...CLASSIFIER_TYPES]).toEqual([...TRAINABLE_TYPES]);
  });

  it("registers every command once", () => {
    const names = buildProgram().commands.map((c) => c.name());
    expect(new Set(names).size).toBe(names.length);
    for (const n of ["migrate", "create-admin", "backup-database", "generate-missing-hdf5", "notify-failure"])
      expect(names).toContain(n);
  });
});
