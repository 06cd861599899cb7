import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Prisma, Upload } from "@battycoda/db";
import {
  DEFAULT_ZIP_LIMITS,
  isSegmentFileName,
  isWavName,
  MAX_SEGMENT_FILE_BYTES,
  matchSegmentFiles,
  openZip,
  ZipError,
  type ZipLimits,
} from "@battycoda/formats";
import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { DbContext, MediaContext } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type JobContext, type JobHandler, PermanentJobError } from "../jobs/handler.ts";
import { QUEUES } from "../jobs/queues.ts";
import { fileSize, uploadsDir } from "../media/media.ts";
import type { MediaStore } from "../media/store.ts";
import { timeExpansionMessage } from "../processing/time-expansion.ts";
import { truncationMessage, truncationOf } from "../processing/truncation.ts";
import {
  type RecordingMetadata,
  type TSegmentImportResult,
  ZRecordingMetadataInput,
} from "../recordings/recordings.schemas.ts";
import {
  createRecordingFromFile,
  defaultRecordingName,
  type RecordingDeps,
  validateWavFile,
} from "../recordings/recordings.ts";
import { attachSegmentFile } from "../recordings/segment-file.ts";
import { assertStorageAvailable, checkZipBeforeAccepting, type UploadLimits } from "./storage.ts";
import {
  deleteTusUpload,
  stageFinishedTusUpload,
  sweepTusObjects,
  tusLastActivity,
  tusObjectKey,
} from "./tus-storage.ts";
import { type TUploadReport, type TUploadReportEntry, ZUploadReport } from "./uploads.schemas.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const isZipName = (name: string) => /\.zip$/i.test(name);

function toJson(v: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
}

/** Shared metadata stored on the Upload row, applied to every recording of a batch. */
function storedMetadata(m: RecordingMetadata): Prisma.InputJsonValue {
  return toJson(m);
}

export async function findUploadInGroup(
  { db }: DbContext,
  access: GroupAccess,
  uploadId: string,
): Promise<Upload> {
  const upload = await db.upload.findUnique({ where: { id: uploadId } });
  if (!upload || upload.groupId !== access.groupId) throw notFound("Upload");
  return upload;
}

