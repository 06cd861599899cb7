import { rm } from "node:fs/promises";
import path from "node:path";
import { readWavInfo, WavError, type WavInfo, writeTimeExpansion } from "@battycoda/audio";
import type { Job, Prisma, Recording } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import { findProjectInGroup, findSpeciesForRead } from "../access/access.ts";
import type { DbContext, MediaContext } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { badRequest, DomainError, notFound } from "../access/errors.ts";
import { writeExactDuration } from "../access/exact-float.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { QUEUES } from "../jobs/queues.ts";
import { fileSize, recordingDir, safeFileName, sha256File } from "../media/media.ts";
import type { MediaStore } from "../media/store.ts";
import { truncationOf } from "../processing/truncation.ts";
import type {
  RecordingMetadata,
  TListRecordingsRequest,
  TRecordingDeletionSummary,
  TRecordingDetail,
  TRecordingSplit,
  TRecordingSummary,
} from "./recordings.schemas.ts";
import { ZListRecordingsRequest, ZRecordingMetadataInput } from "./recordings.schemas.ts";
import { activeSegmentCounts, pageBySegmentCount } from "./segment-counts.ts";
import { declareTimeExpansion } from "./time-expansion.ts";

// Known from the header at upload, so the upload's answer and report can say so before ingest.
function truncationFields(info: WavInfo) {
  const t = truncationOf(info);
  return { truncated: t !== null, declaredDuration: t?.declaredDuration ?? null };
}

/** What creating a recording needs besides the database: where files go and the job queue. */
export interface RecordingDeps {
  db: Db;
  boss: PgBoss | null;
  media: MediaStore;
}

const include = {
  project: { select: { name: true } },
  species: { select: { name: true } },
} as const;
/** What a recording's detail and summary need loaded with it. */
export const RECORDING_INCLUDE = include;
type RecordingRow = Recording & { project: { name: string } | null; species: { name: string } | null };

export function toRecordingSummary(r: RecordingRow, segmentCount: number | null = null): TRecordingSummary {
  return {
    id: r.id,
    name: r.name,
    projectId: r.projectId,
    projectName: r.project?.name ?? null,
    speciesId: r.speciesId,
    speciesName: r.species?.name ?? null,
    duration: r.duration,
    sampleRate: r.sampleRate,
    channels: r.channels,
    processingStatus: r.processingStatus,
    processingError: r.processingError,
    truncated: r.truncated,
    declaredDuration: r.declaredDuration,
    segmentCount,
    parentRecordingId: r.parentRecordingId,
    partIndex: r.partIndex,
    partCount: r.partCount,
    recordedDate: r.recordedDate,
    createdAt: r.createdAt,
  };
}

export function toRecordingDetail(r: RecordingRow): TRecordingDetail {
  return {
    ...toRecordingSummary(r),
    description: r.description,
    originalFilename: r.originalFilename,
    fileSize: Number(r.fileSize),
    sha256: r.sha256,
    bitDepth: r.bitDepth,
    format: r.format,
    metadata: r.metadata ?? null,
    timeExpansion: storedTimeExpansion(r.metadata),
    location: r.location,
    latitude: r.latitude,
    longitude: r.longitude,
    equipment: r.equipment,
    environmentalConditions: r.environmentalConditions,
    hasSpectrogram: r.spectrogramPath !== null,
    createdById: r.createdById,
    updatedAt: r.updatedAt,
  };
}

/** The factor ingest found (IngestedMetadata.wav.timeExpansion), null for a real-time file. */
export function storedTimeExpansion(metadata: Prisma.JsonValue): number | null {
  const wav = metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata.wav : null;
  const te = wav && typeof wav === "object" && !Array.isArray(wav) ? wav.timeExpansion : null;
  return typeof te === "number" && Number.isInteger(te) && te > 1 ? te : null;
}

/** The only way to load a recording for a caller: another group's recording is NOT_FOUND. */
export async function findRecordingInGroup({ db }: DbContext, access: GroupAccess, recordingId: string) {
  const rec = await db.recording.findUnique({ where: { id: recordingId } });
  if (!rec || rec.groupId !== access.groupId) throw notFound("Recording");
  return rec;
}

/** Checks that the referenced project/species are usable by the caller's group. */
async function checkReferences({ db }: DbContext, access: GroupAccess, m: RecordingMetadata) {
  if (m.projectId) await findProjectInGroup({ db }, access, m.projectId);
  if (m.speciesId) await findSpeciesForRead({ db }, access, m.speciesId);
}

