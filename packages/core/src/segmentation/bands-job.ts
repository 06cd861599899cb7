// Imported segments often come without a frequency box (a CSV of onsets and offsets, the original's pickle). The
// `segmentation.bands` job measures one for each, as the detector measures its calls and the editor measures drawn
// segments. It runs in the background because an hour of dense calls takes seconds of DSP, too long for the import's
// request.
import type { DbTransaction } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { DbContext } from "../access/context.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { JobHandler } from "../jobs/handler.ts";
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
  return (ctx) =>
    measureMissingBands(ctx, deps, ctx.payload.segmentationId, {
      isCancelled: () => ctx.isCancelled(),
      progress: (done, total) => ctx.setProgress(done / total, `Measured ${done} of ${total} segments`),
    });
}

/**
 * Segments that still need a box: nobody gave one and none was measured (a file's or a user's box is kept; a segment
 * measured to hold nothing that stands out is not measured again).
 */
export const BOXLESS = { lowFreq: null, highFreq: null, bandMeasured: false } as const;

/**
 * Measures the box of every boxless segment of one segmentation (the job's work; the maintenance procedure's for old
 * data). A step's boxes are stored before the next step starts, so a retry resumes after what is stored.
 */
export async function measureMissingBands(
  { db }: DbContext,
  deps: SegmentationBandsDeps,
  segmentationId: string,
  hooks: { isCancelled(): Promise<boolean>; progress(done: number, total: number): Promise<void> },
): Promise<SegmentationBandsResult> {
  const seg = await db.segmentation.findUnique({
    where: { id: segmentationId },
    include: { recording: { select: { filePath: true } }, algorithm: { select: { key: true } } },
  });
  if (!seg) return { segmentationId, skipped: "the segmentation was deleted" };
  const todo = await db.segment.findMany({
    where: { segmentationId, ...BOXLESS },
    select: { id: true, onset: true, offset: true },
    orderBy: [{ onset: "asc" }, { id: "asc" }],
  });
  let measured = 0;
  for (let at = 0; at < todo.length; at += STEP) {
    if (await hooks.isCancelled())
      return { segmentationId, segments: todo.length, measured, skipped: "cancelled" };
    const step = todo.slice(at, at + STEP);
    const bands = await measureSpanBandsOrThrow(deps.media, seg, step, deps.pool);
    measured += await storeMeasuredBands(
      { db },
      step.map((span, i) => ({
        ...span,
        lowFreq: bands[i]?.lowFreq ?? null,
        highFreq: bands[i]?.highFreq ?? null,
      })),
    );
    await hooks.progress(at + step.length, todo.length);
  }
  return { segmentationId, segments: todo.length, measured };
}
