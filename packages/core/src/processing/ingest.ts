// recording.ingest: read the header, fill the row, split long files, queue spectrograms.
//
// Split recordings: the uploaded original is kept as the parent row (its file untouched, status
// ready, partCount = N, no spectrogram of its own) and each part is a full Recording
// (parentRecordingId, partIndex 1..N, partCount N) with its own file and spectrogram job, so the
// recordings list shows the parts beside their parent; nothing a researcher uploaded is deleted.
//
// Crash safety: part ids are deterministic (`<parentId>-p<i>`), a part's file is written (temp +
// rename) before its row exists, and the row plus its spectrogram job are committed together
// under a per-recording advisory lock. A rerun after a crash at any point finds the finished
// parts by id and redoes only what is missing.
import path from "node:path";
import { copyWavRange, WavError, type WavInfo } from "@battycoda/audio";
import type { Recording } from "@battycoda/db";
import { writeExactDuration } from "../access/exact-float.ts";
import type { JobContext } from "../jobs/handler.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import { readStoredWavInfo } from "../media/audio.ts";
import { recordingDir, safeFileName, sha256File } from "../media/media.ts";
import { assertMediaKey } from "../media/store.ts";
import {
  pendingTimeExpansion,
  withoutPendingTimeExpansion,
  writePendingTimeExpansion,
} from "../recordings/time-expansion.ts";
import { ensureSpectrogramJob, lockRecording, type ProcessingDeps } from "./deps.ts";
import { ingestedMetadata, mergeMetadata, parseGuanoTimestamp } from "./metadata.ts";
import { type Truncation, truncationOf } from "./truncation.ts";

export interface IngestResult {
  recordingId: string;
  status: "ready" | "processing" | "failed" | "skipped";
  duration?: number;
  parts?: string[];
  spectrogramJobs?: string[];
  reason?: string;
  /** Set when the header promised more audio than the file holds (kept, and flagged on the row). */
  truncated?: Truncation;
}

type Progress = Pick<JobContext<"recording.ingest">, "setProgress" | "isCancelled">;
const noProgress: Progress = { setProgress: async () => {}, isCancelled: async () => false };

export function partId(parentId: string, index: number): string {
  return `${parentId}-p${index}`;
}

export function partName(name: string, index: number, count: number): string {
  return `${name} (Part ${index}/${count})`;
}

/** Marks the recording failed and fails the job without retries (the file will not get better). */
async function failRecording(deps: ProcessingDeps, rec: Recording, message: string): Promise<never> {
  await deps.db.recording.updateMany({
    where: { id: rec.id },
    data: { processingStatus: "failed", processingError: message },
  });
  throw new PermanentJobError(message);
}

/**
 * Runs `fn` on the recording's stored file. A file that cannot be used (a bad key, not a usable WAV, missing) fails the
 * recording with why, without retries (`wavProblem` words a WavError's message); other I/O trouble is thrown, for a
 * retry.
 */
async function onStoredFile<T>(
  deps: ProcessingDeps,
  rec: Recording,
  fn: () => Promise<T>,
  wavProblem: (message: string) => string = (m) => m,
): Promise<T> {
  try {
    assertMediaKey(rec.filePath);
  } catch (err) {
    return failRecording(deps, rec, (err as Error).message);
  }
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WavError) return failRecording(deps, rec, wavProblem(err.message));
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return failRecording(deps, rec, "The recording's audio file is missing");
    throw err; // I/O trouble: worth a retry
  }
}

const readHeader = (deps: ProcessingDeps, rec: Recording): Promise<WavInfo> =>
  onStoredFile(deps, rec, () => readStoredWavInfo(deps.media, rec.filePath));

/** writePendingTimeExpansion for ingest: a file that cannot take the factor fails the recording with why. */
const writeDeclaredTimeExpansion = (deps: ProcessingDeps, rec: Recording, factor: number): Promise<string> =>
  onStoredFile(
    deps,
    rec,
    () => writePendingTimeExpansion(deps.media, rec.filePath, factor),
    (m) => `Time expansion x${factor} could not be written into the file: ${m}`,
  );

