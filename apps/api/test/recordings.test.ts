import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  decodeSpectrogramBinary,
  decodeWav,
  parseWavHeader,
  readSpectrogramAttrs,
  readWavInfo,
  writeSpectrogramFile,
} from "@battycoda/audio";
import { createMediaStore } from "@battycoda/core/media";
import { ingestRecording, type ProcessingPool } from "@battycoda/core/processing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAll, writeFixture } from "../../../packages/audio/test/fixtures/generate.ts";
import { request, trpcCode, trpcMutation, trpcQuery } from "./http-helpers.ts";
import {
  authHeaders,
  copyShared,
  createRecordingsEnv,
  mediaFiles,
  type RecordingsEnv,
  SHARED_RECORDINGS,
  upload,
} from "./recordings-fixtures.ts";

let env: RecordingsEnv;
let fixtures: Awaited<ReturnType<typeof generateAll>>;

beforeAll(async () => {
  env = await createRecordingsEnv();
  fixtures = await generateAll(env.dir);
});
afterAll(async () => {
  await env?.close();
});

const wavPart = (filename: string, content: Buffer) => ({
  field: "file",
  filename,
  content,
  contentType: "audio/wav",
});

async function uploadWav(file: string, fields: Record<string, string> = {}, who = env.a) {
  const content = await readFile(file);
  return upload(env.app, "/api/recordings/upload", { cookie: who.token }, fields, [
    wavPart(path.basename(file), content),
  ]);
}

/** What ingest needs, run in the test (it never uses the pool). */
function ingestDeps() {
  return {
    db: env.t.deps.db,
    boss: env.boss,
    media: createMediaStore(env.t.config),
    pool: null as unknown as ProcessingPool,
  };
}

async function storedBytes(recordingId: string) {
  const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } });
  return readFile(path.join(env.t.config.mediaRoot, rec.filePath));
}

