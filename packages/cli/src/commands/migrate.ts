import { migrateDatabase } from "@battycoda/db/migrate";
import type { Command } from "commander";
import { print, withDatabase } from "./context.ts";

export function registerMigrate(program: Command) {
  program
    .command("migrate")
    .description("Apply the committed database migrations (prisma migrate deploy)")
    .action(async () => {
      await withDatabase(async ({ url }) => {
        const out = await migrateDatabase(url);
        const applied = /No pending migrations/.test(out) ? "Database is up to date" : "Migrations applied";
        print(applied);
      });
    });
}