export async function ingestRecording(
  deps: ProcessingDeps,
  recordingId: string,
  progress: Progress = noProgress,
): Promise<IngestResult> {
  const { db } = deps;
  const rec = await db.recording.findUnique({ where: { id: recordingId } });
  if (!rec) return { recordingId, status: "skipped", reason: "The recording was deleted" };
  if (rec.parentRecordingId) {
    // Parts are produced by ingest already: never split again.
    return { recordingId, status: "skipped", reason: "Parts are ingested with their parent" };
  }
  if (rec.processingStatus !== "ready")
    await db.recording.updateMany({ where: { id: rec.id }, data: { processingStatus: "processing" } });

  // A time expansion declared after upload goes into the file first; its metadata says so until it is there.
  const pendingTe = pendingTimeExpansion(rec.metadata);
  const sha256 = pendingTe === null ? null : await writeDeclaredTimeExpansion(deps, rec, pendingTe);
  const info = await readHeader(deps, rec);
  const metadata = mergeMetadata(withoutPendingTimeExpansion(rec.metadata), ingestedMetadata(info));
  const truncation = truncationOf(info);
  const fields = {
    ...(sha256 !== null ? { sha256 } : {}),
    truncated: truncation !== null,
    declaredDuration: truncation?.declaredDuration ?? null,
    duration: info.duration,
    sampleRate: info.sampleRate,
    channels: info.channels,
    bitDepth: info.validBitsPerSample,
    format: info.format,
    metadata,
    // Wildlife Acoustics' start time has the same form (a space for the T).
    recordedDate:
      rec.recordedDate ??
      parseGuanoTimestamp(info.metadata.guano?.fields.Timestamp) ??
      parseGuanoTimestamp(info.metadata.wamd?.fields.startTime),
  };

  const partFrames = Math.round(deps.splitSeconds * info.sampleRate);
  if (info.frames > partFrames && partFrames > 0) return splitRecording(deps, rec, info, fields, progress);

  // One file: fill the row and queue its spectrogram (unless it already has one).
  const spectrogramDone =
    rec.spectrogramPath !== null && (await deps.media.stat(rec.spectrogramPath)) !== null;
  const job = await db.$transaction(async (tx) => {
    await lockRecording(tx, rec.id);
    const current = await tx.recording.findUnique({ where: { id: rec.id } });
    if (!current) return null;
    await tx.recording.update({
      where: { id: rec.id },
      data: {
        ...fields,
        processingStatus: spectrogramDone ? "ready" : "processing",
        processingError: null,
        partCount: null,
        partIndex: null,
      },
    });
    await writeExactDuration({ db: tx }, rec.id, info.duration);
    return spectrogramDone ? null : ensureSpectrogramJob(tx, deps.boss, current);
  });
  await progress.setProgress(1, "Header read");
  return {
    recordingId,
    status: spectrogramDone ? "ready" : "processing",
    duration: info.duration,
    spectrogramJobs: job ? [job.id] : [],
    ...(truncation ? { truncated: truncation } : {}),
  };
}

type Fields = {
  sha256?: string;
  truncated: boolean;
  declaredDuration: number | null;
  duration: number;
  sampleRate: number;
  channels: number;
  bitDepth: number;
  format: string;
  metadata: ReturnType<typeof mergeMetadata>;
  recordedDate: Date | null;
};

async function splitRecording(
  deps: ProcessingDeps,
  parent: Recording,
  info: WavInfo,
  fields: Fields,
  progress: Progress,
): Promise<IngestResult> {
  const { db, media } = deps;
  // Each part is a byte range of the parent: read it locally once for all parts.
  return media.withLocalFile(parent.filePath, (source) =>
    splitFromLocalFile(deps, parent, source, info, fields, progress),
  );
}

