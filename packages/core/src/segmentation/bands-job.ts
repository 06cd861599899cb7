// Imported segments often come without a frequency box (a CSV of onsets and offsets, the original's pickle). The
// `segmentation.bands` job measures one for each, as the detector measures its calls and the editor measures drawn
// segments. It runs in the background because an hour of dense calls takes seconds of DSP, too long for the import's
// request.
import type { DbTransaction } from "@battycoda/db";
import type PgBoss from "pg-boss";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { JobContext, JobHandler } from "../jobs/handler.ts";
import { QUEUES } from "../jobs/queues.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "./audio.ts";
import { measureSpanBandsOrThrow } from "./band.ts";
import { storeMeasuredBands } from "./common.ts";

/** Segments measured and stored per step (progress and cancellation happen between steps). */
const STEP = 500;

export interface SegmentationBandsDeps {
  media: MediaStore;
  /** The worker's audio pool; without one the DSP runs in the handler's thread. */
  pool?: AudioTaskRunner | null;
}

export interface SegmentationBandsResult {
  segmentationId: string;
  /** Segments without a box when the job started. */
  segments?: number;
  /** Of those, the ones that got a box (the others hold no call that stands out, or changed meanwhile). */
  measured?: number;
  skipped?: string;
}

/**
 * Queues the measurement inside the caller's transaction, so the job exists exactly when the segments do. Returns the
 * Job's id.
 */
export async function enqueueBandMeasurement(
  tx: DbTransaction,
  boss: PgBoss,
  seg: { id: string; groupId: string },
  userId: string | null,
  count: number,
): Promise<string> {
  const job = await enqueueJob(
    { db: tx, boss },
    {
      type: QUEUES.segmentationBands,
      payload: { segmentationId: seg.id },
      groupId: seg.groupId,
      userId,
      subjectType: "segmentation",
      subjectId: seg.id,
      message: `Measuring the frequency boxes of ${count} segment${count === 1 ? "" : "s"}`,
    },
  );
  return job.id;
}

export function segmentationBandsHandler(deps: SegmentationBandsDeps): JobHandler<"segmentation.bands"> {
  return (ctx) => measureMissingBands(ctx, deps);
}

async function measureMissingBands(
  ctx: JobContext<"segmentation.bands">,
  deps: SegmentationBandsDeps,
): Promise<SegmentationBandsResult> {
  const { db } = ctx;
  const { segmentationId } = ctx.payload;
  const seg = await db.segmentation.findUnique({
    where: { id: segmentationId },
    include: { recording: { select: { filePath: true } }, algorithm: { select: { key: true } } },
  });
  if (!seg) return { segmentationId, skipped: "the segmentation was deleted" };
  // Only boxes nobody gave: a file's or a user's box is kept, and a retry resumes after what is stored.
  const todo = await db.segment.findMany({
    where: { segmentationId, lowFreq: null, highFreq: null, bandMeasured: false },
    select: { id: true, onset: true, offset: true },
    orderBy: [{ onset: "asc" }, { id: "asc" }],
  });
  let measured = 0;
  for (let at = 0; at < todo.length; at += STEP) {
    if (await ctx.isCancelled())
      return { segmentationId, segments: todo.length, measured, skipped: "cancelled" };
    const step = todo.slice(at, at + STEP);
    const bands = await measureSpanBandsOrThrow(deps.media, seg, step, deps.pool);
    measured += await storeMeasuredBands(
      db,
      step.flatMap((span, i) => {
        const band = bands[i];
        return band ? [{ ...span, ...band }] : [];
      }),
    );
    const done = at + step.length;
    await ctx.setProgress(done / todo.length, `Measured ${done} of ${todo.length} segments`);
  }
  return { segmentationId, segments: todo.length, measured };
}
