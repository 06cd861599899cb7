import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";

/** Repository root: packages/config/src → ../../.. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

// Empty strings count as unset, so `FOO=` in an EnvironmentFile behaves like no FOO at all.
const unsetIfEmpty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const str = () => z.preprocess(unsetIfEmpty, z.string().trim().optional());
const TRUTHY = new Set(["true", "1", "yes", "on"]);
const FALSY = new Set(["false", "0", "no", "off"]);
const toBool = (v: unknown) => {
  const s = unsetIfEmpty(v);
  if (typeof s !== "string") return s;
  const t = s.trim().toLowerCase();
  return TRUTHY.has(t) ? true : FALSY.has(t) ? false : s;
};
const BOOL_ERROR = "expected a boolean (true/false, 1/0, yes/no, on/off)";
const bool = (fallback: boolean) => z.preprocess(toBool, z.boolean({ error: BOOL_ERROR }).default(fallback));
const optionalBool = () => z.preprocess(toBool, z.boolean({ error: BOOL_ERROR }).optional());
const positiveNumber = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a positive number" })
      .refine((n) => Number.isFinite(n) && n > 0, { error: "expected a positive number" })
      .default(fallback),
  );
const positiveInt = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a positive integer" })
      .refine((n) => Number.isInteger(n) && n > 0, { error: "expected a positive integer" })
      .default(fallback),
  );
const nonNegativeNumber = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a number ≥ 0" })
      .refine((n) => Number.isFinite(n) && n >= 0, { error: "expected a number ≥ 0" })
      .default(fallback),
  );
const share = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a number above 0 and at most 1" })
      .refine((n) => Number.isFinite(n) && n > 0 && n <= 1, {
        error: "expected a number above 0 and at most 1",
      })
      .default(fallback),
  );
const port = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a TCP port (0-65535)" })
      .refine((n) => Number.isInteger(n) && n >= 0 && n <= 65535, { error: "expected a TCP port (0-65535)" })
      .default(fallback),
  );
const urlString = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { error: `expected a URL (${protocols.map((p) => `${p}//…`).join(" or ")})` },
    );
const optionalUrl = (protocols: string[]) => z.preprocess(unsetIfEmpty, urlString(protocols).optional());
const urlWithDefault = (protocols: string[], fallback: string) =>
  z.preprocess(unsetIfEmpty, urlString(protocols).default(fallback));
const email = (fallback: string) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      // "Name <a@b>" or a bare address
      .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, {
        error: "expected an email address (a@b.c or Name <a@b.c>)",
      })
      .default(fallback),
  );

export const MEDIA_STORAGE_KINDS = ["local", "s3"] as const;
export type MediaStorageKind = (typeof MEDIA_STORAGE_KINDS)[number];
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const CSP_MODES = ["enforce", "report-only", "strict"] as const;
export type CspMode = (typeof CSP_MODES)[number];
const nonNegativeInt = (fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "expected a whole number ≥ 0" })
      .refine((n) => Number.isInteger(n) && n >= 0, { error: "expected a whole number ≥ 0" })
      .default(fallback),
  );

const schema = z.object({
  NODE_ENV: z.preprocess(
    unsetIfEmpty,
    z
      .enum(["development", "production", "test"], { error: "expected development, production or test" })
      .default("development"),
  ),
  DEBUG: bool(false),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === "string" ? (v as string).trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
  SECRET_KEY: z.preprocess(
    unsetIfEmpty,
    z.string().min(32, { error: "expected at least 32 characters" }).optional(),
  ),
  DATA_DIR: str(),
  MEDIA_ROOT: str(),
  MEDIA_STORAGE: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === "string" ? (v as string).trim().toLowerCase() : undefined),
    z.enum(MEDIA_STORAGE_KINDS, { error: "expected local or s3" }).default("local"),
  ),
  MEDIA_S3_BUCKET: str(),
  MEDIA_S3_PREFIX: str(),
  MEDIA_S3_ENDPOINT: optionalUrl(["http:", "https:"]),
  MEDIA_S3_REGION: z.preprocess(unsetIfEmpty, z.string().trim().default("us-east-1")),
  MEDIA_S3_ACCESS_KEY_ID: str(),
  MEDIA_S3_SECRET_ACCESS_KEY: str(),
  MEDIA_CACHE_DIR: str(),
  MEDIA_CACHE_MAX_MB: positiveNumber(2048),
  HOST: z.preprocess(unsetIfEmpty, z.string().trim().default("127.0.0.1")),
  PORT: port(8000),
  DOMAIN_NAME: z.preprocess(unsetIfEmpty, z.string().trim().default("localhost")),
  PUBLIC_URL: optionalUrl(["http:", "https:"]),
  DISABLE_STATIC_CACHING: bool(false),
  MAX_UPLOAD_SIZE_MB: positiveNumber(100),
  MAX_RESUMABLE_UPLOAD_SIZE_MB: positiveNumber(20480),
  ZIP_MAX_DISK_SHARE: share(0.5),
  GROUP_STORAGE_QUOTA_MB: nonNegativeNumber(0),
  DATABASE_URL: optionalUrl(["postgres:", "postgresql:"]),
  AWS_SES_REGION_NAME: z.preprocess(unsetIfEmpty, z.string().trim().default("us-east-1")),
  AWS_SES_ACCESS_KEY_ID: str(),
  AWS_SES_SECRET_ACCESS_KEY: str(),
  AWS_SES_CONFIGURATION_SET: str(),
  DEFAULT_FROM_EMAIL: email("BattyCoda <noreply@localhost>"),
  DATABASE_BACKUP_BUCKET: z.preprocess(unsetIfEmpty, z.string().trim().default("backup-battycoda")),
  DATABASE_BACKUP_PREFIX: z.preprocess(unsetIfEmpty, z.string().trim().default("database-backups/")),
  DATABASE_BACKUP_S3_ENDPOINT: optionalUrl(["http:", "https:"]),
  DATABASE_BACKUP_S3_REGION: z.preprocess(unsetIfEmpty, z.string().trim().default("us-east-1")),
  DATABASE_BACKUP_S3_ACCESS_KEY_ID: str(),
  DATABASE_BACKUP_S3_SECRET_ACCESS_KEY: str(),
  PG_BIN_DIR: str(),
  CSP_MODE: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === "string" ? (v as string).trim().toLowerCase() : undefined),
    z.enum(CSP_MODES, { error: `expected one of ${CSP_MODES.join(", ")}` }).optional(),
  ),
  /** Deprecated (before CSP_MODE): read only when CSP_MODE is unset. */
  CSP_ENFORCE: optionalBool(),
  CSP_STRICT_MODE: optionalBool(),
  TRUST_PROXY: z.preprocess(unsetIfEmpty, z.string().trim().default("127.0.0.1,::1")),
  API_POOL_THREADS: positiveInt(Math.max(1, Math.floor(availableParallelism() / 2))),
  API_POOL_QUEUE: nonNegativeInt(8),
  SENTRY_DSN: optionalUrl(["http:", "https:"]),
  SENTRY_ENVIRONMENT: z.preprocess(unsetIfEmpty, z.string().trim().default("production")),
  SENTRY_AUTH_TOKEN: str(),
  SENTRY_ORG: str(),
  SENTRY_PROJECT: str(),
  R_SERVER_URL: urlWithDefault(["http:", "https:"], "http://127.0.0.1:8001"),
  // Several R servers, comma-separated; when set it replaces R_SERVER_URL.
  R_SERVER_URLS: z.preprocess(
    (v) =>
      typeof v === "string" && v.trim()
        ? v
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    z
      .array(urlString(["http:", "https:"]))
      .min(1)
      .optional(),
  ),
  WORKER_CONCURRENCY: positiveInt(2),
  RECORDING_SPLIT_SECONDS: positiveNumber(60),
  LOG_DIR: str(),
  MEMORY_WARN_MB: positiveNumber(1536),
  MEMORY_DUMP_MB: positiveNumber(2048),
  MEMORY_SAMPLE_SECONDS: positiveNumber(30),
  WORKER_HEARTBEAT_SECONDS: positiveNumber(15),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every variable the schema reads (the .env.example test checks each one is documented). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** One bucket (or a prefix in it) on AWS S3 or an S3-compatible server. */
