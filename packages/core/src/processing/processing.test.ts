import { readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  encodeFrames,
  readSpectrogramAttrs,
  readSpectrogramWindow,
  readWavFile,
  readWavInfo,
  SPECTROGRAM_DB_SCALE,
  stft,
} from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exactSamples,
  generateAll,
  makeTempDir,
  removeTempDir,
  writeFixture,
} from "../../../audio/test/fixtures/generate.ts";
import { ascii, cat, fmtBody, rawChunk, riff, u16, u32 } from "../../../audio/test/fixtures/riff.ts";
import { type Boss, createBoss } from "../jobs/boss.ts";
import { PermanentJobError } from "../jobs/handler.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { resolveStoredPath } from "../media/media.ts";
import { toRecordingDetail } from "../recordings/recordings.ts";
import type { ProcessingDeps } from "./deps.ts";
import { ingestRecording, partId } from "./ingest.ts";
import { parseGuanoTimestamp } from "./metadata.ts";
import { ProcessingPool } from "./pool.ts";
import { generateSpectrogram, spectrogramPathFor } from "./spectrogram.ts";
import { createGroup, createRecordingFromWav } from "./testing.ts";

let t: TestDatabase;
let boss: Boss;
let pool: ProcessingPool;
let dir: string;
let mediaRoot: string;
let deps: ProcessingDeps;
let groupId: string;
let fixtures: Awaited<ReturnType<typeof generateAll>>;

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  pool = new ProcessingPool({ threads: 1 });
  dir = await makeTempDir("battycoda-processing-");
  mediaRoot = path.join(dir, "media");
  deps = { db: t.db, boss, media: new LocalMediaStore(mediaRoot), splitSeconds: 60, pool };
  groupId = await createGroup(t);
  fixtures = await generateAll(dir);
});
afterAll(async () => {
  await pool?.destroy();
  await boss?.stop({ graceful: false, wait: true });
  await t?.drop();
  await removeTempDir(dir);
});

const spectrogramJobsFor = (recordingId: string) =>
  t.db.job.findMany({
    where: { type: "spectrogram.generate", subjectType: "recording", subjectId: recordingId },
  });

/** Bit-exact comparison (expect().toEqual on million-element arrays takes seconds). */
function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

