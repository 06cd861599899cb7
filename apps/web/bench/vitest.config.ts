import path from "node:path";
import { defineConfig } from "vitest/config";

// The browser benchmarks run with the test harness (one PostgreSQL, real API, worker and
// Chromium) but are not tests: nothing here asserts a time, they print their figures.
// `pnpm --filter @battycoda/web bench:first-pixels`
const root = path.resolve(import.meta.dirname, "../../..");
export default defineConfig({
  test: {
    root,
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup-env.ts"],
    include: ["apps/web/bench/**/*.bench-e2e.ts"],
    environment: "node",
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
