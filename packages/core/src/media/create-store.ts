// Picks the media backend from the configuration: MEDIA_STORAGE=local (default) or s3.
import type { Config } from "@battycoda/config";
import { LocalMediaStore } from "./local-store.ts";
import { S3MediaStore } from "./s3-store.ts";
import type { MediaStore } from "./store.ts";

export type MediaStoreConfig = Pick<Config, "mediaRoot" | "mediaStorage">;

export function createMediaStore(config: MediaStoreConfig, kind = config.mediaStorage.kind): MediaStore {
  if (kind === "local") return new LocalMediaStore(config.mediaRoot);
  const { s3, cacheDir, cacheMaxBytes } = config.mediaStorage;
  // loadConfig refuses MEDIA_STORAGE=s3 without a bucket; this is for `migrate-media --to s3`.
  if (!s3) throw new Error("MEDIA_S3_BUCKET is not set: there is no S3 media store to use");
  return new S3MediaStore({ s3, cacheDir, cacheMaxBytes });
}
