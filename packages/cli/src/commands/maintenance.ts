// The maintenance procedures from a shell (cron jobs, an SSH session, a broken web UI): the same
// runProcedure the worker runs for the admin panel, with the log printed instead of stored.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import {
  listBackups,
  type MaintenanceDeps,
  printReporter,
  runProcedure,
  type TProcedureRequestInput,
  ZProcedureRequest,
} from "@battycoda/core/maintenance/index";
import { ProcessingPool } from "@battycoda/core/processing";
import type { Command } from "commander";
import { print, withDatabase } from "./context.ts";

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1 (got "${v}")`);
  return n;
};

async function run(request: TProcedureRequestInput, extra: { pool?: boolean } = {}): Promise<unknown> {
  const parsed = ZProcedureRequest.parse(request);
  return withDatabase(async ({ db, config, url }) => {
    const pool = extra.pool ? new ProcessingPool({ threads: 1 }) : undefined;
    const deps: MaintenanceDeps = { db, boss: null, config, databaseUrl: url, ...(pool ? { pool } : {}) };
    try {
      return await runProcedure(deps, parsed, printReporter(print));
    } finally {
      await pool?.destroy();
    }
  });
}

async function confirmRestore(key: string, yes: boolean): Promise<string> {
  if (yes) return key;
  if (!process.stdin.isTTY)
    throw new Error("restore-database: pass --yes, or run it in a terminal and type the key to confirm");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`Type the backup key to restore it (${key}): `)).trim();
  } finally {
    rl.close();
  }
}

const age = (s: number) =>
  s < 3600
    ? `${Math.round(s / 60)} min`
    : s < 172_800
      ? `${Math.round(s / 3600)} h`
      : `${Math.round(s / 86_400)} d`;

export function registerMaintenance(program: Command) {
  program
    .command("backup-database")
    .description(
      "Dump the database (pg_dump of the server's major version, else the built-in logical dump), gzip it " +
        "and store it at DATABASE_BACKUP_BUCKET/DATABASE_BACKUP_PREFIX under a timestamped key",
    )
    .option("--media", "also store a tar of MEDIA_ROOT under the same timestamp")
    .option("--dry-run", "check the store and print the key, dump nothing")
    .action(async (opts: { media?: boolean; dryRun?: boolean }) => {
      await run({ procedure: "backup-database", media: Boolean(opts.media), dryRun: Boolean(opts.dryRun) });
    });

  program
    .command("list-backups")
    .description("List the backups under DATABASE_BACKUP_PREFIX, newest first, with sizes and ages")
    .action(async () => {
      await withDatabase(async ({ config }) => {
        const list = await listBackups({ config });
        if (list.length === 0) print(`No backups in s3://${config.backup.bucket}/${config.backup.prefix}`);
        for (const b of list)
          print(`${b.key}\t${b.kind}\t${(b.size / 1024 / 1024).toFixed(1)} MB\t${age(b.ageSeconds)} ago`);
      });
    });

  program
    .command("restore-database")
    .description("Restore a database backup into an EMPTY database (never over live data), all or nothing")
    .argument("<key>", "the backup's key, as list-backups prints it")
    .option("--target-url <url>", "the empty database (default: DATABASE_URL / the embedded database)")
    .option("--yes", "do not ask for the key again")
    .option("--dry-run", "check the backup and that the target is empty, restore nothing")
    .action(async (key: string, opts: { targetUrl?: string; yes?: boolean; dryRun?: boolean }) => {
      const confirm = opts.dryRun ? key : await confirmRestore(key, Boolean(opts.yes));
      if (confirm !== key)
        throw new Error("restore-database: the key typed does not match; nothing was restored");
      await withDatabase(async ({ db, config, url }) => {
        await runProcedure(
          { db, boss: null, config, databaseUrl: url },
          ZProcedureRequest.parse({
            procedure: "restore-database",
            key,
            targetUrl: opts.targetUrl ?? url,
            confirm,
            dryRun: Boolean(opts.dryRun),
          }),
          printReporter(print),
        );
      });
    });

  program
    .command("generate-missing-hdf5")
    .description(
      "Regenerate the spectrograms (HDF5) of recordings whose file is missing or unreadable, a few at a time, " +
        "pausing while the machine is loaded",
    )
    .option("--dry-run", "only list the recordings")
    .option("--batch-size <n>", "recordings examined per page", positiveInt("--batch-size"), 50)
    .option("--concurrency <n>", "spectrograms generated at once", positiveInt("--concurrency"), 1)
    .action(async (opts: { dryRun?: boolean; batchSize: number; concurrency: number }) => {
      await run(
        {
          procedure: "generate-missing-hdf5",
          dryRun: Boolean(opts.dryRun),
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
        },
        { pool: !opts.dryRun },
      );
    });

  program
    .command("check-disk")
    .description(
      "Report media and database disk usage; at 90 % or more, email the site admins (at most once per 4 h)",
    )
    .option("--dry-run", "report only, never email")
    .action(async (opts: { dryRun?: boolean }) => {
      await run({ procedure: "check-disk", dryRun: Boolean(opts.dryRun) });
    });

  program
    .command("import-species")
    .description(
      "Create system species and their call types from a CSV with the columns species, call_types " +
        '(e.g. "FM:Frequency modulated;FB:Feeding buzz"), optionally common_name and description',
    )
    .argument("<file>", "the CSV file")
    .option("--dry-run", "check the file and report what would change")
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const csv = await readFile(file, "utf8");
      await run({ procedure: "import-species", csv, dryRun: Boolean(opts.dryRun) });
    });

  program
    .command("populate-memberships")
    .description(
      "Repair users without a usable group: recreate a missing personal group or its membership, and reset a " +
        "current group the user does not belong to",
    )
    .option("--dry-run", "report what would change")
    .action(async (opts: { dryRun?: boolean }) => {
      await run({ procedure: "populate-memberships", dryRun: Boolean(opts.dryRun) });
    });
}
