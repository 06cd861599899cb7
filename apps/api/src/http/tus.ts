import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  completeTusUpload,
  DomainError,
  findTusUpload,
  type GroupAccess,
  HTTP_STATUS_BY_CODE,
  type MediaStore,
  registerTusUpload,
  tusDir,
  ZRecordingMetadataInput,
} from "@battycoda/core";
import { FileStore } from "@tus/file-store";
import { type DataStore, Server, type Upload } from "@tus/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { formatZodIssues, type HttpErrorBody, sendError } from "../errors.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import { METADATA_FIELDS } from "./recording-uploads.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";
import { SharedTusLocker } from "./tus-locker.ts";
import { TusS3Store } from "./tus-s3-store.ts";
import { uploadLimits } from "./upload-limits.ts";

export const TUS_PATH = "/api/uploads/tus";
export const UPLOAD_ID_HEADER = "BattyCoda-Upload-Id";
export const RECORDING_ID_HEADER = "BattyCoda-Recording-Id";
export const MISSING_FILENAME_MESSAGE = "Upload-Metadata must include a filename";
export const DEFERRED_LENGTH_MESSAGE = "Upload-Length is required (deferred lengths are not accepted)";
export const NOT_WAV_OR_ZIP_MESSAGE = "Only .wav files and .zip archives can be uploaded";

/** Ids we hand out (see namingFunction); anything else in the path is not an upload of ours. */
const TUS_ID = /^[0-9a-f]{32}$/;

interface TusCaller {
  access: GroupAccess;
  /** The upload id checked against the caller's group; the only id tus may act on. */
  tusId: string | undefined;
}

/** The caller of the request tus is handling; tus hooks see only a web Request wrapping it. */
const callers = new WeakMap<IncomingMessage, TusCaller>();

