// Segment tables in and out over raw HTTP (multipart upload, file download): the SPA's routes
// (cookie or API key) and the REST v1 import (API key only). Same access rules as tRPC: another
// group's recordings and segmentations are 404.
import {
  badRequest,
  type ExportFormat,
  exportSegmentation,
  type GroupAccess,
  type ImportMode,
  importSegments,
} from "@battycoda/core";
import { MAX_SEGMENT_FILE_BYTES } from "@battycoda/formats";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "../errors.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";

export const SEGMENT_FILE_FIELD = "file";
export const NOT_MULTIPART_MESSAGE = `Expected a multipart/form-data upload with a "${SEGMENT_FILE_FIELD}" file field`;
export const NO_FILE_MESSAGE = `No segment file in the "${SEGMENT_FILE_FIELD}" field`;

interface ImportForm {
  fields: Record<string, string>;
  fileName: string;
  content: Buffer;
}

/** Reads the (small) form: text fields plus one file, bounded by the segment file size limit. */
async function readImportForm(
  req: FastifyRequest,
  reply: FastifyReply,
  maxBytes: number,
): Promise<ImportForm | null> {
  if (!req.isMultipart()) {
    sendError(reply, 415, "UNSUPPORTED_MEDIA_TYPE", NOT_MULTIPART_MESSAGE);
    return null;
  }
  const fields: Record<string, string> = {};
  let file: { name: string; content: Buffer } | null = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10 } })) {
      if (part.type === "file") {
        const content = await part.toBuffer();
        if (part.fieldname === SEGMENT_FILE_FIELD) file = { name: part.filename || "segments", content };
      } else if (typeof part.value === "string") {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
      sendError(
        reply,
        413,
        "PAYLOAD_TOO_LARGE",
        `Segment files are limited to ${Math.floor(maxBytes / 1024 / 1024)} MB`,
      );
      return null;
    }
    throw err;
  }
  if (!file) {
    sendError(reply, 400, "BAD_REQUEST", NO_FILE_MESSAGE);
    return null;
  }
  return { fields, fileName: file.name, content: file.content };
}

/**
 * `mode`: "new" (default) or the id of an existing segmentation of the same recording to append to;
 * `expectedVersion` (optional) guards an append against concurrent edits.
 */
function modeOf(fields: Record<string, string>): ImportMode {
  const mode = (fields.mode ?? "new").trim();
  if (mode === "" || mode === "new") return "new";
  const into = mode.startsWith("into:") ? mode.slice(5) : mode;
  const ev = fields.expectedVersion?.trim();
  if (ev !== undefined && ev !== "" && !/^\d+$/.test(ev))
    throw badRequest("expectedVersion must be a whole number");
  return { intoSegmentationId: into, ...(ev ? { expectedVersion: Number(ev) } : {}) };
}

async function runImport(deps: ServerDeps, access: GroupAccess, recordingId: string, form: ImportForm) {
  const makeActive = form.fields.makeActive === "true" || form.fields.makeActive === "1";
  const name = form.fields.name?.trim();
  return importSegments(deps, access, {
    recordingId,
    fileName: form.fileName,
    content: form.content,
    mode: modeOf(form.fields),
    ...(name ? { name } : {}),
    makeActive,
    media: mediaOf(deps),
  });
}

function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function registerSegmentFileRoutes(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings) {
  const maxBytes = Math.min(MAX_SEGMENT_FILE_BYTES, deps.config.maxUploadSizeBytes);

  // SPA: fields recordingId, mode ("new" | <segmentationId>), name?, makeActive?, expectedVersion?, file.
  app.post("/api/segmentations/import", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    const form = await readImportForm(req, reply, maxBytes);
    if (!form) return reply;
    const recordingId = form.fields.recordingId?.trim();
    if (!recordingId) return sendError(reply, 400, "BAD_REQUEST", 'Missing the "recordingId" field');
    return reply.status(201).send(await runImport(deps, access, recordingId, form));
  });

  // REST v1 (API key only, like every /api/v1 route): the recording is in the path.
  app.post<{ Params: { recordingId: string } }>(
    "/api/v1/recordings/:recordingId/segmentations/import",
    async (req, reply) => {
      const user = await requireUser(deps, cookies, req, reply, { apiKeyOnly: true });
      if (!user) return reply;
      const access = await accessFor(deps, user, req);
      // A foreign or missing recording is refused before the body is read.
      const rec = await deps.db.recording.findFirst({
        where: { id: req.params.recordingId, groupId: access.groupId },
        select: { id: true },
      });
      if (!rec) return sendError(reply, 404, "NOT_FOUND", "Recording not found");
      const form = await readImportForm(req, reply, maxBytes);
      if (!form) return reply;
      return reply.status(201).send(await runImport(deps, access, rec.id, form));
    },
  );

  for (const [suffix, format] of [
    ["csv", "csv"],
    ["txt", "raven"],
  ] as const satisfies readonly (readonly [string, ExportFormat])[]) {
    app.get<{ Params: { segmentationId: string } }>(
      `/api/segmentations/:segmentationId/export.${suffix}`,
      async (req, reply) => {
        const user = await requireUser(deps, cookies, req, reply);
        if (!user) return reply;
        const access = await accessFor(deps, user, req);
        const file = await exportSegmentation(deps, access, req.params.segmentationId, format);
        return reply
          .header("content-type", file.contentType)
          .header("content-disposition", contentDisposition(file.fileName))
          .header("cache-control", "private, no-store")
          .send(file.body);
      },
    );
  }
}
