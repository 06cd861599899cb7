// The backup store: AWS S3 or any S3-compatible server (DATABASE_BACKUP_S3_ENDPOINT). The S3
// plumbing itself is shared with the S3 media store (../s3/client.ts).
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "@battycoda/config";
import { createS3Client, type ListedObject } from "../s3/client.ts";

export { downloadStream, headObject, listObjects, Readable, uploadStream } from "../s3/client.ts";

export type BackupStoreConfig = Config["backup"];
export type StoredObject = ListedObject;

export function createBackupS3Client(cfg: BackupStoreConfig): S3Client {
  return createS3Client(cfg);
}
