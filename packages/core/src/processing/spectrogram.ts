// spectrogram.generate: WAV → `<recording dir>/spectrogram.h5` on the worker's pool.
//
// The media store hands out a temp path and stores the HDF5 only when it is complete, so the key
// only ever holds a whole file; temp files of killed attempts are removed before a new one
// starts. A failure marks the recording failed with the error and never deletes anything.
import path from "node:path";
import { WavError } from "@battycoda/audio";
import type { JobContext } from "../jobs/handler.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import { readStoredWavInfo } from "../media/audio.ts";
import { recordingDir } from "../media/media.ts";
import { assertMediaKey } from "../media/store.ts";
import type { ProcessingDeps } from "./deps.ts";
import { SpectrogramCancelledError } from "./pool.ts";

export const SPECTROGRAM_FILE = "spectrogram.h5";

export interface SpectrogramResult {
  recordingId: string;
  status: "ready" | "skipped" | "cancelled";
  spectrogramPath?: string;
  frames?: number;
  datasets?: string[];
  seconds?: number;
  reason?: string;
}

type Ctx = Pick<
  JobContext<"spectrogram.generate">,
  "setProgress" | "isCancelled" | "retriesLeft" | "attempt"
>;
const standalone: Ctx = {
  setProgress: async () => {},
  isCancelled: async () => false,
  retriesLeft: 0,
  attempt: 1,
};

/** "12 s", "3 min 20 s", "1 h 05 min". */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, "0")} s`;
  return `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, "0")} min`;
}

/** Media key of a recording's spectrogram file. */
export function spectrogramPathFor(rec: { groupId: string; id: string }): string {
  return path.posix.join(recordingDir(rec.groupId, rec.id), SPECTROGRAM_FILE);
}

export interface SpectrogramTiming {
  /** Minimum milliseconds between Job row progress writes (default 1000). */
  progressIntervalMs?: number;
  /** Milliseconds between cancellation checks (default 1000). */
  cancelPollMs?: number;
}

export async function generateSpectrogram(
  deps: ProcessingDeps,
  recordingId: string,
  ctx: Ctx = standalone,
  timing: SpectrogramTiming = {},
): Promise<SpectrogramResult> {
  const { db, media, pool } = deps;
  const rec = await db.recording.findUnique({ where: { id: recordingId } });
  if (!rec) return { recordingId, status: "skipped", reason: "The recording was deleted" };
  if (rec.partCount !== null && rec.parentRecordingId === null)
    return { recordingId, status: "skipped", reason: "Split recordings have spectrograms per part" };

  const rel = spectrogramPathFor(rec);
  if (rec.processingStatus === "ready" && rec.spectrogramPath === rel && (await media.stat(rel)) !== null)
    return { recordingId, status: "ready", spectrogramPath: rel, reason: "Already generated" };

  const markFailed = (message: string) =>
    db.recording.updateMany({
      where: { id: rec.id },
      data: { processingStatus: "failed", processingError: message },
    });

  await db.recording.updateMany({ where: { id: rec.id }, data: { processingStatus: "processing" } });
  try {
    assertMediaKey(rec.filePath);
  } catch (err) {
    await markFailed((err as Error).message);
    throw new PermanentJobError((err as Error).message);
  }
  try {
    // In this thread, so a corrupt file fails with the WavError's own message (errors lose
    // their class crossing into a worker thread).
    await readStoredWavInfo(media, rec.filePath);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    if (!(err instanceof WavError) && !missing) throw err;
    const message = missing ? "The recording's audio file is missing" : (err as WavError).message;
    await markFailed(message);
    throw new PermanentJobError(message);
  }

  const started = Date.now();
  const progressEvery = timing.progressIntervalMs ?? 1000;
  const controller = new AbortController();
  let lastWrite = 0;
  let pendingWrite: Promise<void> = Promise.resolve();
  const onProgress = (done: number, total: number) => {
    const now = Date.now();
    if (now - lastWrite < progressEvery || total <= 0) return;
    lastWrite = now;
    const fraction = done / total;
    const elapsed = (now - started) / 1000;
    const eta = fraction > 0.01 ? (elapsed * (1 - fraction)) / fraction : null;
    const message = `Spectrogram ${Math.floor(fraction * 100)}%${eta !== null ? ` · about ${formatSeconds(eta)} left` : ""}`;
    // one write at a time; a slow database just means fewer updates
    pendingWrite = pendingWrite.then(() => ctx.setProgress(fraction * 0.99, message)).catch(() => {});
  };
  const poll = setInterval(() => {
    ctx
      .isCancelled()
      .then((c) => c && controller.abort())
      .catch(() => {});
  }, timing.cancelPollMs ?? 1000);

  try {
    // The audio read from a local file (staged from S3 for the job), the HDF5 written locally
    // and stored when complete: a killed job never leaves a half file under the key.
    const summary = await media.withLocalFile(rec.filePath, (wav) =>
      media.withLocalOutput(rel, (out) =>
        pool.spectrogram(wav, out, { onProgress, signal: controller.signal }),
      ),
    );
    clearInterval(poll);
    await pendingWrite;
    await db.recording.updateMany({
      where: { id: rec.id },
      data: { spectrogramPath: rel, processingStatus: "ready", processingError: null },
    });
    return {
      recordingId,
      status: "ready",
      spectrogramPath: rel,
      frames: summary.nFrames,
      datasets: summary.datasets,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    clearInterval(poll);
    await pendingWrite;
    if (err instanceof SpectrogramCancelledError) {
      await markFailed("Spectrogram generation was cancelled");
      return { recordingId, status: "cancelled" };
    }
    const message = `Spectrogram failed: ${(err as Error)?.message ?? String(err)}`;
    if (ctx.retriesLeft > 0) {
      // keep "processing": the queue retries it; the error is visible meanwhile
      await db.recording.updateMany({
        where: { id: rec.id },
        data: { processingError: `${message} (attempt ${ctx.attempt}; retrying)` },
      });
    } else {
      await markFailed(message);
    }
    throw err;
  }
}

/** The pg-boss handler body for spectrogram.generate. */
export function spectrogramGenerateHandler(deps: ProcessingDeps, timing?: SpectrogramTiming) {
  return (ctx: JobContext<"spectrogram.generate">) =>
    generateSpectrogram(deps, ctx.payload.recordingId, ctx, timing);
}