describe("recording.ingest", () => {
  it.each([
    ["pcm16-mono-384k", { sampleRate: 384000, channels: 1, bitDepth: 16, format: "pcm" }],
    ["pcm24-stereo-500k", { sampleRate: 500000, channels: 2, bitDepth: 24, format: "pcm" }],
    ["float32-mono-192k", { sampleRate: 192000, channels: 1, bitDepth: 32, format: "float" }],
    ["pcm16-8ch", { sampleRate: 256000, channels: 8, bitDepth: 16, format: "pcm" }],
    ["ext-pcm-12-valid-bits", { bitDepth: 12, format: "pcm" }],
    ["rf64", { format: "pcm" }],
  ])("fills the header fields of %s and queues one spectrogram", async (name, expected) => {
    const file = fixtures.valid.get(name)!;
    const info = await readWavInfo(file);
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, file);
    const result = await ingestRecording(deps, rec.id);
    expect(result.status).toBe("processing");
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row).toMatchObject({ ...expected, processingStatus: "processing", processingError: null });
    expect(row.duration).toBeCloseTo(info.duration, 9);
    expect(row.metadata).toMatchObject({ wav: { container: info.container, frames: info.frames } });
    // a rerun converges: same row, still one spectrogram job
    await ingestRecording(deps, rec.id);
    expect(await spectrogramJobsFor(rec.id)).toHaveLength(1);
  });

  it("keeps GUANO, LIST and bext metadata and warnings, and dates the recording from GUANO", async () => {
    const rec = await createRecordingFromWav(
      t,
      mediaRoot,
      groupId,
      fixtures.valid.get("guano-list-bext-before-data")!,
      { metadata: { fromUpload: "kept" } },
    );
    await ingestRecording(deps, rec.id);
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row.metadata).toMatchObject({
      fromUpload: "kept",
      guano: { Make: "Titley Scientific", "WA|Song Meter|Prefix": "SM4BAT" },
      info: { INAM: "Pipistrellus pass" },
      bext: { description: "Myotis at dusk" },
    });
    expect(row.recordedDate?.toISOString()).toBe("2024-06-01T19:34:05.123Z");

    const truncated = await createRecordingFromWav(
      t,
      mediaRoot,
      groupId,
      fixtures.valid.get("truncated-data")!,
    );
    await ingestRecording(deps, truncated.id);
    const trow = await t.db.recording.findUniqueOrThrow({ where: { id: truncated.id } });
    expect((trow.metadata as { warnings: string[] }).warnings.length).toBeGreaterThan(0);
  });

  it("does not override a recorded date the user gave", async () => {
    const given = new Date("2020-01-02T03:04:05Z");
    const rec = await createRecordingFromWav(
      t,
      mediaRoot,
      groupId,
      fixtures.valid.get("guano-list-bext-before-data")!,
      {
        recordedDate: given,
      },
    );
    await ingestRecording(deps, rec.id);
    expect((await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).recordedDate).toEqual(given);
  });

  it("parses GUANO timestamps with and without offsets", () => {
    expect(parseGuanoTimestamp("2024-06-01T21:34:05-05:00")?.toISOString()).toBe("2024-06-02T02:34:05.000Z");
    expect(parseGuanoTimestamp("2024-06-01 21:34:05")?.toISOString()).toBe("2024-06-01T21:34:05.000Z");
    expect(parseGuanoTimestamp("2024-06-01T21:34:05Z")?.toISOString()).toBe("2024-06-01T21:34:05.000Z");
    expect(parseGuanoTimestamp("yesterday")).toBeNull();
    expect(parseGuanoTimestamp("2024-13-01T00:00:00")).toBeNull();
  });

  it.each([
    ["text-file", "NOT_RIFF"],
    ["ogg", "NOT_RIFF"],
    ["empty", "TOO_SHORT"],
  ])("marks a corrupt file (%s) failed with the WAV error and keeps it", async (name) => {
    const file = fixtures.malformed.get(name)!;
    const expectedMessage = await readWavInfo(file).then(
      () => "",
      (err: Error) => err.message,
    );
    expect(expectedMessage).not.toBe("");
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, file);
    const err = await ingestRecording(deps, rec.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentJobError);
    expect((err as Error).message).toBe(expectedMessage);
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row).toMatchObject({ processingStatus: "failed", processingError: expectedMessage });
    expect(await spectrogramJobsFor(rec.id)).toHaveLength(0);
  });
});

