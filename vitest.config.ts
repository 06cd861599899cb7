import { defineConfig } from "vitest/config";

// One run, several projects, one PostgreSQL: test/global-setup.ts starts an embedded cluster and
// migrates a template database; each test file takes a copy via @battycoda/db/testing.
// Only the root config has globalSetup (projects do not `extends: true`), so it runs once.
export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    // The machine is shared; PostgreSQL, pg-boss and Chromium all want CPU too.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: [
            "packages/*/{src,test}/**/*.test.ts",
            "apps/{api,worker}/{src,test}/**/*.test.ts",
            "scripts/**/*.test.ts",
            "test/**/*.test.ts",
          ],
          setupFiles: ["./test/setup-env.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Component/unit tests of the SPA. Node by default; a file can opt into a DOM with
          // `// @vitest-environment jsdom` once apps/web depends on jsdom (^29 for Node 20).
          name: "web",
          environment: "node",
          include: ["apps/web/src/**/*.test.{ts,tsx}"],
          setupFiles: ["./test/setup-env.ts"],
        },
      },
      {
        test: {
          // Browser journeys (playwright-core + Debian chromium): slow, stateful, one file at a
          // time, after the other projects have finished.
          name: "e2e",
          environment: "node",
          include: ["apps/web/e2e/**/*.e2e.ts", "scripts/**/*.e2e.ts"],
          setupFiles: ["./test/setup-env.ts"],
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 240_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