function callerOf(req: Request): TusCaller | undefined {
  const node = (req as unknown as { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req;
  return node ? callers.get(node) : undefined;
}

function accessOf(req: Request): GroupAccess {
  const caller = callerOf(req);
  if (!caller) throw tusFailure(401, "UNAUTHORIZED", "Authentication required");
  return caller.access;
}

export type TusTarget = { kind: "collection" } | { kind: "upload"; tusId: string } | { kind: "invalid" };

/**
 * What a tus URL addresses, from its path alone: the query never names an upload. @tus/server on its
 * own takes the id after the last `/` of the whole URL, query included, so `/tus/MINE?x=/THEIRS`
 * would pass our group check on MINE and act on THEIRS. Only exact `<TUS_PATH>/<id>` is an upload;
 * encoded slashes, extra segments and trailing slashes are not.
 */
export function tusTarget(url: string): TusTarget {
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  if (pathname === TUS_PATH) return { kind: "collection" };
  const prefix = `${TUS_PATH}/`;
  if (!pathname.startsWith(prefix)) return { kind: "invalid" };
  const id = pathname.slice(prefix.length);
  return TUS_ID.test(id) ? { kind: "upload", tusId: id } : { kind: "invalid" };
}

/**
 * The `{status_code, body}` object tus turns into a response, its body the JSON error shape of the
 * other raw routes so the upload page shows our message (a quota, a WAV parser's reason) as is.
 */
function tusFailure(status: number, code: string, message: string, details?: unknown) {
  const body: HttpErrorBody = { error: { code, message, ...(details !== undefined ? { details } : {}) } };
  return { status_code: status, body: `${JSON.stringify(body)}\n` };
}

/** DomainError/ZodError → a tus failure; anything else is a bug and stays a 500. */
function tusError(err: unknown): { status_code: number; body: string } {
  if (err instanceof DomainError)
    return tusFailure(HTTP_STATUS_BY_CODE[err.code], err.code, err.message, err.details);
  if (err instanceof ZodError) return tusFailure(400, "BAD_REQUEST", formatZodIssues(err));
  throw err;
}

function metadataOf(upload: Upload) {
  const m = upload.metadata ?? {};
  const raw: Record<string, string> = {};
  for (const k of METADATA_FIELDS) {
    const v = m[k];
    if (typeof v === "string" && v.trim() !== "") raw[k] = v;
  }
  return ZRecordingMetadataInput.parse(raw);
}

/**
 * Where partial uploads live: with local media, files in the store's staging folder (the media
 * disk); with S3 media, objects under the media prefix, so every API host sees every upload.
 */
function tusDatastore(deps: ServerDeps, media: MediaStore): DataStore {
  if (media.kind === "local") return new FileStore({ directory: tusDir(media) });
  const s3 = deps.config.mediaStorage.s3;
  if (!s3) throw new Error("MEDIA_S3_BUCKET is not set: resumable uploads have no bucket to go to");
  return new TusS3Store(s3);
}

/**
 * Resumable uploads (tus 1.0) under /api/uploads/tus. Fastify authenticates the request (cookie or
 * API key) and checks that the upload id belongs to the caller's group before @tus/server sees the
 * raw request; the body is passed through untouched (no parser buffers it). Partial uploads live
 * where tusDatastore puts them; the worker's housekeeping removes those idle for 24 h.
 */
export async function registerTusRoutes(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings) {
  const recordingDeps = { db: deps.db, boss: deps.boss, media: mediaOf(deps) };
  // Without a database URL (some tests) there is one host and tus's own in-process lock suffices.
  const locker = deps.config.databaseUrl
    ? new SharedTusLocker(deps.config.databaseUrl, (err) => app.log.error({ err }, "tus upload locks"))
    : undefined;
  if (locker) app.addHook("onClose", () => locker.close());
  const tus = new Server({
    path: TUS_PATH,
    datastore: tusDatastore(deps, recordingDeps.media),
    ...(locker ? { locker } : {}),
    maxSize: deps.config.maxResumableUploadSizeBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    // same-origin only, like the rest of the API: no CORS headers
    allowedOrigins: [],
    exposedHeaders: [UPLOAD_ID_HEADER, RECORDING_ID_HEADER],
    namingFunction: () => randomBytes(16).toString("hex"),
    // never let tus parse the URL itself: the id is the one the route checked (see tusTarget)
    getFileIdFromRequest: (req) => callerOf(req)?.tusId,
    async onUploadCreate(req, upload) {
      const access = accessOf(req);
      const filename = upload.metadata?.filename ?? upload.metadata?.name ?? "";
      if (!filename) throw tusFailure(400, "BAD_REQUEST", MISSING_FILENAME_MESSAGE);
      if (!/\.(wav|zip)$/i.test(filename)) throw tusFailure(400, "BAD_REQUEST", NOT_WAV_OR_ZIP_MESSAGE);
      // the quota is checked on the declared length, so it must be declared up front
      if (upload.size === undefined) throw tusFailure(400, "BAD_REQUEST", DEFERRED_LENGTH_MESSAGE);
      try {
        await registerTusUpload(
          deps,
          access,
          { tusId: upload.id, filename, size: upload.size, metadata: metadataOf(upload) },
          uploadLimits(deps.config),
        );
      } catch (err) {
        throw tusError(err);
      }
      return {};
    },
    async onUploadFinish(req, upload) {
      const access = accessOf(req);
      try {
        const done = await completeTusUpload(recordingDeps, access, upload.id, uploadLimits(deps.config));
        return {
          headers: {
            [UPLOAD_ID_HEADER]: done.uploadId,
            ...(done.kind === "recording" ? { [RECORDING_ID_HEADER]: done.recordingId } : {}),
          },
        };
      } catch (err) {
        throw tusError(err);
      }
    },
  });

  await app.register(async (scope) => {
    // tus bodies must reach @tus/server as the raw stream
    scope.addContentTypeParser("application/offset+octet-stream", (_req, _payload, done) => done(null));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.method === "GET")
        return sendError(reply, 405, "METHOD_NOT_SUPPORTED", "Use HEAD to query an upload");
      const target = tusTarget(req.url);
      const allowed =
        target.kind === "collection"
          ? ["POST", "OPTIONS"]
          : target.kind === "upload"
            ? ["HEAD", "PATCH", "DELETE", "OPTIONS"]
            : ["OPTIONS"];
      if (target.kind === "invalid" && req.method !== "OPTIONS")
        return sendError(reply, 404, "NOT_FOUND", "Upload not found");
      if (!allowed.includes(req.method))
        return sendError(reply, 405, "METHOD_NOT_SUPPORTED", `${req.method} is not supported here`);
      const user = await requireUser(deps, cookies, req, reply);
      if (!user) return reply;
      const access = await accessFor(deps, user, req);
      const tusId = target.kind === "upload" && req.method !== "OPTIONS" ? target.tusId : undefined;
      if (tusId !== undefined) {
        // another group's id is 404 before tus ever touches the file
        const upload = await findTusUpload(deps, access, tusId);
        if (req.method === "DELETE")
          await deps.db.upload.update({
            where: { id: upload.id },
            data: { status: "failed", error: "Cancelled", tempPath: null },
          });
      }
      callers.set(req.raw, { access, tusId });
      // tus needs no query; dropping it leaves nothing else in the URL to read an id from
      req.raw.url = req.url.split("?")[0] ?? req.url;
      reply.hijack();
      await tus.handle(req.raw, reply.raw);
    };
    scope.all(TUS_PATH, handler);
    scope.all(`${TUS_PATH}/*`, handler);
  });
}
