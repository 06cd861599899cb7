// Crash detection for running jobs.
//
// pg-boss 10 has no heartbeat: a job whose worker was SIGKILLed stays "active" until its
// expireInSeconds passes (an hour for most queues), and only then is it retried. Shortening the
// expiry would instead kill legitimately long jobs. So each worker process holds one PostgreSQL
// session and takes a session advisory lock per job it runs (before the Job row says "running").
// PostgreSQL drops the locks the moment that session ends, whether the process exited, crashed or
// lost its connection. A reaper (run by every worker at start-up and then periodically) looks at
// running Job rows: if their lock can be taken, nobody is running them, and the pg-boss job is
// failed so that pg-boss retries it with the queue's backoff (or fails it for good when no
// retries are left). Expiry stays as the backstop for a worker that is alive but stuck.
import type { Db, Job } from "@battycoda/db";
import pg from "pg";
import type PgBoss from "pg-boss";
import type { JobLeaseHolder } from "./handler.ts";

/** Advisory lock namespace (first key of the two-int form); the second key is hashtext(jobId). */
const LEASE_CLASS = 0x6a6f62; // "job"

export interface JobLeasesOptions {
  /**
   * Running rows younger than this are left alone by the reaper: the margin for clock skew
   * between worker hosts (Job.startedAt is written with the worker's clock). Default 5 s.
   */
  graceSeconds?: number;
  /** Reaper cadence after the start-up pass; 0 disables the timer. Default 30 s. */
  reapIntervalSeconds?: number;
  /**
   * A job pg-boss handed out this long ago whose row never left "queued" had its worker die
   * between fetching and starting it. Default 60 s.
   */
  unstartedSeconds?: number;
  /** Called when a crashed attempt was the job's last one, e.g. to mark its subject as failed. */
  onFinalFailure?: (job: Job, error: string) => Promise<void>;
  onError?: (err: unknown) => void;
  onReaped?: (job: Job, outcome: "retry" | "failed" | "cancelled") => void;
}

export const CRASHED_ATTEMPT_MESSAGE = "The worker running this job stopped before it finished";

export class JobLeases implements JobLeaseHolder {
  private timer: NodeJS.Timeout | undefined;
  private reaping: Promise<number> | undefined;
  private closed = false;
  private readonly types = new Set<string>();

  private constructor(
    private readonly url: string,
    private readonly session: pg.Client,
    private readonly db: Db,
    private readonly boss: PgBoss,
    private readonly options: JobLeasesOptions,
  ) {}

  /** Opens the lease session. `start()` begins reaping. */
  static async open(url: string, db: Db, boss: PgBoss, options: JobLeasesOptions = {}): Promise<JobLeases> {
    const session = new pg.Client({ connectionString: url, application_name: "battycoda-job-leases" });
    await session.connect();
    const leases = new JobLeases(url, session, db, boss, options);
    // If the lease session breaks, the locks are gone and another worker will reap our jobs:
    // carrying on would run them twice, so make the failure loud.
    session.on("error", (err) => options.onError?.(err));
    return leases;
  }

  track(type: string): void {
    this.types.add(type);
  }

  async acquire(jobId: string): Promise<() => Promise<void>> {
    // The reaper holds a job's lock only for a moment while it fails the old attempt.
    for (let i = 0; ; i++) {
      const { rows } = await this.session.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok",
        [LEASE_CLASS, jobId],
      );
      if (rows[0]?.ok) break;
      if (i >= 300) throw new Error(`Job ${jobId} is still leased by another worker`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return async () => {
      if (this.closed) return;
      await this.session.query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [LEASE_CLASS, jobId]);
    };
  }

