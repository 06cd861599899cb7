import { migrateDatabase } from "@battycoda/db/migrate";
import { print, withDatabase } from "./context.ts";

export async function migrate() {
  await withDatabase(async ({ url }) => {
    const out = await migrateDatabase(url);
    print(/No pending migrations/.test(out) ? "Database is up to date" : "Migrations applied");
  });
}