export const NOT_A_WAV_PREFIX = "Not a usable WAV file";

/**
 * Reads and validates a WAV header; corrupt or non-WAV files become a BAD_REQUEST naming what is
 * wrong (the audio package's WavError message), never a crash.
 */
export async function validateWavFile(filePath: string, displayName?: string): Promise<WavInfo> {
  try {
    return await readWavInfo(filePath);
  } catch (err) {
    if (err instanceof WavError) {
      const who = displayName ? `${displayName}: ` : "";
      throw badRequest(`${who}${NOT_A_WAV_PREFIX}: ${err.message}`, { wavError: err.code });
    }
    throw err;
  }
}

export interface CreateRecordingInput {
  /** A file the caller hands over: imported into the media store on success, deleted on failure. */
  tempPath: string;
  originalFilename: string;
  metadata: RecordingMetadata;
  sha256?: string;
  /** Header already read by the caller (batch processing validates before calling). */
  info?: WavInfo;
  /** Job row fields (e.g. link to the Upload). */
  jobMessage?: string;
}

export interface CreatedRecording {
  recording: RecordingRow;
  job: Job;
  /** The header as stored (in real time when a time expansion was given). */
  info: WavInfo;
}

/** Writes a time expansion the upload states into the file (writeTimeExpansion); a refusal is the upload's error. */
async function recordTimeExpansion(file: string, factor: number, displayName: string): Promise<WavInfo> {
  try {
    return await writeTimeExpansion(file, factor);
  } catch (err) {
    if (err instanceof WavError)
      throw badRequest(`${displayName}: time expansion x${factor}: ${err.message}`);
    throw err;
  }
}

export function defaultRecordingName(filename: string): string {
  const base = filename.replace(/\\/g, "/").split("/").pop() ?? filename;
  return base.replace(/\.wav$/i, "").trim() || "Recording";
}

/**
 * Creates a recording from an uploaded file: validate the header, store the file under
 * `<group>/recordings/<id>/`, insert the row as `pending` and queue `recording.ingest` — the row,
 * the job and the file appear together or not at all.
 */
export async function createRecordingFromFile(
  deps: RecordingDeps,
  access: GroupAccess,
  input: CreateRecordingInput,
): Promise<CreatedRecording> {
  const { db, boss, media } = deps;
  let moved: string | null = null;
  try {
    if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background processing is not available");
    const metadata = ZRecordingMetadataInput.parse(input.metadata);
    await checkReferences({ db }, access, metadata);
    let info = input.info ?? (await validateWavFile(input.tempPath, input.originalFilename));
    // A factor the file does not state yet changes its bytes: the hash is then the stored file's, not the upload's.
    const expand = (metadata.timeExpansion ?? 1) > 1 && metadata.timeExpansion !== (info.timeExpansion ?? 1);
    if (expand)
      info = await recordTimeExpansion(input.tempPath, metadata.timeExpansion ?? 1, input.originalFilename);
    const size = await fileSize(input.tempPath);
    const sha256 = (!expand && input.sha256) || (await sha256File(input.tempPath));
    const fileName = safeFileName(input.originalFilename);
    const result = await db.$transaction(
      async (tx) => {
        const created = await tx.recording.create({
          data: {
            groupId: access.groupId,
            createdById: access.userId || null,
            name: metadata.name ?? defaultRecordingName(input.originalFilename),
            description: metadata.description ?? "",
            recordedDate: metadata.recordedDate ?? null,
            location: metadata.location ?? "",
            equipment: metadata.equipment ?? "",
            environmentalConditions: metadata.environmentalConditions ?? "",
            projectId: metadata.projectId ?? null,
            speciesId: metadata.speciesId ?? null,
            originalFilename: input.originalFilename.slice(0, 1000),
            filePath: "",
            fileSize: BigInt(size),
            sha256,
            // Known from the header already; lets duplicate detection and the list work before
            // ingest runs (ingest re-reads and owns the full metadata).
            duration: info.duration,
            sampleRate: info.sampleRate,
            channels: info.channels,
            bitDepth: info.validBitsPerSample,
            format: info.format,
            ...truncationFields(info),
            processingStatus: "pending",
          },
        });
        await writeExactDuration({ db: tx }, created.id, info.duration);
        const rel = path.posix.join(recordingDir(access.groupId, created.id), fileName);
        // Inside the transaction so a failed store leaves no row; a big upload to S3 may take a
        // while, hence the long timeout below.
        await media.importFile(input.tempPath, rel);
        moved = rel;
        const recording = await tx.recording.update({
          where: { id: created.id },
          data: { filePath: rel },
          include,
        });
        const job = await enqueueJob(
          { db: tx, boss },
          {
            type: QUEUES.recordingIngest,
            payload: { recordingId: created.id },
            groupId: access.groupId,
            userId: access.userId,
            subjectType: "recording",
            subjectId: created.id,
            message: input.jobMessage ?? "Queued",
          },
        );
        return { recording, job, info };
      },
      { timeout: 10 * 60_000 },
    );
    return result;
  } catch (err) {
    if (moved) await media.deletePrefix(path.posix.dirname(moved));
    await rm(input.tempPath, { force: true });
    throw err;
  }
}

