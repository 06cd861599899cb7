// A time expansion declared after upload, on both media backends: ingest rewrites the stored object with GUANO TE (same
// samples) and reads the recording in real time. On S3 the object is staged, rewritten and put back.
import { createHash, randomUUID } from "node:crypto";
import { copyFile, readFile, writeFile } from "node:fs/promises";
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
import { storedTimeExpansion } from "./recordings.ts";
import { declareTimeExpansion, pendingTimeExpansion, writePendingTimeExpansion } from "./time-expansion.ts";

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
    it(`${name}: declared, ingest writes TE into the stored file (a retry after the write completes the row)`, async () => {
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
      expect(declared).toMatchObject({
        processingStatus: "processing",
        hasSpectrogram: false,
        timeExpansion: null,
      });
      expect(await media.stat(`${recordingDir(access.groupId, rec.id)}/old.h5`)).toBeNull();
      const job = await t.db.job.findFirstOrThrow({
        where: { subjectId: rec.id, message: { contains: "x8" } },
      });
      expect(job).toMatchObject({ type: "recording.ingest", status: "queued" });

      // Ingest's first attempt dies right after writing the file; the retry finds it written and completes the row.
      const original = decodeWav(new Uint8Array(await readFile(wav))).channels[0]!;
      await writePendingTimeExpansion(media, key, 8);
      const once = await media.read(key);
      await ingestRecording(deps, rec.id);
      const stored = await media.read(key);
      expect(stored.equals(once)).toBe(true);
      const decoded = decodeWav(new Uint8Array(stored));
      expect(decoded.info).toMatchObject({ sampleRate: 200_000, timeExpansion: 8 });
      expect(decoded.info.metadata.guano?.fields.TE).toBe("8");
      // The same samples, bit for bit.
      expect(Buffer.from(decoded.channels[0]!.buffer).equals(Buffer.from(original.buffer))).toBe(true);
      const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
      expect(row).toMatchObject({
        sampleRate: 200_000,
        sha256: createHash("sha256").update(stored).digest("hex"),
      });
      expect(row.duration).toBeCloseTo(0.25, 9);
      expect(pendingTimeExpansion(row.metadata)).toBeNull();
      expect(storedTimeExpansion(row.metadata)).toBe(8);
    });
  }

  it("refuses a file that cannot take the factor before anything changes", async () => {
    const media = new LocalMediaStore(path.join(dir, `media-${randomUUID()}`));
    const rec = await t.db.recording.create({
      data: {
        groupId: access.groupId,
        name: "cut",
        filePath: "",
        originalFilename: "cut.wav",
        processingStatus: "ready",
      },
    });
    const key = path.posix.join(recordingDir(access.groupId, rec.id), "cut.wav");
    // Cut short: the header declares more data than the file holds.
    const cut = path.join(dir, `${rec.id}.wav`);
    await writeFile(cut, (await readFile(wav)).subarray(0, 20_000));
    await media.importFile(cut, key);
    await t.db.recording.update({ where: { id: rec.id }, data: { filePath: key } });
    const before = await media.read(key);
    await expect(declareTimeExpansion({ db: t.db, boss, media }, access, rec.id, 10)).rejects.toThrow(
      /Cannot declare time expansion x10: the file is truncated or unfinished/,
    );
    expect((await media.read(key)).equals(before)).toBe(true);
    expect(await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({
      processingStatus: "ready",
      metadata: null,
    });
    expect(await t.db.job.count({ where: { subjectId: rec.id } })).toBe(0);
  });
});
