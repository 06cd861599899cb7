// The router's shape rules, checked by construction so a new procedure cannot slip past them.
import { describe, expect, it } from "vitest";
import { appRouter } from "../src/router.ts";

type ProcedureDef = { _def: { type: string; output?: unknown; inputs: unknown[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>);

describe("every tRPC procedure", () => {
  it("exists (sanity: the router is not empty)", () => {
    expect(procedures.length).toBeGreaterThan(50);
  });

  it("declares an output schema, so the SPA's types and the responses are checked against one source", () => {
    const missing = procedures.filter(([, p]) => p._def.output === undefined).map(([path]) => path);
    expect(missing).toEqual([]);
  });
});
