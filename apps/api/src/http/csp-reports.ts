// Content-Security-Policy violation reports: POST /api/csp-report (what the policy's report-uri
// names) accepts the classic `application/csp-report` body and the Reporting API's
// `application/reports+json` array. There is no table for them: the last reports are kept as
// JSON lines under DATA_DIR/csp-reports (two files of at most 512 KB, the older one dropped on
// rotation), which survives restarts and is bounded on disk. Site admins list them.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { sendError } from "../errors.ts";
import { CSP_REPORT_PATH } from "./security-headers.ts";

const CSP_REPORT_TYPES = ["application/csp-report", "application/reports+json"];
const MAX_BODY_BYTES = 64 * 1024;
const MAX_FILE_BYTES = 512 * 1024;
const MAX_FIELD_CHARS = 1000;
/** A page that violates the policy in a loop must not fill the disk or the log. */
export const PER_IP_PER_MINUTE = 30;
const ALL_PER_MINUTE = 600;

export const ZCspReport = z.object({
  /** Random, for the admin list's keys (reports carry no identity of their own). */
  id: z.string(),
  receivedAt: z.string(),
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
export type CspReport = z.infer<typeof ZCspReport>;
export const ZListCspReportsRequest = z
  .object({ limit: z.number().int().min(1).max(500).default(100) })
  .default({ limit: 100 });
export const ZListCspReportsResponse = z.object({ items: z.array(ZCspReport) });

const dirOf = (dataDir: string) => path.join(dataDir, "csp-reports");
const currentFile = (dataDir: string) => path.join(dirOf(dataDir), "reports.jsonl");
const previousFile = (dataDir: string) => path.join(dirOf(dataDir), "reports.1.jsonl");

const text = (v: unknown): string => (typeof v === "string" ? v.slice(0, MAX_FIELD_CHARS) : "");
const int = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** One violation from either body shape, or null when it is not a CSP report at all. */
function normalise(raw: unknown, userAgent: string, receivedAt: string): CspReport | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  // application/csp-report: { "csp-report": { "document-uri", "blocked-uri", ... } }
  const classic = r["csp-report"];
  if (classic && typeof classic === "object") {
    const c = classic as Record<string, unknown>;
    return {
      id: randomUUID(),
      receivedAt,
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
      id: randomUUID(),
      receivedAt,
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

/** Appends reports, rotating the file first when it is full. */
export async function storeCspReports(dataDir: string, reports: CspReport[]): Promise<void> {
  if (reports.length === 0) return;
  await fs.promises.mkdir(dirOf(dataDir), { recursive: true });
  const size = await fs.promises.stat(currentFile(dataDir)).then(
    (s) => s.size,
    () => 0,
  );
  if (size > MAX_FILE_BYTES) await fs.promises.rename(currentFile(dataDir), previousFile(dataDir));
  await fs.promises.appendFile(currentFile(dataDir), reports.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await fs.promises.readFile(file, "utf8")).split("\n").filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The newest `limit` reports, newest first. */
export async function listCspReports(dataDir: string, limit: number): Promise<CspReport[]> {
  const lines = [...(await readLines(previousFile(dataDir))), ...(await readLines(currentFile(dataDir)))];
  const out: CspReport[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    const parsed = ZCspReport.safeParse(JSON.parse(lines[i] as string));
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/**
 * Token buckets (per IP and for everyone): up to PER_IP_PER_MINUTE at once, refilled at that rate.
 * Buckets that have refilled are forgotten, so the map only holds recent reporters.
 */
function reportLimiter() {
  const byIp = new Map<string, { tokens: number; at: number }>();
  const all = { tokens: ALL_PER_MINUTE, at: Date.now() };
  const refill = (b: { tokens: number; at: number }, perMinute: number, now: number) => {
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000);
    b.at = now;
  };
  return (ip: string): boolean => {
    const now = Date.now();
    if (byIp.size > 10_000)
      for (const [k, b] of byIp) {
        refill(b, PER_IP_PER_MINUTE, now);
        if (b.tokens >= PER_IP_PER_MINUTE) byIp.delete(k);
      }
    const mine = byIp.get(ip) ?? { tokens: PER_IP_PER_MINUTE, at: now };
    byIp.set(ip, mine);
    refill(mine, PER_IP_PER_MINUTE, now);
    refill(all, ALL_PER_MINUTE, now);
    if (mine.tokens < 1 || all.tokens < 1) return false;
    mine.tokens--;
    all.tokens--;
    return true;
  };
}

export async function registerCspReportRoute(app: FastifyInstance, dataDir: string) {
  const allow = reportLimiter();
  // Encapsulated: the report media types are parsed for this route only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      CSP_REPORT_TYPES,
      { parseAs: "string", bodyLimit: MAX_BODY_BYTES },
      (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(Object.assign(new Error("The report is not valid JSON"), { statusCode: 400 }), undefined);
        }
      },
    );
    scope.post(CSP_REPORT_PATH, { bodyLimit: MAX_BODY_BYTES }, async (req, reply) => {
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!CSP_REPORT_TYPES.includes(type) && type !== "application/json")
        return sendError(
          reply,
          415,
          "UNSUPPORTED_MEDIA_TYPE",
          `Expected ${CSP_REPORT_TYPES.join(" or ")}, not ${type || "no content type"}`,
        );
      if (!allow(req.ip))
        return sendError(reply, 429, "TOO_MANY_REQUESTS", "Too many CSP reports from this address");
      const receivedAt = new Date().toISOString();
      const ua = req.headers["user-agent"] ?? "";
      const items = Array.isArray(req.body) ? req.body.slice(0, 50) : [req.body];
      const reports = items
        .map((i) => normalise(i, ua, receivedAt))
        .filter((r): r is CspReport => r !== null);
      if (reports.length === 0)
        return sendError(reply, 400, "BAD_REQUEST", "No CSP violation report in the body");
      await storeCspReports(dataDir, reports);
      return reply.status(204).send();
    });
  });
}
