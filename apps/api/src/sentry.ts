// Sentry, loaded only when a DSN is configured: @sentry/node and the OpenTelemetry modules it
// pulls in take about 0.4 s of CPU to import, most of the API's start-up, for nothing without a
// DSN. Errors are reported through captureException, a no-op until initSentry loaded the SDK.
import type { Config } from "@battycoda/config";

type SentryModule = typeof import("@sentry/node");

let sentry: SentryModule | null = null;

export async function initSentry(config: Config): Promise<void> {
  if (!config.sentry.dsn) return;
  const loaded = await import("@sentry/node");
  loaded.init({ dsn: config.sentry.dsn, environment: config.sentry.environment, tracesSampleRate: 0 });
  sentry = loaded;
}

export function captureException(err: unknown): void {
  sentry?.captureException(err);
}
