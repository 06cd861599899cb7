// The committed types must be what the current document generates: a procedure that gains REST
// metadata or changes a schema without `pnpm --filter @battycoda/api-client generate` fails here.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generateSchemaTypes, SCHEMA_FILE } from "../src/generate.ts";

describe("generated client types", () => {
  it("match the API's current OpenAPI document", async () => {
    const committed = await readFile(SCHEMA_FILE, "utf8");
    const fresh = await generateSchemaTypes();
    expect(
      committed === fresh,
      "src/generated/schema.d.ts is stale: run pnpm --filter @battycoda/api-client generate",
    ).toBe(true);
    expect(fresh).toContain('"/api/v1/classification-runs/{runId}/results"');
  });
});
