import { randomUUID } from "node:crypto";
import type { Db, DbOrTx, DbTransaction, Segment as SegmentRow } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { float8Text } from "../access/exact-float.ts";
import { readStoredWavInfo } from "../media/audio.ts";
import { assertMediaKey, type MediaStore } from "../media/store.ts";

/** The recording columns segmentation reads (select for RecordingForSegmentation). */
export const RECORDING_FIELDS = {
  id: true,
  groupId: true,
  name: true,
  filePath: true,
  duration: true,
  sampleRate: true,
  channels: true,
  speciesId: true,
  projectId: true,
} as const;

export interface RecordingForSegmentation {
  id: string;
  groupId: string;
  name: string;
  filePath: string;
  duration: number | null;
  sampleRate: number | null;
  channels: number | null;
  speciesId: string | null;
  projectId: string | null;
}

/** Another group's recording is NOT_FOUND, never FORBIDDEN, so its existence does not leak. */
export async function findRecordingForSegmentation(
  { db }: DbContext,
  access: GroupAccess,
  recordingId: string,
): Promise<RecordingForSegmentation> {
  const rec = await db.recording.findFirst({
    where: { id: recordingId, groupId: access.groupId },
    select: RECORDING_FIELDS,
  });
  if (!rec) throw notFound("Recording");
  return rec;
}

export async function findSegmentationInGroup(
  { db }: DbContext,
  access: GroupAccess,
  segmentationId: string,
) {
  const seg = await db.segmentation.findFirst({
    where: { id: segmentationId, groupId: access.groupId },
    include: { recording: { select: RECORDING_FIELDS }, algorithm: { select: { key: true } } },
  });
  if (!seg) throw notFound("Segmentation");
  return seg;
}

/** The media key of a recording's audio; a bad stored key becomes a clear precondition error. */
export function recordingMediaKey(filePath: string): string {
  try {
    return assertMediaKey(filePath);
  } catch (err) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The recording's audio file cannot be used: ${errorText(err)}`,
    );
  }
}

/**
 * Runs `fn` with a local path of the recording's audio (the file itself, or a staged copy when
 * media live on S3); a bad stored key becomes a clear precondition error.
 */
export async function withRecordingAudio<T>(
  media: MediaStore,
  filePath: string,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  return media.withLocalFile(recordingMediaKey(filePath), fn);
}

/**
 * Seconds. Ingest fills Recording.duration; until it has run, the WAV header says it (when the caller
 * can reach the media).
 */
export async function recordingDuration(rec: RecordingForSegmentation, media?: MediaStore): Promise<number> {
  if (rec.duration !== null && rec.duration > 0) return rec.duration;
  if (media) {
    try {
      const info = await readStoredWavInfo(media, assertMediaKey(rec.filePath));
      if (info.duration > 0) return info.duration;
    } catch {
      // an unreadable header is the same as no duration yet
    }
  }
  throw new DomainError(
    "PRECONDITION_FAILED",
    "The recording's duration is not known yet (it is still being processed)",
  );
}

/** Serialises activation and segment replacement per recording (two runs finishing at once). */
export async function lockRecording(tx: DbTransaction, recordingId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Recording" WHERE id = ${recordingId} FOR UPDATE`;
}

/** Makes `segmentationId` the recording's only active segmentation. Call with the recording locked. */
export async function activate(
  tx: DbTransaction,
  recordingId: string,
  segmentationId: string,
): Promise<void> {
  await tx.segmentation.updateMany({
    where: { recordingId, isActive: true, NOT: { id: segmentationId } },
    data: { isActive: false },
  });
  await tx.segmentation.update({ where: { id: segmentationId }, data: { isActive: true } });
}