async function splitFromLocalFile(
  deps: ProcessingDeps,
  parent: Recording,
  source: string,
  info: WavInfo,
  fields: Fields,
  progress: Progress,
): Promise<IngestResult> {
  const { db, media } = deps;
  const partFrames = Math.round(deps.splitSeconds * info.sampleRate);
  const count = Math.ceil(info.frames / partFrames);
  const stem = path.basename(parent.filePath).replace(/\.wav$/i, "") || "recording";
  const parts: string[] = [];
  const jobs: string[] = [];

  for (let index = 1; index <= count; index++) {
    if (await progress.isCancelled()) {
      return { recordingId: parent.id, status: "processing", parts, reason: "Cancelled" };
    }
    const id = partId(parent.id, index);
    const startFrame = (index - 1) * partFrames;
    const endFrame = Math.min(info.frames, index * partFrames);
    const fileName = safeFileName(`${stem}_part${index}of${count}.wav`);
    const rel = path.posix.join(recordingDir(parent.groupId, id), fileName);

    const existing = await db.recording.findUnique({ where: { id } });
    // The file first: a part row is only ever committed once its file is complete.
    let stored = await media.stat(rel);
    let sha256 = existing?.sha256 ?? null;
    if (!existing || !stored) {
      sha256 = await media.withLocalOutput(rel, async (target) => {
        // Byte-exact copy of the frame range: same sample format, bit depth and metadata chunks.
        await copyWavRange(source, target, {
          start: startFrame / info.sampleRate,
          end: endFrame / info.sampleRate,
        });
        return sha256File(target);
      });
      stored = await media.stat(rel);
    }
    if (!stored) throw new Error(`Part ${index} of ${parent.id} was not stored`);
    const size = stored.size;
    if (!sha256) sha256 = await media.withLocalFile(rel, sha256File);
    const offsetMs = (startFrame / info.sampleRate) * 1000;

    const job = await db.$transaction(async (tx) => {
      await lockRecording(tx, parent.id);
      const row =
        (await tx.recording.findUnique({ where: { id } })) ??
        (await tx.recording.create({
          data: {
            id,
            groupId: parent.groupId,
            projectId: parent.projectId,
            speciesId: parent.speciesId,
            createdById: parent.createdById,
            name: partName(parent.name, index, count),
            description: parent.description,
            filePath: rel,
            originalFilename: fileName,
            fileSize: BigInt(size),
            sha256,
            duration: (endFrame - startFrame) / info.sampleRate,
            sampleRate: fields.sampleRate,
            channels: fields.channels,
            bitDepth: fields.bitDepth,
            format: fields.format,
            metadata: {
              ...fields.metadata,
              split: {
                parentRecordingId: parent.id,
                startSeconds: startFrame / info.sampleRate,
                endSeconds: endFrame / info.sampleRate,
                startFrame,
                endFrame,
              },
            },
            recordedDate: fields.recordedDate ? new Date(fields.recordedDate.getTime() + offsetMs) : null,
            location: parent.location,
            latitude: parent.latitude,
            longitude: parent.longitude,
            equipment: parent.equipment,
            environmentalConditions: parent.environmentalConditions,
            processingStatus: "processing",
            parentRecordingId: parent.id,
            partIndex: index,
            partCount: count,
          },
        }));
      await writeExactDuration({ db: tx }, id, (endFrame - startFrame) / info.sampleRate);
      if (row.processingStatus === "ready" && row.spectrogramPath) return null;
      return ensureSpectrogramJob(tx, deps.boss, row);
    });
    parts.push(id);
    if (job) jobs.push(job.id);
    await progress.setProgress(index / count, `Split into part ${index} of ${count}`);
  }

  await db.$transaction(async (tx) => {
    await lockRecording(tx, parent.id);
    await tx.recording.updateMany({
      where: { id: parent.id },
      data: {
        ...fields,
        processingStatus: "ready",
        processingError: null,
        partCount: count,
        partIndex: null,
      },
    });
    await writeExactDuration({ db: tx }, parent.id, info.duration);
  });
  return {
    recordingId: parent.id,
    status: "ready",
    duration: info.duration,
    parts,
    spectrogramJobs: jobs,
    ...(fields.declaredDuration !== null
      ? { truncated: { declaredDuration: fields.declaredDuration, actualDuration: info.duration } }
      : {}),
  };
}

/** The pg-boss handler body for recording.ingest. */
export function recordingIngestHandler(deps: ProcessingDeps) {
  return (ctx: JobContext<"recording.ingest">) => ingestRecording(deps, ctx.payload.recordingId, ctx);
}
