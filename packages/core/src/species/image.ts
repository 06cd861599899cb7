import path from "node:path";
import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForRead, findSpeciesForWrite } from "../access/access.ts";
import type { MediaContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { randomToken } from "../auth/tokens.ts";
import { assertMediaKey, type MediaStore } from "../media/store.ts";

export const SPECIES_IMAGE_MAX_BYTES = 10 * 1024 * 1024;

const FORMATS = [
  {
    ext: "png",
    contentType: "image/png",
    magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { ext: "jpg", contentType: "image/jpeg", magic: Buffer.from([0xff, 0xd8, 0xff]) },
] as const;

/** Trust the bytes, not the filename or the client's Content-Type. */
export function sniffImageType(data: Uint8Array) {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return (
    FORMATS.find((f) => buf.length >= f.magic.length && buf.subarray(0, f.magic.length).equals(f.magic)) ??
    null
  );
}

export const INVALID_IMAGE_MESSAGE = "Only JPEG and PNG images are accepted";
export const imageTooLargeMessage = (maxBytes: number) =>
  `Image is too large (at most ${Math.floor(maxBytes / (1024 * 1024))} MB)`;

export async function removeMediaFile(media: MediaStore, relative: string | null | undefined): Promise<void> {
  if (!relative) return;
  await media.delete(relative);
}

/**
 * Stores a repertoire image under <group>/species/ in the media store (system species under
 * system/species/) with a fresh name, so browsers never see a stale cached image,
 * then removes the previous file.
 */
export async function setSpeciesImage(
  { db, media }: MediaContext,
  access: GroupAccess,
  speciesId: string,
  data: Uint8Array,
  maxBytes = SPECIES_IMAGE_MAX_BYTES,
) {
  const species = await findSpeciesForWrite({ db }, access, speciesId);
  if (data.byteLength > maxBytes) throw new DomainError("PAYLOAD_TOO_LARGE", imageTooLargeMessage(maxBytes));
  const format = sniffImageType(data);
  if (!format) throw new DomainError("UNSUPPORTED_MEDIA_TYPE", INVALID_IMAGE_MESSAGE);

  const relative = path.posix.join(
    species.groupId ?? "system",
    "species",
    `${species.id}-${randomToken(6)}.${format.ext}`,
  );
  await media.write(relative, data);
  try {
    await db.species.update({ where: { id: species.id }, data: { imagePath: relative } });
  } catch (err) {
    await media.delete(relative);
    throw err;
  }
  await removeMediaFile(media, species.imagePath);
  return { imagePath: relative, contentType: format.contentType, size: data.byteLength };
}

export async function deleteSpeciesImage(
  { db, media }: MediaContext,
  access: GroupAccess,
  speciesId: string,
) {
  const species = await findSpeciesForWrite({ db }, access, speciesId);
  if (!species.imagePath) return;
  await db.species.update({ where: { id: species.id }, data: { imagePath: null } });
  await removeMediaFile(media, species.imagePath);
}

/** The image of a species the caller may read (bytes, a few MB at most); NOT_FOUND otherwise. */
export async function getSpeciesImageFile(
  { db, media }: MediaContext,
  access: GroupAccess,
  speciesId: string,
) {
  const species = await findSpeciesForRead({ db }, access, speciesId);
  if (!species.imagePath) throw notFound("Species image");
  let data: Buffer;
  try {
    data = await media.read(assertMediaKey(species.imagePath));
  } catch {
    throw notFound("Species image");
  }
  const format = sniffImageType(data);
  return { data, size: data.length, contentType: format?.contentType ?? "application/octet-stream" };
}
