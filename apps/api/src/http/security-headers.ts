import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

export interface CspSettings {
  /** CSP_ENFORCE: enforce the policy; otherwise send it as Content-Security-Policy-Report-Only. */
  enforce: boolean;
  /** CSP_STRICT_MODE: no 'unsafe-inline' for scripts or styles. */
  strictMode: boolean;
  /** Extra connect-src origins (e.g. the Sentry ingest host). */
  connectSrc?: string[];
}

export function cspDirectives(settings: CspSettings): Record<string, string[]> {
  const inline = settings.strictMode ? [] : ["'unsafe-inline'"];
  return {
    "default-src": ["'self'"],
    "script-src": ["'self'", ...inline],
    "style-src": ["'self'", ...inline],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...(settings.connectSrc ?? [])],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
}

export async function registerSecurityHeaders(app: FastifyInstance, settings: CspSettings) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: cspDirectives(settings),
      reportOnly: !settings.enforce,
    },
    // The SPA loads nothing cross-origin that would need these relaxed; keep helmet's defaults.
    crossOriginEmbedderPolicy: false,
  });
}
