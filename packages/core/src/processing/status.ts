import type { Job } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import type { Db } from "../access/db.ts";
import { QUEUES } from "../jobs/queues.ts";

const PROCESSING_TYPES: string[] = [QUEUES.recordingIngest, QUEUES.spectrogramGenerate];

/**
 * When a processing job ends without its handler saying so (its worker died on the last attempt,
 * or it was cancelled before it ran), its recording must not stay "processing" forever.
 */
export async function markRecordingJobLost(
  { db }: DbContext,
  job: Pick<Job, "type" | "subjectType" | "subjectId">,
  error: string,
): Promise<void> {
  if (job.subjectType !== "recording" || !job.subjectId || !PROCESSING_TYPES.includes(job.type)) return;
  await db.recording.updateMany({
    where: { id: job.subjectId, processingStatus: { in: ["pending", "processing"] } },
    data: { processingStatus: "failed", processingError: error },
  });
}
