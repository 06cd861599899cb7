import type { Db } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { CoreContext } from "../access/context.ts";
import { pruneCspReports } from "../security/csp-reports.ts";

export interface HousekeepingResult {
  sessions: number;
  loginCodes: number;
  passwordResetTokens: number;
  rateLimitHits: number;
  invitations: number;
  cspReports: number;
  lostJobs: number;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Hourly clean-up run by the worker: expired credentials and rate-limit counters, long-expired
 * invitations, CSP reports beyond their retention, and Job rows whose pg-boss job ended without
 * the handler recording it (expired mid-run, worker killed on its last attempt).
 */
export async function runHousekeeping(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  now = new Date(),
): Promise<HousekeepingResult> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const [sessions, loginCodes, passwordResetTokens, rateLimitHits, invitations] = await Promise.all([
    db.session.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.loginCode.deleteMany({ where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { lt: ago(DAY) } }] } }),
    db.passwordResetToken.deleteMany({
      where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { lt: ago(DAY) } }] },
    }),
    // the longest rate-limit window is one day
    db.rateLimitHit.deleteMany({ where: { createdAt: { lt: ago(DAY) } } }),
    db.invitation.deleteMany({ where: { accepted: false, expiresAt: { lt: ago(30 * DAY) } } }),
    db.pendingRegistration.deleteMany({ where: { expiresAt: { lt: now } } }),
  ]);
  const cspReports = await pruneCspReports({ db }, now);
  const lostJobs = await failLostJobs({ db, boss }, ago(HOUR));
  return {
    sessions: sessions.count,
    loginCodes: loginCodes.count,
    passwordResetTokens: passwordResetTokens.count,
    rateLimitHits: rateLimitHits.count,
    invitations: invitations.count,
    cspReports,
    lostJobs,
  };
}

/** Job rows still queued/running (untouched since `staleBefore`) whose pg-boss job is over or gone. */
export async function failLostJobs(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  staleBefore: Date,
): Promise<number> {
  const candidates = await db.job.findMany({
    where: { status: { in: ["queued", "running"] }, updatedAt: { lt: staleBefore } },
    select: { id: true, type: true, bossJobId: true },
    take: 500,
  });
  let count = 0;
  for (const job of candidates) {
    const bj = job.bossJobId
      ? await boss.getJobById(job.type, job.bossJobId, { includeArchive: true }).catch(() => null)
      : null;
    if (bj && (bj.state === "created" || bj.state === "retry" || bj.state === "active")) continue;
    const reason = !bj
      ? "The queued work was lost"
      : bj.state === "failed"
        ? "The job stopped without reporting (it may have run out of time)"
        : `The queue reports this job as ${bj.state}`;
    const { count: n } = await db.job.updateMany({
      where: { id: job.id, status: { in: ["queued", "running"] }, updatedAt: { lt: staleBefore } },
      data: {
        status: bj?.state === "cancelled" ? "cancelled" : "failed",
        error: reason,
        finishedAt: new Date(),
      },
    });
    count += n;
  }
  return count;
}
