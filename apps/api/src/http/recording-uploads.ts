import { open, readFile, rm } from "node:fs/promises";
import {
  assertStorageAvailable,
  attachSegmentFile,
  createRecordingFromFile,
  type GroupAccess,
  queueZipUpload,
  type StreamedFile,
  streamToTempFile,
  toRecordingDetail,
  uploadsDir,
  ZCreateRecordingResponse,
  ZRecordingMetadataInput,
  ZZipUploadResponse,
} from "@battycoda/core";
import { MAX_SEGMENT_FILE_BYTES } from "@battycoda/formats";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "../errors.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";
import { uploadLimits } from "./upload-limits.ts";

export const FILE_FIELD = "file";
export const SEGMENT_FIELD = "segmentFile";
export const METADATA_FIELDS = [
  "name",
  "description",
  "recordedDate",
  "location",
  "equipment",
  "environmentalConditions",
  "speciesId",
  "projectId",
  "timeExpansion",
] as const;
export const NOT_MULTIPART_MESSAGE = `Expected a multipart/form-data upload with a "${FILE_FIELD}" file field`;
export const NO_FILE_MESSAGE = `No file in the "${FILE_FIELD}" field`;
export const NOT_A_ZIP_MESSAGE = "Not a ZIP archive";
export const tooLargeMessage = (bytes: number) =>
  `The file is larger than the upload limit of ${Math.round(bytes / 1024 / 1024)} MB; use a resumable upload for larger files`;

/**
 * The quota is checked on the declared Content-Length before a byte is stored (the body of a
 * multipart request is a little larger than its files, so this errs towards refusing), and again
 * on what actually arrived.
 */
async function checkDeclaredLength(req: FastifyRequest, deps: ServerDeps, access: GroupAccess) {
  const declared = Number(req.headers["content-length"]);
  if (Number.isSafeInteger(declared) && declared > 0)
    await assertStorageAvailable(deps, access, declared, uploadLimits(deps.config));
}

interface Received {
  fields: Record<string, string>;
  files: Map<string, StreamedFile & { filename: string }>;
}

class TooLarge extends Error {}

/**
 * Streams every file part of a multipart request to its own temp file in the staging folder (never
 * buffered whole), collecting text fields in any order. Temp files are the caller's to remove.
 */
async function receiveMultipart(
  req: FastifyRequest,
  deps: ServerDeps,
  fileFields: readonly string[],
): Promise<Received> {
  const received: Received = { fields: {}, files: new Map() };
  const tmp = uploadsDir(mediaOf(deps), "tmp");
  try {
    for await (const part of req.parts({
      limits: { fileSize: deps.config.maxUploadSizeBytes, files: fileFields.length, fields: 30 },
    })) {
      if (part.type === "field") {
        if (typeof part.value === "string") received.fields[part.fieldname] = part.value;
        continue;
      }
      if (!fileFields.includes(part.fieldname) || received.files.has(part.fieldname)) {
        part.file.resume(); // drain parts nobody asked for
        continue;
      }
      try {
        const stored = await streamToTempFile(part.file, tmp, ".part");
        if (part.file.truncated) {
          await rm(stored.path, { force: true });
          throw new TooLarge();
        }
        received.files.set(part.fieldname, { ...stored, filename: part.filename || "upload" });
      } catch (err) {
        if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw new TooLarge();
        throw err;
      }
    }
  } catch (err) {
    await Promise.all([...received.files.values()].map((f) => rm(f.path, { force: true })));
    throw err;
  }
  return received;
}

/** Form fields → metadata; empty strings are "not given", as HTML forms send them. */
function metadataFrom(fields: Record<string, string>) {
  const raw: Record<string, string> = {};
  for (const k of METADATA_FIELDS) {
    const v = fields[k];
    if (v !== undefined && v.trim() !== "") raw[k] = v;
  }
  return ZRecordingMetadataInput.parse(raw);
}

