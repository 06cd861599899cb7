// A WAV cut short in a copy (the first 30 000 bytes of the real 8.9 s bat1_angie_19.wav) is kept
// as a recording, flagged with the declared and the actual length, through the real ingest job.
import { copyFile, open, readFile } from "node:fs/promises";
import path from "node:path";
import { readWavInfo } from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../../audio/test/fixtures/generate.ts";
import { type Boss, createBoss } from "../jobs/boss.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import type { ProcessingDeps } from "./deps.ts";
import { ingestRecording } from "./ingest.ts";
import { ProcessingPool } from "./pool.ts";
import { createGroup, createRecordingFromWav } from "./testing.ts";
import { truncationMessage, truncationOf } from "./truncation.ts";

const ANGIE = path.resolve(import.meta.dirname, "../../../../../shared/data/recordings/bat1_angie_19.wav");

let t: TestDatabase;
let boss: Boss;
let pool: ProcessingPool;
let dir: string;
let deps: ProcessingDeps;
let groupId: string;
let cut: string;
let whole: string;

beforeAll(async () => {
  // Shared data missing in CI must fail the run, not skip it.
  const bytes = await readFile(ANGIE);
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  pool = new ProcessingPool({ threads: 1 });
  dir = await makeTempDir("battycoda-truncation-");
  deps = { db: t.db, boss, media: new LocalMediaStore(path.join(dir, "media")), splitSeconds: 60, pool };
  groupId = await createGroup(t);
  cut = path.join(dir, "angie_cut.wav");
  const fh = await open(cut, "w");
  await fh.write(bytes.subarray(0, 30_000));
  await fh.close();
  whole = path.join(dir, "angie_whole.wav");
  await copyFile(ANGIE, whole);
});
afterAll(async () => {
  await pool?.destroy();
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
  await removeTempDir(dir);
});

describe("truncated WAV files", () => {
  it("tells the declared from the actual length", async () => {
    const info = await readWavInfo(cut);
    const tr = truncationOf(info);
    expect(tr?.declaredDuration).toBeCloseTo(8.9, 1);
    expect(tr?.actualDuration).toBeCloseTo((30_000 - info.dataOffset) / info.blockAlign / info.sampleRate, 6);
    expect(truncationMessage(tr ?? { declaredDuration: 0, actualDuration: 0 })).toMatch(
      /declares 8\.\d\d s .* holds only 0\.17 s/,
    );
    expect(truncationOf(await readWavInfo(whole))).toBeNull();
  });

  it("ingest keeps the recording and flags it with both lengths", async () => {
    const rec = await createRecordingFromWav(t, (deps.media as LocalMediaStore).root, groupId, cut);
    const result = await ingestRecording(deps, rec.id);
    expect(result.status).toBe("processing");
    expect(result.truncated?.declaredDuration).toBeCloseTo(8.9, 1);
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row.truncated).toBe(true);
    expect(row.declaredDuration).toBeCloseTo(8.9, 1);
    expect(row.duration).toBeCloseTo(0.17, 2);
    expect(row.processingError).toBeNull();

    const ok = await createRecordingFromWav(t, (deps.media as LocalMediaStore).root, groupId, whole);
    expect((await ingestRecording(deps, ok.id)).truncated).toBeUndefined();
    const okRow = await t.db.recording.findUniqueOrThrow({ where: { id: ok.id } });
    expect([okRow.truncated, okRow.declaredDuration]).toEqual([false, null]);
  });
});
