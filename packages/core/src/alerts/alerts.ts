// Emails every active site admin about something that needs a human (disk full, backup failed,
// worker crashed, memory high), at most once per period per alert key across all processes:
// the API, the worker, CLI runs and the systemd failure notifier can all raise the same alert.
import type { Prisma } from "@battycoda/db";
import type { CoreContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { createMailer, type Mailer } from "../mail/mailer.ts";
import { queueEmail } from "../mail/queue.ts";
import { alertFooter, renderAlert } from "./template.ts";

export interface AdminAlert {
  /** Identifies the condition, e.g. `disk:/var/lib/battycoda`; throttling is per key. */
  key: string;
  /** At most one alert per key in this many milliseconds. */
  periodMs: number;
  subject: string;
  text: string;
  /** Default: the text, escaped, in the alert template. */
  html?: string;
  /** Kept as AlertState.lastValue (e.g. the disk usage that triggered it) for the admin panel. */
  value?: Prisma.InputJsonValue;
  /**
   * "queue": through the worker's email.send job (retried); "direct": the mailer now, for callers
   * that cannot count on the worker (the failure notifier when the worker is what failed).
   * Default: queue when ctx.boss is set, otherwise direct.
   */
  delivery?: "queue" | "direct";
  /** The time the alert counts from (tests). */
  now?: Date;
}

export type AdminAlertResult =
  | { sent: true; recipients: string[] }
  | { sent: false; reason: "throttled"; lastSentAt: Date }
  | { sent: false; reason: "no-recipients" };

export interface AlertDeps {
  /** A prepared mailer for direct delivery (tests, the CLI); default createMailer(ctx.config). */
  mailer?: Mailer;
}

const SUBJECT_PREFIX = "[BattyCoda] ";

/**
 * Claims the alert key and sends (or queues) one email per active site admin, all in one
 * transaction: if sending or queueing fails the claim is rolled back and the next call tries
 * again; if another process claimed the key within the period, nothing is sent.
 */
export async function sendAdminAlert(
  ctx: Pick<CoreContext, "db" | "boss" | "config">,
  alert: AdminAlert,
  deps: AlertDeps = {},
): Promise<AdminAlertResult> {
  if (!alert.key.trim()) throw new Error("sendAdminAlert: key must not be empty");
  if (!Number.isFinite(alert.periodMs) || alert.periodMs < 0)
    throw new Error("sendAdminAlert: periodMs must be a number ≥ 0");
  const now = alert.now ?? new Date();
  const delivery = alert.delivery ?? (ctx.boss ? "queue" : "direct");
  const boss = ctx.boss;
  if (delivery === "queue" && !boss) throw new Error("sendAdminAlert: queue delivery needs ctx.boss");

  const footer = alertFooter(ctx.config.publicUrl, alert.periodMs);
  const body = alert.html ?? renderAlert({ title: alert.subject, summary: alert.text }).html;
  const message = {
    subject: alert.subject.startsWith(SUBJECT_PREFIX) ? alert.subject : `${SUBJECT_PREFIX}${alert.subject}`,
    text: `${alert.text}\n\n-- \n${footer.text}\n`,
    html: `${body}\n${footer.html}`,
  };

  return inTransaction(
    ctx.db,
    async (tx): Promise<AdminAlertResult> => {
      const admins = await tx.user.findMany({
        where: { isSiteAdmin: true, isActive: true },
        select: { id: true, email: true },
        orderBy: { createdAt: "asc" },
      });
      if (admins.length === 0) return { sent: false, reason: "no-recipients" };

      // Insert, or take over a row whose period has passed. The row lock makes a concurrent
      // claimant wait for our commit and then see the new lastSentAt, so exactly one sends.
      const value = alert.value === undefined ? null : JSON.stringify(alert.value);
      const claimed = await tx.$queryRaw<{ key: string }[]>`
        INSERT INTO "AlertState" ("key", "lastSentAt", "lastValue")
        VALUES (${alert.key}, ${now}, ${value}::jsonb)
        ON CONFLICT ("key") DO UPDATE
          SET "lastSentAt" = EXCLUDED."lastSentAt", "lastValue" = EXCLUDED."lastValue"
          WHERE "AlertState"."lastSentAt" <= EXCLUDED."lastSentAt" - make_interval(secs => ${alert.periodMs / 1000})
        RETURNING "key"`;
      if (claimed.length === 0) {
        const state = await tx.alertState.findUniqueOrThrow({ where: { key: alert.key } });
        return { sent: false, reason: "throttled", lastSentAt: state.lastSentAt };
      }

      if (delivery === "queue" && boss) {
        for (const admin of admins)
          await queueEmail({ db: tx, boss }, { to: admin.email, ...message }, { userId: admin.id });
      } else {
        const mailer = deps.mailer ?? createMailer(ctx.config);
        for (const admin of admins) await mailer.send({ to: admin.email, ...message });
      }
      return { sent: true, recipients: admins.map((a) => a.email) };
    },
    // direct delivery holds the claim while the mail provider answers
    { timeout: 60_000 },
  );
}

export interface AlertStateView {
  key: string;
  lastSentAt: Date;
  lastValue: Prisma.JsonValue | null;
}

/** Every alert ever sent, most recent first (admin panel). */
export async function listAlertStates(ctx: Pick<CoreContext, "db">): Promise<AlertStateView[]> {
  return ctx.db.alertState.findMany({ orderBy: { lastSentAt: "desc" } });
}
