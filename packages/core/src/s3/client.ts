// S3 plumbing shared by the database backups and the S3 media store: one way to build a client
// from a bucket's settings, and one streaming upload that never leaves half an object behind.
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { S3StoreSettings } from "@battycoda/config";

export type S3StoreConfig = S3StoreSettings;

/**
 * The client settings for a bucket, for code that builds its own client (@tus/s3-store): the same
 * endpoint, addressing and checksum choices as createS3Client.
 */
export function s3ClientConfig(cfg: S3StoreConfig): S3ClientConfig {
  return {
    region: cfg.region,
    ...(cfg.endpoint
      ? {
          endpoint: cfg.endpoint,
          forcePathStyle: true,
          // S3-compatible servers (MinIO, Ceph, Garage, s3rver) lag behind the SDK's default
          // flexible checksums; send and check them only where the S3 API requires them.
          requestChecksumCalculation: "WHEN_REQUIRED" as const,
          responseChecksumValidation: "WHEN_REQUIRED" as const,
        }
      : {}),
    ...(cfg.accessKeyId && cfg.secretAccessKey
      ? { credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } }
      : {}),
  };
}

export function createS3Client(cfg: S3StoreConfig): S3Client {
  return new S3Client(s3ClientConfig(cfg));
}

/** A missing key or bucket entry: GetObject says NoSuchKey, HeadObject only a bare 404. */
export function isS3NotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return (
    e?.name === "NoSuchKey" ||
    e?.name === "NotFound" ||
    e?.Code === "NoSuchKey" ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/** S3's minimum part size is 5 MiB; bigger parts mean fewer requests for large objects. */
const PART_SIZE = 8 * 1024 * 1024;

export interface UploadTarget {
  bucket: string;
  key: string;
  metadata?: Record<string, string>;
  contentType?: string;
}

/**
 * Streams `body` to `bucket/key` without knowing its length up front: a small body is one
 * PutObject sent after the body ended, a large one a multipart upload that is aborted on any
 * error (including the body's own), so no half object ever appears under the key.
 */
export async function uploadStream(
  s3: S3Client,
  target: UploadTarget,
  body: AsyncIterable<Buffer | Uint8Array | string>,
  onBytes?: (total: number) => void,
): Promise<{ size: number; etag: string | undefined }> {
  const common = {
    Bucket: target.bucket,
    Key: target.key,
    ContentType: target.contentType ?? "application/gzip",
    ...(target.metadata ? { Metadata: target.metadata } : {}),
  };
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let total = 0;
  let uploadId: string | undefined;
  const parts: { ETag: string; PartNumber: number }[] = [];

  const flushPart = async () => {
    const data = Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    if (!uploadId) {
      const created = await s3.send(new CreateMultipartUploadCommand(common));
      if (!created.UploadId) throw new Error("S3 did not start a multipart upload");
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    const r = await s3.send(
      new UploadPartCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        PartNumber,
        Body: data,
      }),
    );
    parts.push({ ETag: r.ETag ?? "", PartNumber });
  };

  try {
    for await (const chunk of body) {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
      pending.push(b);
      pendingSize += b.length;
      total += b.length;
      onBytes?.(total);
      if (pendingSize >= PART_SIZE) await flushPart();
    }
    if (!uploadId) {
      const data = Buffer.concat(pending, pendingSize);
      const put = await s3.send(new PutObjectCommand({ ...common, Body: data, ContentLength: data.length }));
      return { size: total, etag: put.ETag };
    }
    if (pendingSize > 0) await flushPart();
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { size: total, etag: done.ETag };
  } catch (err) {
    if (uploadId)
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
        .catch(() => {});
    throw err;
  }
}

export async function downloadStream(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!r.Body) throw new Error(`S3 returned no body for ${key}`);
  return r.Body as Readable;
}

/** HeadObject, or null when the key does not exist. */
export async function headObject(s3: S3Client, bucket: string, key: string) {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if (isS3NotFound(err)) return null;
    throw err;
  }
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * Every object under `prefix`, one page (≤ 1000 keys) at a time. ListObjects (v1, paged by
 * Marker = the last key seen) rather than v2: every S3-compatible server has it, and s3rver's v2
 * continuation tokens need the DES cipher, which Node's OpenSSL 3 no longer offers, so a
 * truncated v2 listing fails there with InternalError.
 */
export async function* listObjectPages(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListedObject[]> {
  let after: string | undefined;
  for (;;) {
    const r = await s3.send(
      new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, ...(after ? { Marker: after } : {}) }),
    );
    const page: ListedObject[] = [];
    for (const o of r.Contents ?? [])
      if (o.Key) page.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
    yield page;
    const last = r.Contents?.at(-1)?.Key;
    if (!r.IsTruncated || !last) return;
    after = last;
  }
}

export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for await (const page of listObjectPages(s3, bucket, prefix)) out.push(...page);
  return out;
}

export { Readable };
