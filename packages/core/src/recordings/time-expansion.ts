// A time-expansion factor declared after upload: a time-expansion detector's file (a D240x x10) often has a 44.1 kHz
// header and no metadata, and one uploaded without its factor reads 10x too low and 10x too long. Declaring it queues
// the recording's ingest again with the factor pending in its metadata; ingest writes GUANO TE into the stored file
// (as at upload, writeTimeExpansion), reads the header in real time and draws a new spectrogram. The job is retried
// like any ingest, and a retry finds the file already stating the factor, so a crash at any point leaves a file and a
// row that the next attempt completes. Anything measured on the old time base would be wrong by the factor, so a
// recording with segmentations, or one split into parts, is refused with what to do instead.
import { copyFile } from "node:fs/promises";
import { timeExpansionRefusal, writeTimeExpansion } from "@battycoda/audio";
import type { Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import { inTransaction } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { badRequest, DomainError } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { QUEUES } from "../jobs/queues.ts";
import { readStoredWavInfo } from "../media/audio.ts";
import { sha256File } from "../media/media.ts";
import type { MediaStore } from "../media/store.ts";
import { lockRecording } from "../segmentation/common.ts";
import {
  findRecordingInGroup,
  RECORDING_INCLUDE,
  storedTimeExpansion,
  toRecordingDetail,
} from "./recordings.ts";

export interface TimeExpansionDeps {
  db: DbOrTx;
  boss: PgBoss | null;
  media: MediaStore;
}

/** The recording metadata key holding a declared factor until ingest has written it into the file. */
const PENDING_KEY = "pendingTimeExpansion";

/**
 * Declares that the recording's file is time-expanded by `factor` (1..MAX_TIME_EXPANSION, validated by the caller).
 * Returns the recording, now processing again; the factor the file already states (1: none) changes nothing.
 */
export async function declareTimeExpansion(
  { db, boss, media }: TimeExpansionDeps,
  access: GroupAccess,
  recordingId: string,
  factor: number,
) {
  const rec = await findRecordingInGroup({ db }, access, recordingId);
  const current = storedTimeExpansion(rec.metadata);
  if ((current ?? 1) === factor) return toRecordingDetail(await reload({ db }, rec.id));
  if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background processing is not available");
  const refuse = (why: string): never => {
    throw new DomainError("PRECONDITION_FAILED", `Cannot declare time expansion x${factor}: ${why}`);
  };
  if (current !== null) refuse(`the file already states x${current}`);
  if (rec.parentRecordingId !== null || rec.partCount !== null)
    refuse("the recording was split into parts on the old time base; upload the file again with its factor");
  // What the file itself allows (RF64, truncated files, rates past a WAV's): refused now, not in the background.
  const [info, stat] = await Promise.all([readStoredWavInfo(media, rec.filePath), media.stat(rec.filePath)]);
  const refusal = timeExpansionRefusal(info, stat?.size ?? 0, factor);
  if (refusal) throw badRequest(`Cannot declare time expansion x${factor}: ${refusal}`);

  const oldSpectrogram = await inTransaction(db, async (tx) => {
    // Under the recording's lock (segment imports take it too): still ready, still no segmentation.
    await lockRecording(tx, rec.id);
    const now = await tx.recording.findUniqueOrThrow({ where: { id: rec.id } });
    if (now.processingStatus !== "ready")
      refuse(`the recording is ${now.processingStatus}; wait until it is ready`);
    const segmentations = await tx.segmentation.count({ where: { recordingId: rec.id } });
    if (segmentations > 0)
      refuse(
        `its ${segmentations} segmentation${segmentations === 1 ? " was" : "s were"} measured on the old time base; ` +
          "delete them first, then run or import them again",
      );
    await tx.recording.update({
      where: { id: rec.id },
      data: {
        processingStatus: "processing",
        processingError: null,
        // The spectrogram is on the old time base: ingest draws a new one when there is none.
        spectrogramPath: null,
        metadata: { ...metadataObject(now.metadata), [PENDING_KEY]: factor },
      },
    });
    await enqueueJob(
      { db: tx, boss },
      {
        type: QUEUES.recordingIngest,
        payload: { recordingId: rec.id },
        groupId: rec.groupId,
        userId: access.userId || null,
        subjectType: "recording",
        subjectId: rec.id,
        message: `Reading the file again as time-expanded x${factor}`,
      },
    );
    return now.spectrogramPath;
  });
  if (oldSpectrogram) await media.delete(oldSpectrogram);
  return toRecordingDetail(await reload({ db }, rec.id));
}

/** The factor declared for the recording and not yet written into its file (see declareTimeExpansion), else null. */
export function pendingTimeExpansion(metadata: Prisma.JsonValue): number | null {
  const v = metadataObject(metadata)[PENDING_KEY];
  return typeof v === "number" && Number.isInteger(v) && v > 1 ? v : null;
}

/** The metadata once the pending factor is in the file. */
export function withoutPendingTimeExpansion(metadata: Prisma.JsonValue): Prisma.JsonObject {
  const { [PENDING_KEY]: _, ...rest } = metadataObject(metadata);
  return rest;
}

/**
 * Ingest's part: writes the pending factor into the stored file unless it states it already (a retry after the
 * write), replacing the object atomically. Returns the stored file's hash.
 */
export async function writePendingTimeExpansion(
  media: MediaStore,
  filePath: string,
  factor: number,
): Promise<string> {
  const info = await readStoredWavInfo(media, filePath);
  if ((info.timeExpansion ?? 1) === factor) return media.withLocalFile(filePath, sha256File);
  return media.withLocalFile(filePath, (source) =>
    media.withLocalOutput(filePath, async (target) => {
      await copyFile(source, target);
      await writeTimeExpansion(target, factor);
      return sha256File(target);
    }),
  );
}

function metadataObject(metadata: Prisma.JsonValue): Prisma.JsonObject {
  return metadata && typeof metadata === "object" && !Array.isArray(metadata) ? { ...metadata } : {};
}

async function reload({ db }: { db: DbOrTx }, id: string) {
  return db.recording.findUniqueOrThrow({ where: { id }, include: RECORDING_INCLUDE });
}
