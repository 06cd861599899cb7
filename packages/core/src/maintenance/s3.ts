// The backup store: AWS S3 or any S3-compatible server (DATABASE_BACKUP_S3_ENDPOINT). The S3
// plumbing itself is shared with the S3 media store (../s3/client.ts).
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "@battycoda/config";
import { DomainError } from "../access/errors.ts";
import { createS3Client, type ListedObject } from "../s3/client.ts";

export { downloadStream, headObject, listObjects, Readable, uploadStream } from "../s3/client.ts";

export type BackupStoreConfig = Config["backup"];
export type StoredObject = ListedObject;

export function createBackupS3Client(cfg: BackupStoreConfig): S3Client {
  return createS3Client(cfg);
}

/**
 * What an admin can act on when the backup store fails, instead of the AWS SDK's own words ("Could not load
 * credentials from any providers" says nothing about which setting is missing). Unknown errors pass through.
 */
export function explainBackupStoreError(err: unknown, cfg: BackupStoreConfig): Error {
  const e = err as { name?: string; code?: string; message?: string; Code?: string };
  const where = `s3://${cfg.bucket}/${cfg.prefix}${cfg.endpoint ? ` at ${cfg.endpoint}` : ""}`;
  // S3 error codes come as `Code` or `name`, Node's network errors as `code` (with name "Error").
  const codes = [e?.Code, e?.name, e?.code].filter((c): c is string => typeof c === "string");
  const code = (list: string[]) => codes.find((c) => list.includes(c));
  const message = e?.message ?? String(err);
  let why: string | null = null;
  const refused = code(["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "Forbidden"]);
  const away = code(["ENOTFOUND", "ECONNREFUSED", "EAI_AGAIN", "ETIMEDOUT", "TimeoutError"]);
  if (code(["CredentialsProviderError"]) || /Could not load credentials/i.test(message))
    why =
      `no S3 credentials: set DATABASE_BACKUP_S3_ACCESS_KEY_ID and DATABASE_BACKUP_S3_SECRET_ACCESS_KEY (and ` +
      "DATABASE_BACKUP_S3_ENDPOINT for MinIO or another S3-compatible server), or run where the AWS SDK finds " +
      "credentials (an instance role). Until then no backups are made";
  else if (code(["NoSuchBucket"]))
    why = `the bucket ${cfg.bucket} does not exist: create it, or set DATABASE_BACKUP_BUCKET to one that does`;
  else if (refused)
    why = `the store refused the credentials (${refused}): check DATABASE_BACKUP_S3_ACCESS_KEY_ID and the secret, and the key's rights on the bucket`;
  else if (away)
    why = `the store cannot be reached (${away}): check DATABASE_BACKUP_S3_ENDPOINT and the network`;
  if (!why) return err instanceof Error ? err : new Error(message);
  return new DomainError("PRECONDITION_FAILED", `Backup store ${where}: ${why}.`);
}

/** Runs one call on the backup store, with its failure explained (explainBackupStoreError). */
export async function onBackupStore<T>(cfg: BackupStoreConfig, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainBackupStoreError(err, cfg);
  }
}
