// A time-expansion factor declared after upload: a time-expansion detector's file (a D240x x10) often has a 44.1 kHz
// header and no metadata, and one uploaded without its factor reads 10x too low and 10x too long. Declaring it writes
// GUANO TE into the stored file, as at upload (writeTimeExpansion), and has the recording ingested again, which reads
// the header in real time and redraws the spectrogram. Anything measured on the old time base would be wrong by the
// factor, so a recording with segmentations, or one split into parts, is refused with what to do instead.
import { copyFile } from "node:fs/promises";
import { WavError, writeTimeExpansion } from "@battycoda/audio";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import { inTransaction } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { badRequest, DomainError } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { QUEUES } from "../jobs/queues.ts";
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

/**
 * Declares that the recording's file is time-expanded by `factor` (1..MAX_TIME_EXPANSION, validated by the caller). Returns the recording, now processing again; the factor the file already states (1: none) changes nothing.
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
  const refuse = (why: string) => {
    throw new DomainError("PRECONDITION_FAILED", `Cannot declare time expansion x${factor}: ${why}`);
  };
  if (current !== null) refuse(`the file already states x${current}`);
  if (rec.parentRecordingId !== null || rec.partCount !== null)
    refuse("the recording was split into parts on the old time base; upload the file again with its factor");

  // Under the recording's lock (segment imports take it too): no segmentation yet, and it shows as processing until
  // ingest has read the file again.
  await inTransaction(db, async (tx) => {
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
      data: { processingStatus: "processing", processingError: null },
    });
  });

  let sha256: string;
  try {
    sha256 = await media.withLocalFile(rec.filePath, (source) =>
      media.withLocalOutput(rec.filePath, async (target) => {
        await copyFile(source, target);
        await writeTimeExpansion(target, factor);
        return sha256File(target);
      }),
    );
  } catch (err) {
    // The stored file is unchanged (withLocalOutput replaces it only on success): give the recording back.
    await db.recording.update({ where: { id: rec.id }, data: { processingStatus: "ready" } });
    if (err instanceof WavError) throw badRequest(`Cannot declare time expansion x${factor}: ${err.message}`);
    throw err;
  }

  // The spectrogram is on the old time base: ingest draws a new one when there is none.
  const oldSpectrogram = rec.spectrogramPath;
  await inTransaction(db, async (tx) => {
    await tx.recording.update({ where: { id: rec.id }, data: { sha256, spectrogramPath: null } });
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
  });
  if (oldSpectrogram) await media.delete(oldSpectrogram);
  return toRecordingDetail(await reload({ db }, rec.id));
}

async function reload({ db }: { db: DbOrTx }, id: string) {
  return db.recording.findUniqueOrThrow({ where: { id }, include: RECORDING_INCLUDE });
}
