import type { Command } from "commander";
import { lazy } from "./lazy.ts";

export function registerMigrate(program: Command) {
  program
    .command("migrate")
    .description("Apply the committed database migrations (prisma migrate deploy)")
    .action(lazy(() => import("./migrate.run.ts").then((m) => m.migrate)));
}
