import { WavError } from "@battycoda/audio";
import type { DbOrTx } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { DomainError } from "../access/errors.ts";
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
  let win: Awaited<ReturnType<typeof readWindow>>;
  try {
    win = await readWindow(
      deps.media,
      rec.filePath,
      input.center,
      input.windowSeconds,
      input.channel ?? null,
    );
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
    elapsedMs: Math.round(performance.now() - t0),
  };
}
