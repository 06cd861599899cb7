// Which jobs this process is running right now, for heartbeats and memory dumps. Every job runs
// under a lease (JobLeases.acquire … release), so wrapping the lease holder sees them all.

import type { CoreContext } from "../access/context.ts";
import type { JobLeaseHolder } from "../jobs/handler.ts";

export interface ActiveJob {
  id: string;
  type: string;
  /** When this process took the job. */
  since: string;
  progress: number;
  message: string;
}

export class ActiveJobs implements JobLeaseHolder {
  private readonly running = new Map<string, Date>();

  constructor(private readonly inner: JobLeaseHolder) {}

  track(type: string): void {
    this.inner.track(type);
  }

  async acquire(jobId: string): Promise<() => Promise<void>> {
    const release = await this.inner.acquire(jobId);
    this.running.set(jobId, new Date());
    return async () => {
      this.running.delete(jobId);
      await release();
    };
  }

  get ids(): string[] {
    return [...this.running.keys()];
  }

  /** The running jobs with their type and progress from the Job rows. */
  async list(ctx: Pick<CoreContext, "db">): Promise<ActiveJob[]> {
    if (this.running.size === 0) return [];
    const rows = await ctx.db.job.findMany({
      where: { id: { in: this.ids } },
      select: { id: true, type: true, progress: true, message: true },
    });
    return rows.map((r) => ({
      ...r,
      since: (this.running.get(r.id) ?? new Date()).toISOString(),
    }));
  }
}