async function withReceived(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ServerDeps,
  fileFields: readonly string[],
  fn: (r: Received) => Promise<unknown>,
) {
  if (!req.isMultipart()) return sendError(reply, 415, "UNSUPPORTED_MEDIA_TYPE", NOT_MULTIPART_MESSAGE);
  let received: Received;
  try {
    received = await receiveMultipart(req, deps, fileFields);
  } catch (err) {
    if (err instanceof TooLarge)
      return sendError(reply, 413, "PAYLOAD_TOO_LARGE", tooLargeMessage(deps.config.maxUploadSizeBytes));
    throw err;
  }
  try {
    if (!received.files.has(FILE_FIELD)) return sendError(reply, 400, "BAD_REQUEST", NO_FILE_MESSAGE);
    return await fn(received);
  } finally {
    // Handed-over files were moved already; anything left is ours to delete.
    await Promise.all([...received.files.values()].map((f) => rm(f.path, { force: true })));
  }
}

/** The single-upload path shared by the SPA route and REST v1. */
async function handleSingleUpload(deps: ServerDeps, access: GroupAccess, received: Received) {
  const metadata = metadataFrom(received.fields);
  const wav = received.files.get(FILE_FIELD);
  if (!wav) throw new Error("unreachable");
  await assertStorageAvailable(deps, access, wav.bytes, uploadLimits(deps.config));
  const { recording, job } = await createRecordingFromFile(
    { db: deps.db, boss: deps.boss, media: mediaOf(deps) },
    access,
    { tempPath: wav.path, originalFilename: wav.filename, metadata, sha256: wav.sha256 },
  );
  const seg = received.files.get(SEGMENT_FIELD);
  const segments =
    seg && seg.bytes > 0
      ? seg.bytes > MAX_SEGMENT_FILE_BYTES
        ? { status: "failed" as const, segmentFile: seg.filename, reason: "too large for a segment file" }
        : await attachSegmentFile(
            { db: deps.db, media: mediaOf(deps), boss: deps.boss },
            access,
            recording.id,
            seg.filename,
            await readFile(seg.path),
          )
      : null;
  return ZCreateRecordingResponse.parse({ recording: toRecordingDetail(recording), jobId: job.id, segments });
}

async function isZipFile(p: string): Promise<boolean> {
  const fh = await open(p, "r");
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf[0] === 0x50 && buf[1] === 0x4b && (buf[2] === 3 || buf[2] === 5);
  } finally {
    await fh.close();
  }
}

/**
 * Upload routes: multipart bodies are streamed to disk, never held in memory. See
 * README-recordings.md for the contract.
 */
export function registerRecordingUploadRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  cookies: CookieSettings,
) {
  const single = (apiKeyOnly: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const user = await requireUser(deps, cookies, req, reply, { apiKeyOnly });
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    await checkDeclaredLength(req, deps, access);
    return withReceived(req, reply, deps, [FILE_FIELD, SEGMENT_FIELD], async (received) =>
      reply.status(201).send(await handleSingleUpload(deps, access, received)),
    );
  };
  app.post("/api/recordings/upload", single(false));
  app.post("/api/v1/recordings", single(true));

  app.post("/api/recordings/upload-zip", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    await checkDeclaredLength(req, deps, access);
    return withReceived(req, reply, deps, [FILE_FIELD], async (received) => {
      const zip = received.files.get(FILE_FIELD);
      if (!zip) throw new Error("unreachable");
      if (!(await isZipFile(zip.path))) return sendError(reply, 400, "BAD_REQUEST", NOT_A_ZIP_MESSAGE);
      const metadata = metadataFrom(received.fields);
      const r = await queueZipUpload({ db: deps.db, boss: deps.boss, media: mediaOf(deps) }, access, {
        tempPath: zip.path,
        filename: zip.filename,
        metadata,
        limits: uploadLimits(deps.config),
      });
      return reply.status(202).send(ZZipUploadResponse.parse(r));
    });
  });
}
