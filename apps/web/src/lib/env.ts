/**
 * Browser-side configuration. Only `VITE_*` variables are exposed by Vite; they are read once here.
 * Empty strings count as unset (same rule as the server config).
 */
const raw = import.meta.env as Record<string, string | boolean | undefined>;

function str(name: string): string | undefined {
  const v = raw[name];
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

function truthy(v: string): boolean {
  return ["1", "true", "yes", "on"].includes(v.toLowerCase());
}

/** Feature flags: every `VITE_FEATURE_<NAME>` becomes `features.<name>` (lower-cased). */
export const features: Readonly<Record<string, boolean>> = Object.freeze(
  Object.fromEntries(
    Object.keys(raw)
      .filter((k) => k.startsWith("VITE_FEATURE_"))
      .filter((k) => str(k) !== undefined)
      .map((k) => [k.slice("VITE_FEATURE_".length).toLowerCase(), truthy(str(k) ?? "")]),
  ),
);

/** A flag's value; `fallback` when the variable is not set (unset and empty count the same). */
export function featureEnabled(name: string, fallback = false): boolean {
  return features[name.toLowerCase()] ?? fallback;
}

export const env = Object.freeze({
  sentryDsn: str("VITE_SENTRY_DSN"),
  sentryEnvironment: str("VITE_SENTRY_ENVIRONMENT") ?? (import.meta.env.PROD ? "production" : "development"),
  mode: import.meta.env.MODE,
});