export interface S3StoreSettings {
  bucket: string;
  /** "" or a folder-like prefix ending in "/". */
  prefix: string;
  /** S3-compatible store (MinIO, Ceph, Garage, s3rver); unset = AWS. Path-style addressing when set. */
  endpoint: string | undefined;
  region: string;
  /** Both unset = the AWS SDK's default chain (environment, instance role). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

export interface Config {
  nodeEnv: "development" | "production" | "test";
  isProduction: boolean;
  debug: boolean;
  logLevel: LogLevel;
  repoRoot: string;
  /** Everything the app writes: embedded PostgreSQL, media, outbox, secret key, admin credentials. */
  dataDir: string;
  /** Uploaded recordings, spectrograms, repertoire images, models. Paths in the DB are relative to it. */
  mediaRoot: string;
  /** Where media live (MEDIA_STORAGE) and the local read-through cache of the S3 backend. */
  mediaStorage: {
    kind: MediaStorageKind;
    /**
     * MEDIA_S3_*, whenever MEDIA_S3_BUCKET is set: required by MEDIA_STORAGE=s3, and the
     * target of `migrate-media --to s3` while the installation is still local.
     */
    s3: S3StoreSettings | null;
    /** Files staged for tools that need a path (h5wasm, Rscript); default <DATA_DIR>/media-cache. */
    cacheDir: string;
    /** LRU eviction keeps the cache under this; files in use are never evicted. */
    cacheMaxBytes: number;
  };
  /** Where the mailer writes messages when SES is not configured. */
  outboxDir: string;
  secretKey: string;
  host: string;
  port: number;
  domainName: string;
  /** Base URL used in emailed links. */
  publicUrl: string;
  disableStaticCaching: boolean;
  maxUploadSizeMb: number;
  maxUploadSizeBytes: number;
  /** Limit of one resumable (tus) upload, which may be far larger than a single request. */
  maxResumableUploadSizeBytes: number;
  /**
   * A ZIP is refused when its entries declare more uncompressed bytes than this share of the free
   * space under MEDIA_ROOT (checked when it is accepted, before anything is unpacked).
   */
  zipMaxDiskShare: number;
  /** Media a group may store when its own quota is unset (Group.storageQuotaBytes null); 0 = unlimited. */
  groupStorageQuotaBytes: number;
  /** Unset means "start the embedded PostgreSQL" (see @battycoda/db/embedded). */
  databaseUrl: string | undefined;
  ses: {
    enabled: boolean;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    configurationSet: string | undefined;
  };
  defaultFromEmail: string;
  backup: S3StoreSettings;
  /** Folder with pg_dump/psql matching the server's major version (PG_BIN_DIR); unset = searched. */
  pgBinDir: string | undefined;
  csp: {
    /** CSP_MODE: enforce (default) or report-only with per-response nonces; strict adds 'strict-dynamic'. */
    mode: CspMode;
    /** Derived from mode: the policy is sent as Content-Security-Policy (not …-Report-Only). */
    enforce: boolean;
    strictMode: boolean;
    /** Deprecated variables that decided the mode (CSP_MODE unset): logged at start-up. */
    deprecatedVariables: string[];
  };
  /**
   * TRUST_PROXY: addresses/CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed
   * (client IP for rate limits; https for HSTS and Secure cookies).
   */
  trustProxy: string[];
  /** The API's thread pool for CPU-heavy requests (spectrogram renders, segmentation preview). */
  apiPool: { threads: number; maxQueue: number };
  sentry: {
    dsn: string | undefined;
    environment: string;
    authToken: string | undefined;
    org: string | undefined;
    project: string | undefined;
  };
  /** VITE_FEATURE_FOO=true → features.FOO === true (the SPA reads the same variables at build time). */
  features: Record<string, boolean>;
  /** The first of rServerUrls: training, status pages and CLIs use it. */
  rServerUrl: string;
  /** R_SERVER_URLS (or R_SERVER_URL alone): classification batches are spread over all of them. */
  rServerUrls: string[];
  workerConcurrency: number;
  /** Recordings longer than this are split into parts of this length by recording.ingest. */
  recordingSplitSeconds: number;
  /** LOG_DIR: memory dumps and background-script logs; /var/log/battycoda in production, else <DATA_DIR>/logs. */
  logDir: string;
  /** Worker memory monitor: RSS above warnBytes logs a warning, above dumpBytes writes a dump and alerts. */
  memoryMonitor: { warnBytes: number; dumpBytes: number; sampleSeconds: number };
  /** How often each worker process writes its WorkerHeartbeat row. */
  heartbeatSeconds: number;
}

