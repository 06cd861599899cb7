import type { Command } from "commander";
import { lazy } from "./lazy.ts";

export function registerCreateAdmin(program: Command) {
  program
    .command("create-admin")
    .description("Create a site administrator, or promote an existing user with that username")
    .requiredOption("--username <name>", "login name")
    .requiredOption("--email <address>", "email address")
    .option("--password <password>", "password (default: generated and printed)")
    .action(lazy(() => import("./create-admin.run.ts").then((m) => m.createAdmin)));
}
