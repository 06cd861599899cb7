import type { Command } from "commander";
import { lazy } from "./lazy.ts";

export function registerNotifyFailure(program: Command) {
  program
    .command("notify-failure")
    .description(
      "Email the site admins that a systemd unit failed, with its last journal lines (at most once an hour per unit). Called by battycoda-notify@.service",
    )
    .argument("<unit>", "the failed unit, e.g. battycoda-worker.service")
    .option("--lines <n>", "journal lines to include", "40")
    .action(lazy(() => import("./notify-failure.run.ts").then((m) => m.notifyFailure)));
}