export async function hasActive(tx: DbTransaction, recordingId: string, exceptId?: string): Promise<boolean> {
  const n = await tx.segmentation.count({
    where: { recordingId, isActive: true, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
  });
  return n > 0;
}

export interface SegmentDto {
  id: string;
  onset: number;
  offset: number;
  lowFreq: number | null;
  highFreq: number | null;
  label: string | null;
  notes: string;
}

export function toSegmentDto(s: SegmentRow): SegmentDto {
  return {
    id: s.id,
    onset: s.onset,
    offset: s.offset,
    lowFreq: s.lowFreq,
    highFreq: s.highFreq,
    label: s.label,
    notes: s.notes,
  };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export interface SegmentValues {
  onset: number;
  offset: number;
  lowFreq?: number | null;
  highFreq?: number | null;
  /** The band was measured on the audio (see Segment.bandMeasured). */
  bandMeasured?: boolean;
  label?: string | null;
  notes?: string;
}

/** Times and frequencies are written exactly; see access/exact-float.ts (the Raven round trip needs it). */
const f8 = float8Text;

/** Inserts segments with exact doubles; returns their ids in input order. */
export async function insertSegments(
  tx: DbTransaction,
  segmentationId: string,
  rows: readonly SegmentValues[],
): Promise<string[]> {
  const ids: string[] = [];
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const chunkIds = part.map(() => randomUUID());
    ids.push(...chunkIds);
    await tx.$executeRaw`
      INSERT INTO "Segment" (id, "segmentationId", onset, "offset", "lowFreq", "highFreq", "bandMeasured", label, notes, "createdAt", "updatedAt")
      SELECT u.id, ${segmentationId}, u.onset, u.off, u.low, u.high, u.measured, u.label, u.notes, now(), now()
      FROM unnest(
        ${chunkIds}::text[],
        ${part.map((r) => f8(r.onset))}::float8[],
        ${part.map((r) => f8(r.offset))}::float8[],
        ${part.map((r) => f8(r.lowFreq))}::float8[],
        ${part.map((r) => f8(r.highFreq))}::float8[],
        ${part.map((r) => r.bandMeasured === true)}::boolean[],
        ${part.map((r) => r.label ?? null)}::text[],
        ${part.map((r) => r.notes ?? "")}::text[]
      ) AS u(id, onset, off, low, high, measured, label, notes)`;
  }
  return ids;
}

/** Writes a segment's times and frequency box exactly (see insertSegments). */
export async function setSegmentNumbers(
  tx: DbTransaction,
  segmentId: string,
  v: {
    onset: number;
    offset: number;
    lowFreq: number | null;
    highFreq: number | null;
    bandMeasured: boolean;
  },
): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Segment" SET onset = ${f8(v.onset)}::float8, "offset" = ${f8(v.offset)}::float8,
      "lowFreq" = ${f8(v.lowFreq)}::float8, "highFreq" = ${f8(v.highFreq)}::float8,
      "bandMeasured" = ${v.bandMeasured}, "updatedAt" = now()
    WHERE id = ${segmentId}`;
}

/**
 * Stores measured boxes on segments that are still as they were measured: same edges (compared exactly, see
 * insertSegments), still without any box. A segment a user moved, deleted or gave a box meanwhile keeps what the
 * user did. A null box stores that the segment was measured and holds nothing that stands out. Returns how many
 * segments got a box.
 */
export async function storeMeasuredBands(
  { db }: DbContext,
  rows: readonly {
    id: string;
    onset: number;
    offset: number;
    lowFreq: number | null;
    highFreq: number | null;
  }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const [counts] = await db.$queryRaw<{ boxes: number }[]>`
    WITH up AS (
    UPDATE "Segment" AS s SET "lowFreq" = u.low, "highFreq" = u.high, "bandMeasured" = true, "updatedAt" = now()
    FROM unnest(
      ${rows.map((r) => r.id)}::text[],
      ${rows.map((r) => f8(r.onset))}::float8[],
      ${rows.map((r) => f8(r.offset))}::float8[],
      ${rows.map((r) => f8(r.lowFreq))}::float8[],
      ${rows.map((r) => f8(r.highFreq))}::float8[]
    ) AS u(id, onset, off, low, high)
    WHERE s.id = u.id AND s.onset = u.onset AND s."offset" = u.off
      AND s."lowFreq" IS NULL AND s."highFreq" IS NULL AND NOT s."bandMeasured"
    RETURNING s."lowFreq")
    SELECT count("lowFreq")::int AS boxes FROM up`;
  return counts?.boxes ?? 0;
}
