// Runs once per `vitest run` in the main process: one throw-away PostgreSQL cluster for every
// project, a migrated template database, and a private data folder so no test touches .data/.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { prepareTemplateDatabase, TEST_PG_ADMIN_URL_ENV } from "@battycoda/db/testing";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    testEnv: Record<string, string>;
  }
}

/**
 * Reference data beside the repository (../shared/data): recordings, warbleR goldens, feature
 * tables. Tests compare against it, so a run without it must fail loudly rather than skip those
 * comparisons and pass. Set BATTYCODA_TESTS_WITHOUT_SHARED=1 to run the rest knowingly.
 */
function requireSharedData() {
  const dir = path.resolve(import.meta.dirname, "..", "..", "shared", "data");
  const needed = ["recordings", "features", "features/golden"];
  const missing = needed.filter((d) => !fs.existsSync(path.join(dir, d)));
  if (missing.length === 0 || process.env.BATTYCODA_TESTS_WITHOUT_SHARED === "1") return;
  throw new Error(
    `The tests compare against reference data in ${dir}, which lacks ${missing.join(", ")}. ` +
      "Put the shared data beside the repository, or set BATTYCODA_TESTS_WITHOUT_SHARED=1 to run without those comparisons.",
  );
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  requireSharedData();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-test-"));
  const dataDir = path.join(root, "data");
  fs.mkdirSync(dataDir, { recursive: true });

  const pgHandle = await startEmbeddedPostgres({ dir: path.join(root, "postgres"), ephemeral: true });
  try {
    await prepareTemplateDatabase(pgHandle.adminUrl);
  } catch (err) {
    await pgHandle.stop();
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }

  // Test files read these through test/setup-env.ts (inherited env is not guaranteed for every pool).
  const testEnv: Record<string, string> = {
    NODE_ENV: "test",
    [TEST_PG_ADMIN_URL_ENV]: pgHandle.adminUrl,
    DATA_DIR: dataDir,
    MEDIA_ROOT: path.join(dataDir, "media"),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // A developer's .env must not reach real services from tests (empty = unset, and the
    // environment wins over .env): no real database, no SES, no Sentry.
    DATABASE_URL: "",
    AWS_SES_ACCESS_KEY_ID: "",
    AWS_SES_SECRET_ACCESS_KEY: "",
    SENTRY_DSN: "",
  };
  Object.assign(process.env, testEnv);
  project.provide("pgAdminUrl", pgHandle.adminUrl);
  project.provide("testEnv", testEnv);
  if (process.env.BATTYCODA_TEST_VERBOSE) {
    console.log(
      `[test] PostgreSQL on port ${pgHandle.port}, template migrated in ${Date.now() - started} ms`,
    );
  }

  return async () => {
    await pgHandle.stop();
    if (!process.env.BATTYCODA_TEST_KEEP) fs.rmSync(root, { recursive: true, force: true });
  };
}