// ─── reads ───

export async function listRecordings(
  { db }: DbContext,
  access: GroupAccess,
  raw: TListRecordingsRequest = {},
) {
  const input = ZListRecordingsRequest.parse(raw);
  if (input.projectId) await findProjectInGroup({ db }, access, input.projectId);
  if (input.speciesId) await findSpeciesForRead({ db }, access, input.speciesId);
  const where: Prisma.RecordingWhereInput = {
    groupId: access.groupId,
    ...(input.projectId ? { projectId: input.projectId } : {}),
    ...(input.speciesId ? { speciesId: input.speciesId } : {}),
    ...(input.status ? { processingStatus: input.status } : {}),
    ...(input.search ? { name: { contains: input.search, mode: "insensitive" as const } } : {}),
  };
  const offset = input.cursor ? Number(input.cursor) : 0;
  const order = input.order;
  const sort = input.sort;
  const orderBy: Prisma.RecordingOrderByWithRelationInput[] =
    sort === "duration" || sort === "recordedDate" || sort === "sampleRate" || sort === "channels"
      ? [{ [sort]: { sort: order, nulls: "last" } }, { id: order }]
      : sort === "segments"
        ? []
        : [{ [sort]: order }, { id: order }];
  const [total, rows] = await Promise.all([
    db.recording.count({ where }),
    sort === "segments"
      ? pageBySegmentCount({ db }, access.groupId, input, offset).then((ids) => rowsInOrder({ db }, ids))
      : db.recording.findMany({ where, include, orderBy, skip: offset, take: input.limit }),
  ]);
  const counts = await activeSegmentCounts(
    { db },
    rows.map((r) => r.id),
  );
  const next = offset + rows.length;
  return {
    items: rows.map((r) => toRecordingSummary(r, counts.get(r.id) ?? 0)),
    total,
    nextCursor: next < total ? String(next) : null,
  };
}