export interface LoadConfigOptions {
  /**
   * Read or create `<dataDir>/secret_key` when SECRET_KEY is unset outside production (default
   * true). Tests that only check parsing turn it off and get a fixed development key instead.
   */
  persistSecretKey?: boolean;
}

const FEATURE_PREFIX = "VITE_FEATURE_";

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** A listen address that a browser can open (0.0.0.0 means "all interfaces", not a host). */
function browsableHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** "media", "/media/", "media/" → "media/"; unset → "" (the bucket's root). */
function folderPrefix(p: string | undefined): string {
  const trimmed = (p ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}

function resolveFromRepo(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(REPO_ROOT, p);
}

/** The development secret is generated once and kept so sessions survive restarts. */
export function ensureSecretKeyFile(dataDir: string): string {
  const file = path.join(dataDir, "secret_key");
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(48).toString("base64url");
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Validates an environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const parsed = schema.safeParse(env);
  const issues: string[] = [];
  if (!parsed.success) issues.push(formatIssues(parsed.error));

  const features: Record<string, boolean> = {};
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith(FEATURE_PREFIX) || key.length === FEATURE_PREFIX.length) continue;
    const r = bool(false).safeParse(raw);
    if (r.success) features[key.slice(FEATURE_PREFIX.length)] = r.data;
    else issues.push(`${key}: expected a boolean (true/false, 1/0, yes/no, on/off)`);
  }

  if (parsed.success) {
    const e = parsed.data;
    if (e.NODE_ENV === "production" && !e.SECRET_KEY)
      issues.push("SECRET_KEY: required when NODE_ENV=production");
    if (Boolean(e.AWS_SES_ACCESS_KEY_ID) !== Boolean(e.AWS_SES_SECRET_ACCESS_KEY)) {
      const missing = e.AWS_SES_ACCESS_KEY_ID ? "AWS_SES_SECRET_ACCESS_KEY" : "AWS_SES_ACCESS_KEY_ID";
      issues.push(`${missing}: required when the other AWS_SES_* key is set`);
    }
    if (e.MEDIA_STORAGE === "s3" && !e.MEDIA_S3_BUCKET)
      issues.push("MEDIA_S3_BUCKET: required when MEDIA_STORAGE=s3 (the bucket that holds the media)");
    if (e.MEDIA_S3_PREFIX && /(^|\/)\.{1,2}(\/|$)|[^/]\/{2,}[^/]/.test(e.MEDIA_S3_PREFIX))
      issues.push(
        'MEDIA_S3_PREFIX: expected a folder-like prefix ("battycoda/media/") without ".", ".." or "//"',
      );
    if (Boolean(e.MEDIA_S3_ACCESS_KEY_ID) !== Boolean(e.MEDIA_S3_SECRET_ACCESS_KEY)) {
      const missing = e.MEDIA_S3_ACCESS_KEY_ID ? "MEDIA_S3_SECRET_ACCESS_KEY" : "MEDIA_S3_ACCESS_KEY_ID";
      issues.push(`${missing}: required when the other MEDIA_S3_*_KEY is set`);
    }
  }
  if (issues.length > 0 || !parsed.success)
    throw new ConfigError(`Invalid configuration: ${issues.join("; ")}`);

  const e = parsed.data;
  const dataDir = resolveFromRepo(e.DATA_DIR ?? ".data");
  const mediaRoot = e.MEDIA_ROOT ? resolveFromRepo(e.MEDIA_ROOT) : path.join(dataDir, "media");
  const secretKey =
    e.SECRET_KEY ??
    (options.persistSecretKey === false
      ? "development-secret-key-not-for-production-use"
      : ensureSecretKeyFile(dataDir));
  const publicUrl = (
    e.PUBLIC_URL ??
    (e.DOMAIN_NAME === "localhost" ? `http://${browsableHost(e.HOST)}:${e.PORT}` : `https://${e.DOMAIN_NAME}`)
  ).replace(/\/+$/, "");

  return {
    nodeEnv: e.NODE_ENV,
    isProduction: e.NODE_ENV === "production",
    debug: e.DEBUG,
    logLevel: e.LOG_LEVEL,
    repoRoot: REPO_ROOT,
    dataDir,
    mediaRoot,
    mediaStorage: {
      kind: e.MEDIA_STORAGE,
      s3: e.MEDIA_S3_BUCKET
        ? {
            bucket: e.MEDIA_S3_BUCKET,
            prefix: folderPrefix(e.MEDIA_S3_PREFIX),
            endpoint: e.MEDIA_S3_ENDPOINT,
            region: e.MEDIA_S3_REGION,
            accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID,
            secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY,
          }
        : null,
      cacheDir: e.MEDIA_CACHE_DIR ? resolveFromRepo(e.MEDIA_CACHE_DIR) : path.join(dataDir, "media-cache"),
      cacheMaxBytes: Math.floor(e.MEDIA_CACHE_MAX_MB * 1024 * 1024),
    },
    outboxDir: path.join(dataDir, "outbox"),
    secretKey,
    host: e.HOST,
    port: e.PORT,
    domainName: e.DOMAIN_NAME,
    publicUrl,
    disableStaticCaching: e.DISABLE_STATIC_CACHING,
    maxUploadSizeMb: e.MAX_UPLOAD_SIZE_MB,
    maxUploadSizeBytes: Math.floor(e.MAX_UPLOAD_SIZE_MB * 1024 * 1024),
    maxResumableUploadSizeBytes: Math.floor(e.MAX_RESUMABLE_UPLOAD_SIZE_MB * 1024 * 1024),
    zipMaxDiskShare: e.ZIP_MAX_DISK_SHARE,
    groupStorageQuotaBytes: Math.floor(e.GROUP_STORAGE_QUOTA_MB * 1024 * 1024),
    databaseUrl: e.DATABASE_URL,
    ses: {
      enabled: Boolean(e.AWS_SES_ACCESS_KEY_ID && e.AWS_SES_SECRET_ACCESS_KEY),
      region: e.AWS_SES_REGION_NAME,
      accessKeyId: e.AWS_SES_ACCESS_KEY_ID,
      secretAccessKey: e.AWS_SES_SECRET_ACCESS_KEY,
      configurationSet: e.AWS_SES_CONFIGURATION_SET,
    },
    defaultFromEmail: e.DEFAULT_FROM_EMAIL,
    backup: {
      bucket: e.DATABASE_BACKUP_BUCKET,
      prefix: e.DATABASE_BACKUP_PREFIX,
      endpoint: e.DATABASE_BACKUP_S3_ENDPOINT,
      region: e.DATABASE_BACKUP_S3_REGION,
      accessKeyId: e.DATABASE_BACKUP_S3_ACCESS_KEY_ID,
      secretAccessKey: e.DATABASE_BACKUP_S3_SECRET_ACCESS_KEY,
    },
    pgBinDir: e.PG_BIN_DIR,
    csp: cspSettings(e.CSP_MODE, e.CSP_ENFORCE, e.CSP_STRICT_MODE),
    trustProxy: e.TRUST_PROXY.split(",")
      .map((x) => x.trim())
      .filter(Boolean),
    apiPool: { threads: e.API_POOL_THREADS, maxQueue: e.API_POOL_QUEUE },
    sentry: {
      dsn: e.SENTRY_DSN,
      environment: e.SENTRY_ENVIRONMENT,
      authToken: e.SENTRY_AUTH_TOKEN,
      org: e.SENTRY_ORG,
      project: e.SENTRY_PROJECT,
    },
    features,
    rServerUrl: (e.R_SERVER_URLS?.[0] ?? e.R_SERVER_URL).replace(/\/+$/, ""),
    rServerUrls: [...new Set((e.R_SERVER_URLS ?? [e.R_SERVER_URL]).map((u) => u.replace(/\/+$/, "")))],
    workerConcurrency: e.WORKER_CONCURRENCY,
    recordingSplitSeconds: e.RECORDING_SPLIT_SECONDS,
    logDir: e.LOG_DIR
      ? resolveFromRepo(e.LOG_DIR)
      : e.NODE_ENV === "production"
        ? "/var/log/battycoda"
        : path.join(dataDir, "logs"),
    memoryMonitor: {
      warnBytes: Math.floor(e.MEMORY_WARN_MB * 1024 * 1024),
      dumpBytes: Math.floor(e.MEMORY_DUMP_MB * 1024 * 1024),
      sampleSeconds: e.MEMORY_SAMPLE_SECONDS,
    },
    heartbeatSeconds: e.WORKER_HEARTBEAT_SECONDS,
  };
}

