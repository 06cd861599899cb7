import { createSiteAdmin } from "@battycoda/core/defaults";
import type { Command } from "commander";
import { print, withDatabase } from "./context.ts";

export function registerCreateAdmin(program: Command) {
  program
    .command("create-admin")
    .description("Create a site administrator, or promote an existing user with that username")
    .requiredOption("--username <name>", "login name")
    .requiredOption("--email <address>", "email address")
    .option("--password <password>", "password (default: generated and printed)")
    .action(async (opts: { username: string; email: string; password?: string }) => {
      await withDatabase(async ({ db }) => {
        const r = await createSiteAdmin(
          { db },
          {
            username: opts.username,
            email: opts.email,
            ...(opts.password ? { password: opts.password } : {}),
          },
        );
        print(
          r.created
            ? `Created site admin ${r.user.username} <${r.user.email}>`
            : `${r.user.username} is now a site admin${opts.password ? " (password updated)" : ""}`,
        );
        if (r.password && !opts.password) print(`Password: ${r.password}`);
      });
    });
}
