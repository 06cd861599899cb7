import { env } from "./env";

/**
 * Sentry is loaded only when a DSN is configured, so a default install makes no network calls
 * and does not ship the SDK's runtime work to the browser.
 */
export async function initSentry(): Promise<void> {
  if (!env.sentryDsn) return;
  const Sentry = await import("@sentry/react");
  Sentry.init({
    dsn: env.sentryDsn,
    environment: env.sentryEnvironment,
    tracesSampleRate: 0,
  });
}
