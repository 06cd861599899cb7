import { writeFile } from "node:fs/promises";
import { generateSchemaTypes, SCHEMA_FILE } from "../src/generate.ts";

await writeFile(SCHEMA_FILE, await generateSchemaTypes());
console.log(`wrote ${SCHEMA_FILE.pathname}`);
