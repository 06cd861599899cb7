// Content-Security-Policy violation reports, as browsers post them to /api/csp-report: the
// classic `application/csp-report` body and the Reporting API's `application/reports+json` array.
// They live in the database (not on one API host's disk) so the admin panel shows what every host
// received, and the per-address limit is the database-backed one, shared by all hosts.
import os from "node:os";
import { z } from "zod";
import type { DbContext } from "../access/context.ts";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { consumeLimit, type RateLimitRule } from "../auth/rate-limit.ts";

const MAX_FIELD_CHARS = 1000;
/** A page that violates the policy in a loop must not fill the table or the log. */
export const CSP_REPORT_LIMITS = {
  perAddress: { limit: 30, windowMs: 60_000 },
  everyone: { limit: 600, windowMs: 60_000 },
} satisfies Record<string, RateLimitRule>;
/** What housekeeping keeps. */
export const CSP_REPORT_RETENTION = { days: 30, rows: 10_000 };
/** Reports taken from one Reporting API body. */
export const CSP_REPORTS_PER_BODY = 50;

export const ZCspReport = z.object({
  id: z.string(),
  receivedAt: ZIsoDate,
  host: z.string(),
  documentUri: z.string(),
  blockedUri: z.string(),
  effectiveDirective: z.string(),
  disposition: z.string(),
  sourceFile: z.string(),
  line: z.number().nullable(),
  column: z.number().nullable(),
  sample: z.string(),
  userAgent: z.string(),
});
export type CspReport = z.input<typeof ZCspReport>;
type NewCspReport = Omit<CspReport, "id" | "receivedAt" | "host">;

export const ZListCspReportsRequest = z
  .object({ limit: z.number().int().min(1).max(500).default(100) })
  .default({ limit: 100 });
export const ZListCspReportsResponse = z.object({ items: z.array(ZCspReport) });

const text = (v: unknown): string => (typeof v === "string" ? v.slice(0, MAX_FIELD_CHARS) : "");
const int = (v: unknown): number | null =>
  typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : null;

/** One violation from either body shape, or null when it is not a CSP report at all. */
export function parseCspReport(raw: unknown, userAgent: string): NewCspReport | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  // application/csp-report: { "csp-report": { "document-uri", "blocked-uri", ... } }
  const classic = r["csp-report"];
  if (classic && typeof classic === "object") {
    const c = classic as Record<string, unknown>;
    return {
      documentUri: text(c["document-uri"]),
      blockedUri: text(c["blocked-uri"]),
      effectiveDirective: text(c["effective-directive"] ?? c["violated-directive"]),
      disposition: text(c.disposition) || "enforce",
      sourceFile: text(c["source-file"]),
      line: int(c["line-number"]),
      column: int(c["column-number"]),
      sample: text(c["script-sample"]),
      userAgent: text(userAgent),
    };
  }
  // application/reports+json: [{ type: "csp-violation", url, user_agent, body: { documentURL, ... } }]
  if (r.type === "csp-violation" && r.body && typeof r.body === "object") {
    const b = r.body as Record<string, unknown>;
    return {
      documentUri: text(b.documentURL ?? r.url),
      blockedUri: text(b.blockedURL),
      effectiveDirective: text(b.effectiveDirective),
      disposition: text(b.disposition) || "enforce",
      sourceFile: text(b.sourceFile),
      line: int(b.lineNumber),
      column: int(b.columnNumber),
      sample: text(b.sample),
      userAgent: text(r.user_agent ?? userAgent),
    };
  }
  return null;
}

/** The reports in a posted body (one object or a Reporting API array); empty when there are none. */
export function parseCspReportBody(body: unknown, userAgent: string): NewCspReport[] {
  const items = Array.isArray(body) ? body.slice(0, CSP_REPORTS_PER_BODY) : [body];
  return items.map((i) => parseCspReport(i, userAgent)).filter((r): r is NewCspReport => r !== null);
}

/**
 * Counts one post from `address` against the shared limits; throws TOO_MANY_REQUESTS (with
 * Retry-After details) when the address or everyone together posts too much.
 */
export async function admitCspReport({ db }: DbContext, address: string): Promise<void> {
  await consumeLimit({ db }, `csp:ip:${address}`, CSP_REPORT_LIMITS.perAddress);
  await consumeLimit({ db }, "csp:all", CSP_REPORT_LIMITS.everyone);
}

export async function storeCspReports(
  { db }: DbContext,
  reports: NewCspReport[],
  host = os.hostname(),
): Promise<number> {
  if (reports.length === 0) return 0;
  const { count } = await db.cspReport.createMany({ data: reports.map((r) => ({ ...r, host })) });
  return count;
}

/** The newest `limit` reports, newest first. */
export async function listCspReports({ db }: DbContext, limit: number): Promise<CspReport[]> {
  return db.cspReport.findMany({ orderBy: [{ receivedAt: "desc" }, { id: "desc" }], take: limit });
}

/** Drops reports older than the retention period and all but the newest rows beyond the cap. */
export async function pruneCspReports({ db }: DbContext, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - CSP_REPORT_RETENTION.days * 86_400_000);
  const old = await db.cspReport.deleteMany({ where: { receivedAt: { lt: cutoff } } });
  const oldestKept = await db.cspReport.findFirst({
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    skip: CSP_REPORT_RETENTION.rows - 1,
    select: { receivedAt: true },
  });
  const over = oldestKept
    ? await db.cspReport.deleteMany({ where: { receivedAt: { lt: oldestKept.receivedAt } } })
    : { count: 0 };
  return old.count + over.count;
}
