import { Command } from "commander";
import { registerClassifier } from "./commands/classifier.ts";
import { registerCreateAdmin } from "./commands/create-admin.ts";
import { registerInitializeDefaults } from "./commands/initialize-defaults.ts";
import { registerMaintenance } from "./commands/maintenance.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerMigrateMedia } from "./commands/migrate-media.ts";
import { registerNotifyFailure } from "./commands/notify-failure.ts";

export function buildProgram(): Command {
  const program = new Command("battycoda")
    .description("BattyCoda administration. Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR.")
    .showHelpAfterError()
    .exitOverride((err) => {
      // --help and --version are not failures
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
      throw err;
    });
  registerMigrate(program);
  registerInitializeDefaults(program);
  registerCreateAdmin(program);
  registerClassifier(program);
  registerMaintenance(program);
  registerMigrateMedia(program);
  registerNotifyFailure(program);
  return program;
}
