import type { FastifyInstance, FastifyRequest } from "fastify";
import { sendError } from "../errors.ts";
import { SESSION_COOKIE_NAME } from "./request-auth.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CROSS_SITE_MESSAGE = "Cross-site request refused";

/**
 * CSRF stance: the session cookie is SameSite=Lax (browsers do not send it on cross-site POSTs),
 * and as defence in depth every state-changing request that carries the cookie must come from
 * our own origin — checked with Origin, else Sec-Fetch-Site. API-key requests carry no cookie
 * and are not affected. No CORS headers are ever sent, so other origins cannot read responses.
 */
export function isCrossSite(req: FastifyRequest, allowedOrigins: Set<string>): boolean {
  const origin = req.headers.origin;
  if (origin) {
    if (origin === "null") return true;
    if (allowedOrigins.has(origin)) return false;
    const host = req.headers.host;
    try {
      return !host || new URL(origin).host !== host;
    } catch {
      return true;
    }
  }
  const site = req.headers["sec-fetch-site"];
  return site !== undefined && site !== "same-origin" && site !== "none";
}

export function registerCsrfGuard(app: FastifyInstance, publicUrl: string) {
  const allowed = new Set([new URL(publicUrl).origin]);
  app.addHook("onRequest", async (req, reply) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (!req.cookies[SESSION_COOKIE_NAME]) return;
    if (isCrossSite(req, allowed)) return sendError(reply, 403, "FORBIDDEN", CROSS_SITE_MESSAGE);
  });
}
