// Where the bytes of a resumable (tus) upload are until its last byte arrives. Local media:
// @tus/file-store files in the staging folder (the media disk). S3 media: @tus/s3-store objects
// under the media prefix, `.uploads/tus/<id>` (a multipart upload until complete), `<id>.info`
// and `<id>.part` (a tail shorter than an S3 part), so that any API host can take the next PATCH.
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { AbortMultipartUploadCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { uploadsDir } from "../media/media.ts";
import { S3MediaStore } from "../media/s3-store.ts";
import type { MediaStore } from "../media/store.ts";
import { headObject, isS3NotFound } from "../s3/client.ts";

/** The local folder of FileStore uploads (local media) and of finished uploads being staged (S3). */
export function tusDir(media: { stagingDir: string }): string {
  return uploadsDir(media, "tus");
}

const TUS_KEYS = ".uploads/tus";

/** Media key of a tus object: `<id>`, `<id>.info` or `<id>.part`. */
export function tusObjectKey(name: string): string {
  return `${TUS_KEYS}/${name}`;
}

const TUS_OBJECT = /^([0-9a-f]{32})(\.info|\.part)?$/;

interface TusS3 {
  client: S3Client;
  bucket: string;
  /** Bucket key of a tus object. */
  key(name: string): string;
}

function tusS3(media: MediaStore): TusS3 | null {
  if (media.kind !== "s3") return null;
  if (!(media instanceof S3MediaStore)) throw new Error("tus uploads in S3 need the S3 media store");
  // S3MediaStore keeps its bucket private; `location` is documented as s3://<bucket>/<prefix>.
  const bucket = /^s3:\/\/([^/]+)\//.exec(media.location)?.[1];
  if (!bucket) throw new Error(`Not an S3 location: ${media.location}`);
  return { client: media.client, bucket, key: (name) => media.objectKey(tusObjectKey(name)) };
}

/** The multipart upload @tus/s3-store opened for `id`, named in its info object's metadata. */
async function multipartOf(s3: TusS3, id: string): Promise<string | null> {
  const info = await headObject(s3.client, s3.bucket, s3.key(`${id}.info`));
  return info?.Metadata?.["upload-id"] ?? null;
}

/**
 * A finished upload as a local file at `<tusDir>/<id>`, for the WAV validation and the ZIP checks
 * that read files. Local media: the FileStore file is there already. S3: the completed object is
 * downloaded; nothing is left behind if that fails.
 */
export async function stageFinishedTusUpload(media: MediaStore, id: string): Promise<string> {
  const file = path.join(tusDir(media), id);
  if (media.kind !== "s3") return file;
  await mkdir(tusDir(media), { recursive: true });
  try {
    await pipeline(await media.createReadStream(tusObjectKey(id)), createWriteStream(file));
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return file;
}

/**
 * Removes everything tus keeps for an upload, finished or not: the local files, or the S3 objects
 * and the multipart upload (whose parts S3 keeps, invisibly and billed, until it is aborted).
 * Returns how many files or objects were there.
 */
export async function deleteTusUpload(media: MediaStore, id: string): Promise<number> {
  let removed = 0;
  const file = path.join(tusDir(media), id);
  for (const f of [file, `${file}.json`])
    if (
      await stat(f).then(
        () => true,
        () => false,
      )
    ) {
      await rm(f, { force: true });
      removed++;
    }
  const s3 = tusS3(media);
  if (!s3) return removed;
  const uploadId = await multipartOf(s3, id);
  if (uploadId)
    await s3.client
      .send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: s3.key(id), UploadId: uploadId }))
      .catch((err) => {
        // completed or already aborted
        if (!isS3NotFound(err)) throw err;
      });
  // the info object last: it names the multipart upload
  for (const name of [id, `${id}.part`, `${id}.info`]) {
    const key = tusObjectKey(name);
    if (await media.stat(key)) {
      await media.delete(key);
      removed++;
    }
  }
  return removed;
}

/**
 * When bytes of the upload last arrived (ms since the epoch, 0 if nothing is stored). Local: the
 * FileStore file's mtime. S3: the newest of its objects and of its multipart upload's parts, which
 * every PATCH adds to.
 */
export async function tusLastActivity(media: MediaStore, id: string): Promise<number> {
  const s3 = tusS3(media);
  if (!s3)
    return stat(path.join(tusDir(media), id)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
  let last = 0;
  for (const name of [id, `${id}.info`, `${id}.part`])
    last = Math.max(last, (await media.stat(tusObjectKey(name)))?.modified?.getTime() ?? 0);
  const uploadId = await multipartOf(s3, id);
  let marker: string | undefined;
  while (uploadId) {
    const r = await s3.client
      .send(
        new ListPartsCommand({
          Bucket: s3.bucket,
          Key: s3.key(id),
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      )
      .catch((err) => {
        if (isS3NotFound(err)) return null;
        throw err;
      });
    for (const p of r?.Parts ?? []) last = Math.max(last, p.LastModified?.getTime() ?? 0);
    if (!r?.IsTruncated || !r.NextPartNumberMarker) break;
    marker = r.NextPartNumberMarker;
  }
  return last;
}

/**
 * S3 only: removes the tus objects (and multipart uploads) of ids that are not `active` and saw no
 * bytes since `cutoff`: uploads whose row is gone, cancelled ones, leftovers of a completion that
 * could not clean up. Local leftovers are files in tusDir, swept with the other temp folders.
 */
export async function sweepTusObjects(
  media: MediaStore,
  active: ReadonlySet<string>,
  cutoff: number,
): Promise<number> {
  if (!tusS3(media)) return 0;
  const ids = new Set<string>();
  for await (const o of media.list(TUS_KEYS)) {
    const id = TUS_OBJECT.exec(o.key.slice(TUS_KEYS.length + 1))?.[1];
    if (id && !active.has(id)) ids.add(id);
  }
  let removed = 0;
  for (const id of ids)
    if ((await tusLastActivity(media, id)) < cutoff) removed += await deleteTusUpload(media, id);
  return removed;
}
