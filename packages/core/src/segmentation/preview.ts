import { WavError } from "@battycoda/audio";
import type { DbOrTx } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
import { channelUsedOf } from "../classification/stamp.ts";
import type { MediaStore } from "../media/store.ts";
import { type AudioTaskRunner, readWindow, runSegment } from "./audio.ts";
import { findRecordingForSegmentation } from "./common.ts";
import { validateParams } from "./params.ts";
import type { TPreviewRequest } from "./segmentation.schemas.ts";

export interface PreviewResult {
  /** The window actually analysed (seconds, clipped to the recording). */
  start: number;
  end: number;
  /** Absolute recording time. Detections touching a window edge may be cut there. */
  segments: { onset: number; offset: number }[];
  /** The channel analysed (0-based). */
  channel: number;
  elapsedMs: number;
}

/**
 * Runs the chosen parameters on a few seconds around `center`, reading only that part of the file,
 * and answers synchronously (no job): the UI draws the result over the spectrogram at once.
 */
export async function previewSegmentation(
  { db }: DbContext,
  access: GroupAccess,
  deps: { media: MediaStore; pool?: AudioTaskRunner | null },
  input: TPreviewRequest,
): Promise<PreviewResult> {
  const t0 = performance.now();
  const rec = await findRecordingForSegmentation({ db }, access, input.recordingId);
  const params = validateParams(input.algorithmKey, input.params, rec.sampleRate);
  // Unless one is asked for, the channel a run of this recording detected its calls in: the preview then shows what
  // a run finds. (Chosen on the few seconds of the window alone, it can differ from the whole recording's choice.)
  const channel = input.channel ?? ((rec.channels ?? 1) > 1 ? await channelOfLastRun({ db }, rec.id) : null);
  let win: Awaited<ReturnType<typeof readWindow>>;
  try {
    win = await readWindow(deps.media, rec.filePath, input.center, input.windowSeconds, channel);
  } catch (err) {
    if (
      err instanceof WavError ||
      (err as NodeJS.ErrnoException).code === "ENOENT" ||
      /Invalid media key/.test((err as Error).message)
    ) {
      throw new DomainError(
        "PRECONDITION_FAILED",
        `The recording's audio cannot be read: ${(err as Error).message}`,
      );
    }
    throw err;
  }
  const found =
    win.samples.length === 0
      ? []
      : await runSegment(win.samples, win.sampleRate, input.algorithmKey, params, deps.pool);
  return {
    start: win.start,
    end: win.end,
    // (with the call's band where the detector measured one)
    segments: found.map((s) => ({ ...s, onset: win.start + s.onset, offset: win.start + s.offset })),
    channel: win.channel,
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/** The channel the recording's active detection run used, else its latest one's; null when none recorded one. */
async function channelOfLastRun({ db }: DbContext, recordingId: string): Promise<number | null> {
  const runs = await db.segmentation.findMany({
    where: { recordingId, status: "completed", source: "algorithm" },
    orderBy: [{ isActive: "desc" }, { createdAt: "desc" }],
    select: { parameters: true },
    take: 20,
  });
  for (const r of runs) {
    const used = channelUsedOf(r.parameters);
    if (used !== null) return used;
  }
  return null;
}
