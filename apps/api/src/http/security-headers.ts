import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { CspMode } from "@battycoda/config";
import helmet from "@fastify/helmet";
import type { FastifyInstance, FastifyReply } from "fastify";

export const CSP_REPORT_PATH = "/api/csp-report";

export interface CspSettings {
  /** CSP_MODE: enforce / report-only (same policy, nothing blocked) / strict (scripts by nonce only). */
  mode: CspMode;
  /** Extra connect-src origins (e.g. the Sentry ingest host). */
  connectSrc?: string[];
}

/** A year, the usual preload-list minimum. */
const HSTS = "max-age=31536000; includeSubDomains";

// The nonce of each response, keyed by the raw response so helmet's directive callbacks (which
// get raw req/res) and the SPA handler (which gets the Fastify reply) see the same value.
const nonces = new WeakMap<ServerResponse, string>();

/** This response's CSP nonce: index.html puts it on its <script>, <link> and <style> tags. */
export function cspNonceOf(reply: FastifyReply): string {
  let nonce = nonces.get(reply.raw);
  if (!nonce) {
    nonce = randomBytes(16).toString("base64");
    nonces.set(reply.raw, nonce);
  }
  return nonce;
}

const nonceSource = (_req: unknown, res: ServerResponse) => {
  const nonce = nonces.get(res);
  // Every response goes through the onRequest hook that sets one; an empty source would be dropped.
  return nonce ? `'nonce-${nonce}'` : "'none'";
};

type Directive = string | ((req: unknown, res: ServerResponse) => string);

/**
 * No 'unsafe-inline' in any mode: the built SPA has no inline scripts or style attributes; React's
 * `style` props go through the CSSOM, which style-src does not govern. Vite's preload helper puts
 * the nonce of the page's `<meta property="csp-nonce">` on the <link>s it adds for lazy chunks.
 */
export function cspDirectives(settings: CspSettings): Record<string, Directive[]> {
  const strict = settings.mode === "strict";
  return {
    "default-src": ["'self'"],
    // 'strict-dynamic': only nonce'd scripts and what they load run; 'self' stays as the fallback
    // of browsers without CSP 3 (they ignore 'strict-dynamic').
    "script-src": strict ? ["'self'", nonceSource, "'strict-dynamic'"] : ["'self'", nonceSource],
    "style-src": ["'self'", nonceSource],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...(settings.connectSrc ?? [])],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": strict ? ["'none'"] : ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "report-uri": [CSP_REPORT_PATH],
  };
}

/**
 * Helmet's headers plus CSP with a fresh nonce per response, and HSTS only on responses that
 * travel over https (directly, or from a TRUST_PROXY proxy that says X-Forwarded-Proto: https):
 * over plain http the header is meaningless, and on a localhost install it would pin the
 * browser to an https that does not exist.
 */
export async function registerSecurityHeaders(app: FastifyInstance, settings: CspSettings) {
  // Before helmet's own onRequest hook, which reads the nonce through the directive callbacks.
  app.addHook("onRequest", async (_req, reply) => {
    cspNonceOf(reply);
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: cspDirectives(settings),
      reportOnly: settings.mode === "report-only",
    },
    strictTransportSecurity: false,
    // The SPA loads nothing cross-origin that would need these relaxed; keep helmet's defaults.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook("onRequest", async (req, reply) => {
    if (req.protocol === "https") reply.header("strict-transport-security", HSTS);
  });
}