/** The rows of `ids` (same group, already checked by the query that chose them) in that order. */
async function rowsInOrder({ db }: DbContext, ids: string[]): Promise<RecordingRow[]> {
  const rows = await db.recording.findMany({ where: { id: { in: ids } }, include });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getRecording({ db }: DbContext, access: GroupAccess, recordingId: string) {
  await findRecordingInGroup({ db }, access, recordingId);
  const row = await db.recording.findUniqueOrThrow({ where: { id: recordingId }, include });
  const jobs = await db.job.findMany({
    where: { groupId: access.groupId, subjectType: "recording", subjectId: recordingId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 20,
  });
  return {
    ...toRecordingDetail(row),
    split: await splitLinks({ db }, access, row),
    jobs: jobs.map((j) => ({
      id: j.id,
      type: j.type,
      status: j.status,
      progress: j.progress,
      message: j.message,
      error: j.error,
      createdAt: j.createdAt,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
    })),
  };
}

/**
 * The parent/parts links of a split recording. A parent is a row with parts (partIndex null; its
 * parts may still be appearing while ingest splits it); a part has partIndex set and, unless the
 * original was deleted, parentRecordingId. Only rows of the caller's group are read.
 */
async function splitLinks(
  { db }: DbContext,
  access: GroupAccess,
  row: Pick<Recording, "id" | "name" | "parentRecordingId" | "partIndex" | "partCount">,
): Promise<TRecordingSplit | null> {
  const isPart = row.partIndex !== null || row.parentRecordingId !== null;
  const originalId = isPart ? row.parentRecordingId : row.id;
  const [parent, parts] = await Promise.all([
    isPart && originalId
      ? db.recording.findFirst({
          where: { id: originalId, groupId: access.groupId },
          select: { id: true, name: true, partCount: true },
        })
      : null,
    originalId
      ? db.recording.findMany({
          where: { parentRecordingId: originalId, groupId: access.groupId },
          select: {
            id: true,
            name: true,
            partIndex: true,
            duration: true,
            processingStatus: true,
            spectrogramPath: true,
          },
          orderBy: [{ partIndex: { sort: "asc", nulls: "last" } }, { id: "asc" }],
        })
      : [],
  ]);
  if (!isPart && parts.length === 0 && row.partCount === null) return null;
  return {
    role: isPart ? "part" : "parent",
    parent: isPart ? parent : { id: row.id, name: row.name, partCount: row.partCount },
    parts: parts.map((p) => ({
      id: p.id,
      name: p.name,
      partIndex: p.partIndex,
      duration: p.duration,
      processingStatus: p.processingStatus,
      hasSpectrogram: p.spectrogramPath !== null,
    })),
  };
}

// ─── writes ───

export async function updateRecording(
  { db, boss = null, media }: DbContext & { boss?: PgBoss | null; media?: MediaStore },
  access: GroupAccess,
  recordingId: string,
  raw: Record<string, unknown>,
) {
  await findRecordingInGroup({ db }, access, recordingId);
  const m = ZRecordingMetadataInput.parse(raw);
  await checkReferences({ db }, access, m);
  // First: a refused factor changes nothing else.
  if (m.timeExpansion !== undefined) {
    if (!media) throw new DomainError("PRECONDITION_FAILED", "The media store is not available");
    await declareTimeExpansion({ db, boss, media }, access, recordingId, m.timeExpansion);
  }
  const data: Prisma.RecordingUncheckedUpdateInput = {};
  if (m.name !== undefined) data.name = m.name;
  if (m.description !== undefined) data.description = m.description;
  if (m.recordedDate !== undefined) data.recordedDate = m.recordedDate;
  if (m.location !== undefined) data.location = m.location;
  if (m.equipment !== undefined) data.equipment = m.equipment;
  if (m.environmentalConditions !== undefined) data.environmentalConditions = m.environmentalConditions;
  if (m.speciesId !== undefined) data.speciesId = m.speciesId;
  if (m.projectId !== undefined) data.projectId = m.projectId;
  const row = await db.recording.update({ where: { id: recordingId }, data, include });
  return toRecordingDetail(row);
}

/** Moves a recording to another project of the group (null: no project). */
export async function moveRecording(
  { db }: DbContext,
  access: GroupAccess,
  recordingId: string,
  projectId: string | null,
) {
  return updateRecording({ db }, access, recordingId, { projectId });
}

/** Media keys a recording owns: its folder plus a spectrogram stored elsewhere. */
function ownedPaths(rec: Recording): { dir: string | null; extra: string[] } {
  const dir = rec.filePath ? path.posix.dirname(rec.filePath) : null;
  const extra =
    rec.spectrogramPath && (!dir || !rec.spectrogramPath.startsWith(`${dir}/`)) ? [rec.spectrogramPath] : [];
  return { dir, extra };
}

async function listFiles(media: MediaStore, rec: Recording): Promise<{ files: string[]; bytes: number }> {
  const { dir, extra } = ownedPaths(rec);
  const files: string[] = [];
  let bytes = 0;
  if (dir && dir !== ".") {
    for await (const o of media.list(dir)) {
      files.push(o.key);
      bytes += o.size;
    }
  }
  for (const p of extra) {
    const size = (await media.stat(p))?.size ?? 0;
    if (size > 0) {
      files.push(p);
      bytes += size;
    }
  }
  files.sort();
  return { files, bytes };
}

async function deletionSummary(
  { db, media }: MediaContext,
  rec: Recording,
): Promise<TRecordingDeletionSummary> {
  const [segmentations, segments, tasks, classificationRuns, classificationResults, files] =
    await Promise.all([
      db.segmentation.count({ where: { recordingId: rec.id } }),
      db.segment.count({ where: { segmentation: { recordingId: rec.id } } }),
      db.task.count({ where: { recordingId: rec.id } }),
      db.classificationRun.count({ where: { recordingId: rec.id } }),
      db.classificationResult.count({ where: { run: { recordingId: rec.id } } }),
      listFiles(media, rec),
    ]);
  return {
    recording: { id: rec.id, name: rec.name },
    segmentations,
    segments,
    tasks,
    classificationRuns,
    classificationResults,
    files: files.files,
    bytes: files.bytes,
  };
}

export async function previewDeleteRecording(
  { db, media }: MediaContext,
  access: GroupAccess,
  recordingId: string,
): Promise<TRecordingDeletionSummary> {
  const rec = await findRecordingInGroup({ db }, access, recordingId);
  return deletionSummary({ db, media }, rec);
}

/**
 * Deletes a recording with everything that hangs off it (the database cascades segmentations,
 * segments, tasks and classification results) and then its files. Files go after the commit: a
 * failed delete leaves a usable recording, never a row pointing at nothing.
 */
export async function deleteRecording(
  { db, media }: MediaContext,
  access: GroupAccess,
  recordingId: string,
): Promise<TRecordingDeletionSummary> {
  const rec = await findRecordingInGroup({ db }, access, recordingId);
  const summary = await deletionSummary({ db, media }, rec);
  const { count } = await db.recording.deleteMany({ where: { id: rec.id, groupId: access.groupId } });
  if (count === 0) throw notFound("Recording");
  await removeRecordingFiles(media, rec);
  return summary;
}

export async function removeRecordingFiles(media: MediaStore, rec: Recording): Promise<void> {
  const { dir, extra } = ownedPaths(rec);
  if (dir && dir !== ".") await media.deletePrefix(dir);
  for (const p of extra) await media.delete(p);
}

// ─── duplicates ───

/** Durations equal to the microsecond count as the same (floats from different header parses). */
const durationKey = (d: number) => Math.round(d * 1e6);

export async function findDuplicateRecordings({ db }: DbContext, access: GroupAccess) {
  const groups = await db.recording.groupBy({
    by: ["name", "duration"],
    where: { groupId: access.groupId, duration: { not: null } },
    _count: { _all: true },
    having: { name: { _count: { gt: 1 } } },
  });
  if (groups.length === 0) return { sets: [] };
  const rows = await db.recording.findMany({
    where: { groupId: access.groupId, name: { in: [...new Set(groups.map((g) => g.name))] } },
    include,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const sets = new Map<string, { name: string; duration: number; recordings: TRecordingSummary[] }>();
  for (const r of rows) {
    if (r.duration === null) continue;
    const key = `${r.name}\u0000${durationKey(r.duration)}`;
    let set = sets.get(key);
    if (!set) {
      set = { name: r.name, duration: r.duration, recordings: [] };
      sets.set(key, set);
    }
    set.recordings.push(toRecordingSummary(r));
  }
  return {
    sets: [...sets.values()]
      .filter((s) => s.recordings.length > 1)
      .sort((a, b) => a.name.localeCompare(b.name) || a.duration - b.duration),
  };
}

/** Removes all but one recording (the oldest by default) of every duplicate set. */
export async function removeDuplicateRecordings(
  { db, media }: MediaContext,
  access: GroupAccess,
  options: { keep?: "oldest" | "newest"; names?: string[] } = {},
) {
  const { sets } = await findDuplicateRecordings({ db }, access);
  const wanted = options.names ? new Set(options.names) : null;
  const recordingIds: string[] = [];
  for (const set of sets) {
    if (wanted && !wanted.has(set.name)) continue;
    const ordered = options.keep === "newest" ? [...set.recordings].reverse() : set.recordings;
    for (const r of ordered.slice(1)) {
      try {
        await deleteRecording({ db, media }, access, r.id);
        recordingIds.push(r.id);
      } catch (err) {
        // deleted concurrently: that is what we wanted anyway
        if (!(err instanceof DomainError && err.code === "NOT_FOUND")) throw err;
      }
    }
  }
  return { removed: recordingIds.length, recordingIds };
}

// ─── files for the file routes ───

/** The recording and the media key of its audio, for the file routes (scoped to the group). */
export async function recordingAudioFile({ db }: DbContext, access: GroupAccess, id: string) {
  const rec = await findRecordingInGroup({ db }, access, id);
  if (!rec.filePath) throw notFound("Recording file");
  return { recording: rec, key: rec.filePath };
}

export async function recordingSpectrogramFile({ db }: DbContext, access: GroupAccess, id: string) {
  const rec = await findRecordingInGroup({ db }, access, id);
  if (!rec.spectrogramPath) {
    throw new DomainError(
      "CONFLICT",
      rec.processingStatus === "failed"
        ? `The spectrogram could not be generated: ${rec.processingError ?? "unknown error"}`
        : "The spectrogram has not been generated yet",
      { processingStatus: rec.processingStatus },
    );
  }
  return { recording: rec, key: rec.spectrogramPath };
}