export async function getUploadReport({ db }: DbContext, access: GroupAccess, uploadId: string) {
  const u = await findUploadInGroup({ db }, access, uploadId);
  const job = await db.job.findFirst({
    where: { subjectType: "upload", subjectId: u.id, groupId: access.groupId },
    orderBy: { createdAt: "desc" },
  });
  const report = u.report ? ZUploadReport.safeParse(u.report) : null;
  return {
    id: u.id,
    kind: u.kind,
    filename: u.filename,
    size: Number(u.size),
    receivedBytes: Number(u.receivedBytes),
    status: u.status,
    error: u.error,
    report: report?.success ? report.data : null,
    job: job ? { id: job.id, status: job.status, progress: job.progress, message: job.message } : null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

// ─── batch ZIP: accept, then process in the worker ───

export interface QueueZipInput {
  /** The received ZIP; stored in the media store under .uploads/zip (or deleted on failure). */
  tempPath: string;
  filename: string;
  metadata: RecordingMetadata;
  /** Reuse an Upload row (tus); default: create one. */
  uploadId?: string;
  kind?: "zip" | "tus";
  /** quota and disk-share limits the archive is checked against before it is accepted */
  limits: UploadLimits;
}

/**
 * Hands a received ZIP to the worker: an Upload row (status `received`) and an `upload.process`
 * job, committed together. The request returns at once; the report fills in as the job runs.
 */
export async function queueZipUpload(deps: RecordingDeps, access: GroupAccess, input: QueueZipInput) {
  const { db, boss, media } = deps;
  let moved: string | null = null;
  try {
    if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background processing is not available");
    const metadata = ZRecordingMetadataInput.parse(input.metadata);
    // another group's project or species is NOT_FOUND now, not a failed job after a 202
    await assertMetadataInGroup({ db }, access, metadata);
    // refused here, nothing unpacked or queued: overlapping entries, too big for the disk or quota
    await checkZipBeforeAccepting({ db, media }, access, input.tempPath, input.limits, input.uploadId);
    const size = await fileSize(input.tempPath);
    return await db.$transaction(
      async (tx) => {
        const upload = input.uploadId
          ? await tx.upload.update({
              where: { id: input.uploadId },
              data: { status: "received", receivedBytes: BigInt(size), size: BigInt(size) },
            })
          : await tx.upload.create({
              data: {
                groupId: access.groupId,
                userId: access.userId || null,
                kind: input.kind ?? "zip",
                filename: input.filename.slice(0, 1000),
                size: BigInt(size),
                receivedBytes: BigInt(size),
                metadata: storedMetadata(metadata),
                status: "received",
              },
            });
        const rel = path.posix.join(".uploads", "zip", `${upload.id}.zip`);
        // In the store, not this host's disk: the worker that unpacks it may run elsewhere.
        await media.importFile(input.tempPath, rel);
        moved = rel;
        await tx.upload.update({ where: { id: upload.id }, data: { tempPath: rel } });
        const job = await enqueueJob(
          { db: tx, boss },
          {
            type: QUEUES.uploadProcess,
            payload: { uploadId: upload.id },
            groupId: access.groupId,
            userId: access.userId || null,
            subjectType: "upload",
            subjectId: upload.id,
            message: `Queued ${input.filename}`,
          },
        );
        return { uploadId: upload.id, jobId: job.id };
      },
      { timeout: 10 * 60_000 },
    );
  } catch (err) {
    if (moved) await media.delete(moved);
    await rm(input.tempPath, { force: true });
    throw err;
  }
}

/** The access a background job acts with: the uploader inside the upload's group. */
function accessOfUpload(u: Upload): GroupAccess {
  return {
    userId: u.userId ?? "",
    isSiteAdmin: false,
    groupId: u.groupId,
    groupName: "",
    membershipId: "",
    isGroupAdmin: false,
  };
}

export interface UploadProcessOptions {
  media: MediaStore;
  zipLimits?: Partial<ZipLimits>;
}

function summarize(entries: TUploadReportEntry[]) {
  return {
    created: entries.filter((e) => e.status === "created").length,
    rejected: entries.filter((e) => e.status === "rejected").length,
    segmented: entries.filter((e) => e.segments && e.segments.status !== "failed").length,
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof DomainError || err instanceof ZipError) return err.message;
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === undefined) return err.message;
  throw err;
}

/**
 * `upload.process`: walks the ZIP one entry at a time (never unpacked whole), creates a recording
 * per good WAV, pairs segment files by name and writes a per-file report. A bad entry is reported
 * and skipped; only archive-wide problems (unreadable, over a limit) stop the walk, keeping what
 * was already created. A retried attempt skips entries an earlier attempt already created.
 */
export function createUploadProcessHandler(options: UploadProcessOptions): JobHandler<"upload.process"> {
  return async (ctx) => {
    const { db, boss } = ctx;
    const { media } = options;
    const upload = await db.upload.findUnique({ where: { id: ctx.payload.uploadId } });
    if (!upload) return { skipped: "upload no longer exists" };
    if (upload.status === "completed" || upload.status === "failed") return { status: upload.status };
    if (!upload.tempPath) throw new Error("The upload has no stored file");
    const zipKey = upload.tempPath;
    // The walk reads the central directory and entries by offset: a local file (staged from S3).
    return media.withLocalFile(zipKey, (zipPath) => processZip(ctx, options, upload, zipKey, zipPath));
  };
}

async function processZip(
  ctx: JobContext<"upload.process">,
  options: UploadProcessOptions,
  upload: Upload,
  zipKey: string,
  zipPath: string,
) {
  const { db, boss } = ctx;
  const { media } = options;
  {
    const access = accessOfUpload(upload);
    const metadata = ZRecordingMetadataInput.parse(upload.metadata ?? {});
    const shared: RecordingMetadata = { ...metadata, name: undefined };
    const deps: RecordingDeps = { db, boss, media };

    const previous = upload.report ? ZUploadReport.safeParse(upload.report) : null;
    const done = new Map<string, TUploadReportEntry>();
    for (const e of previous?.success ? previous.data.entries : [])
      if (e.status === "created") done.set(e.path, e);
    const entries: TUploadReportEntry[] = [];
    const segmentFiles = new Map<string, string>(); // entry name → temp file
    const workDir = path.join(uploadsDir(media, "tmp"), `zip-${upload.id}`);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    await db.upload.update({ where: { id: upload.id }, data: { status: "processing" } });

    const zipBytes = Math.max(1, await fileSize(zipPath));
    let compressedSeen = 0;
    let lastSave = 0;
    const save = async (force = false) => {
      if (!force && Date.now() - lastSave < 1000) return;
      lastSave = Date.now();
      const report: TUploadReport = {
        entries,
        unmatchedSegmentFiles: [],
        ambiguousSegmentFiles: [],
        skipped: 0,
        summary: summarize(entries),
      };
      await db.upload.update({ where: { id: upload.id }, data: { report: toJson(report) } });
      await ctx.setProgress(
        Math.min(0.95, compressedSeen / zipBytes),
        `${entries.length} file(s): ${report.summary.created} created, ${report.summary.rejected} rejected`,
      );
    };

    const reader = openZip(zipPath, { ...DEFAULT_ZIP_LIMITS, ...options.zipLimits });
    let archiveError: string | null = null;
    let n = 0;
    try {
      for await (const e of reader) {
        if (!e.ok) {
          entries.push({ path: e.name, status: "rejected", reason: e.error.message });
          continue;
        }
        compressedSeen += e.compressedSize;
        const prior = done.get(e.name);
        if (prior) {
          entries.push(prior);
          continue;
        }
        if (isWavName(e.name)) {
          const tmp = path.join(workDir, `${++n}.wav`);
          try {
            await e.extractTo(tmp);
            const info = await validateWavFile(tmp);
            const created = await createRecordingFromFile(deps, access, {
              tempPath: tmp,
              originalFilename: e.baseName,
              metadata: { ...shared, name: defaultRecordingName(e.baseName) },
              info,
              jobMessage: `Queued from ${upload.filename}`,
            });
            const { recording } = created;
            const truncation = truncationOf(info);
            const notes = [
              truncation ? truncationMessage(truncation) : null,
              timeExpansionMessage(created.info),
            ].filter((m): m is string => m !== null);
            entries.push({
              path: e.name,
              status: "created",
              recordingId: recording.id,
              ...(notes.length ? { warning: notes.join("; ") } : {}),
            });
          } catch (err) {
            await rm(tmp, { force: true });
            entries.push({ path: e.name, status: "rejected", reason: reasonOf(err) });
          }
        } else if (isSegmentFileName(e.name)) {
          if (e.uncompressedSize > MAX_SEGMENT_FILE_BYTES) {
            entries.push({ path: e.name, status: "rejected", reason: "too large for a segment file" });
            continue;
          }
          const tmp = path.join(workDir, `${++n}.seg`);
          try {
            await e.extractTo(tmp);
            segmentFiles.set(e.name, tmp);
          } catch (err) {
            entries.push({ path: e.name, status: "rejected", reason: reasonOf(err) });
          }
        } else {
          entries.push({
            path: e.name,
            status: "rejected",
            reason: "not a WAV file (.wav) or a segment file (.pickle, .pkl, .csv, .tsv, .txt)",
          });
        }
        await save();
      }
    } catch (err) {
      archiveError = reasonOf(err);
    }

    // Pair segment files with the WAVs that became recordings.
    const created = entries.filter((e) => e.status === "created" && isWavName(e.path));
    const match = matchSegmentFiles(
      created.map((e) => e.path),
      [...segmentFiles.keys()],
    );
    for (const pair of match.pairs) {
      const entry = created.find((e) => e.path === pair.wav);
      const tmp = segmentFiles.get(pair.segmentFile);
      if (!entry?.recordingId || !tmp || entry.segments) continue;
      let result: TSegmentImportResult;
      try {
        const bytes = await readFile(tmp);
        result = await attachSegmentFile(
          { db, media, boss },
          access,
          entry.recordingId,
          pair.segmentFile,
          bytes,
        );
      } catch (err) {
        result = { status: "failed", segmentFile: pair.segmentFile, reason: reasonOf(err) };
      }
      entry.segments = result;
    }
    const report: TUploadReport = {
      entries,
      unmatchedSegmentFiles: match.unmatchedSegmentFiles,
      ambiguousSegmentFiles: match.ambiguous,
      skipped: reader.skipped.length,
      summary: summarize(entries),
    };
    await rm(workDir, { recursive: true, force: true });
    await media.delete(zipKey);
    await db.upload.update({
      where: { id: upload.id },
      data: {
        report: toJson(report),
        status: archiveError ? "failed" : "completed",
        error: archiveError,
        tempPath: null,
      },
    });
    const msg = `${report.summary.created} created, ${report.summary.rejected} rejected, ${report.summary.segmented} with segments`;
    if (archiveError) {
      await ctx.setMessage(`Stopped: ${archiveError} (${msg})`);
      // deterministic: retrying the same archive would stop at the same place
      throw new PermanentJobError(`${archiveError} (${msg})`);
    }
    await ctx.setProgress(1, msg);
    return report.summary;
  }
}

// ─── tus (resumable) uploads ───

export interface RegisterTusInput {
  tusId: string;
  filename: string;
  size: number;
  metadata: RecordingMetadata;
}

/**
 * Called when a tus upload is created: validates metadata, checks the declared length against the
 * group's quota and records who owns the id.
 */
export async function registerTusUpload(
  { db }: DbContext,
  access: GroupAccess,
  input: RegisterTusInput,
  limits: Pick<UploadLimits, "groupStorageQuotaBytes">,
) {
  const metadata = ZRecordingMetadataInput.parse(input.metadata);
  await assertStorageAvailable({ db }, access, input.size, limits);
  await assertMetadataInGroup({ db }, access, metadata);
  return db.upload.create({
    data: {
      groupId: access.groupId,
      userId: access.userId || null,
      kind: "tus",
      filename: input.filename.slice(0, 1000),
      size: BigInt(input.size),
      tusId: input.tusId,
      tempPath: tusObjectKey(input.tusId),
      metadata: storedMetadata(metadata),
      status: "receiving",
    },
  });
}

/** A tus id of another group (or an unknown one) is NOT_FOUND, like every other id. */
export async function findTusUpload({ db }: DbContext, access: GroupAccess, tusId: string): Promise<Upload> {
  const u = await db.upload.findUnique({ where: { tusId } });
  if (!u || u.groupId !== access.groupId) throw notFound("Upload");
  return u;
}

export type TusCompletion =
  | { kind: "recording"; uploadId: string; recordingId: string; jobId: string }
  | { kind: "zip"; uploadId: string; jobId: string };

/**
 * The last byte of a tus upload arrived: a WAV becomes a recording through the same path as a
 * single upload, a ZIP goes to the batch job. A bad WAV marks the Upload failed with the reason.
 */
export async function completeTusUpload(
  deps: RecordingDeps,
  access: GroupAccess,
  tusId: string,
  limits: UploadLimits,
): Promise<TusCompletion> {
  const { db, media } = deps;
  const upload = await findTusUpload({ db }, access, tusId);
  const metadata = ZRecordingMetadataInput.parse(upload.metadata ?? {});
  let file: string | null = null;
  try {
    // Below, the file is consumed (imported into the store) or removed; what tus kept goes after.
    file = await stageFinishedTusUpload(media, tusId);
    if (isZipName(upload.filename)) {
      const r = await queueZipUpload(deps, access, {
        tempPath: file,
        filename: upload.filename,
        metadata,
        uploadId: upload.id,
        limits,
      });
      await forgetTusUpload(media, tusId);
      return { kind: "zip", ...r };
    }
    const size = await fileSize(file);
    const { recording, job } = await createRecordingFromFile(deps, access, {
      tempPath: file,
      originalFilename: upload.filename,
      metadata,
    });
    const report: TUploadReport = {
      entries: [{ path: upload.filename, status: "created", recordingId: recording.id }],
      unmatchedSegmentFiles: [],
      ambiguousSegmentFiles: [],
      skipped: 0,
      summary: { created: 1, rejected: 0, segmented: 0 },
    };
    await db.upload.update({
      where: { id: upload.id },
      data: {
        status: "completed",
        receivedBytes: BigInt(size),
        tempPath: null,
        report: toJson(report),
      },
    });
    await forgetTusUpload(media, tusId);
    return { kind: "recording", uploadId: upload.id, recordingId: recording.id, jobId: job.id };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const report: TUploadReport = {
      entries: [{ path: upload.filename, status: "rejected", reason }],
      unmatchedSegmentFiles: [],
      ambiguousSegmentFiles: [],
      skipped: 0,
      summary: { created: 0, rejected: 1, segmented: 0 },
    };
    await db.upload.update({
      where: { id: upload.id },
      data: { status: "failed", error: reason, tempPath: null, report: toJson(report) },
    });
    if (file) await rm(file, { force: true });
    await forgetTusUpload(media, tusId);
    throw err;
  }
}

/**
 * The upload is settled (its row says so): what tus kept for it goes. A failure here must not
 * undo the outcome; the hourly sweep removes what is left once the row is no longer active.
 */
async function forgetTusUpload(media: MediaStore, tusId: string) {
  await deleteTusUpload(media, tusId).catch((err) =>
    console.warn(`[uploads] could not remove the tus files of ${tusId}:`, err),
  );
}

export interface CleanStaleUploadsResult {
  expiredUploads: number;
  removedFiles: number;
}

/**
 * Hourly: unfinished uploads untouched for `maxAgeMs` (default 24 h) lose their partial files and
 * are marked `expired`; stray temp files of the same age (crashed requests) are removed too.
 * "Untouched" is the partial file's mtime, which every resumed PATCH refreshes.
 */
export async function cleanStaleUploads(
  { db, media }: MediaContext,
  now = new Date(),
  maxAgeMs = DAY,
): Promise<CleanStaleUploadsResult> {
  const cutoff = now.getTime() - maxAgeMs;
  let expiredUploads = 0;
  let removedFiles = 0;
  const receiving = await db.upload.findMany({
    where: { status: "receiving", createdAt: { lt: new Date(cutoff) } },
    take: 1000,
  });
  for (const u of receiving) {
    if (u.tusId) {
      if ((await tusLastActivity(media, u.tusId)) >= cutoff) continue;
      await deleteTusUpload(media, u.tusId);
    }
    const { count } = await db.upload.updateMany({
      where: { id: u.id, status: "receiving" },
      data: { status: "expired", error: "Not finished within 24 hours", tempPath: null },
    });
    expiredUploads += count;
  }
  // Orphans: temp files of requests that died, tus files whose row was never written.
  const active = new Set(
    (
      await db.upload.findMany({
        where: { status: { in: ["receiving", "received", "processing"] } },
        select: { tusId: true, tempPath: true },
      })
    ).flatMap((u) => [u.tusId ?? "", u.tempPath ? path.posix.basename(u.tempPath) : ""]),
  );
  for (const kind of ["tmp", "tus", "zip"] as const) {
    const dir = uploadsDir(media, kind);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const base = name.replace(/\.json$/, "");
      if (active.has(base)) continue;
      const full = path.join(dir, name);
      const s = await stat(full).catch(() => null);
      if (!s || s.mtimeMs >= cutoff) continue;
      await rm(full, { recursive: true, force: true });
      removedFiles++;
    }
  }
  removedFiles += await sweepTusObjects(media, active, cutoff);
  return { expiredUploads, removedFiles };
}

/** The project and species an upload names must be the caller's group's (or a system species). */
async function assertMetadataInGroup(
  { db }: DbContext,
  access: GroupAccess,
  metadata: { projectId?: string | null | undefined; speciesId?: string | null | undefined },
) {
  if (metadata.projectId) await findProjectInGroup({ db }, access, metadata.projectId);
  if (metadata.speciesId) await findSpeciesForRead({ db }, access, metadata.speciesId);
}
