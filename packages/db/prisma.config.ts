import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

// Prisma's schema engine is a binary download that this kind of machine cannot fetch, so the
// CLI runs with the JS engine through the pg driver adapter (see ../../../shared/stack.md).
//
// Workaround for prisma/orm#27403: `migrate deploy` reads catalog columns of PostgreSQL's
// internal types (name, "char", regproc, regclass, regtype and their arrays) and fails with
// "Column type 'name' could not be deserialized". Reporting them to Prisma as text/text[]
// fixes it. This is the only place that patches pg.
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const AS_TEXT = new Set([18, 19, 24, 2205, 2206]);
const AS_TEXT_ARRAY = new Set([1002, 1003, 1008, 2210, 2211]);
type Field = { dataTypeID: number };
const resultProto = (pg as unknown as { Result?: { prototype: { addFields(f: Field[]): void } } }).Result
  ?.prototype;
if (resultProto && !(resultProto as { __battycodaPatched?: boolean }).__battycodaPatched) {
  const original = resultProto.addFields;
  resultProto.addFields = function (fields: Field[]) {
    for (const f of fields) {
      if (AS_TEXT.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
      else if (AS_TEXT_ARRAY.has(f.dataTypeID)) f.dataTypeID = TEXT_ARRAY_OID;
    }
    return original.call(this, fields);
  };
  (resultProto as { __battycodaPatched?: boolean }).__battycodaPatched = true;
}

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join(import.meta.dirname, "prisma", "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "prisma", "migrations") },
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgres://localhost:5432/battycoda" }),
});
