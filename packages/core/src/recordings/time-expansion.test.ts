// A time expansion declared after upload, on both media backends: the stored object is rewritten with GUANO TE (same
// samples), and ingest then reads the recording in real time. On S3 the object is staged, rewritten and put back.
import { randomUUID } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { decodeWav } from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir, writeFixture } from "../../../audio/test/fixtures/generate.ts";
import type { GroupAccess } from "../access/access.ts";
import { type Boss, createBoss } from "../jobs/boss.ts";
import { type LocalS3, startLocalS3 } from "../maintenance/testing.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { recordingDir } from "../media/media.ts";
import { S3MediaStore } from "../media/s3-store.ts";
import type { MediaStore } from "../media/store.ts";
import { ingestRecording } from "../processing/ingest.ts";
import type { ProcessingPool } from "../processing/pool.ts";
import { createGroup } from "../processing/testing.ts";
import { declareTimeExpansion } from "./time-expansion.ts";

let t: TestDatabase;
let boss: Boss;
let s3: LocalS3;
let dir: string;
let wav: string;
let access: GroupAccess;
const samples = new Float32Array(50_000);

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  s3 = await startLocalS3("te-media", "media/");
  dir = await makeTempDir("battycoda-te-");
  for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 3_000 * i) / 25_000);
  wav = await writeFixture(dir, "plain-25k", samples, { sampleRate: 25_000 });
  const groupId = await createGroup({ db: t.db });
  access = {
    groupId,
    groupName: "Lab",
    membershipId: "",
    isGroupAdmin: true,
    userId: "",
    isSiteAdmin: false,
  };
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await s3?.stop();
  await t?.drop();
  await removeTempDir(dir);
});

const backends: [string, () => MediaStore][] = [
  ["local", () => new LocalMediaStore(path.join(dir, `media-${randomUUID()}`))],
  [
    "s3",
    () =>
      new S3MediaStore({
        s3: { ...s3.backup, prefix: `media/${randomUUID()}/` },
        cacheDir: path.join(dir, `cache-${randomUUID()}`),
        cacheMaxBytes: 64 * 1024 * 1024,
      }),
  ],
];

describe("declareTimeExpansion", () => {
  for (const [name, make] of backends) {
    it(`${name}: rewrites the stored file with TE and ingest reads it in real time`, async () => {
      const media = make();
      const deps = { db: t.db, boss, media, splitSeconds: 60, pool: null as unknown as ProcessingPool };
      const rec = await t.db.recording.create({
        data: { groupId: access.groupId, name: "x10", filePath: "", originalFilename: "plain-25k.wav" },
      });
      const key = path.posix.join(recordingDir(access.groupId, rec.id), "plain-25k.wav");
      const local = path.join(dir, `${rec.id}.wav`);
      await copyFile(wav, local);
      await media.importFile(local, key);
      await t.db.recording.update({ where: { id: rec.id }, data: { filePath: key } });
      await ingestRecording(deps, rec.id);
      // As if its spectrogram job had run.
      await media.write(`${recordingDir(access.groupId, rec.id)}/old.h5`, "old time base");
      await t.db.recording.update({
        where: { id: rec.id },
        data: {
          processingStatus: "ready",
          spectrogramPath: `${recordingDir(access.groupId, rec.id)}/old.h5`,
        },
      });

      const declared = await declareTimeExpansion({ db: t.db, boss, media }, access, rec.id, 8);
      expect(declared).toMatchObject({ processingStatus: "processing", hasSpectrogram: false });
      expect(await media.stat(`${recordingDir(access.groupId, rec.id)}/old.h5`)).toBeNull();
      const stored = decodeWav(new Uint8Array(await media.read(key)));
      expect(stored.info).toMatchObject({ sampleRate: 200_000, timeExpansion: 8 });
      // The same samples, bit for bit.
      const original = decodeWav(new Uint8Array(await readFile(wav))).channels[0]!;
      expect(Buffer.from(stored.channels[0]!.buffer).equals(Buffer.from(original.buffer))).toBe(true);

      await ingestRecording(deps, rec.id);
      const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
      expect(row).toMatchObject({ sampleRate: 200_000 });
      expect(row.duration).toBeCloseTo(0.25, 9);
    });
  }
});