describe("splitting long recordings", () => {
  it.each([
    ["24-bit PCM", { bitsPerSample: 24, format: "pcm" as const }],
    ["32-bit float", { bitsPerSample: 32, format: "float" as const }],
  ])("splits 130 s of %s into 3 sample-exact parts in the same format", async (_label, fmt) => {
    const sampleRate = 16000;
    const frames = 130 * sampleRate + 7;
    const samples = exactSamples(frames, 2, fmt.bitsPerSample);
    const wav = await writeFixture(dir, `long-${fmt.format}${fmt.bitsPerSample}`, samples, {
      sampleRate,
      ...fmt,
    });
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav, { name: "Night pass" });

    const result = await ingestRecording(deps, rec.id);
    expect(result.parts).toEqual([1, 2, 3].map((i) => partId(rec.id, i)));
    const parts = await t.db.recording.findMany({
      where: { parentRecordingId: rec.id },
      orderBy: { partIndex: "asc" },
    });
    expect(parts.map((p) => p.name)).toEqual([
      "Night pass (Part 1/3)",
      "Night pass (Part 2/3)",
      "Night pass (Part 3/3)",
    ]);
    expect(parts.map((p) => p.partCount)).toEqual([3, 3, 3]);
    const parent = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(parent).toMatchObject({ processingStatus: "ready", partCount: 3, spectrogramPath: null });
    expect(await readWavInfo(resolveStoredPath(mediaRoot, parent.filePath))).toBeTruthy(); // original kept

    const bounds = [0, 60 * sampleRate, 120 * sampleRate, frames];
    for (const [i, part] of parts.entries()) {
      expect(part).toMatchObject({
        groupId,
        bitDepth: fmt.bitsPerSample,
        format: fmt.format,
        channels: 2,
        sampleRate,
        processingStatus: "processing",
      });
      const decoded = await readWavFile(resolveStoredPath(mediaRoot, part.filePath));
      expect(decoded.info.bitsPerSample).toBe(fmt.bitsPerSample);
      expect(decoded.info.format).toBe(fmt.format);
      expect(decoded.info.frames).toBe(bounds[i + 1]! - bounds[i]!);
      for (let c = 0; c < 2; c++)
        expect(sameSamples(decoded.channels[c]!, samples[c]!.subarray(bounds[i]!, bounds[i + 1]!))).toBe(
          true,
        );
      expect(part.duration).toBeCloseTo((bounds[i + 1]! - bounds[i]!) / sampleRate, 9);
      expect(await spectrogramJobsFor(part.id)).toHaveLength(1);
    }
    expect(await spectrogramJobsFor(rec.id)).toHaveLength(0);

    // Crash after part 2's file but before its row, with a temp file from a dead writer left over:
    const part2 = parts[1]!;
    await t.db.job.deleteMany({ where: { subjectId: part2.id } });
    await t.db.recording.delete({ where: { id: part2.id } });
    await t.db.recording.update({
      where: { id: rec.id },
      data: { processingStatus: "processing", partCount: null },
    });
    const part2File = resolveStoredPath(mediaRoot, part2.filePath);
    const leftover = `${part2File}.999999.deadbeef.tmp`;
    await writeFile(leftover, "half a file");
    await rm(part2File);

    await ingestRecording(deps, rec.id);
    const again = await t.db.recording.findMany({
      where: { parentRecordingId: rec.id },
      orderBy: { partIndex: "asc" },
    });
    expect(again.map((p) => p.id)).toEqual(parts.map((p) => p.id));
    for (const p of again) expect(await spectrogramJobsFor(p.id)).toHaveLength(1);
    expect(
      sameSamples((await readWavFile(part2File)).channels[0]!, samples[0]!.subarray(bounds[1]!, bounds[2]!)),
    ).toBe(true);
    expect((await filesUnder(mediaRoot)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({
      processingStatus: "ready",
      partCount: 3,
    });
  });
});

describe("time-expanded recordings", () => {
  it("stores the real rate and duration, and splits into real-time parts", async () => {
    // A ×10 file: header 3.84 kHz for 38.4 kHz of real sound, 2.5 s of the bat's time (25 s of file).
    const real = 38_400;
    const frames = Math.round(2.5 * real) + 3;
    const samples = exactSamples(frames, 1, 16);
    const wav = await writeFixture(dir, "time-expanded", samples, {
      sampleRate: real / 10,
      metadata: { guano: { fields: { "GUANO|Version": "1.0", TE: "10", Make: "Pettersson" } } },
    });
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav, { name: "TE pass" });
    const result = await ingestRecording({ ...deps, splitSeconds: 1 }, rec.id);
    expect(result.parts).toHaveLength(3);
    const parent = await t.db.recording.findUniqueOrThrow({
      where: { id: rec.id },
      include: { project: true, species: true },
    });
    expect(parent.sampleRate).toBe(real);
    expect(parent.duration).toBeCloseTo(frames / real, 9);
    expect(toRecordingDetail(parent).timeExpansion).toBe(10);
    const parts = await t.db.recording.findMany({
      where: { parentRecordingId: rec.id },
      orderBy: { partIndex: "asc" },
    });
    expect(parts.map((p) => p.sampleRate)).toEqual([real, real, real]);
    expect(parts.map((p) => Number(p.duration?.toFixed(6)))).toEqual([
      1,
      1,
      Number(((frames - 2 * real) / real).toFixed(6)),
    ]);
    const part = await readWavFile(resolveStoredPath(mediaRoot, parts[1]!.filePath));
    expect(part.info.sampleRate).toBe(real);
    expect(part.info.timeExpansion).toBeUndefined();
    expect(sameSamples(part.channels[0]!, samples[0]!.subarray(real, 2 * real))).toBe(true);
  });
});

describe("Wildlife Acoustics metadata", () => {
  it("dates the recording from the wamd start time and reads its time expansion", async () => {
    const sub = (id: number, value: Uint8Array) => cat(u16(id), u32(value.length), value);
    const wamd = cat(
      sub(0x00, u16(1)),
      sub(0x01, ascii("EMT2")),
      sub(0x05, ascii("2024-06-01 21:34:05-05:00")),
      sub(0x0f, u16(10)),
    );
    const pcm = encodeFrames(exactSamples(4000, 1, 16), { bitsPerSample: 16, format: "pcm" });
    const file = path.join(dir, "echo-meter-te.wav");
    await writeFile(
      file,
      riff([
        rawChunk({ id: "fmt ", body: fmtBody({ channels: 1, sampleRate: 25_000, bits: 16 }) }),
        rawChunk({ id: "data", body: pcm }),
        rawChunk({ id: "wamd", body: wamd }),
      ]),
    );
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, file);
    await ingestRecording(deps, rec.id);
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row.recordedDate?.toISOString()).toBe("2024-06-02T02:34:05.000Z");
    expect(row.sampleRate).toBe(250_000);
    expect(row.metadata).toMatchObject({ wamd: { model: "EMT2" }, wav: { timeExpansion: 10 } });
  });
});

