// Every worker process keeps a WorkerHeartbeat row fresh; the admin panel lists the live ones
// and how much memory and which jobs each has. A clean stop deletes the row, a crash leaves it
// to go stale (and be pruned after a day).
import type { CoreContext } from "../access/context.ts";
import type { ActiveJob } from "./active-jobs.ts";
import { appVersion, hostName } from "./version.ts";

/** A worker counts as live when seen within this long (heartbeats come every ~15 s). */
export const LIVE_WITHIN_MS = 60_000;
const PRUNE_AFTER_MS = 24 * 3_600_000;

export interface HeartbeatOptions {
  role?: string;
  intervalMs: number;
  activeJobs?: () => Promise<ActiveJob[]>;
  onError?: (err: unknown) => void;
  /** Clock for tests. */
  now?: () => Date;
}

export interface Heartbeat {
  id: string;
  /** Writes the row now (also done every intervalMs). */
  beat(): Promise<void>;
  /** Stops beating and deletes the row. */
  stop(): Promise<void>;
}

export async function startHeartbeat(
  ctx: Pick<CoreContext, "db">,
  options: HeartbeatOptions,
): Promise<Heartbeat> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const host = hostName();
  const id = `${host}:${process.pid}:${startedAt.toISOString()}`;
  const base = { host, pid: process.pid, version: appVersion(), role: options.role ?? "worker", startedAt };
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  const write = async () => {
    if (stopped) return;
    const mem = process.memoryUsage();
    const jobs = options.activeJobs ? await options.activeJobs() : [];
    const t = now();
    const data = {
      lastSeenAt: t,
      rssBytes: BigInt(mem.rss),
      heapUsedBytes: BigInt(mem.heapUsed),
      activeJobs: jobs.map((j) => ({ ...j })),
    };
    await ctx.db.workerHeartbeat.upsert({ where: { id }, create: { id, ...base, ...data }, update: data });
    await ctx.db.workerHeartbeat.deleteMany({
      where: { lastSeenAt: { lt: new Date(t.getTime() - PRUNE_AFTER_MS) } },
    });
  };
  // one write at a time, so stop() cannot be overtaken by a late upsert that recreates the row
  const beat = () => {
    pending = pending.then(write, write);
    return pending;
  };

  await beat();
  const timer = setInterval(() => beat().catch((err) => options.onError?.(err)), options.intervalMs);
  timer.unref();
  return {
    id,
    beat,
    async stop() {
      clearInterval(timer);
      await pending.catch(() => {});
      stopped = true;
      await ctx.db.workerHeartbeat.deleteMany({ where: { id } });
    },
  };
}

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  version: string;
  role: string;
  startedAt: Date;
  lastSeenAt: Date;
  rssBytes: number | null;
  heapUsedBytes: number | null;
  activeJobs: ActiveJob[];
  live: boolean;
}

/**
 * Worker processes by last heartbeat, newest first: live ones (seen within `liveWithinMs`) and,
 * with `includeStale`, those that stopped beating without a clean shutdown (crashed or killed).
 */
export async function listWorkers(
  ctx: Pick<CoreContext, "db">,
  options: { now?: Date; liveWithinMs?: number; includeStale?: boolean } = {},
): Promise<WorkerStatus[]> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.liveWithinMs ?? LIVE_WITHIN_MS));
  const rows = await ctx.db.workerHeartbeat.findMany({
    where: options.includeStale ? {} : { lastSeenAt: { gte: cutoff } },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    version: r.version,
    role: r.role,
    startedAt: r.startedAt,
    lastSeenAt: r.lastSeenAt,
    rssBytes: r.rssBytes === null ? null : Number(r.rssBytes),
    heapUsedBytes: r.heapUsedBytes === null ? null : Number(r.heapUsedBytes),
    activeJobs: Array.isArray(r.activeJobs) ? (r.activeJobs as unknown as ActiveJob[]) : [],
    live: r.lastSeenAt >= cutoff,
  }));
}

/** The live workers only (the admin panel's "worker heartbeat" line). */
export function listLiveWorkers(
  ctx: Pick<CoreContext, "db">,
  options: { now?: Date; liveWithinMs?: number } = {},
): Promise<WorkerStatus[]> {
  return listWorkers(ctx, { ...options, includeStale: false });
}
