// check-disk: how full the media and database disks are; above the threshold the site admins get
// an email, at most once per period per disk (sendAdminAlert throttles across processes).
import { statfs as fsStatfs, stat } from "node:fs/promises";
import path from "node:path";
import type { CoreContext } from "../access/context.ts";
import { type AdminAlertResult, type AlertDeps, sendAdminAlert } from "../alerts/alerts.ts";
import { renderAlert } from "../alerts/template.ts";
import type { ProcedureReporter } from "./reporter.ts";

export const DISK_ALERT_THRESHOLD = 0.9;
export const DISK_ALERT_PERIOD_MS = 4 * 3600_000;

/** The fields of fs.statfs that the usage needs (tests pass a fake mount). */
export interface StatFs {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

export interface DiskUsage {
  label: "media" | "database";
  path: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** Used share as `df` reports it: used / (used + available to unprivileged users). */
  usedFraction: number;
  alert?: "sent" | "throttled" | "no-recipients";
}

export interface CheckDiskOptions {
  /** Default fs.promises.statfs. */
  statfs?: (path: string) => Promise<StatFs>;
  /** Default: MEDIA_ROOT and the database's data_directory (when it is on this host). */
  paths?: { label: DiskUsage["label"]; path: string }[];
  threshold?: number;
  now?: Date;
  /** Report, never alert. */
  dryRun?: boolean;
}

export function usageOf(
  s: StatFs,
): Pick<DiskUsage, "totalBytes" | "usedBytes" | "availableBytes" | "usedFraction"> {
  const used = (s.blocks - s.bfree) * s.bsize;
  const available = s.bavail * s.bsize;
  return {
    totalBytes: s.blocks * s.bsize,
    usedBytes: used,
    availableBytes: available,
    usedFraction: used + available > 0 ? used / (used + available) : 0,
  };
}

/** PostgreSQL's data folder when this process can see it (same host, a role allowed to read it). */
async function databaseDataDirectory(ctx: Pick<CoreContext, "db">): Promise<string | null> {
  try {
    const rows = await ctx.db.$queryRaw<{ dir: string }[]>`SELECT current_setting('data_directory') AS dir`;
    const dir = rows[0]?.dir;
    if (!dir) return null;
    await stat(dir);
    return dir;
  } catch {
    return null;
  }
}

/** The folder itself, or its nearest existing parent (a fresh install has no MEDIA_ROOT yet). */
async function existingAncestor(p: string): Promise<string> {
  let dir = path.resolve(p);
  for (;;) {
    try {
      await stat(dir);
      return dir;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

const pct = (f: number) => `${(f * 100).toFixed(1)} %`;
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

export async function checkDisk(
  ctx: Pick<CoreContext, "db" | "boss" | "config">,
  options: CheckDiskOptions,
  report: ProcedureReporter,
  alertDeps: AlertDeps = {},
): Promise<DiskUsage[]> {
  const statfs = options.statfs ?? (async (p: string) => fsStatfs(await existingAncestor(p)));
  const threshold = options.threshold ?? DISK_ALERT_THRESHOLD;
  let paths = options.paths;
  if (!paths) {
    // With media on S3 the disk that fills up here is the staging and cache folder.
    paths =
      ctx.config.mediaStorage.kind === "s3"
        ? [{ label: "media", path: ctx.config.mediaStorage.cacheDir }]
        : [{ label: "media", path: ctx.config.mediaRoot }];
    const dbDir = await databaseDataDirectory(ctx);
    if (dbDir) paths.push({ label: "database", path: dbDir });
    else await report.log("The database's data folder is not visible from here (another host?): not checked");
  }
  const out: DiskUsage[] = [];
  for (const { label, path: folder } of paths) {
    const usage: DiskUsage = { label, path: folder, ...usageOf(await statfs(folder)) };
    await report.log(
      `${label} disk (${folder}): ${pct(usage.usedFraction)} used, ${gb(usage.availableBytes)} free of ${gb(usage.totalBytes)}`,
    );
    if (usage.usedFraction >= threshold && options.dryRun) {
      await report.log(`Dry run: above ${pct(threshold)}, would alert the site admins`);
    } else if (usage.usedFraction >= threshold) {
      const text =
        `The ${label} disk of BattyCoda is ${pct(usage.usedFraction)} full (${folder}: ` +
        `${gb(usage.availableBytes)} free of ${gb(usage.totalBytes)}). Free space before uploads, ` +
        `spectrograms or the database stop working.`;
      const subject = `${label} disk ${pct(usage.usedFraction)} full`;
      const r: AdminAlertResult = await sendAdminAlert(
        ctx,
        {
          key: `disk:${label}:${folder}`,
          periodMs: DISK_ALERT_PERIOD_MS,
          subject,
          text,
          html: renderAlert({ title: subject, summary: text }).html,
          value: { usedFraction: usage.usedFraction, availableBytes: usage.availableBytes, path: folder },
          ...(options.now ? { now: options.now } : {}),
        },
        alertDeps,
      );
      usage.alert = r.sent ? "sent" : r.reason;
      await report.log(
        r.sent
          ? `Alert sent to ${r.recipients.join(", ")}`
          : r.reason === "throttled"
            ? `Alert already sent at ${r.lastSentAt.toISOString()} (at most one per 4 h)`
            : "No active site admin to alert",
      );
    }
    out.push(usage);
  }
  return out;
}
