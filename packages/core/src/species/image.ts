import fs from "node:fs/promises";
import path from "node:path";
import type { GroupAccess } from "../access/access.ts";
import { findSpeciesForRead, findSpeciesForWrite } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError, notFound } from "../access/errors.ts";
import { randomToken } from "../auth/tokens.ts";

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

/** Resolves a MEDIA_ROOT-relative path, refusing anything that escapes MEDIA_ROOT. */
export function resolveMediaPath(mediaRoot: string, relative: string): string {
  const root = path.resolve(mediaRoot);
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) throw notFound("File");
  return full;
}

export async function removeMediaFile(mediaRoot: string, relative: string | null | undefined): Promise<void> {
  if (!relative) return;
  await fs.rm(resolveMediaPath(mediaRoot, relative), { force: true });
}

/**
 * Stores a repertoire image under MEDIA_ROOT/<group>/species/ (system species under
 * MEDIA_ROOT/system/species/) with a fresh name, so browsers never see a stale cached image,
 * then removes the previous file.
 */
export async function setSpeciesImage(
  { db }: DbContext,
  access: GroupAccess,
  mediaRoot: string,
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
  const full = resolveMediaPath(mediaRoot, relative);
  await fs.mkdir(path.dirname(full), { recursive: true });
  const tmp = `${full}.${randomToken(4)}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, full);
  try {
    await db.species.update({ where: { id: species.id }, data: { imagePath: relative } });
  } catch (err) {
    await fs.rm(full, { force: true });
    throw err;
  }
  await removeMediaFile(mediaRoot, species.imagePath);
  return { imagePath: relative, contentType: format.contentType, size: data.byteLength };
}

export async function deleteSpeciesImage(
  { db }: DbContext,
  access: GroupAccess,
  mediaRoot: string,
  speciesId: string,
) {
  const species = await findSpeciesForWrite({ db }, access, speciesId);
  if (!species.imagePath) return;
  await db.species.update({ where: { id: species.id }, data: { imagePath: null } });
  await removeMediaFile(mediaRoot, species.imagePath);
}

/** The file to stream for a species the caller may read; NOT_FOUND otherwise. */
export async function getSpeciesImageFile(
  { db }: DbContext,
  access: GroupAccess,
  mediaRoot: string,
  speciesId: string,
) {
  const species = await findSpeciesForRead({ db }, access, speciesId);
  if (!species.imagePath) throw notFound("Species image");
  const full = resolveMediaPath(mediaRoot, species.imagePath);
  const handle = await fs.open(full, "r").catch(() => null);
  if (!handle) throw notFound("Species image");
  const head = Buffer.alloc(8);
  await handle.read(head, 0, 8, 0);
  const { size } = await handle.stat();
  await handle.close();
  const format = sniffImageType(head);
  return { path: full, size, contentType: format?.contentType ?? "application/octet-stream" };
}
