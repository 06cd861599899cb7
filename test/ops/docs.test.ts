// docs/operations.md keeps up with the code: every `battycoda` command and every variable of
// .env.example is named there, so a new command or setting cannot ship undocumented.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../packages/cli/src/program.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const guide = fs.readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");

describe("docs/operations.md", () => {
  it("names every battycoda command (and subcommand)", () => {
    const names = buildProgram().commands.flatMap((c) =>
      c.commands.length ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()],
    );
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !guide.includes(`\`${n}`))).toEqual([]);
  });

  it("names every variable of .env.example", () => {
    const vars = [
      ...fs.readFileSync(path.join(ROOT, ".env.example"), "utf8").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm),
    ]
      .map((m) => m[1] as string)
      // the example flag stands for VITE_FEATURE_<NAME>
      .map((v) => (v.startsWith("VITE_FEATURE_") ? "VITE_FEATURE_<NAME>" : v));
    expect(vars.length).toBeGreaterThan(40);
    expect([...new Set(vars)].filter((v) => !guide.includes(v))).toEqual([]);
  });
});