/**
 * CSP_MODE wins; without it the pre-CSP_MODE pair still decides (CSP_ENFORCE=false → report-only,
 * CSP_STRICT_MODE=true → strict), so an old .env keeps its behaviour until it is migrated.
 */
function cspSettings(
  mode: CspMode | undefined,
  enforce: boolean | undefined,
  strict: boolean | undefined,
): Config["csp"] {
  const deprecatedVariables = [
    ...(enforce !== undefined ? ["CSP_ENFORCE"] : []),
    ...(strict !== undefined ? ["CSP_STRICT_MODE"] : []),
  ];
  const resolved: CspMode =
    mode ?? (enforce === false ? "report-only" : strict === true ? "strict" : "enforce");
  return {
    mode: resolved,
    enforce: resolved !== "report-only",
    strictMode: resolved === "strict",
    deprecatedVariables: mode === undefined ? deprecatedVariables : [],
  };
}

/** `<repo>/.env` if present; real environment variables win over it. */
export function readDotEnv(file = path.join(REPO_ROOT, ".env")): Env {
  try {
    return parseEnv(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
}

let cached: Config | undefined;

/** The process-wide configuration: process.env over `<repo>/.env`, validated once. */
export function getConfig(): Config {
  cached ??= loadConfig({ ...readDotEnv(), ...process.env });
  return cached;
}

/** For tests that change process.env between cases. */
export function resetConfigCache(): void {
  cached = undefined;
}
