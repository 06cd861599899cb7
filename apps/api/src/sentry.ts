import type { Config } from "@battycoda/config";
import * as Sentry from "@sentry/node";

/** No DSN, no Sentry: init is skipped and captureException calls are no-ops. */
export function initSentry(config: Config): void {
  if (!config.sentry.dsn) return;
  Sentry.init({ dsn: config.sentry.dsn, environment: config.sentry.environment, tracesSampleRate: 0 });
}
