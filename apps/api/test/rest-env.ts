// A whole running system for the scripting-API tests: PostgreSQL, the real worker (every handler),
// the real R server and the API listening on a free port, with two users in two groups, each
// holding an API key. Reference audio and features come from ../shared/data (missing → failure).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createMediaStore } from "@battycoda/core";
import { initializeDefaults } from "@battycoda/core/defaults";
import { createBoss, type PgBoss } from "@battycoda/core/jobs";
import { type RServerHandle, startRServer } from "@battycoda/r-client";
import type { FastifyInstance } from "fastify";
import { type RunningWorker, startWorker } from "../../worker/src/worker.ts";
import { buildServer } from "../src/server.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

export const SHARED = path.resolve(import.meta.dirname, "../../../../shared/data");
export const BAT_WAV = path.join(SHARED, "recordings/bat1_angie_19.wav");
export const BAT_PICKLE = path.join(SHARED, "recordings/bat1_angie_19.wav.pickle");
export const SHORT_WAV = path.join(SHARED, "recordings/test-audio.wav");
const EFUSCUS_CSV = path.join(SHARED, "features/efuscus_features.csv");

export interface KeyHolder extends TestUser {
  apiKey: string;
}

export interface ScriptingEnv {
  t: TestEnv;
  app: FastifyInstance;
  baseUrl: string;
  boss: PgBoss;
  worker: RunningWorker;
  r: RServerHandle;
  alice: KeyHolder;
  mallory: KeyHolder;
  /** A small features CSV (≤ 20 rows of each common call type): an LDA trains in seconds. */
  trainingCsv: string;
  callTypes: string[];
  close(): Promise<void>;
}

async function smallTrainingCsv(): Promise<{ csv: string; labels: string[] }> {
  const [header, ...rows] = (await readFile(EFUSCUS_CSV, "utf8")).trim().split(/\r?\n/);
  const byLabel = new Map<string, string[]>();
  for (const row of rows) {
    const label = row.slice(row.lastIndexOf(",") + 1);
    byLabel.set(label, [...(byLabel.get(label) ?? []), row]);
  }
  const kept = [...byLabel].filter(([, r]) => r.length >= 18).map(([l, r]) => [l, r.slice(0, 20)] as const);
  return { csv: [header, ...kept.flatMap(([, r]) => r)].join("\n"), labels: kept.map(([l]) => l).sort() };
}

export async function startScriptingEnv(
  options: { env?: Record<string, string>; apiKeyRateLimit?: { limit: number; windowMs: number } } = {},
): Promise<ScriptingEnv> {
  const { csv, labels } = await smallTrainingCsv();
  await readFile(BAT_WAV); // missing shared data fails here, not later
  const r = await startRServer();
  const t = await createTestEnv({ R_SERVER_URL: r.url, ...options.env });
  // System species and the segmentation algorithms, as `battycoda initialize-defaults` makes them.
  await initializeDefaults({ db: t.deps.db, media: createMediaStore(t.config) }, { sharedDataDir: null });
  const boss = await createBoss(t.database.url, { max: 3 });
  t.deps.boss = boss;
  const worker = await startWorker({
    config: t.config,
    databaseUrl: t.database.url,
    handlerOptions: { pollingIntervalSeconds: 0.5 },
    housekeepingCron: null,
    poolThreads: 1,
  });
  const app = await buildServer({
    deps: t.deps,
    webDistDir: "/nonexistent",
    ...(options.apiKeyRateLimit ? { apiKeyRateLimit: options.apiKeyRateLimit } : {}),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const holder = async (name: string): Promise<KeyHolder> => {
    const u = await registerAndLogin(t, name);
    return { ...u, apiKey: (await u.caller.profile.generateApiKey()).key };
  };
  const alice = await holder("alice");
  const mallory = await holder("mallory");
  return {
    t,
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    boss,
    worker,
    r,
    alice,
    mallory,
    trainingCsv: csv,
    callTypes: labels,
    async close() {
      await app.close();
      await worker.stop(10_000);
      await boss.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
      await t.close();
      await r.stop();
    },
  };
}
