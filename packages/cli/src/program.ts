// The `battycoda` command tree. Each command is a definition in src/commands/<name>.ts (name,
// description, options — commander only, nothing else) whose action loads <name>.run.ts when the
// command runs (see commands/lazy.ts): `battycoda --help` reads no database client, SDK or audio
// code. A new command: write both files and add its register function to COMMANDS.
import { Command } from "commander";
import { registerClassifier } from "./commands/classifier.ts";
import { registerCreateAdmin } from "./commands/create-admin.ts";
import { registerInitializeDefaults } from "./commands/initialize-defaults.ts";
import { registerMaintenance } from "./commands/maintenance.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerMigrateMedia } from "./commands/migrate-media.ts";
import { registerNotifyFailure } from "./commands/notify-failure.ts";

/** In the order `--help` lists them. */
const COMMANDS: ((program: Command) => void)[] = [
  registerMigrate,
  registerInitializeDefaults,
  registerCreateAdmin,
  registerClassifier,
  registerMaintenance,
  registerMigrateMedia,
  registerNotifyFailure,
];

export function buildProgram(): Command {
  const program = new Command("battycoda")
    .description("BattyCoda administration. Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR.")
    .showHelpAfterError()
    .exitOverride((err) => {
      // --help and --version are not failures
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
      throw err;
    });
  for (const register of COMMANDS) register(program);
  return program;
}
