import type { Db, Prisma } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import type { JobContext, JobHandler } from "../jobs/handler.ts";
import type { MediaStore } from "../media/store.ts";
import { createNotification } from "../notifications/notifications.ts";
import type { AudioTaskRunner } from "./audio.ts";
import { enqueueBandMeasurement } from "./bands-job.ts";
import { activate, errorText, hasActive, insertSegments, lockRecording } from "./common.ts";
import { detectCalls } from "./detect.ts";
import { readRunParameters, type SegmentationRunPayload } from "./runs.ts";

export interface SegmentationHandlerDeps {
  media: MediaStore;
  /** The worker's audio pool; without one the detector runs in the handler's thread. */
  pool?: AudioTaskRunner | null;
}

class RunCancelled extends Error {}

export interface SegmentationRunResult {
  segmentationId: string;
  segments?: number;
  skipped?: string;
}

/**
 * The `segmentation.run` job. Reads the recording, runs the detector, and replaces the
 * segmentation's segments in one transaction that also marks it completed, so a retry after a crash
 * at any point rewrites the same result and nobody ever sees half a segment list. A segmentation that
 * is already completed (the job's completion was lost) is left alone: it may have been edited since.
 */
export function segmentationRunHandler(deps: SegmentationHandlerDeps): JobHandler<"segmentation.run"> {
  return (ctx) => runSegmentationJob(ctx, deps);
}

async function runSegmentationJob(
  ctx: JobContext<"segmentation.run">,
  deps: SegmentationHandlerDeps,
): Promise<SegmentationRunResult> {
  const { db } = ctx;
  const { segmentationId, makeActive } = ctx.payload as SegmentationRunPayload;
  const seg = await db.segmentation.findUnique({
    where: { id: segmentationId },
    include: { recording: true, algorithm: { select: { key: true } } },
  });
  if (!seg) return { segmentationId, skipped: "the segmentation was deleted" };
  if (seg.status === "completed" || seg.status === "cancelled")
    return { segmentationId, skipped: `already ${seg.status}` };

  const progress = async (p: number, message: string) => {
    await ctx.setProgress(p, message);
    await db.segmentation.updateMany({ where: { id: seg.id, status: "running" }, data: { progress: p } });
  };

  try {
    await db.segmentation.update({
      where: { id: seg.id },
      data: { status: "running", progress: 0, error: null },
    });
    const run = readRunParameters(seg.parameters, seg.algorithm?.key ?? null);
    await progress(0.05, "Detecting calls");
    // A multichannel run records the channel its calls were detected in (chosen when not given). A long recording is
    // read a piece at a time: a cancelled run stops at the next piece.
    const detected = await detectCalls(deps.media, seg.recording.filePath, run, deps.pool, async (f) => {
      await progress(0.05 + 0.85 * f, "Detecting calls");
      if (f < 1 && (await ctx.isCancelled())) throw new RunCancelled();
    }).catch((err: unknown) => {
      if (err instanceof RunCancelled) return null;
      throw err;
    });

    if (detected === null || (await ctx.isCancelled())) {
      await db.segmentation.updateMany({ where: { id: seg.id }, data: { status: "cancelled" } });
      return { segmentationId, skipped: "cancelled" };
    }
    const { segments: found, channelUsed } = detected;
    await progress(0.9, `Saving ${found.length} segments`);

    const stored = await db.$transaction(
      async (tx) => {
        await lockRecording(tx, seg.recordingId);
        // Deleted while we were computing: nothing to write into.
        const still = await tx.segmentation.findUnique({ where: { id: seg.id }, select: { status: true } });
        if (!still || still.status === "completed" || still.status === "cancelled") return false;
        await tx.segment.deleteMany({ where: { segmentationId: seg.id } });
        // The spectral detector measures its calls' boxes (none where nothing stands out); the original's threshold
        // and energy algorithms measure none, so their segments get theirs from the box job, as imported ones do.
        const measuresBands = run.algorithm === "spectral";
        await insertSegments(
          tx,
          seg.id,
          found.map((s) => ({ ...s, bandMeasured: measuresBands })),
        );
        if (!measuresBands && found.length > 0)
          await enqueueBandMeasurement(tx, ctx.boss, seg, seg.createdById, found.length);
        await tx.segmentation.update({
          where: { id: seg.id },
          data: {
            status: "completed",
            progress: 1,
            error: null,
            version: { increment: 1 },
            ...(channelUsed === null
              ? {}
              : { parameters: { ...(seg.parameters as Prisma.JsonObject), channelUsed } }),
          },
        });
        if (makeActive || !(await hasActive(tx, seg.recordingId, seg.id)))
          await activate(tx, seg.recordingId, seg.id);
        if (seg.createdById) {
          await createNotification(
            { db: tx },
            {
              userId: seg.createdById,
              groupId: seg.groupId,
              kind: "segmentation.completed",
              title: `Segmentation of ${seg.recording.name} completed`,
              message: `"${seg.name}" found ${found.length} segment${found.length === 1 ? "" : "s"}.`,
              link: segmentationLink(seg.recordingId, seg.id),
              many: {
                title: "Segmentation of {n} recordings completed",
                message: `The last, ${seg.recording.name}: ${found.length} segment${found.length === 1 ? "" : "s"}.`,
                link: "/segmentation",
              },
            },
          );
        }
        return true;
      },
      { timeout: 60_000, maxWait: 15_000 },
    );
    if (!stored) return { segmentationId, skipped: "the segmentation changed while running" };
    return { segmentationId, segments: found.length };
  } catch (err) {
    await recordFailure({ db }, seg, err, ctx.retriesLeft > 0);
    throw err;
  }
}

async function recordFailure(
  { db }: DbContext,
  seg: {
    id: string;
    name: string;
    groupId: string;
    recordingId: string;
    createdById: string | null;
    recording: { name: string };
  },
  err: unknown,
  willRetry: boolean,
) {
  const error = errorText(err);
  // While retries are left the run is only postponed: back to pending, with the error shown.
  await db.segmentation.updateMany({
    where: { id: seg.id, status: { in: ["pending", "running"] } },
    data: { status: willRetry ? "pending" : "failed", error },
  });
  if (!willRetry && seg.createdById) {
    await createNotification(
      { db },
      {
        userId: seg.createdById,
        groupId: seg.groupId,
        kind: "segmentation.failed",
        title: `Segmentation of ${seg.recording.name} failed`,
        message: `"${seg.name}": ${error}`,
        link: segmentationLink(seg.recordingId, seg.id),
      },
    );
  }
}

export function segmentationLink(recordingId: string, segmentationId: string): string {
  return `/recordings/${encodeURIComponent(recordingId)}?segmentation=${encodeURIComponent(segmentationId)}`;
}
