// Form bodies of /simple-api/: multipart (files streamed to temp files in the media staging folder, never
// held whole) or urlencoded. Temp files are removed by `cleanup`, whatever happens.
import { rm } from "node:fs/promises";
import { type StreamedFile, streamToTempFile, uploadsDir } from "@battycoda/core";
import type { FastifyRequest } from "fastify";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import { fail } from "./protocol.ts";

export interface ReceivedForm {
  fields: Record<string, string>;
  files: Map<string, StreamedFile & { filename: string }>;
  cleanup(): Promise<void>;
}

export async function receiveForm(
  req: FastifyRequest,
  deps: ServerDeps,
  fileFields: readonly string[],
): Promise<ReceivedForm> {
  const files = new Map<string, StreamedFile & { filename: string }>();
  const cleanup = async () => {
    await Promise.all([...files.values()].map((f) => rm(f.path, { force: true })));
  };
  if (!req.isMultipart()) {
    const body = req.body;
    const fields: Record<string, string> = {};
    if (body && typeof body === "object")
      for (const [k, v] of Object.entries(body))
        if (typeof v === "string" || typeof v === "number") fields[k] = String(v);
    return { fields, files, cleanup };
  }
  const fields: Record<string, string> = {};
  const tmp = uploadsDir(mediaOf(deps), "tmp");
  try {
    for await (const part of req.parts({
      limits: { fileSize: deps.config.maxUploadSizeBytes, files: fileFields.length, fields: 30 },
    })) {
      if (part.type === "field") {
        if (typeof part.value === "string") fields[part.fieldname] = part.value;
        continue;
      }
      if (!fileFields.includes(part.fieldname) || files.has(part.fieldname)) {
        part.file.resume();
        continue;
      }
      const stored = await streamToTempFile(part.file, tmp, ".part");
      files.set(part.fieldname, { ...stored, filename: part.filename || "upload" });
      if (part.file.truncated) throw fail(413, "File too large");
    }
  } catch (err) {
    await cleanup();
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw fail(413, "File too large");
    throw err;
  }
  return { fields, files, cleanup };
}
