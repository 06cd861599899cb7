import { env } from "./env";

type SentryModule = typeof import("@sentry/react");
let sentry: SentryModule | null = null;

/**
 * Sentry is loaded only when a DSN is configured (VITE_SENTRY_DSN), so a default install makes
 * no network calls and never downloads the SDK chunk.
 */
export async function initSentry(): Promise<void> {
  if (!env.sentryDsn) return;
  const Sentry = await import("@sentry/react");
  Sentry.init({ dsn: env.sentryDsn, environment: env.sentryEnvironment, tracesSampleRate: 0 });
  sentry = Sentry;
}

/** Reports to Sentry when it is configured; otherwise a no-op. */
export function reportError(error: unknown): void {
  sentry?.captureException(error);
}
