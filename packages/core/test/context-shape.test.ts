// Domain functions take the context object first (issue 8, "one shape"): a new function that takes
// a bare database client would bring back the five signatures this replaced.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [full] : [];
  });
}

// `function f(db: Db, …)` or `function f(db: DbOrTx, …)`, exported or not.
const BARE_CLIENT_FIRST =
  /function\s+\w+\s*(?:<[^>]*>)?\(\s*\w+\s*:\s*(?:Db|DbOrTx|PrismaClient|Db \| DbTransaction|DbTransaction \| Db)\s*[,)]/g;

describe("domain function signatures", () => {
  it("finds the source files it checks", () => {
    expect(sourceFiles(SRC).length).toBeGreaterThan(50);
  });

  it("no function in packages/core takes a bare database client as its first argument", () => {
    // inTransaction is the primitive the context's `db` is passed to.
    const files = sourceFiles(SRC).filter((f) => path.relative(SRC, f) !== path.join("access", "context.ts"));
    const offenders = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(BARE_CLIENT_FIRST)].map(
        (m) => `${path.relative(SRC, file)}: ${m[0]}`,
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("the pattern catches the old shape", () => {
    const old = "export async function listThings(db: Db, access: GroupAccess) {}";
    expect(old.match(BARE_CLIENT_FIRST)).toHaveLength(1);
    expect("async function g(db: DbTransaction | Db, id: string) {}".match(BARE_CLIENT_FIRST)).toHaveLength(
      1,
    );
    expect("export function f({ db }: DbContext, id: string) {}".match(BARE_CLIENT_FIRST)).toBeNull();
  });
});
