import { z } from "zod";
import { ZId } from "../groups/groups.schemas.ts";

/** 1 PB: far above any real quota, well inside a safe integer. */
const MAX_QUOTA_BYTES = 1024 ** 5;

export const ZGroupStorage = z.object({
  groupId: z.string(),
  groupName: z.string(),
  usedBytes: z.number(),
  recordingBytes: z.number(),
  pendingUploadBytes: z.number(),
  /** null = unlimited */
  quotaBytes: z.number().nullable(),
  /** the group has no quota of its own: the site default (GROUP_STORAGE_QUOTA_MB) applies */
  quotaIsSiteDefault: z.boolean(),
});
export type TGroupStorage = z.infer<typeof ZGroupStorage>;

export const ZGroupStorageRow = ZGroupStorage.extend({
  isPersonal: z.boolean(),
  /** the group's own setting: null = site default, 0 = unlimited */
  ownQuotaBytes: z.number().nullable(),
});

export const ZListGroupStorageResponse = z.object({
  /** the site default in bytes; null = unlimited */
  siteDefaultQuotaBytes: z.number().nullable(),
  groups: z.array(ZGroupStorageRow),
});
export type TListGroupStorageResponse = z.infer<typeof ZListGroupStorageResponse>;

export const ZSetGroupStorageQuotaRequest = z.object({
  groupId: ZId,
  /** null = back to the site default; 0 = unlimited */
  quotaBytes: z.number().int().min(0).max(MAX_QUOTA_BYTES).nullable(),
});
export type TSetGroupStorageQuotaRequest = z.infer<typeof ZSetGroupStorageQuotaRequest>;
