import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig, REPO_ROOT, readDotEnv } from "./index.ts";

const noPersist = { persistSecretKey: false };
const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-config-"));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({}, noPersist);
    expect(c.nodeEnv).toBe("development");
    expect(c.port).toBe(8000);
    expect(c.host).toBe("127.0.0.1");
    expect(c.maxUploadSizeMb).toBe(100);
    expect(c.maxUploadSizeBytes).toBe(100 * 1024 * 1024);
    expect(c.dataDir).toBe(path.join(REPO_ROOT, ".data"));
    expect(c.mediaRoot).toBe(path.join(REPO_ROOT, ".data", "media"));
    expect(c.outboxDir).toBe(path.join(REPO_ROOT, ".data", "outbox"));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.ses).toEqual({
      enabled: false,
      region: "us-east-1",
      accessKeyId: undefined,
      secretAccessKey: undefined,
      configurationSet: undefined,
    });
    expect(c.backup).toEqual({
      bucket: "backup-battycoda",
      prefix: "database-backups/",
      endpoint: undefined,
      region: "us-east-1",
      accessKeyId: undefined,
      secretAccessKey: undefined,
    });
    expect(c.mediaStorage).toEqual({
      kind: "local",
      s3: null,
      cacheDir: path.join(REPO_ROOT, ".data", "media-cache"),
      cacheMaxBytes: 2048 * 1024 * 1024,
    });
    expect(c.csp).toEqual({ mode: "enforce", enforce: true, strictMode: false, deprecatedVariables: [] });
    expect(c.trustProxy).toEqual(["127.0.0.1", "::1"]);
    expect(c.apiPool.maxQueue).toBe(8);
    expect(c.apiPool.threads).toBeGreaterThanOrEqual(1);
    expect(c.sentry.environment).toBe("production");
    expect(c.sentry.dsn).toBeUndefined();
    expect(c.rServerUrl).toBe("http://127.0.0.1:8001");
    expect(c.publicUrl).toBe("http://127.0.0.1:8000");
    expect(c.workerConcurrency).toBe(2);
    expect(c.logLevel).toBe("info");
    expect(c.debug).toBe(false);
    expect(c.features).toEqual({});
  });

  it("derives a browsable PUBLIC_URL from a wildcard listen address", () => {
    expect(loadConfig({ HOST: "0.0.0.0", PORT: "9000" }, noPersist).publicUrl).toBe("http://127.0.0.1:9000");
    expect(loadConfig({ PUBLIC_URL: "https://lab.example.org/" }, noPersist).publicUrl).toBe(
      "https://lab.example.org",
    );
  });

  it("treats empty strings as unset", () => {
    const c = loadConfig({ MAX_UPLOAD_SIZE_MB: "", DATABASE_URL: "  ", PORT: "", DEBUG: "" }, noPersist);
    expect(c.maxUploadSizeMb).toBe(100);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(8000);
    expect(c.debug).toBe(false);
  });

  it("parses values", () => {
    const c = loadConfig(
      {
        MAX_UPLOAD_SIZE_MB: "2.5",
        PORT: "9123",
        DEBUG: "yes",
        CSP_ENFORCE: "TRUE",
        DISABLE_STATIC_CACHING: "1",
        DATABASE_URL: "postgresql://u:p@db:5432/x",
        DATA_DIR: "/srv/battycoda",
        DOMAIN_NAME: "battycoda.example.org",
        AWS_SES_ACCESS_KEY_ID: "AKIA",
        AWS_SES_SECRET_ACCESS_KEY: "secret",
        VITE_FEATURE_CLUSTERING: "true",
        VITE_FEATURE_BETA_UPLOAD: "off",
        R_SERVER_URL: "http://127.0.0.1:9001/",
        LOG_LEVEL: "DEBUG",
      },
      noPersist,
    );
    expect(c.maxUploadSizeMb).toBe(2.5);
    expect(c.port).toBe(9123);
    expect(c.debug).toBe(true);
    expect(c.csp.enforce).toBe(true);
    expect(c.disableStaticCaching).toBe(true);
    expect(c.databaseUrl).toBe("postgresql://u:p@db:5432/x");
    expect(c.dataDir).toBe("/srv/battycoda");
    expect(c.mediaRoot).toBe("/srv/battycoda/media");
    expect(c.publicUrl).toBe("https://battycoda.example.org");
    expect(c.ses.enabled).toBe(true);
    expect(c.features).toEqual({ CLUSTERING: true, BETA_UPLOAD: false });
    expect(c.rServerUrl).toBe("http://127.0.0.1:9001");
    expect(c.rServerUrls).toEqual(["http://127.0.0.1:9001"]);
    expect(c.logLevel).toBe("debug");
  });

  it("reads several R servers from R_SERVER_URLS, which replaces R_SERVER_URL", () => {
    const c = loadConfig(
      {
        R_SERVER_URL: "http://127.0.0.1:9001",
        R_SERVER_URLS: " http://r1.lab:8001/, http://r2.lab:8001 ,http://r1.lab:8001",
      },
      noPersist,
    );
    expect(c.rServerUrls).toEqual(["http://r1.lab:8001", "http://r2.lab:8001"]);
    expect(c.rServerUrl).toBe("http://r1.lab:8001");
    expect(() => loadConfig({ R_SERVER_URLS: "http://r1.lab:8001,r2.lab" }, noPersist)).toThrow(
      /R_SERVER_URLS.*expected a URL/,
    );
  });

  it.each([
    [{ MAX_UPLOAD_SIZE_MB: "abc" }, "Invalid configuration: MAX_UPLOAD_SIZE_MB: expected a positive number"],
    [{ MAX_UPLOAD_SIZE_MB: "-3" }, "Invalid configuration: MAX_UPLOAD_SIZE_MB: expected a positive number"],
    [{ PORT: "70000" }, "Invalid configuration: PORT: expected a TCP port (0-65535)"],
    [{ DEBUG: "maybe" }, "Invalid configuration: DEBUG: expected a boolean"],
    [{ DATABASE_URL: "mysql://x" }, "Invalid configuration: DATABASE_URL: expected a URL"],
    [
      { DATABASE_BACKUP_S3_ENDPOINT: "minio:9000" },
      "Invalid configuration: DATABASE_BACKUP_S3_ENDPOINT: expected a URL",
    ],
    [{ NODE_ENV: "staging" }, "Invalid configuration: NODE_ENV: expected development, production or test"],
    [{ NODE_ENV: "production" }, "Invalid configuration: SECRET_KEY: required when NODE_ENV=production"],
    [{ SECRET_KEY: "short" }, "Invalid configuration: SECRET_KEY: expected at least 32 characters"],
    [{ WORKER_CONCURRENCY: "1.5" }, "Invalid configuration: WORKER_CONCURRENCY: expected a positive integer"],
    [{ VITE_FEATURE_X: "sure" }, "Invalid configuration: VITE_FEATURE_X: expected a boolean"],
    [{ ZIP_MAX_DISK_SHARE: "0" }, "Invalid configuration: ZIP_MAX_DISK_SHARE: expected a number above 0"],
    [{ ZIP_MAX_DISK_SHARE: "1.5" }, "Invalid configuration: ZIP_MAX_DISK_SHARE: expected a number above 0"],
    [
      { GROUP_STORAGE_QUOTA_MB: "-1" },
      "Invalid configuration: GROUP_STORAGE_QUOTA_MB: expected a number ≥ 0",
    ],
    [{ AWS_SES_ACCESS_KEY_ID: "AKIA" }, "Invalid configuration: AWS_SES_SECRET_ACCESS_KEY: required"],
    [{ MEDIA_STORAGE: "s3" }, "Invalid configuration: MEDIA_S3_BUCKET: required when MEDIA_STORAGE=s3"],
    [{ MEDIA_STORAGE: "gcs" }, "Invalid configuration: MEDIA_STORAGE: expected local or s3"],
    [{ MEDIA_S3_ENDPOINT: "minio:9000" }, "Invalid configuration: MEDIA_S3_ENDPOINT: expected a URL"],
    [
      { MEDIA_S3_BUCKET: "b", MEDIA_S3_SECRET_ACCESS_KEY: "s" },
      "Invalid configuration: MEDIA_S3_ACCESS_KEY_ID: required when the other MEDIA_S3_*_KEY is set",
    ],
    [{ MEDIA_S3_PREFIX: "a/../b" }, "Invalid configuration: MEDIA_S3_PREFIX: expected a folder-like prefix"],
    [{ MEDIA_S3_PREFIX: "a//b" }, "Invalid configuration: MEDIA_S3_PREFIX: expected a folder-like prefix"],
    [{ MEDIA_CACHE_MAX_MB: "0" }, "Invalid configuration: MEDIA_CACHE_MAX_MB: expected a positive number"],
    [
      { DEFAULT_FROM_EMAIL: "nobody" },
      "Invalid configuration: DEFAULT_FROM_EMAIL: expected an email address",
    ],
  ])("rejects %j naming the variable", (env, message) => {
    expect(() => loadConfig(env, noPersist)).toThrow(ConfigError);
    expect(() => loadConfig(env, noPersist)).toThrow(message);
  });

  it("reads the ZIP disk share and the site storage quota (0 = unlimited by default)", () => {
    const d = loadConfig({}, noPersist);
    expect(d.zipMaxDiskShare).toBe(0.5);
    expect(d.groupStorageQuotaBytes).toBe(0);
    const c = loadConfig({ ZIP_MAX_DISK_SHARE: "0.25", GROUP_STORAGE_QUOTA_MB: "1.5" }, noPersist);
    expect(c.zipMaxDiskShare).toBe(0.25);
    expect(c.groupStorageQuotaBytes).toBe(Math.floor(1.5 * 1024 * 1024));
  });

  it("reads the S3 media store, its prefix as a folder, and the cache settings", () => {
    const c = loadConfig(
      {
        MEDIA_STORAGE: " S3 ",
        MEDIA_S3_BUCKET: "lab-media",
        MEDIA_S3_PREFIX: "/battycoda/media",
        MEDIA_S3_ENDPOINT: "http://127.0.0.1:9000",
        MEDIA_S3_REGION: "eu-west-1",
        MEDIA_S3_ACCESS_KEY_ID: "AK",
        MEDIA_S3_SECRET_ACCESS_KEY: "SK",
        MEDIA_CACHE_DIR: "/var/cache/battycoda",
        MEDIA_CACHE_MAX_MB: "1.5",
      },
      noPersist,
    );
    expect(c.mediaStorage).toEqual({
      kind: "s3",
      s3: {
        bucket: "lab-media",
        prefix: "battycoda/media/",
        endpoint: "http://127.0.0.1:9000",
        region: "eu-west-1",
        accessKeyId: "AK",
        secretAccessKey: "SK",
      },
      cacheDir: "/var/cache/battycoda",
      cacheMaxBytes: Math.floor(1.5 * 1024 * 1024),
    });
    // A local installation with a bucket configured: the target of migrate-media --to s3.
    const local = loadConfig({ MEDIA_S3_BUCKET: "lab-media", DATA_DIR: "/srv/bc" }, noPersist);
    expect(local.mediaStorage.kind).toBe("local");
    expect(local.mediaStorage.s3?.prefix).toBe("");
    expect(local.mediaStorage.cacheDir).toBe("/srv/bc/media-cache");
  });

  it("documents every variable in .env.example", () => {
    const example = fs.readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8");
    const documented = new Set([...example.matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((v) => !documented.has(v))).toEqual([]);
    // Every MEDIA_* setting has its own `NAME=default` line, not only a mention in a comment.
    for (const v of CONFIG_VARIABLES.filter((x) => x.startsWith("MEDIA_")))
      expect(example).toMatch(new RegExp(`^${v}=`, "m"));
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", MAX_UPLOAD_SIZE_MB: "0" }, noPersist)).toThrow(
      /PORT: .*; MAX_UPLOAD_SIZE_MB: expected a positive number/,
    );
  });

  it("accepts a production configuration with a SECRET_KEY", () => {
    const key = "k".repeat(40);
    const c = loadConfig({ NODE_ENV: "production", SECRET_KEY: key }, noPersist);
    expect(c.isProduction).toBe(true);
    expect(c.secretKey).toBe(key);
  });

  it("generates the development secret once and reuses it", () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    const b = loadConfig({ DATA_DIR: dir });
    expect(a.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(b.secretKey).toBe(a.secretKey);
    expect(fs.readFileSync(path.join(dir, "secret_key"), "utf8").trim()).toBe(a.secretKey);
    const other = loadConfig({ DATA_DIR: tmp() });
    expect(other.secretKey).not.toBe(a.secretKey);
  });
});

describe("readDotEnv", () => {
  it("reads KEY=value lines and returns {} when the file is missing", () => {
    const dir = tmp();
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, '# comment\nPORT=9000\nDEFAULT_FROM_EMAIL="Lab <lab@example.org>"\n');
    expect(readDotEnv(file)).toEqual({ PORT: "9000", DEFAULT_FROM_EMAIL: "Lab <lab@example.org>" });
    expect(readDotEnv(path.join(dir, "missing"))).toEqual({});
  });
});
