import type { Db, DbTransaction, Job } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { enqueueJob } from "../jobs/enqueue.ts";
import { QUEUES } from "../jobs/queues.ts";
import type { MediaStore } from "../media/store.ts";
import type { ProcessingPool } from "./pool.ts";

/** What the recording.ingest and spectrogram.generate handlers need. */
export interface ProcessingDeps {
  db: Db;
  boss: PgBoss;
  media: MediaStore;
  /** Longer recordings are split into parts of this length (config RECORDING_SPLIT_SECONDS). */
  splitSeconds: number;
  /** The worker process's pool; spectrograms run on it. */
  pool: ProcessingPool;
}

/**
 * Serialises changes to one recording's rows and jobs across processes for the rest of the
 * transaction, so two attempts of a job (a retry racing a stuck attempt) cannot both create parts
 * or queue a second spectrogram.
 */
export async function lockRecording(tx: DbTransaction, recordingId: string): Promise<void> {
  await tx.$queryRaw`SELECT true AS locked FROM pg_advisory_xact_lock(hashtext(${`recording:${recordingId}`}))`;
}

/**
 * Queues spectrogram.generate for a recording unless one is already queued or running. Call inside
 * a transaction holding lockRecording.
 */
export async function ensureSpectrogramJob(
  tx: DbTransaction,
  boss: PgBoss,
  rec: { id: string; groupId: string; createdById: string | null },
): Promise<Job | null> {
  const active = await tx.job.findFirst({
    where: {
      type: QUEUES.spectrogramGenerate,
      subjectType: "recording",
      subjectId: rec.id,
      status: { in: ["queued", "running"] },
    },
  });
  if (active) return null;
  return enqueueJob(
    { db: tx, boss },
    {
      type: QUEUES.spectrogramGenerate,
      payload: { recordingId: rec.id },
      groupId: rec.groupId,
      userId: rec.createdById,
      subjectType: "recording",
      subjectId: rec.id,
      message: "Queued",
    },
  );
}
