import { mkdir, statfs } from "node:fs/promises";
import {
  inspectZip,
  ZipFormatError,
  ZipLimitError,
  ZipOverlapError,
  type ZipSummary,
} from "@battycoda/formats";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext, MediaContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError, notFound } from "../access/errors.ts";
import type { TGroupStorage, TListGroupStorageResponse } from "./storage.schemas.ts";

/** Site-wide upload limits (from config: GROUP_STORAGE_QUOTA_MB, ZIP_MAX_DISK_SHARE). */
export interface UploadLimits {
  /** quota of a group whose own `storageQuotaBytes` is null; 0 = unlimited */
  groupStorageQuotaBytes: number;
  /** share (0–1] of the free space of the staging disk one ZIP may declare */
  zipMaxDiskShare: number;
}

/** usedBytes = stored recording files + declared length of resumable uploads still being received */
export type GroupStorage = TGroupStorage;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** A group's own quota wins; null falls back to the site default; 0 at either level means unlimited. */
export function effectiveQuota(own: bigint | null, siteDefaultBytes: number): number | null {
  const q = own === null ? siteDefaultBytes : Number(own);
  return q > 0 ? q : null;
}

/**
 * What a group stores, as the quota counts it: the files of its recordings (`Recording.fileSize`,
 * parts of split recordings included, since they are files of their own) and the declared length
 * of its resumable uploads still being received (space they have reserved). Spectrograms, exports
 * and models are not counted. `excludeUploadId` leaves out the upload being checked itself.
 */
export async function groupStorage(
  { db }: DbContext,
  groupId: string,
  limits: Pick<UploadLimits, "groupStorageQuotaBytes">,
  excludeUploadId?: string,
): Promise<GroupStorage> {
  const group = await db.group.findUnique({
    where: { id: groupId },
    select: { name: true, storageQuotaBytes: true },
  });
  if (!group) throw notFound("Group");
  const [recordings, pending] = await Promise.all([
    db.recording.aggregate({ where: { groupId }, _sum: { fileSize: true } }),
    db.upload.aggregate({
      where: {
        groupId,
        kind: "tus",
        status: "receiving",
        ...(excludeUploadId ? { id: { not: excludeUploadId } } : {}),
      },
      _sum: { size: true },
    }),
  ]);
  const recordingBytes = Number(recordings._sum.fileSize ?? 0n);
  const pendingUploadBytes = Number(pending._sum.size ?? 0n);
  return {
    groupId,
    groupName: group.name,
    usedBytes: recordingBytes + pendingUploadBytes,
    recordingBytes,
    pendingUploadBytes,
    quotaBytes: effectiveQuota(group.storageQuotaBytes, limits.groupStorageQuotaBytes),
    quotaIsSiteDefault: group.storageQuotaBytes === null,
  };
}

/**
 * Refuses an upload that would take the caller's group past its quota, before anything of it is
 * kept. A soft limit: two uploads checked at the same moment can both pass.
 */
export async function assertStorageAvailable(
  { db }: DbContext,
  access: GroupAccess,
  incomingBytes: number,
  limits: Pick<UploadLimits, "groupStorageQuotaBytes">,
  excludeUploadId?: string,
): Promise<GroupStorage> {
  const s = await groupStorage({ db }, access.groupId, limits, excludeUploadId);
  if (s.quotaBytes !== null && s.usedBytes + incomingBytes > s.quotaBytes) {
    throw new DomainError(
      "PAYLOAD_TOO_LARGE",
      `Storage quota exceeded: the group uses ${formatBytes(s.usedBytes)} of its ${formatBytes(s.quotaBytes)} quota and this upload needs ${formatBytes(incomingBytes)}`,
      { usedBytes: s.usedBytes, quotaBytes: s.quotaBytes, incomingBytes },
    );
  }
  return s;
}

/** Free bytes under `dir` for an unprivileged writer. */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/**
 * Everything a ZIP can be refused for without unpacking it, checked before it is accepted:
 * unreadable, overlapping entries, more entries or declared bytes than the reader allows, more
 * declared bytes than `zipMaxDiskShare` of the free disk or than the group's remaining quota.
 * The reader later holds every entry to its declared size, so the declared total bounds what the
 * archive can write.
 */
