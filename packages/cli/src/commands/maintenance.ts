// The maintenance procedures from a shell (cron jobs, an SSH session, a broken web UI): the same
// runProcedure the worker runs for the admin panel, with the log printed instead of stored.
import type { Command } from "commander";
import { lazy, positiveInt, positiveNumber } from "./lazy.ts";

const run = () => import("./maintenance.run.ts");

export function registerMaintenance(program: Command) {
  program
    .command("backup-database")
    .description(
      "Dump the database (pg_dump of the server's major version, else the built-in logical dump), gzip it " +
        "and store it at DATABASE_BACKUP_BUCKET/DATABASE_BACKUP_PREFIX under a timestamped key",
    )
    .option(
      "--media",
      "also store a tar of the local media folder under the same timestamp (not with MEDIA_STORAGE=s3)",
    )
    .option("--dry-run", "check the store and print the key, dump nothing")
    .action(lazy(() => run().then((m) => m.backupDatabase)));

  program
    .command("list-backups")
    .description("List the backups under DATABASE_BACKUP_PREFIX, newest first, with sizes and ages")
    .action(lazy(() => run().then((m) => m.listBackups)));

  program
    .command("restore-database")
    .description("Restore a database backup into an EMPTY database (never over live data), all or nothing")
    .argument("<key>", "the backup's key, as list-backups prints it")
    .option("--target-url <url>", "the empty database (default: DATABASE_URL / the embedded database)")
    .option("--yes", "do not ask for the key again")
    .option("--dry-run", "check the backup and that the target is empty, restore nothing")
    .action(lazy(() => run().then((m) => m.restoreDatabase)));

  program
    .command("generate-missing-hdf5")
    .description(
      "Regenerate the spectrograms (HDF5) of recordings whose file is missing or unreadable, a few at a time, " +
        "pausing while the machine is loaded",
    )
    .option("--dry-run", "only list the recordings")
    .option("--batch-size <n>", "recordings examined per page", positiveInt("--batch-size"), 50)
    .option("--concurrency <n>", "spectrograms generated at once", positiveInt("--concurrency"), 1)
    .option(
      "--max-load <n>",
      "pause while the 1-minute load average per core is above this",
      positiveNumber("--max-load"),
      1.5,
    )
    .option(
      "--rewrite-legacy",
      "also rewrite readable spectrograms stored in an older encoding (float32, other dB codes)",
    )
    .action(lazy(() => run().then((m) => m.generateMissingHdf5)));

  program
    .command("check-disk")
    .description(
      "Report media and database disk usage; at 90 % or more, email the site admins (at most once per 4 h)",
    )
    .option("--dry-run", "report only, never email")
    .action(lazy(() => run().then((m) => m.checkDisk)));

  program
    .command("import-species")
    .description(
      "Create system species and their call types from a CSV with the columns species, call_types " +
        '(e.g. "FM:Frequency modulated;FB:Feeding buzz"), optionally common_name and description',
    )
    .argument("<file>", "the CSV file")
    .option("--dry-run", "check the file and report what would change")
    .action(lazy(() => run().then((m) => m.importSpecies)));

  program
    .command("populate-memberships")
    .description(
      "Repair users without a usable group: recreate a missing personal group or its membership, and reset a " +
        "current group the user does not belong to",
    )
    .option("--dry-run", "report what would change")
    .action(lazy(() => run().then((m) => m.populateMemberships)));

  program
    .command("measure-missing-bands")
    .description(
      "Measure a frequency box, as the detector measures its calls, for segments stored without one (imports " +
        "without frequencies, segments drawn by hand before boxes were measured)",
    )
    .option("--dry-run", "count them only")
    .action(lazy(() => run().then((m) => m.measureMissingBands)));
}