describe("POST /api/recordings/upload", () => {
  it("accepts every valid WAV variant of the audio package, byte for byte, and queues ingest", async () => {
    expect(fixtures.valid.size).toBeGreaterThan(10);
    for (const [name, file] of fixtures.valid) {
      const res = await uploadWav(file);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      const body = res.json();
      expect(body.recording.processingStatus).toBe("pending");
      expect(body.recording.name).toBe(path.basename(file).replace(/\.wav$/i, ""));
      expect(body.jobId).toEqual(expect.any(String));
      expect(Buffer.compare(await storedBytes(body.recording.id), await readFile(file))).toBe(0);
      const info = await readWavInfo(file);
      expect(body.recording.sampleRate).toBe(info.sampleRate);
      expect(body.recording.channels).toBe(info.channels);
      const job = await env.t.deps.db.job.findUniqueOrThrow({ where: { id: body.jobId } });
      expect(job).toMatchObject({
        type: "recording.ingest",
        subjectType: "recording",
        subjectId: body.recording.id,
      });
      const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: body.recording.id } });
      const group = await env.t.deps.db.recording.findFirstOrThrow({
        where: { id: rec.id },
        select: { groupId: true },
      });
      expect(rec.filePath.startsWith(`${group.groupId}/recordings/${rec.id}/`)).toBe(true);
    }
  });

  it("stores both real recordings and the batdetect2 clips with metadata and an imported segment file", async () => {
    const project = await env.a.caller.projects.create({ name: "Field 2024" });
    const bat1 = await copyShared(env, "bat1_angie_19.wav");
    const pickle = await copyShared(env, "bat1_angie_19.wav.pickle");
    const res = await upload(
      env.app,
      "/api/recordings/upload",
      { cookie: env.a.token },
      {
        name: "Angie 19",
        description: "roost",
        recordedDate: "2024-06-01",
        location: "Cave A",
        equipment: "AudioMoth",
        environmentalConditions: "dry, 18 °C",
        projectId: project.id,
      },
      [
        wavPart("bat1_angie_19.wav", await readFile(bat1)),
        { field: "segmentFile", filename: "bat1_angie_19.wav.pickle", content: await readFile(pickle) },
      ],
    );
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.recording).toMatchObject({
      name: "Angie 19",
      description: "roost",
      location: "Cave A",
      equipment: "AudioMoth",
      environmentalConditions: "dry, 18 °C",
      projectId: project.id,
      projectName: "Field 2024",
      recordedDate: "2024-06-01T00:00:00.000Z",
    });
    expect(body.segments.status).toBe("imported");
    expect(body.segments.count).toBeGreaterThan(0);
    expect(
      await env.t.deps.db.segment.count({ where: { segmentation: { recordingId: body.recording.id } } }),
    ).toBe(body.segments.count);
    expect(Buffer.compare(await storedBytes(body.recording.id), await readFile(bat1))).toBe(0);

    const clips = (await readdir(path.join(SHARED_RECORDINGS, "batdetect2")))
      .filter((n) => n.endsWith(".wav"))
      .map((n) => `batdetect2/${n}`);
    expect(clips.length).toBeGreaterThan(0);
    for (const rel of ["test-audio.wav", ...clips]) {
      const file = await copyShared(env, rel);
      const r = await upload(env.app, "/api/v1/recordings", { apiKey: env.a.apiKey }, {}, [
        wavPart(path.basename(file), await readFile(file)),
      ]);
      expect(r.statusCode, `${rel}: ${r.body}`).toBe(201);
      expect(Buffer.compare(await storedBytes(r.json().recording.id), await readFile(file))).toBe(0);
    }
  });

  it("rejects every malformed file with the parser's specific message and leaves nothing behind", async () => {
    const before = await env.t.deps.db.recording.count();
    const filesBefore = await mediaFiles(env.t.config.mediaRoot);
    for (const [name, file] of fixtures.malformed) {
      const res = await uploadWav(file);
      expect(res.statusCode, name).toBe(400);
      const msg: string = res.json().error.message;
      expect(msg, name).toMatch(/^bad-.*: Not a usable WAV file: /);
      expect(res.json().error.details.wavError).toEqual(expect.any(String));
    }
    const text = await uploadWav(fixtures.malformed.get("text-file") as string);
    expect(text.json().error.message).toContain("Not a usable WAV file");
    expect(text.json().error.details.wavError).toBe("NOT_RIFF");
    const mp3 = await uploadWav(fixtures.malformed.get("mp3") as string);
    expect(mp3.json().error.details.wavError).toBe("UNSUPPORTED_CODEC");
    expect(mp3.json().error.message).toMatch(/MP3/);
    expect(await env.t.deps.db.recording.count()).toBe(before);
    expect(await mediaFiles(env.t.config.mediaRoot)).toEqual(filesBefore);
  });

  it("enforces MAX_UPLOAD_SIZE_MB (413) without keeping the partial file", async () => {
    const filesBefore = await mediaFiles(env.t.config.mediaRoot);
    const big = Buffer.alloc(9 * 1024 * 1024);
    const res = await upload(env.app, "/api/recordings/upload", { cookie: env.a.token }, {}, [
      wavPart("big.wav", big),
    ]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/upload limit of 8 MB/);
    expect(await mediaFiles(env.t.config.mediaRoot)).toEqual(filesBefore);
  });

  it("validates the request: auth, multipart, file field, foreign project", async () => {
    const file = fixtures.valid.values().next().value as string;
    const anon = await upload(env.app, "/api/recordings/upload", {}, {}, [
      wavPart("x.wav", await readFile(file)),
    ]);
    expect(anon.statusCode).toBe(401);
    const json = await env.app.inject({
      method: "POST",
      url: "/api/recordings/upload",
      headers: { ...authHeaders({ cookie: env.a.token }), "content-type": "application/json" },
      payload: "{}",
    });
    expect(json.statusCode).toBe(415);
    const nofile = await upload(
      env.app,
      "/api/recordings/upload",
      { cookie: env.a.token },
      { name: "x" },
      [],
    );
    expect(nofile.statusCode).toBe(400);
    expect(nofile.json().error.message).toBe('No file in the "file" field');
    const bProject = await env.b.caller.projects.create({ name: "B only" });
    const foreign = await uploadWav(file, { projectId: bProject.id });
    expect(foreign.statusCode).toBe(404);
    const badDate = await uploadWav(file, { recordedDate: "not a date" });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.message).toMatch(/recordedDate: Recorded date must be an ISO date/);
    // REST v1 takes API keys only
    const cookieOnV1 = await upload(env.app, "/api/v1/recordings", { cookie: env.a.token }, {}, [
      wavPart("x.wav", await readFile(file)),
    ]);
    expect(cookieOnV1.statusCode).toBe(401);
  });
});

