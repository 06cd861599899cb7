// The maintenance procedures as one registry: their options (zod, shared by the tRPC inputs, the
// job payload and the CLI), and runProcedure, which the pg-boss handler and the CLI both call.

import type { Config } from "@battycoda/config";
import type { Db } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { sendAdminAlert } from "../alerts/alerts.ts";
import { removeOrphanModels } from "../classifiers/model-store.ts";
import { initializeDefaults } from "../defaults/initialize.ts";
import { runHousekeeping } from "../jobs/housekeeping.ts";
import { createMediaStore } from "../media/create-store.ts";
import type { MediaStore } from "../media/store.ts";
import type { ProcessingPool } from "../processing/pool.ts";
import { cleanStaleUploads } from "../uploads/uploads.ts";
import { backupDatabase, restoreDatabase } from "./backup.ts";
import { measureAllMissingBands } from "./bands.ts";
import { checkDisk } from "./disk.ts";
import { generateMissingHdf5 } from "./hdf5.ts";
import { populateMemberships } from "./memberships.ts";
import type { ProcedureReporter } from "./reporter.ts";
import { importSpecies } from "./species-import.ts";

export const PROCEDURE_NAMES = [
  "backup-database",
  "restore-database",
  "generate-missing-hdf5",
  "check-disk",
  "import-species",
  "initialize-defaults",
  "populate-memberships",
  "measure-missing-bands",
  "cleanup",
] as const;
export type ProcedureName = (typeof PROCEDURE_NAMES)[number];
export const ZProcedureName = z.enum(PROCEDURE_NAMES);

export const ZProcedureRequest = z.discriminatedUnion("procedure", [
  z.object({
    procedure: z.literal("backup-database"),
    media: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  }),
  z.object({
    procedure: z.literal("restore-database"),
    key: z.string().trim().min(1).max(1024),
    /** The EMPTY database to restore into. */
    targetUrl: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, { error: "expected a postgresql:// URL" }),
    /** The key typed again. */
    confirm: z.string(),
    dryRun: z.boolean().default(false),
  }),
  z.object({
    procedure: z.literal("generate-missing-hdf5"),
    dryRun: z.boolean().default(false),
    batchSize: z.number().int().min(1).max(1000).default(50),
    concurrency: z.number().int().min(1).max(8).default(1),
    /** Pause while the 1-minute load average per core is above this. */
    maxLoadPerCore: z.number().min(0.1).max(1000).default(1.5),
    /** Also rewrite readable spectrograms stored in an older encoding (float32, other dB codes). */
    rewriteLegacy: z.boolean().default(false),
  }),
  z.object({ procedure: z.literal("check-disk"), dryRun: z.boolean().default(false) }),
  z.object({
    procedure: z.literal("import-species"),
    /** The CSV's text (the panel uploads it; the CLI reads the file). */
    csv: z.string().min(1).max(5_000_000),
    dryRun: z.boolean().default(false),
  }),
  z.object({ procedure: z.literal("initialize-defaults") }),
  z.object({ procedure: z.literal("populate-memberships"), dryRun: z.boolean().default(false) }),
  z.object({ procedure: z.literal("measure-missing-bands"), dryRun: z.boolean().default(false) }),
  z.object({ procedure: z.literal("cleanup") }),
]);
export type TProcedureRequest = z.output<typeof ZProcedureRequest>;
export type TProcedureRequestInput = z.input<typeof ZProcedureRequest>;

/** What a procedure may need; the worker and the CLI fill it. */
export interface MaintenanceDeps {
  db: Db;
  boss: PgBoss | null;
  config: Config;
  /** The application database (backups dump it). */
  databaseUrl: string;
  /** Spectrogram regeneration runs on it; absent → generate-missing-hdf5 only dry-runs. */
  pool?: ProcessingPool;
  /** The media store; built from the config when absent. */
  media?: MediaStore;
}

export const BACKUP_ALERT_PERIOD_MS = 6 * 3600_000;

/** Runs one procedure to the end and returns its result (stored as the Job's result). */
export async function runProcedure(
  deps: MaintenanceDeps,
  request: TProcedureRequest,
  report: ProcedureReporter,
): Promise<unknown> {
  const { db, config } = deps;
  const media = deps.media ?? createMediaStore(config);
  switch (request.procedure) {
    case "backup-database":
      try {
        return await backupDatabase(
          { config, databaseUrl: deps.databaseUrl },
          { media: request.media, dryRun: request.dryRun },
          report,
        );
      } catch (err) {
        const message = (err as Error)?.message ?? String(err);
        await report.log(`Backup failed: ${message}`);
        await sendAdminAlert(
          { db, boss: deps.boss, config },
          {
            key: "backup-database:failed",
            periodMs: BACKUP_ALERT_PERIOD_MS,
            subject: "Database backup failed",
            text: `The database backup to s3://${config.backup.bucket}/${config.backup.prefix} failed: ${message}`,
            value: { error: message },
          },
        ).catch((alertErr) => report.log(`Could not alert the admins: ${(alertErr as Error).message}`));
        throw err;
      }
    case "restore-database":
      return restoreDatabase({ config }, request, report);
    case "generate-missing-hdf5": {
      if (!request.dryRun && !deps.pool)
        throw new Error("generate-missing-hdf5 needs the worker's pool (run it from the worker or the CLI)");
      const pool = deps.pool;
      return generateMissingHdf5(
        // boss is only read by the ingest path, never by spectrogram generation (the CLI has none)
        {
          db,
          boss: deps.boss as PgBoss,
          media,
          splitSeconds: config.recordingSplitSeconds,
          pool: pool as ProcessingPool,
        },
        {
          dryRun: request.dryRun,
          batchSize: request.batchSize,
          concurrency: request.concurrency,
          maxLoadPerCore: request.maxLoadPerCore,
          rewriteLegacy: request.rewriteLegacy,
        },
        report,
      );
    }
    case "check-disk":
      return checkDisk({ db, boss: deps.boss, config }, { dryRun: request.dryRun }, report);
    case "import-species":
      return importSpecies({ db }, { csv: request.csv, dryRun: request.dryRun }, report);
    case "initialize-defaults":
      return initializeDefaults({ db, media }, { log: (line) => void report.log(line) });
    case "populate-memberships":
      return populateMemberships({ db }, { dryRun: request.dryRun }, report);
    case "measure-missing-bands":
      return measureAllMissingBands(
        { db, media, pool: deps.pool ?? null },
        { dryRun: request.dryRun },
        report,
      );
    case "cleanup": {
      if (!deps.boss) throw new Error("cleanup needs the job queue");
      const housekeeping = await runHousekeeping({ db, boss: deps.boss });
      const uploads = await cleanStaleUploads({ db, media });
      // models no classifier names any more (a training killed before its commit, superseded versions)
      const models = await removeOrphanModels({ db, media });
      await report.log(`Expired credentials and stale rows: ${JSON.stringify(housekeeping)}`);
      await report.log(`Stale uploads: ${JSON.stringify(uploads)}`);
      await report.log(`Orphaned model files removed: ${models.removed.length}`);
      return { housekeeping, uploads, orphanModels: models.removed.length };
    }
  }
}