describe("spectrogram.generate", () => {
  it("writes a readable HDF5 through the pool, reports progress and marks the recording ready", async () => {
    const sampleRate = 250000;
    const samples = exactSamples(sampleRate * 3, 2, 3);
    const wav = await writeFixture(dir, "spec-stereo", samples, { sampleRate });
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav);
    const progress: [number, string | undefined][] = [];
    const result = await generateSpectrogram(
      deps,
      rec.id,
      {
        attempt: 1,
        retriesLeft: 0,
        isCancelled: async () => false,
        setProgress: async (p, m) => {
          progress.push([p, m]);
        },
      },
      { progressIntervalMs: 0 },
    );
    expect(result.status).toBe("ready");
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row).toMatchObject({ processingStatus: "ready", spectrogramPath: spectrogramPathFor(rec) });
    const h5 = resolveStoredPath(mediaRoot, row.spectrogramPath!);
    const attrs = await readSpectrogramAttrs(h5);
    const nFrames = 1 + Math.floor(samples[0]!.length / 128);
    expect(attrs).toMatchObject({ sampleRate, nFreqBins: 257, nFrames, channels: 2 });
    expect(attrs.datasets.sort()).toEqual(["spectrogram", "spectrogram_ch0", "spectrogram_ch1"]);
    const win = await readSpectrogramWindow(h5, { channel: 0, start: 0, end: 0.01 });
    // The job removes each channel's DC offset (its mean) before the STFT.
    const ch0 = samples[0]!;
    const dc = ch0.reduce((a, v) => a + v, 0) / ch0.length;
    const ref = stft(ch0.subarray(0, 4096).map((v) => v - dc));
    // The file stores the maximum of each group of 3 frames in dB steps of SPECTROGRAM_DB_SCALE
    // (packages/audio/src/spectrogram/encoding.ts).
    expect(win.framesPerColumn).toBe(3);
    expect(Math.abs(win.data[0]! - Math.max(ref.data[0]!, ref.data[1]!, ref.data[2]!))).toBeLessThanOrEqual(
      SPECTROGRAM_DB_SCALE / 2 + 1e-5,
    );
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([p]) => p > 0 && p < 1)).toBe(true);
    expect(progress.at(-1)?.[1]).toMatch(/^Spectrogram \d+% · about .* left$/);
    expect((await filesUnder(mediaRoot)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // already done: a rerun does not rewrite it
    expect((await generateSpectrogram(deps, rec.id)).reason).toBe("Already generated");
  });

  it("stops between blocks when cancelled, leaving no file and the recording marked", async () => {
    const sampleRate = 384000;
    const wav = await writeFixture(dir, "spec-cancel", exactSamples(sampleRate * 20, 1, 5), { sampleRate });
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, wav);
    let calls = 0;
    const result = await generateSpectrogram(
      deps,
      rec.id,
      { attempt: 1, retriesLeft: 0, isCancelled: async () => ++calls >= 2, setProgress: async () => {} },
      { cancelPollMs: 50 },
    );
    expect(result.status).toBe("cancelled");
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row).toMatchObject({ processingStatus: "failed", spectrogramPath: null });
    expect(row.processingError).toMatch(/cancelled/);
    const recDir = path.dirname(resolveStoredPath(mediaRoot, rec.filePath));
    expect((await readdir(recDir)).sort()).toEqual([path.basename(rec.filePath)]);
  });

  it("fails a corrupt recording with the WAV error and never deletes it", async () => {
    const rec = await createRecordingFromWav(t, mediaRoot, groupId, fixtures.malformed.get("riff-avi")!);
    const err = await generateSpectrogram(deps, rec.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentJobError);
    const row = await t.db.recording.findUniqueOrThrow({ where: { id: rec.id } });
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe((err as Error).message);
    expect(row.processingError).toMatch(/WAVE|RIFF/);
  });
});