describe("audio and spectrogram routes", () => {
  let recordingId: string;
  let source: Buffer;
  beforeAll(async () => {
    const file = await copyShared(env, "test-audio.wav");
    source = await readFile(file);
    const res = await uploadWav(file, { name: "range test" });
    recordingId = res.json().recording.id;
  });

  const get = (
    url: string,
    headers: Record<string, string> = {},
    auth: { cookie?: string; apiKey?: string } = { cookie: env.a.token },
  ) => env.app.inject({ method: "GET", url, headers: { ...headers, ...authHeaders(auth) } });

  it("serves the whole file and byte ranges (206, suffix, open-ended) and 416 for bad ranges", async () => {
    const full = await get(`/api/recordings/${recordingId}/audio`);
    expect(full.statusCode).toBe(200);
    expect(full.headers["accept-ranges"]).toBe("bytes");
    expect(full.headers["content-type"]).toBe("audio/wav");
    expect(Buffer.compare(full.rawPayload, source)).toBe(0);

    const part = await get(`/api/recordings/${recordingId}/audio`, { range: "bytes=100-1099" });
    expect(part.statusCode).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-1099/${source.length}`);
    expect(Buffer.compare(part.rawPayload, source.subarray(100, 1100))).toBe(0);

    const suffix = await get(`/api/recordings/${recordingId}/audio`, { range: "bytes=-500" });
    expect(suffix.statusCode).toBe(206);
    expect(Buffer.compare(suffix.rawPayload, source.subarray(source.length - 500))).toBe(0);

    const open = await get(`/api/recordings/${recordingId}/audio`, { range: `bytes=${source.length - 10}-` });
    expect(Buffer.compare(open.rawPayload, source.subarray(source.length - 10))).toBe(0);

    for (const range of [`bytes=${source.length}-`, "bytes=500-100", "bytes=-0"]) {
      const bad = await get(`/api/recordings/${recordingId}/audio`, { range });
      expect(bad.statusCode, range).toBe(416);
      expect(bad.headers["content-range"]).toBe(`bytes */${source.length}`);
    }
    // REST v1 with an API key, same semantics
    const v1 = await get(
      `/api/v1/recordings/${recordingId}/audio`,
      { range: "bytes=0-43" },
      { apiKey: env.a.apiKey },
    );
    expect(v1.statusCode).toBe(206);
    expect(Buffer.compare(v1.rawPayload, source.subarray(0, 44))).toBe(0);
  });

  it("returns a WAV clip of [start, end) seconds in the source's format", async () => {
    const info = parseWavHeader(source);
    const res = await get(`/api/recordings/${recordingId}/audio?start=0.25&end=0.5`);
    expect(res.statusCode).toBe(200);
    const clip = parseWavHeader(res.rawPayload);
    expect(clip).toMatchObject({
      sampleRate: info.sampleRate,
      channels: info.channels,
      bitsPerSample: info.bitsPerSample,
      format: info.format,
    });
    const s = Math.round(0.25 * info.sampleRate) * info.blockAlign;
    const e = Math.round(0.5 * info.sampleRate) * info.blockAlign;
    const samples = res.rawPayload.subarray(clip.dataOffset, clip.dataOffset + clip.dataBytes);
    expect(Buffer.compare(samples, source.subarray(info.dataOffset + s, info.dataOffset + e))).toBe(0);
    expect(Number(res.headers["content-length"])).toBe(res.rawPayload.length);
    const bad = await get(`/api/recordings/${recordingId}/audio?start=2&end=1`);
    expect(bad.statusCode).toBe(400);
    const nan = await get(`/api/recordings/${recordingId}/audio?start=abc`);
    expect(nan.statusCode).toBe(400);
  });

  it("a time-expanded upload (GUANO TE 10) is a real-time recording: its rate, duration, detail and clips", async () => {
    // 0.3 s of the bat's time in a x10 file: header 25 kHz for 250 kHz of sound.
    const samples = new Float32Array(75_000);
    for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 4_000 * i) / 25_000);
    const wav = await writeFixture(env.dir, "time-expanded-x10", samples, {
      sampleRate: 25_000,
      metadata: { guano: { fields: { "GUANO|Version": "1.0", TE: "10", Make: "Pettersson" } } },
    });
    const id = (await uploadWav(wav, { name: "TE x10" })).json().recording.id as string;
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, id);
    const detail = await env.a.caller.recordings.get({ recordingId: id });
    expect(detail).toMatchObject({ sampleRate: 250_000, timeExpansion: 10 });
    expect(detail.duration).toBeCloseTo(0.3, 9);
    // A clip is real time: 10 ms of it is 2 500 frames at 250 kHz, and its GUANO no longer says "expanded".
    const res = await get(`/api/recordings/${id}/audio?start=0.1&end=0.11`);
    expect(res.statusCode).toBe(200);
    const clip = parseWavHeader(res.rawPayload);
    expect(clip).toMatchObject({ sampleRate: 250_000, frames: 2_500 });
    expect(clip.timeExpansion).toBeUndefined();
    expect(clip.metadata.guano?.fields).toMatchObject({ TE: "1", Make: "Pettersson" });
    // The original file is served as uploaded.
    const full = await get(`/api/recordings/${id}/audio`);
    expect(Buffer.compare(full.rawPayload, await readFile(wav))).toBe(0);
  });

  it("an upload that states a time expansion the file does not (a detector's plain 25 kHz file) is read in real time", async () => {
    const samples = new Float32Array(75_000);
    for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 4_000 * i) / 25_000);
    const wav = await writeFixture(env.dir, "plain-x10", samples, { sampleRate: 25_000 });
    const res = await uploadWav(wav, { name: "plain x10", timeExpansion: "10" });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().recording.id as string;
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, id);
    const detail = await env.a.caller.recordings.get({ recordingId: id });
    expect(detail).toMatchObject({ sampleRate: 250_000, timeExpansion: 10 });
    expect(detail.duration).toBeCloseTo(0.3, 9);
    // The stored file says so itself (GUANO TE), with the uploaded samples, and the row's hash is the stored file's.
    const stored = await storedBytes(id);
    const decoded = decodeWav(new Uint8Array(stored));
    expect(decoded.info.metadata.guano?.fields.TE).toBe("10");
    expect(decoded.channels[0]).toEqual(decodeWav(new Uint8Array(await readFile(wav))).channels[0]);
    const row = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id } });
    expect(row.sha256).toBe(createHash("sha256").update(stored).digest("hex"));

    // A file that states another factor is refused with both, and nothing is kept.
    const before = await env.t.deps.db.recording.count();
    const te10 = await writeFixture(env.dir, "stated-x10", samples, {
      sampleRate: 25_000,
      metadata: { guano: { fields: { "GUANO|Version": "1.0", TE: "10" } } },
    });
    const refused = await uploadWav(te10, { timeExpansion: "20" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/time expansion x20: .*time-expanded x10, not x20/);
    const bad = await uploadWav(wav, { timeExpansion: "2.5" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/Time expansion must be a whole number/);
    expect(await env.t.deps.db.recording.count()).toBe(before);
  });

  it("a time expansion declared after upload: the file says so, ingest reads it in real time, the old spectrogram goes", async () => {
    // A detector's plain 25 kHz file uploaded without its factor: 3 s at 25 kHz, 4 kHz tone (40 kHz for the bat).
    const samples = new Float32Array(75_000);
    for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 4_000 * i) / 25_000);
    const wav = await writeFixture(env.dir, "forgot-x10", samples, { sampleRate: 25_000 });
    const id = (await uploadWav(wav, { name: "forgot x10" })).json().recording.id as string;
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, id);
    const media = createMediaStore(env.t.config);
    // As if its spectrogram job had run: an HDF5 file on the old time base, and ready.
    const spectrogramDone = async (recordingId: string) => {
      const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } });
      const h5 = `${path.posix.dirname(rec.filePath)}/old.h5`;
      await media.write(h5, "an HDF5 file on the old time base");
      await env.t.deps.db.recording.update({
        where: { id: recordingId },
        data: { spectrogramPath: h5, processingStatus: "ready" },
      });
      return h5;
    };
    const spectrogramPath = await spectrogramDone(id);
    expect(await env.a.caller.recordings.get({ recordingId: id })).toMatchObject({
      sampleRate: 25_000,
      timeExpansion: null,
      processingStatus: "ready",
    });

    // Another group cannot, through tRPC or REST.
    await expect(env.b.caller.recordings.update({ recordingId: id, timeExpansion: 10 })).rejects.toThrow(
      /Recording not found/,
    );
    const theirs = await request(env.app, {
      method: "PATCH",
      url: `/api/v1/recordings/${id}`,
      auth: { apiKey: env.b.apiKey },
      payload: { timeExpansion: 10 },
    });
    expect(theirs.statusCode).toBe(404);

    // Declared through REST: the recording is processing again, with a job to read the file again.
    const res = await request(env.app, {
      method: "PATCH",
      url: `/api/v1/recordings/${id}`,
      auth: { apiKey: env.a.apiKey },
      payload: { timeExpansion: 10, name: "x10 declared" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: "x10 declared", processingStatus: "processing" });
    const job = await env.t.deps.db.job.findFirstOrThrow({
      where: { subjectId: id, type: "recording.ingest", message: { contains: "x10" } },
    });
    expect(job.status).toBe("queued");
    expect(await media.stat(spectrogramPath)).toBeNull();
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, id);
    const detail = await env.a.caller.recordings.get({ recordingId: id });
    expect(detail).toMatchObject({ sampleRate: 250_000, timeExpansion: 10, hasSpectrogram: false });
    expect(detail.duration).toBeCloseTo(0.3, 9);
    // The stored file says so itself, with the same samples; the row's hash is the stored file's.
    const stored = await storedBytes(id);
    const decoded = decodeWav(new Uint8Array(stored));
    expect(decoded.info.metadata.guano?.fields.TE).toBe("10");
    expect(decoded.info.sampleRate).toBe(250_000);
    expect(decoded.channels[0]).toEqual(decodeWav(new Uint8Array(await readFile(wav))).channels[0]);
    const row = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id } });
    expect(row.sha256).toBe(createHash("sha256").update(stored).digest("hex"));

    await spectrogramDone(id);
    // The same factor again changes nothing; another is refused, as is undoing it.
    await env.a.caller.recordings.update({ recordingId: id, timeExpansion: 10 });
    expect((await env.t.deps.db.recording.findUniqueOrThrow({ where: { id } })).processingStatus).toBe(
      "ready",
    );
    for (const factor of [20, 1])
      await expect(
        env.a.caller.recordings.update({ recordingId: id, timeExpansion: factor }),
      ).rejects.toThrow(/the file already states x10/);

    // A recording with a segmentation is refused (its times are on the old base), and neither file nor row change.
    const other = await writeFixture(env.dir, "forgot-segmented", samples, { sampleRate: 25_000 });
    const segmentedId = (await uploadWav(other, { name: "segmented" })).json().recording.id as string;
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, segmentedId);
    await spectrogramDone(segmentedId);
    await env.a.caller.segmentation.createManual({ recordingId: segmentedId });
    const bytes = await storedBytes(segmentedId);
    await expect(
      env.a.caller.recordings.update({ recordingId: segmentedId, timeExpansion: 10, name: "renamed" }),
    ).rejects.toThrow(/its 1 segmentation was measured on the old time base; delete them first/);
    expect(Buffer.compare(await storedBytes(segmentedId), bytes)).toBe(0);
    expect(await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: segmentedId } })).toMatchObject({
      name: "segmented",
      sampleRate: 25_000,
      processingStatus: "ready",
    });
  });

  it("spectrogram: from the WAV while the job is pending, then BCSG windows and PNGs from the HDF5", async () => {
    // Before the HDF5 file exists the same windows are computed from the audio (issue 11: first
    // pixels at once); another group's recording is still a 404, a failed one a 409.
    const before = await get(`/api/recordings/${recordingId}/spectrogram?start=0&end=1&maxFrames=50`);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.headers["x-spectrogram-source"]).toBe("wav");
    const fromWav = decodeSpectrogramBinary(new Uint8Array(before.rawPayload));
    const beforePng = await get(
      `/api/recordings/${recordingId}/spectrogram.png?start=0&end=0.5&width=300&height=100`,
    );
    expect(beforePng.statusCode).toBe(200);
    expect(beforePng.headers["x-spectrogram-source"]).toBe("wav");
    const foreign = await get(
      `/api/recordings/${recordingId}/spectrogram?start=0&end=1`,
      {},
      { cookie: env.b.token },
    );
    expect(foreign.statusCode).toBe(404);
    await env.t.deps.db.recording.update({
      where: { id: recordingId },
      data: { processingStatus: "failed", processingError: "test" },
    });
    const failed = await get(`/api/recordings/${recordingId}/spectrogram?start=0&end=1`);
    expect(failed.statusCode).toBe(409);
    expect(failed.json().error).toMatchObject({ code: "CONFLICT", details: { processingStatus: "failed" } });

    // what spectrogram.generate does (processing engineer's job): HDF5 next to the WAV
    const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } });
    const wav = path.join(env.t.config.mediaRoot, rec.filePath);
    const rel = path.posix.join(path.posix.dirname(rec.filePath), "spectrogram.h5");
    await writeSpectrogramFile(wav, path.join(env.t.config.mediaRoot, rel));
    await env.t.deps.db.recording.update({
      where: { id: recordingId },
      data: { spectrogramPath: rel, processingStatus: "ready" },
    });

    const bin = await get(`/api/recordings/${recordingId}/spectrogram?start=0&end=1&maxFrames=50`);
    expect(bin.statusCode, bin.body).toBe(200);
    expect(bin.headers["x-spectrogram-source"]).toBe("h5");
    const decoded = decodeSpectrogramBinary(new Uint8Array(bin.rawPayload));
    // The WAV's window had the same frames, bins and axes; the file's last column ends with its whole group of
    // frames (up to two frames past the window's last).
    expect({ ...fromWav, values: null, dbMin: null, dbMax: null, t1: null }).toEqual({
      ...decoded,
      values: null,
      dbMin: null,
      dbMax: null,
      t1: null,
    });
    expect(decoded.t1 - fromWav.t1).toBeGreaterThanOrEqual(0);
    expect(decoded.t1 - fromWav.t1).toBeLessThan((3 * 128) / fromWav.sampleRate);
    expect(Math.abs(fromWav.dbMax - decoded.dbMax)).toBeLessThan(0.1);
    expect(decoded.frames).toBeLessThanOrEqual(50);
    expect(decoded.bins).toBe(257);
    expect(decoded.t0).toBe(0);
    expect(decoded.t1).toBeCloseTo(1, 1);

    // A close-up (a pixel or more per STFT frame): the file keeps the maximum of each group of 3 frames, so the
    // window comes from the audio, every frame, with the file's DC offset.
    const close = await get(`/api/recordings/${recordingId}/spectrogram?start=0.5&end=0.52&maxFrames=512`);
    expect(close.statusCode, close.body).toBe(200);
    expect(close.headers["x-spectrogram-source"]).toBe("wav");
    const closeUp = decodeSpectrogramBinary(new Uint8Array(close.rawPayload));
    const attrs = await readSpectrogramAttrs(path.join(env.t.config.mediaRoot, rel));
    const frameSeconds = attrs.hopLength / attrs.sampleRate;
    expect(closeUp.frames).toBe(Math.round(0.52 / frameSeconds) - Math.round(0.5 / frameSeconds) + 1);
    const closePng = await get(`/api/recordings/${recordingId}/spectrogram.png?start=0.5&end=0.52`);
    expect(closePng.headers["x-spectrogram-source"]).toBe("wav");

    const ch = await get(`/api/recordings/${recordingId}/spectrogram?channel=0&fmin=1000&fmax=20000`);
    expect(ch.statusCode).toBe(200);
    expect(decodeSpectrogramBinary(new Uint8Array(ch.rawPayload)).f0).toBeGreaterThanOrEqual(1000);
    const badCh = await get(`/api/recordings/${recordingId}/spectrogram?channel=3`);
    expect(badCh.statusCode).toBe(400);

    const png = await get(
      `/api/recordings/${recordingId}/spectrogram.png?start=0&end=0.5&width=300&height=100&colormap=viridis`,
    );
    expect(png.statusCode).toBe(200);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.rawPayload.subarray(1, 4).toString()).toBe("PNG");
    const badMap = await get(`/api/recordings/${recordingId}/spectrogram.png?colormap=rainbow`);
    expect(badMap.statusCode).toBe(400);
  });
});

describe("recordings tRPC", () => {
  it("lists with filter, search, sort and pagination", async () => {
    const project = await env.a.caller.projects.create({ name: "Sorted" });
    const species = await env.a.caller.species.list();
    const speciesId = species[0]?.id as string;
    const file = fixtures.valid.values().next().value as string;
    for (const name of ["zeta call", "Alpha call", "mid call"]) {
      const r = await uploadWav(file, { name, projectId: project.id, speciesId });
      expect(r.statusCode).toBe(201);
    }
    const byName = await env.a.caller.recordings.list({ projectId: project.id, sort: "name", order: "asc" });
    expect(byName.items.map((i) => i.name)).toEqual(["Alpha call", "mid call", "zeta call"]);
    expect(byName.total).toBe(3);
    const page1 = await env.a.caller.recordings.list({
      projectId: project.id,
      sort: "name",
      order: "asc",
      limit: 2,
    });
    expect(page1.items.map((i) => i.name)).toEqual(["Alpha call", "mid call"]);
    const page2 = await env.a.caller.recordings.list({
      projectId: project.id,
      sort: "name",
      order: "asc",
      limit: 2,
      cursor: page1.nextCursor as string,
    });
    expect(page2.items.map((i) => i.name)).toEqual(["zeta call"]);
    expect(page2.nextCursor).toBeNull();
    const search = await env.a.caller.recordings.list({ search: "ALPHA" });
    expect(search.items.map((i) => i.name)).toEqual(["Alpha call"]);
    const bySpecies = await env.a.caller.recordings.list({ speciesId });
    expect(bySpecies.total).toBe(3);
    const pending = await env.a.caller.recordings.list({ status: "ready" });
    expect(pending.items.every((i) => i.processingStatus === "ready")).toBe(true);
  });

  it("get (with jobs), update, move, previewDelete and delete (files removed)", async () => {
    const file = fixtures.valid.values().next().value as string;
    const id = (await uploadWav(file, { name: "to edit" })).json().recording.id as string;
    const got = await env.a.caller.recordings.get({ recordingId: id });
    expect(got.jobs.map((j) => j.type)).toEqual(["recording.ingest"]);
    const updated = await env.a.caller.recordings.update({
      recordingId: id,
      name: "edited",
      location: "Loc",
      recordedDate: "2023-05-04T21:00:00Z",
    });
    expect(updated).toMatchObject({
      name: "edited",
      location: "Loc",
      recordedDate: "2023-05-04T21:00:00.000Z",
    });
    const project = await env.a.caller.projects.create({ name: "Target" });
    expect((await env.a.caller.recordings.move({ recordingId: id, projectId: project.id })).projectId).toBe(
      project.id,
    );
    expect((await env.a.caller.recordings.move({ recordingId: id, projectId: null })).projectId).toBeNull();

    const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id } });
    const seg = await env.t.deps.db.segmentation.create({
      data: {
        groupId: rec.groupId,
        recordingId: id,
        name: "s",
        segments: { create: [{ onset: 0, offset: 0.01 }] },
      },
    });
    expect(seg.id).toBeTruthy();
    const preview = await env.a.caller.recordings.previewDelete({ recordingId: id });
    expect(preview).toMatchObject({
      recording: { id, name: "edited" },
      segmentations: 1,
      segments: 1,
      tasks: 0,
    });
    expect(preview.files).toEqual([rec.filePath]);
    expect(preview.bytes).toBe((await readFile(file)).length);
    const deleted = await env.a.caller.recordings.delete({ recordingId: id });
    expect(deleted).toEqual(preview);
    expect(await env.t.deps.db.recording.findUnique({ where: { id } })).toBeNull();
    expect(await env.t.deps.db.segment.count({ where: { segmentationId: seg.id } })).toBe(0);
    const left = await mediaFiles(env.t.config.mediaRoot);
    expect(left.some((f) => f.includes(id))).toBe(false);
  });

  it("get links a split recording's parent and parts (and an ordinary one has no split)", async () => {
    // 1 s split into 0.4 s parts by the real ingest: 3 parts (0.4 + 0.4 + 0.2 s).
    const wav = await writeFixture(env.dir, "split-me.wav", new Float32Array(8000).fill(0.1), {
      sampleRate: 8000,
    });
    const parentId = (await uploadWav(wav, { name: "Long night" })).json().recording.id as string;
    const plain = await env.a.caller.recordings.get({ recordingId: parentId });
    expect(plain.split).toBeNull();
    await ingestRecording({ ...ingestDeps(), splitSeconds: 0.4 }, parentId);

    const parent = await env.a.caller.recordings.get({ recordingId: parentId });
    expect(parent).toMatchObject({ partCount: 3, partIndex: null, hasSpectrogram: false });
    expect(parent.split).toMatchObject({
      role: "parent",
      parent: { id: parentId, name: "Long night", partCount: 3 },
    });
    expect(parent.split?.parts.map((p) => [p.name, p.partIndex, p.duration])).toEqual([
      ["Long night (Part 1/3)", 1, 0.4],
      ["Long night (Part 2/3)", 2, 0.4],
      ["Long night (Part 3/3)", 3, 0.2],
    ]);
    const partIds = parent.split?.parts.map((p) => p.id) ?? [];

    const middle = await env.a.caller.recordings.get({ recordingId: partIds[1] as string });
    expect(middle).toMatchObject({ parentRecordingId: parentId, partIndex: 2, partCount: 3 });
    expect(middle.split).toEqual({ ...parent.split, role: "part" });

    // The list shows the parent (partCount set) beside its parts.
    const listed = await env.a.caller.recordings.list({ search: "Long night", sort: "name", order: "asc" });
    expect(listed.items.map((i) => [i.name, i.partCount, i.parentRecordingId])).toEqual([
      ["Long night", 3, null],
      ["Long night (Part 1/3)", 3, parentId],
      ["Long night (Part 2/3)", 3, parentId],
      ["Long night (Part 3/3)", 3, parentId],
    ]);

    // Another group sees neither side.
    expect(
      trpcCode(
        await trpcQuery(env.app, "recordings.get", { recordingId: partIds[0] }, { cookie: env.b.token }),
      ),
    ).toBe("NOT_FOUND");

    // The original deleted: a part still knows its place but has no parent to link to.
    await env.a.caller.recordings.delete({ recordingId: parentId });
    const orphan = await env.a.caller.recordings.get({ recordingId: partIds[2] as string });
    expect(orphan).toMatchObject({ parentRecordingId: null, partIndex: 3, partCount: 3 });
    expect(orphan.split).toEqual({ role: "part", parent: null, parts: [] });
  });

  it("stores durations exactly (frames / sampleRate, all 17 digits), so a segment may end at the last sample", async () => {
    // 48001 / 48000 = 1.0000208333333334; Prisma's float binding would store 1.000020833333333.
    const exact = 48001 / 48000;
    expect(Number(exact.toPrecision(16))).toBeLessThan(exact);
    const wav = await writeFixture(env.dir, "odd-length.wav", new Float32Array(48001).fill(0.1), {
      sampleRate: 48000,
    });
    const id = (await uploadWav(wav, { name: "Odd length" })).json().recording.id as string;
    const duration = async (recordingId: string) =>
      (await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } })).duration;
    expect(await duration(id)).toBe(exact);
    await ingestRecording({ ...ingestDeps(), splitSeconds: 60 }, id);
    expect(await duration(id)).toBe(exact);

    // A segment ending exactly at the end is inside the recording (and stays editable).
    const manual = await env.a.caller.segmentation.createManual({ recordingId: id });
    const drawn = await env.a.caller.segmentation.segments.create({
      segmentationId: manual.id,
      expectedVersion: 0,
      segment: { onset: 0.5, offset: exact },
    });
    expect(drawn.segment?.offset).toBe(exact);
    await env.a.caller.segmentation.segments.update({
      segmentationId: manual.id,
      expectedVersion: drawn.version,
      segmentId: drawn.segment?.id as string,
      patch: { notes: "runs to the end" },
    });

    // Split parts and their original too.
    const long = await writeFixture(env.dir, "odd-split.wav", new Float32Array(48001).fill(0.1), {
      sampleRate: 48000,
    });
    const parentId = (await uploadWav(long, { name: "Odd split" })).json().recording.id as string;
    await ingestRecording({ ...ingestDeps(), splitSeconds: 0.4 }, parentId);
    expect(await duration(parentId)).toBe(exact);
    const parts = await env.t.deps.db.recording.findMany({
      where: { parentRecordingId: parentId },
      orderBy: { partIndex: "asc" },
    });
    expect(parts.map((p) => p.duration)).toEqual([19200 / 48000, 19200 / 48000, 9601 / 48000]);
  });

  it("finds duplicate sets (same name and duration) and removes all but the oldest", async () => {
    const file = fixtures.valid.values().next().value as string;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadWav(file, { name: "dup me" })).json().recording.id);
    const other = await copyShared(env, "test-audio.wav");
    await uploadWav(other, { name: "dup me" }); // same name, other duration: not a duplicate
    const { sets } = await env.a.caller.recordings.duplicates();
    const set = sets.find((s) => s.name === "dup me");
    expect(set?.recordings.map((r) => r.id)).toEqual(ids);
    expect(sets.some((s) => s.name !== "dup me" && s.recordings.length < 2)).toBe(false);
    // B sees none of A's duplicates
    expect((await env.b.caller.recordings.duplicates()).sets).toEqual([]);
    const removed = await env.a.caller.recordings.removeDuplicates({ names: ["dup me"] });
    expect(removed).toEqual({ removed: 2, recordingIds: [ids[1], ids[2]] });
    expect(await env.t.deps.db.recording.findUnique({ where: { id: ids[0] as string } })).not.toBeNull();
    expect(
      (await env.a.caller.recordings.duplicates()).sets.find((s) => s.name === "dup me"),
    ).toBeUndefined();
  });
});

describe("access: another group's recordings are NOT_FOUND everywhere", () => {
  let id: string;
  let uploadId: string;
  beforeAll(async () => {
    const file = await copyShared(env, "test-audio.wav");
    id = (await uploadWav(file, { name: "A private" })).json().recording.id;
    const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id } });
    const rel = path.posix.join(path.posix.dirname(rec.filePath), "spectrogram.h5");
    await writeSpectrogramFile(
      path.join(env.t.config.mediaRoot, rec.filePath),
      path.join(env.t.config.mediaRoot, rel),
    );
    await env.t.deps.db.recording.update({ where: { id }, data: { spectrogramPath: rel } });
    const u = await env.t.deps.db.upload.create({
      data: { groupId: rec.groupId, userId: env.a.id, kind: "zip", filename: "a.zip", status: "completed" },
    });
    uploadId = u.id;
  });

  it("tRPC procedures", async () => {
    const b = { cookie: env.b.token };
    const queries: [string, unknown][] = [
      ["recordings.get", { recordingId: id }],
      ["recordings.previewDelete", { recordingId: id }],
      ["recordings.uploadReport", { uploadId }],
    ];
    for (const [p, input] of queries)
      expect(trpcCode(await trpcQuery(env.app, p, input, b)), p).toBe("NOT_FOUND");
    const mutations: [string, unknown][] = [
      ["recordings.update", { recordingId: id, name: "stolen" }],
      ["recordings.move", { recordingId: id, projectId: null }],
      ["recordings.delete", { recordingId: id }],
    ];
    for (const [p, input] of mutations)
      expect(trpcCode(await trpcMutation(env.app, p, input, b)), p).toBe("NOT_FOUND");
    const list = await env.b.caller.recordings.list({ search: "A private" });
    expect(list.total).toBe(0);
    const aProject = await env.a.caller.projects.create({ name: "A project" });
    await expect(env.b.caller.recordings.list({ projectId: aProject.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // and B's own recording cannot be moved into A's project
    const file = fixtures.valid.values().next().value as string;
    const bRec = (await uploadWav(file, {}, env.b)).json().recording.id;
    await expect(
      env.b.caller.recordings.move({ recordingId: bRec, projectId: aProject.id }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // A's own view is intact
    expect((await env.a.caller.recordings.get({ recordingId: id })).name).toBe("A private");
  });

  it("raw file routes, Range route and REST v1 (API key)", async () => {
    const urls = [
      `/api/recordings/${id}/audio`,
      `/api/recordings/${id}/audio?start=0&end=0.1`,
      `/api/recordings/${id}/spectrogram`,
      `/api/recordings/${id}/spectrogram.png`,
    ];
    for (const url of urls) {
      const res = await env.app.inject({ method: "GET", url, headers: authHeaders({ cookie: env.b.token }) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.message).toBe("Recording not found");
      const missing = await env.app.inject({
        method: "GET",
        url: url.replace(id, "doesnotexist"),
        headers: authHeaders({ cookie: env.b.token }),
      });
      expect(missing.body).toBe(res.body);
      const own = await env.app.inject({ method: "GET", url, headers: authHeaders({ cookie: env.a.token }) });
      expect(own.statusCode, url).toBe(200);
    }
    const range = await env.app.inject({
      method: "GET",
      url: `/api/recordings/${id}/audio`,
      headers: { range: "bytes=0-9", ...authHeaders({ cookie: env.b.token }) },
    });
    expect(range.statusCode).toBe(404);
    for (const url of [`/api/v1/recordings/${id}`, `/api/v1/recordings/${id}/audio`]) {
      const res = await env.app.inject({
        method: "GET",
        url,
        headers: authHeaders({ apiKey: env.b.apiKey }),
      });
      expect(res.statusCode, url).toBe(404);
      const own = await env.app.inject({
        method: "GET",
        url,
        headers: authHeaders({ apiKey: env.a.apiKey }),
      });
      expect(own.statusCode, url).toBe(200);
    }
    const v1list = await env.app.inject({
      method: "GET",
      url: "/api/v1/recordings?search=A%20private&limit=5",
      headers: authHeaders({ apiKey: env.b.apiKey }),
    });
    expect(v1list.json()).toEqual({ items: [], total: 0, nextCursor: null });
    const unauth = await env.app.inject({ method: "GET", url: `/api/recordings/${id}/audio` });
    expect(unauth.statusCode).toBe(401);
  });

  it("documents the REST routes in OpenAPI", async () => {
    const doc = (await env.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    expect(Object.keys(doc.paths["/api/v1/recordings"]).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/api/v1/recordings/{recordingId}"].get.operationId).toBe("getRecording");
    expect(doc.paths["/api/v1/recordings/{recordingId}/audio"].get.operationId).toBe("getRecordingAudio");
  });
});
