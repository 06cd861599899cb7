// The work of the maintenance commands (definitions in maintenance.ts), loaded only when one runs.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import {
  listBackups as listStoredBackups,
  type MaintenanceDeps,
  printReporter,
  runProcedure,
  type TProcedureRequestInput,
  ZProcedureRequest,
} from "@battycoda/core/maintenance/index";
import { ProcessingPool } from "@battycoda/core/processing";
import { print, withDatabase } from "./context.ts";

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

export async function backupDatabase(opts: { media?: boolean; dryRun?: boolean }) {
  await run({ procedure: "backup-database", media: Boolean(opts.media), dryRun: Boolean(opts.dryRun) });
}

export async function listBackups() {
  await withDatabase(async ({ config }) => {
    const list = await listStoredBackups({ config });
    if (list.length === 0) print(`No backups in s3://${config.backup.bucket}/${config.backup.prefix}`);
    for (const b of list)
      print(`${b.key}\t${b.kind}\t${(b.size / 1024 / 1024).toFixed(1)} MB\t${age(b.ageSeconds)} ago`);
  });
}

export async function restoreDatabase(
  key: string,
  opts: { targetUrl?: string; yes?: boolean; dryRun?: boolean },
) {
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
}

export async function generateMissingHdf5(opts: {
  dryRun?: boolean;
  batchSize: number;
  concurrency: number;
  maxLoad: number;
  rewriteLegacy?: boolean;
}) {
  await run(
    {
      procedure: "generate-missing-hdf5",
      dryRun: Boolean(opts.dryRun),
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      maxLoadPerCore: opts.maxLoad,
      rewriteLegacy: Boolean(opts.rewriteLegacy),
    },
    { pool: !opts.dryRun },
  );
}

export async function checkDisk(opts: { dryRun?: boolean }) {
  await run({ procedure: "check-disk", dryRun: Boolean(opts.dryRun) });
}

export async function importSpecies(file: string, opts: { dryRun?: boolean }) {
  const csv = await readFile(file, "utf8");
  await run({ procedure: "import-species", csv, dryRun: Boolean(opts.dryRun) });
}

export async function populateMemberships(opts: { dryRun?: boolean }) {
  await run({ procedure: "populate-memberships", dryRun: Boolean(opts.dryRun) });
}

export async function measureMissingBands(opts: { dryRun?: boolean }) {
  await run({ procedure: "measure-missing-bands", dryRun: Boolean(opts.dryRun) }, { pool: !opts.dryRun });
}
