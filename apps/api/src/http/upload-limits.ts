import type { Config } from "@battycoda/config";
import type { UploadLimits } from "@battycoda/core";

/** The configured quota and ZIP disk share, as the core upload checks take them. */
export function uploadLimits(config: Config): UploadLimits {
  return { groupStorageQuotaBytes: config.groupStorageQuotaBytes, zipMaxDiskShare: config.zipMaxDiskShare };
}