export async function checkZipBeforeAccepting(
  { db, media }: MediaContext,
  access: GroupAccess,
  zipPath: string,
  limits: UploadLimits,
  excludeUploadId?: string,
): Promise<ZipSummary> {
  let summary: ZipSummary;
  try {
    summary = await inspectZip(zipPath);
  } catch (err) {
    if (err instanceof ZipOverlapError)
      throw new DomainError("BAD_REQUEST", `Refused ZIP archive: ${err.message}`);
    if (err instanceof ZipLimitError)
      throw new DomainError("PAYLOAD_TOO_LARGE", `Refused ZIP archive: ${err.message}`);
    if (err instanceof ZipFormatError)
      throw new DomainError("BAD_REQUEST", `Not a readable ZIP archive: ${err.message}`);
    throw err;
  }
  // The archive is unpacked entry by entry in the staging folder (then each file goes to the store).
  await mkdir(media.stagingDir, { recursive: true });
  const free = await freeDiskBytes(media.stagingDir);
  const allowed = Math.floor(free * limits.zipMaxDiskShare);
  if (summary.declaredUncompressedBytes > allowed) {
    throw new DomainError(
      "PAYLOAD_TOO_LARGE",
      `Refused ZIP archive: it unpacks to ${formatBytes(summary.declaredUncompressedBytes)}, more than the ${formatBytes(allowed)} allowed (${limits.zipMaxDiskShare} of the ${formatBytes(free)} free on the server)`,
      { declaredBytes: summary.declaredUncompressedBytes, allowedBytes: allowed },
    );
  }
  await assertStorageAvailable({ db }, access, summary.declaredUncompressedBytes, limits, excludeUploadId);
  return summary;
}

const LIST_LIMIT = 1000;

/** Every group's usage and quota, largest users first (site admins: the admin page's quota table). */
export async function listGroupStorage(
  { db }: DbContext,
  limits: Pick<UploadLimits, "groupStorageQuotaBytes">,
): Promise<TListGroupStorageResponse> {
  const [groups, recordings, pending] = await Promise.all([
    db.group.findMany({
      select: { id: true, name: true, isPersonal: true, storageQuotaBytes: true },
      orderBy: { createdAt: "asc" },
      take: LIST_LIMIT,
    }),
    db.recording.groupBy({ by: ["groupId"], _sum: { fileSize: true } }),
    db.upload.groupBy({
      by: ["groupId"],
      where: { kind: "tus", status: "receiving" },
      _sum: { size: true },
    }),
  ]);
  const rec = new Map(recordings.map((r) => [r.groupId, Number(r._sum.fileSize ?? 0n)]));
  const pend = new Map(pending.map((r) => [r.groupId, Number(r._sum.size ?? 0n)]));
  const rows = groups.map((g) => {
    const recordingBytes = rec.get(g.id) ?? 0;
    const pendingUploadBytes = pend.get(g.id) ?? 0;
    return {
      groupId: g.id,
      groupName: g.name,
      isPersonal: g.isPersonal,
      usedBytes: recordingBytes + pendingUploadBytes,
      recordingBytes,
      pendingUploadBytes,
      quotaBytes: effectiveQuota(g.storageQuotaBytes, limits.groupStorageQuotaBytes),
      quotaIsSiteDefault: g.storageQuotaBytes === null,
      ownQuotaBytes: g.storageQuotaBytes === null ? null : Number(g.storageQuotaBytes),
    };
  });
  rows.sort((a, b) => b.usedBytes - a.usedBytes);
  return {
    siteDefaultQuotaBytes: limits.groupStorageQuotaBytes > 0 ? limits.groupStorageQuotaBytes : null,
    groups: rows,
  };
}

/**
 * Site admins only (the caller checks): null = back to the site default, 0 = unlimited. Lowering a
 * quota below current use deletes nothing; it only refuses further uploads.
 */
export async function setGroupStorageQuota(
  { db }: DbContext,
  groupId: string,
  quotaBytes: number | null,
  limits: Pick<UploadLimits, "groupStorageQuotaBytes">,
): Promise<TGroupStorage> {
  const group = await db.group.findUnique({ where: { id: groupId }, select: { id: true } });
  if (!group) throw notFound("Group");
  await db.group.update({
    where: { id: groupId },
    data: { storageQuotaBytes: quotaBytes === null ? null : BigInt(quotaBytes) },
  });
  return groupStorage({ db }, groupId, limits);
}