  /** Reaps now, then every reapIntervalSeconds. */
  start(): Promise<number> {
    const interval = this.options.reapIntervalSeconds ?? 30;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.reap().catch((err) => this.options.onError?.(err));
      }, interval * 1000);
      this.timer.unref();
    }
    return this.reap();
  }

  /**
   * One pass over the tracked queues (those registered with these leases; a queue consumed
   * without leases never holds one, so a free lease would prove nothing there). Returns how many
   * crashed attempts were found. Concurrent calls share a pass.
   */
  reap(): Promise<number> {
    const types = [...this.types];
    this.reaping ??= this.reapOnce(types).finally(() => {
      this.reaping = undefined;
    });
    return this.reaping;
  }

  private async reapOnce(types: readonly string[]): Promise<number> {
    if (types.length === 0 || this.closed) return 0;
    const graceMs = (this.options.graceSeconds ?? 5) * 1000;
    const candidates = await this.db.job.findMany({
      where: {
        status: "running",
        type: { in: [...types] },
        startedAt: { lt: new Date(Date.now() - graceMs) },
      },
      orderBy: { startedAt: "asc" },
      take: 200,
    });
    candidates.push(...(await this.fetchedButNeverStarted(types)));
    if (candidates.length === 0) return 0;
    // A separate session: advisory locks are re-entrant within one session, so probing from the
    // lease session would "succeed" for this process's own running jobs.
    const probe = new pg.Client({ connectionString: this.url, application_name: "battycoda-job-reaper" });
    await probe.connect();
    let reaped = 0;
    try {
      for (const job of candidates) {
        const { rows } = await probe.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok",
          [LEASE_CLASS, job.id],
        );
        if (!rows[0]?.ok) continue; // its worker is alive
        try {
          if (await this.recover(job)) reaped++;
        } finally {
          await probe.query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [LEASE_CLASS, job.id]);
        }
      }
    } finally {
      await probe.end();
    }
    return reaped;
  }

  /**
   * Jobs pg-boss handed to a worker that died before it took the lease and marked the row
   * running (the row still says queued): without this they would wait for the queue's expiry.
   * A live worker takes the lease milliseconds after fetching, so a minute without it means the
   * fetching process is gone; the lease probe in reapOnce confirms nobody holds it.
   */
  private async fetchedButNeverStarted(types: readonly string[]): Promise<Job[]> {
    const stuckMs = (this.options.unstartedSeconds ?? 60) * 1000;
    const { rows } = await this.session.query<{ id: string }>(
      `SELECT j.id FROM "Job" j JOIN pgboss.job b ON b.name = j.type AND b.id::text = j."bossJobId"
        WHERE j.status = 'queued' AND j.type = ANY($1::text[]) AND b.state = 'active'
          AND b.started_on < now() - make_interval(secs => $2::double precision)
        LIMIT 200`,
      [[...types], stuckMs / 1000],
    );
    if (rows.length === 0) return [];
    return this.db.job.findMany({ where: { id: { in: rows.map((r) => r.id) }, status: "queued" } });
  }

  /** Hands a crashed attempt back to pg-boss and brings the Job row in line with it. */
  private async recover(job: Job): Promise<boolean> {
    let bossJob = job.bossJobId
      ? await this.boss.getJobById(job.type, job.bossJobId, { includeArchive: true })
      : null;
    // A newer attempt already fetched by a worker that is waiting for this lock: leave it be.
    // (A row still "queued" is the fetched-but-never-started case: that attempt is the one to fail.)
    const neverStarted = job.status === "queued";
    const attempt = neverStarted ? (bossJob?.retryCount ?? job.attempts) + 1 : job.attempts;
    if (!neverStarted && bossJob?.state === "active" && bossJob.retryCount + 1 > job.attempts) return false;
    if (bossJob?.state === "active" && job.bossJobId) {
      // failJobs moves it to "retry" (with the queue's backoff) or "failed" when no retries are left
      await this.boss.fail(job.type, job.bossJobId, { message: CRASHED_ATTEMPT_MESSAGE });
      bossJob = await this.boss.getJobById(job.type, job.bossJobId, { includeArchive: true });
    }
    const state = bossJob?.state;
    const outcome: "retry" | "failed" | "cancelled" =
      state === "created" || state === "retry" || state === "active"
        ? "retry"
        : state === "cancelled"
          ? "cancelled"
          : "failed";
    const error =
      state === "completed"
        ? `${CRASHED_ATTEMPT_MESSAGE} (the queue recorded it as completed)`
        : !bossJob
          ? `${CRASHED_ATTEMPT_MESSAGE} and its queue entry is gone`
          : CRASHED_ATTEMPT_MESSAGE;
    const { count } = await this.db.job.updateMany({
      // only the attempt we looked at: a new attempt may have started meanwhile
      where: { id: job.id, status: job.status, attempts: job.attempts },
      data:
        outcome === "retry"
          ? { status: "queued", error, message: `Attempt ${attempt} was interrupted; retrying` }
          : outcome === "cancelled"
            ? { status: "cancelled", message: "Cancelled", finishedAt: new Date() }
            : { status: "failed", error, message: "Failed", finishedAt: new Date() },
    });
    if (count === 0) return false;
    this.options.onReaped?.(job, outcome);
    if (outcome === "failed") await this.options.onFinalFailure?.(job, error);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    await this.reaping?.catch(() => undefined);
    this.closed = true;
    await this.session.end();
  }
}
