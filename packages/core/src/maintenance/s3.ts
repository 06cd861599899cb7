// The backup store: AWS S3 or any S3-compatible server (DATABASE_BACKUP_S3_ENDPOINT).
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { Config } from "@battycoda/config";

export type BackupStoreConfig = Config["backup"];

export function createBackupS3Client(cfg: BackupStoreConfig): S3Client {
  return new S3Client({
    region: cfg.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint, forcePathStyle: true } : {}),
    ...(cfg.accessKeyId && cfg.secretAccessKey
      ? { credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } }
      : {}),
  });
}

/** S3's minimum part size is 5 MiB; bigger parts mean fewer requests for large dumps. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Streams `body` to `bucket/key` without knowing its length up front (a dump being compressed):
 * a small body is one PutObject, a large one a multipart upload that is aborted on any error so
 * no half object ever appears under the key.
 */
export async function uploadStream(
  s3: S3Client,
  target: { bucket: string; key: string; metadata?: Record<string, string>; contentType?: string },
  body: AsyncIterable<Buffer | Uint8Array | string>,
  onBytes?: (total: number) => void,
): Promise<{ size: number }> {
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
      await s3.send(new PutObjectCommand({ ...common, Body: data, ContentLength: data.length }));
      return { size: total };
    }
    if (pendingSize > 0) await flushPart();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { size: total };
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

export async function headObject(s3: S3Client, bucket: string, key: string) {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (err as Error).name === "NotFound") return null;
    throw err;
  }
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of r.Contents ?? [])
      if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export { Readable };
