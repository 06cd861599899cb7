// POST /api/csp-report (what the policy's report-uri names). Parsing, limits and storage are in
// core (security/csp-reports.ts): reports go to the database, so every API host's are listed.
import {
  admitCspReport,
  DomainError,
  parseCspReportBody,
  retryAfterSecondsOf,
  storeCspReports,
} from "@battycoda/core";
import type { Db } from "@battycoda/db";
import type { FastifyInstance } from "fastify";
import { sendError } from "../errors.ts";
import { CSP_REPORT_PATH } from "./security-headers.ts";

const CSP_REPORT_TYPES = ["application/csp-report", "application/reports+json"];
const MAX_BODY_BYTES = 64 * 1024;

export async function registerCspReportRoute(app: FastifyInstance, db: Db) {
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
      try {
        await admitCspReport({ db }, req.ip);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== "TOO_MANY_REQUESTS") throw err;
        const wait = retryAfterSecondsOf(err);
        if (wait !== null) reply.header("retry-after", String(wait));
        return sendError(
          reply,
          429,
          "TOO_MANY_REQUESTS",
          `Too many CSP reports (from this address or in all). ${err.message}`,
        );
      }
      const reports = parseCspReportBody(req.body, req.headers["user-agent"] ?? "");
      if (reports.length === 0)
        return sendError(reply, 400, "BAD_REQUEST", "No CSP violation report in the body");
      await storeCspReports({ db }, reports);
      return reply.status(204).send();
    });
  });
}
