import {
  deleteSpeciesImage,
  findSpeciesForWrite,
  getSpeciesImageFile,
  INVALID_IMAGE_MESSAGE,
  imageTooLargeMessage,
  SPECIES_IMAGE_MAX_BYTES,
  setSpeciesImage,
  speciesImageUrl,
} from "@battycoda/core";
import type { FastifyInstance } from "fastify";
import { sendError } from "../errors.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";

export const IMAGE_FIELD = "image";
export const NOT_MULTIPART_MESSAGE = `Expected a multipart/form-data upload with an "${IMAGE_FIELD}" file field`;
export const NO_IMAGE_MESSAGE = `No file in the "${IMAGE_FIELD}" field`;

interface Params {
  speciesId: string;
}

/**
 * Repertoire images: raw HTTP because they are multipart uploads and file downloads. Same access
 * rules as everything else (cookie or API key; foreign species are 404; system species are
 * writable by site admins only). DomainErrors are turned into responses by the server's error handler.
 */
export function registerSpeciesImageRoutes(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings) {
  const maxBytes = Math.min(SPECIES_IMAGE_MAX_BYTES, deps.config.maxUploadSizeBytes);

  app.post<{ Params: Params }>("/api/species/:speciesId/image", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    // Refuse before reading the body: a foreign or read-only species never receives bytes.
    await findSpeciesForWrite(deps, access, req.params.speciesId);
    if (!req.isMultipart()) return sendError(reply, 415, "UNSUPPORTED_MEDIA_TYPE", NOT_MULTIPART_MESSAGE);

    const part = await req.file({ limits: { fileSize: maxBytes, files: 1 } });
    if (!part || part.fieldname !== IMAGE_FIELD)
      return sendError(reply, 400, "BAD_REQUEST", NO_IMAGE_MESSAGE);
    let data: Buffer;
    try {
      data = await part.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
        return sendError(reply, 413, "PAYLOAD_TOO_LARGE", imageTooLargeMessage(maxBytes));
      }
      throw err;
    }
    if (data.byteLength === 0) return sendError(reply, 400, "BAD_REQUEST", INVALID_IMAGE_MESSAGE);
    const stored = await setSpeciesImage(
      { db: deps.db, media: mediaOf(deps) },
      access,
      req.params.speciesId,
      data,
      maxBytes,
    );
    const species = await deps.db.species.findUniqueOrThrow({ where: { id: req.params.speciesId } });
    return reply.status(201).send({
      imageUrl: speciesImageUrl(species.id, species.updatedAt),
      contentType: stored.contentType,
      size: stored.size,
    });
  });

  app.get<{ Params: Params }>("/api/species/:speciesId/image", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    const file = await getSpeciesImageFile(
      { db: deps.db, media: mediaOf(deps) },
      access,
      req.params.speciesId,
    );
    return (
      reply
        .header("content-type", file.contentType)
        .header("content-length", file.size)
        // URLs carry ?v=<updatedAt>, so a changed image gets a new URL; private: access-checked.
        .header("cache-control", "private, max-age=86400")
        .send(file.data)
    );
  });

  app.delete<{ Params: Params }>("/api/species/:speciesId/image", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    await deleteSpeciesImage({ db: deps.db, media: mediaOf(deps) }, access, req.params.speciesId);
    return reply.status(204).send();
  });
}
