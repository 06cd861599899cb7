// Segmentation end to end against real components: PostgreSQL, pg-boss with the real
// segmentation.run handler, WAV files in a temp MEDIA_ROOT, the Fastify server for raw/REST routes.
// Recordings are inserted as rows + copied files (the upload routes are built elsewhere).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readWavInfo } from "@battycoda/audio";
import {
  createMediaStore,
  type GroupAccess,
  importSegments,
  resolveGroupAccess,
  segmentationBandsHandler,
  segmentationRunHandler,
} from "@battycoda/core";
import { createBoss, QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { parseRavenTable, parseSegmentPickle } from "@battycoda/formats";
import type { FastifyInstance } from "fastify";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthRecording, writeFixture } from "../../../packages/audio/test/fixtures/generate.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, joinByInvitation, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { buildTestServer, request, trpcCode, trpcMutation } from "./http-helpers.ts";

const SHARED = path.resolve(import.meta.dirname, "../../../../shared/data/recordings");
const BAT_WAV = path.join(SHARED, "bat1_angie_19.wav");
const BAT_PICKLE = path.join(SHARED, "bat1_angie_19.wav.pickle");
const PICKLES = path.resolve(import.meta.dirname, "../../../packages/formats/test/fixtures/pickles");
const ORIGIN = { origin: "http://battycoda.test" };

let t: TestEnv;
let boss: PgBoss;
let app: FastifyInstance;
let alice: TestUser;
let carol: TestUser;
let mallory: TestUser;
let aliceAccess: GroupAccess;
let aliceKey: string;
let malloryKey: string;
let speciesId: string;

// Synthetic 384 kHz recording with three known calls (ground truth for the run and the preview).
const SR = 384_000;
const CALLS = [
  { onset: 0.1, duration: 0.006, f0: 60_000, f1: 30_000, kind: "hyperbolic" as const },
  { onset: 0.4, duration: 0.01, f0: 70_000, f1: 35_000, kind: "linear" as const },
  { onset: 0.8, duration: 0.004, f0: 50_000, f1: 25_000, kind: "linear" as const },
];
let synthFile: string;

async function addRecording(
  user: TestUser,
  source: string,
  extra: { name?: string; projectId?: string | null; speciesId?: string | null } = {},
) {
  const access = await resolveGroupAccess(t.deps, { userId: user.id, isSiteAdmin: false });
  const info = await readWavInfo(source);
  const filePath = path.join(access.groupId, `${randomUUID()}.wav`);
  const abs = path.join(t.config.mediaRoot, filePath);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.copyFileSync(source, abs);
  return t.deps.db.recording.create({
    data: {
      groupId: access.groupId,
      name: extra.name ?? path.basename(source),
      filePath,
      duration: info.duration,
      sampleRate: info.sampleRate,
      channels: info.channels,
      bitDepth: info.bitsPerSample,
      processingStatus: "ready",
      projectId: extra.projectId ?? null,
      speciesId: extra.speciesId ?? null,
      createdById: user.id,
    },
  });
}

async function waitForSegmentation(id: string, timeoutMs = 25_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await t.deps.db.segmentation.findUniqueOrThrow({ where: { id } });
    if (s.status === "completed" || s.status === "failed") return s;
    if (Date.now() > until) throw new Error(`segmentation ${id} still ${s.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function waitForJob(subjectId: string, type: string, timeoutMs = 25_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await t.deps.db.job.findFirst({ where: { subjectId, type } });
    if (job && (job.status === "completed" || job.status === "failed")) return job;
    if (Date.now() > until) throw new Error(`${type} job of ${subjectId} still ${job?.status ?? "absent"}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function importForm(
  fields: Record<string, string>,
  fileName: string,
  content: Buffer,
  extraHeaders: Record<string, string> = {},
) {
  const boundary = `----bc${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { ...extraHeaders, "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

beforeAll(async () => {
  t = await createTestEnv();
  boss = await createBoss(t.database.url, { role: "worker", max: 4 });
  t.deps.boss = boss;
  await registerJobHandler(
    { db: t.deps.db, boss },
    QUEUES.segmentationRun,
    segmentationRunHandler({ media: createMediaStore(t.config), pool: null }),
    { pollingIntervalSeconds: 0.5, concurrency: 2 },
  );
  await registerJobHandler(
    { db: t.deps.db, boss },
    QUEUES.segmentationBands,
    segmentationBandsHandler({ media: createMediaStore(t.config), pool: null }),
    { pollingIntervalSeconds: 0.5, concurrency: 1 },
  );
  app = await buildTestServer(t);

  alice = await registerAndLogin(t, "alice");
  const lab = await alice.caller.groups.create({ name: "Lab A" });
  carol = await registerAndLogin(t, "carol");
  await joinByInvitation(t, alice, carol);
  await carol.caller.groups.switch({ groupId: lab.id });
  mallory = await registerAndLogin(t, "mallory");
  await mallory.caller.groups.create({ name: "Other lab" });
  aliceAccess = await resolveGroupAccess(t.deps, { userId: alice.id, isSiteAdmin: false });
  aliceKey = (await alice.caller.profile.generateApiKey()).key;
  malloryKey = (await mallory.caller.profile.generateApiKey()).key;
  speciesId = (
    await alice.caller.species.create({ name: "Eptesicus testus", callTypes: [{ shortName: "FM" }] })
  ).id;

  const rec = synthRecording({ sampleRate: SR, duration: 1.0, calls: CALLS, snrDb: 30 });
  synthFile = await writeFixture(t.config.dataDir, "synth.wav", rec.samples, { sampleRate: SR });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
  await t?.close();
});

describe("imports", () => {
  it("imports the original pickle onto its recording: 42 segments with the pickle's exact times", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const content = fs.readFileSync(BAT_PICKLE);
    const expected = parseSegmentPickle(content).segments;
    const r = await importSegments(t.deps, aliceAccess, {
      recordingId: rec.id,
      fileName: "bat1_angie_19.wav.pickle",
      content,
      mode: "new",
    });
    expect(r).toMatchObject({ format: "pickle", imported: 42, outside: [] });
    const stored = await t.deps.db.segment.findMany({
      where: { segmentationId: r.segmentationId },
      orderBy: { onset: "asc" },
    });
    expect(stored).toHaveLength(42);
    const sorted = [...expected].sort((a, b) => a.onset - b.onset);
    expect(stored.map((s) => [s.onset, s.offset])).toEqual(sorted.map((s) => [s.onset, s.offset]));
    const seg = await t.deps.db.segmentation.findUniqueOrThrow({ where: { id: r.segmentationId } });
    expect(seg).toMatchObject({ source: "import", status: "completed", isActive: true });
  });

  it("refuses a pickle that tries to execute code, and one holding other types, creating nothing", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    for (const [file, pattern] of [
      ["evil_os_system_p4.pickle", /refused/],
      ["evil_reduce_ndarray_p2.pickle", /refused|not a usable/],
      ["bad_set_p4.pickle", /bad_set_p4\.pickle: /],
    ] as const) {
      const res = await request(app, {
        method: "POST",
        url: "/api/segmentations/import",
        auth: { apiKey: aliceKey },
        ...importForm({ recordingId: rec.id }, file, fs.readFileSync(path.join(PICKLES, file))),
      });
      expect(res.statusCode, file).toBe(400);
      expect(res.json().error.message, file).toMatch(pattern);
    }
    expect(await t.deps.db.segmentation.count({ where: { recordingId: rec.id } })).toBe(0);
  });

  it("reports malformed CSV and Raven rows with line numbers", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const csv = "onset,offset\n0.1,0.2\n0.5,abc\n0.9,0.8\n";
    const err = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm({ recordingId: rec.id }, "calls.csv", Buffer.from(csv)),
    });
    expect(err.statusCode).toBe(400);
    const issues = err.json().error.details.issues as { line: number; message: string }[];
    expect(issues.map((i) => i.line)).toEqual([3, 4]);
    expect(err.json().error.message).toMatch(/line 3: offset "abc" is not a number/);

    const raven =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\n" +
      "1\tSpectrogram 1\t1\t0.1\t0.2\t1000\t2000\n" +
      "2\tSpectrogram 1\t1\tx\t0.4\t1000\t2000\n";
    const res = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm({ recordingId: rec.id }, "sel.txt", Buffer.from(raven)),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues).toEqual([
      { line: 3, message: 'Begin Time (s) "x" is not a number' },
    ]);
  });

  it("rejects rows outside the recording and reports them; appends into an existing segmentation", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const csv = "onset,offset,label\n0.1,0.2,A\n8.8,9.5,B\n20,21,C\n-0.1,0.05,D\n";
    const res = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm({ recordingId: rec.id, name: "hand" }, "calls.csv", Buffer.from(csv)),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.imported).toBe(1);
    expect(body.outside.map((o: { index: number; kind: string }) => [o.index, o.kind])).toEqual([
      [2, "ends-after-recording"],
      [3, "entirely-outside"],
      [4, "starts-before-recording"],
    ]);
    const into = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm(
        { recordingId: rec.id, mode: body.segmentationId, expectedVersion: String(body.version) },
        "more.csv",
        Buffer.from("onset,offset\n1,1.5\n"),
      ),
    });
    expect(into.statusCode).toBe(201);
    expect(into.json()).toMatchObject({
      segmentationId: body.segmentationId,
      imported: 1,
      version: body.version + 1,
    });
    const stale = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm(
        { recordingId: rec.id, mode: body.segmentationId, expectedVersion: String(body.version) },
        "more.csv",
        Buffer.from("onset,offset\n2,2.5\n"),
      ),
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.details.currentVersion).toBe(body.version + 1);
  });

  it("measures the frequency box of imported segments that have none, in the background; a given box stays", async () => {
    const rec = await addRecording(alice, synthFile, { name: "synth import" });
    const [a, b, c] = CALLS as [(typeof CALLS)[0], (typeof CALLS)[0], (typeof CALLS)[0]];
    const span = (call: typeof a) => `${call.onset - 0.002},${call.onset + call.duration + 0.002}`;
    const csv = [
      "onset,offset,lowFreq,highFreq",
      `${span(a)},,`,
      `${span(b)},1000,2000`,
      `${span(c)},,`,
      "0.6,0.62,,",
    ];
    const res = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm({ recordingId: rec.id, name: "boxless" }, "calls.csv", Buffer.from(csv.join("\n"))),
    });
    expect(res.statusCode).toBe(201);
    const { segmentationId, bandsQueued, bandsJobId } = res.json();
    expect(bandsQueued).toBe(3);
    const job = await waitForJob(segmentationId, QUEUES.segmentationBands);
    expect(job.id).toBe(bandsJobId);
    expect(job).toMatchObject({ status: "completed", groupId: aliceAccess.groupId, userId: alice.id });
    expect(job.result).toMatchObject({ segments: 3, measured: 2 });
    const rows = await t.deps.db.segment.findMany({ where: { segmentationId }, orderBy: { onset: "asc" } });
    const [first, given, silence, third] = rows;
    // The two sweeps get their bands (60 -> 30 kHz and 50 -> 25 kHz), within a few 1.5 kHz bins.
    for (const [row, call] of [
      [first, a],
      [third, c],
    ] as const) {
      expect(row?.bandMeasured).toBe(true);
      expect(Math.abs(row!.lowFreq! - (call.f1 ?? 0))).toBeLessThanOrEqual(6000);
      expect(Math.abs(row!.highFreq! - call.f0)).toBeLessThanOrEqual(6000);
    }
    expect(given).toMatchObject({ lowFreq: 1000, highFreq: 2000, bandMeasured: false });
    // Nothing stands out over silence: no box, but measured (no later job or procedure measures it again).
    expect(silence).toMatchObject({ lowFreq: null, highFreq: null, bandMeasured: true });
    // The Jobs page names the segmentation and its recording.
    const listed = (await alice.caller.jobs.list({})).find((j) => j.id === job.id);
    expect(listed?.subject).toMatchObject({
      name: "boxless · synth import",
      recordingId: rec.id,
      exists: true,
    });
    // A Raven table brings its own boxes: nothing to measure, no job.
    const raven = await importSegments({ db: t.deps.db, boss }, aliceAccess, {
      recordingId: rec.id,
      fileName: "boxes.txt",
      content: Buffer.from(
        "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\n" +
          "1\tSpectrogram 1\t1\t0.1\t0.2\t20000\t60000\n",
      ),
      mode: "new",
    });
    expect(raven).toMatchObject({ bandsQueued: 0, bandsJobId: null });
    expect(await t.deps.db.job.count({ where: { subjectId: raven.segmentationId } })).toBe(0);
  });

  it("the box job keeps what a user did meanwhile, fails on unreadable audio and stops when cancelled", async () => {
    const rec = await addRecording(alice, synthFile, { name: "synth race" });
    const [a, , c] = CALLS as [(typeof CALLS)[0], (typeof CALLS)[0], (typeof CALLS)[0]];
    const imported = await importSegments({ db: t.deps.db }, aliceAccess, {
      recordingId: rec.id,
      fileName: "calls.csv",
      content: Buffer.from(
        `onset,offset\n${a.onset},${a.onset + a.duration}\n${c.onset},${c.onset + c.duration}\n`,
      ),
      mode: "new",
    });
    expect(imported.bandsQueued).toBe(0); // no pg-boss here: the handler is run by hand below
    const segmentationId = imported.segmentationId;
    const [moving, kept] = await t.deps.db.segment.findMany({
      where: { segmentationId },
      orderBy: { onset: "asc" },
    });
    const media = createMediaStore(t.config);
    const progress: number[] = [];
    const ctx = (cancelled = false) =>
      ({
        db: t.deps.db,
        payload: { segmentationId },
        isCancelled: async () => cancelled,
        setProgress: async (p: number) => {
          progress.push(p);
        },
      }) as unknown as Parameters<ReturnType<typeof segmentationBandsHandler>>[0];
    // Cancelled before its first step: nothing written.
    expect(await segmentationBandsHandler({ media })(ctx(true))).toMatchObject({
      skipped: "cancelled",
      measured: 0,
    });
    // A user moves the first segment while the job reads the audio: the job must not write the old span's box.
    const racing: typeof media = Object.create(media);
    racing.openRandomAccess = async (key: string) => {
      await t.deps.db.segment.update({ where: { id: moving!.id }, data: { onset: moving!.onset + 0.001 } });
      return media.openRandomAccess(key);
    };
    const result = await segmentationBandsHandler({ media: racing })(ctx());
    expect(result).toMatchObject({ segments: 2, measured: 1 });
    expect(progress.at(-1)).toBe(1);
    const after = await t.deps.db.segment.findMany({ where: { segmentationId }, orderBy: { onset: "asc" } });
    expect(after[0]).toMatchObject({ lowFreq: null, highFreq: null, bandMeasured: false });
    expect(after[1]).toMatchObject({ id: kept!.id, bandMeasured: true });
    expect(Math.abs(after[1]!.highFreq! - c.f0)).toBeLessThanOrEqual(6000);
    // The audio is gone: the job fails (and is retried by pg-boss) instead of reporting boxes it could not measure.
    fs.rmSync(path.join(t.config.mediaRoot, rec.filePath));
    await expect(segmentationBandsHandler({ media })(ctx())).rejects.toThrow();
  });

  it("round-trips a Raven selection table with byte-identical times and frequencies", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const rows = [
      [
        "1",
        "Spectrogram 1",
        "1",
        "0.30000000000000004",
        "0.4",
        "20000",
        "80000.5",
        "FM",
        "0.09999999999999998",
      ],
      ["1", "Waveform 1", "1", "0.30000000000000004", "0.4", "", "", "FM", "0.09999999999999998"],
      ["2", "Spectrogram 1", "1", "1.123456789012345", "1.1305", "15000.25", "60000", "CF", "0.007"],
      ["3", "Spectrogram 1", "1", "0.0000001", "0.0123", "0", "22050", "", "0.0122999"],
    ];
    const header = [
      "Selection",
      "View",
      "Channel",
      "Begin Time (s)",
      "End Time (s)",
      "Low Freq (Hz)",
      "High Freq (Hz)",
      "Annotation",
      "Delta Time (s)",
    ];
    const source = `${[header, ...rows].map((r) => r.join("\t")).join("\n")}\n`;
    const imp = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { cookie: alice.token },
      ...importForm({ recordingId: rec.id }, "angie.Table.1.selections.txt", Buffer.from(source), ORIGIN),
    });
    expect(imp.statusCode, imp.body).toBe(201);
    expect(imp.json()).toMatchObject({ format: "raven", imported: 3 });
    const exp = await request(app, {
      method: "GET",
      url: `/api/segmentations/${imp.json().segmentationId}/export.txt`,
      auth: { cookie: alice.token },
    });
    expect(exp.statusCode).toBe(200);
    expect(exp.headers["content-disposition"]).toMatch(/attachment; filename=".*\.txt"/);
    const out = exp.body
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"));
    const col = (name: string) => (out[0] as string[]).indexOf(name);
    const spectrogramRows = rows
      .filter((r) => r[1] === "Spectrogram 1")
      .sort((a, b) => Number(a[3]) - Number(b[3]));
    expect(out).toHaveLength(spectrogramRows.length + 1);
    for (const [i, src] of spectrogramRows.entries()) {
      const row = out[i + 1] as string[];
      for (const [name, j] of [
        ["Begin Time (s)", 3],
        ["End Time (s)", 4],
        ["Low Freq (Hz)", 5],
        ["High Freq (Hz)", 6],
        ["Delta Time (s)", 8],
      ] as const) {
        expect(row[col(name)], `${name} of row ${i + 1}`).toBe(src[j]);
      }
    }
    // And the exported table parses to the very same doubles.
    const again = parseRavenTable(exp.body).segments;
    const first = parseRavenTable(source).segments.sort((a, b) => a.onset - b.onset);
    expect(again.map((s) => [s.onset, s.offset, s.lowFreq, s.highFreq])).toEqual(
      first.map((s) => [s.onset, s.offset, s.lowFreq, s.highFreq]),
    );
    const csv = await request(app, {
      method: "GET",
      url: `/api/segmentations/${imp.json().segmentationId}/export.csv`,
      auth: { apiKey: aliceKey },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split("\n")[1]).toMatch(/^0\.0000001,0\.0123,/);
  });
});

describe("runs", () => {
  it("finds the known calls of a synthetic recording, becomes active and notifies the user", async () => {
    const rec = await addRecording(alice, synthFile, { name: "synth", speciesId });
    const started = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: { threshold_db: 10, min_duration_ms: 1 },
      name: "first run",
    });
    const seg = await waitForSegmentation(started.segmentationId);
    expect(seg.error).toBeNull();
    expect(seg).toMatchObject({ status: "completed", progress: 1, isActive: true });
    const segments = await alice.caller.segmentation.segments.list({ segmentationId: seg.id });
    expect(segments.items).toHaveLength(CALLS.length);
    for (const [i, call] of CALLS.entries()) {
      const s = segments.items[i];
      expect(s?.onset).toBeGreaterThan(call.onset - 0.002);
      expect(s?.offset).toBeLessThan(call.onset + call.duration + 0.002);
      expect(s?.offset).toBeGreaterThan(call.onset + call.duration / 2);
      // The detector's frequency box is stored with the call: its sweep's band, within a few of its 1.5 kHz bins.
      expect(Math.abs((s?.lowFreq ?? 0) - call.f1)).toBeLessThanOrEqual(6000);
      expect(Math.abs((s?.highFreq ?? 0) - call.f0)).toBeLessThanOrEqual(6000);
    }
    // ...and exported with it.
    const csv = await request(app, {
      method: "GET",
      url: `/api/segmentations/${seg.id}/export.csv`,
      auth: { apiKey: aliceKey },
    });
    const firstRow = csv.body.split("\n")[1]?.split(",") ?? [];
    expect(Number(firstRow[3])).toBe(segments.items[0]?.lowFreq);
    expect(Number(firstRow[4])).toBe(segments.items[0]?.highFreq);
    const job = await t.deps.db.job.findUniqueOrThrow({ where: { id: started.jobId } });
    expect(job).toMatchObject({ status: "completed", progress: 1 });
    const notes = await alice.caller.notifications.list();
    expect(notes.items[0]).toMatchObject({ kind: "segmentation.completed", readAt: null });
    expect(notes.items[0]?.message).toMatch(/3 segments/);
    await alice.caller.notifications.markRead({ all: true });
    expect((await alice.caller.notifications.list()).unread).toBe(0);

    // The species remembers the group's last used values; defaults overlay them.
    const d = await alice.caller.segmentation.defaults({ recordingId: rec.id, algorithmKey: "spectral" });
    expect(d.params).toMatchObject({ threshold_db: 10, min_duration_ms: 1, release_db: 8 });
    expect(d.fromSpecies.sort()).toEqual(["min_duration_ms", "threshold_db"]);
    const t2 = await alice.caller.segmentation.defaults({ recordingId: rec.id, algorithmKey: "threshold" });
    expect(t2.fromSpecies).toEqual([]);

    // A second run does not take over the active flag unless asked to.
    const second = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "energy",
      params: {},
    });
    expect((await waitForSegmentation(second.segmentationId)).isActive).toBe(false);
    const third = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "threshold",
      params: { threshold_factor: 3 },
      makeActive: true,
    });
    expect((await waitForSegmentation(third.segmentationId)).isActive).toBe(true);
    const list = await alice.caller.segmentation.list({ recordingId: rec.id });
    expect(list.items.filter((s) => s.isActive).map((s) => s.id)).toEqual([third.segmentationId]);
    await alice.caller.segmentation.setActive({ segmentationId: seg.id });
    expect((await alice.caller.segmentation.get({ segmentationId: seg.id })).isActive).toBe(true);
  });

  it("a threshold run's segments get their frequency boxes from the box job", async () => {
    // The original's threshold algorithm measures no boxes; the run queues the box job with its segments. (It keeps
    // calls of >= 10 ms only.)
    const sr = 96_000;
    const calls = [
      { onset: 0.1, duration: 0.015, f0: 19_200, f1: 9_600, kind: "linear" as const },
      { onset: 0.4, duration: 0.02, f0: 14_400, kind: "cf" as const },
      { onset: 0.7, duration: 0.015, f0: 24_000, f1: 12_000, kind: "linear" as const },
    ];
    const audio = synthRecording({ sampleRate: sr, duration: 1, calls, snrDb: 30 });
    const file = await writeFixture(t.config.dataDir, "threshold.wav", audio.samples, { sampleRate: sr });
    const rec = await addRecording(alice, file, { name: "synth threshold" });
    const started = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "threshold",
      params: {},
    });
    const seg = await waitForSegmentation(started.segmentationId);
    const job = await waitForJob(seg.id, QUEUES.segmentationBands);
    expect(job).toMatchObject({ status: "completed", groupId: aliceAccess.groupId, userId: alice.id });
    expect(job.result).toMatchObject({ segments: 3, measured: 3 });
    const rows = await t.deps.db.segment.findMany({
      where: { segmentationId: seg.id },
      orderBy: { onset: "asc" },
    });
    expect(rows).toHaveLength(3);
    // Each call's box: the sweep's or tone's band, within two of the detector's 1.5 kHz bins (64-sample frames).
    for (const [row, call] of rows.map((r, i) => [r, calls[i]!] as const)) {
      expect(row.bandMeasured).toBe(true);
      expect(Math.abs(row.lowFreq! - (call.f1 ?? call.f0))).toBeLessThanOrEqual(3000);
      expect(Math.abs(row.highFreq! - call.f0)).toBeLessThanOrEqual(3000);
    }
    // A spectral run measures its own boxes: no job.
    const spectral = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: {},
    });
    await waitForSegmentation(spectral.segmentationId);
    expect(
      await t.deps.db.job.count({
        where: { subjectId: spectral.segmentationId, type: QUEUES.segmentationBands },
      }),
    ).toBe(0);
  });

  it("measures the band of a segment a user moves or draws, for its new edges", async () => {
    const rec = await addRecording(alice, synthFile, { name: "synth edits" });
    const started = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: {},
    });
    const seg = await waitForSegmentation(started.segmentationId);
    const found = (await alice.caller.segmentation.segments.list({ segmentationId: seg.id })).items;
    expect(found).toHaveLength(CALLS.length);
    const [, second, third] = CALLS;
    // Trimmed to the second half of the 70-35 kHz sweep: its box now ends near 52.5 kHz, not 70.
    const moved = await alice.caller.segmentation.segments.update({
      segmentationId: seg.id,
      expectedVersion: seg.version,
      segmentId: found[1]!.id,
      patch: { onset: second!.onset + second!.duration / 2 },
    });
    expect(Math.abs(moved.segment!.lowFreq! - 35_000)).toBeLessThanOrEqual(6000);
    expect(Math.abs(moved.segment!.highFreq! - 52_500)).toBeLessThanOrEqual(6000);
    // Drawn by hand: around the third call (50-25 kHz), and over silence.
    const drawn = await alice.caller.segmentation.segments.batchEdit({
      segmentationId: seg.id,
      expectedVersion: moved.version,
      ops: [
        { op: "delete", segmentId: found[2]!.id },
        {
          op: "create",
          segment: { onset: third!.onset - 0.005, offset: third!.onset + third!.duration + 0.005 },
        },
        { op: "create", segment: { onset: 0.6, offset: 0.62 } },
      ],
    });
    const [, call, silence] = drawn.results;
    expect(Math.abs(call!.lowFreq! - 25_000)).toBeLessThanOrEqual(6000);
    expect(Math.abs(call!.highFreq! - 50_000)).toBeLessThanOrEqual(6000);
    expect(silence).toMatchObject({ lowFreq: null, highFreq: null });
    // Measured, though: a later box job or procedure leaves it alone.
    expect(await t.deps.db.segment.findUnique({ where: { id: silence!.id } })).toMatchObject({
      bandMeasured: true,
    });
    // A band given by hand is kept when the edges move.
    const given = await alice.caller.segmentation.segments.update({
      segmentationId: seg.id,
      expectedVersion: drawn.version,
      segmentId: silence!.id,
      patch: { lowFreq: 20_000, highFreq: 30_000 },
    });
    const nudged = await alice.caller.segmentation.segments.update({
      segmentationId: seg.id,
      expectedVersion: given.version,
      segmentId: silence!.id,
      patch: { offset: 0.63 },
    });
    expect(nudged.segment).toMatchObject({ lowFreq: 20_000, highFreq: 30_000 });
    // The exports carry the new boxes.
    const csv = await request(app, {
      method: "GET",
      url: `/api/segmentations/${seg.id}/export.csv`,
      auth: { apiKey: aliceKey },
    });
    const row = csv.body
      .split("\n")
      .map((l) => l.split(","))
      .find((r) => Number(r[0]) === moved.segment!.onset);
    expect(Number(row?.[4])).toBe(moved.segment!.highFreq);
  });

  it("detects a multichannel recording's calls in the channel they stand out in, and records it", async () => {
    // Two microphones 4 m apart: the calls reach channel 0 12 ms after channel 1, 2 dB weaker. The channels' mean
    // held every call twice.
    const rec = synthRecording({ sampleRate: SR, duration: 1.0, calls: CALLS, snrDb: 30 });
    const delay = Math.round(0.012 * SR);
    const noise = synthRecording({ sampleRate: SR, duration: 1.0, calls: [], snrDb: 30, seed: 9 }).samples;
    const far = noise.map((v, i) => v + (i >= delay ? 0.8 * (rec.samples[i - delay] as number) : 0));
    const file = await writeFixture(t.config.dataDir, "two-mics.wav", [far, rec.samples], { sampleRate: SR });
    const r = await addRecording(alice, file, { name: "two mics" });
    const started = await alice.caller.segmentation.start({
      recordingId: r.id,
      algorithmKey: "spectral",
      params: {},
    });
    const seg = await waitForSegmentation(started.segmentationId);
    expect(seg.status).toBe("completed");
    expect(seg.parameters).toMatchObject({ channelUsed: 1 });
    const segments = await alice.caller.segmentation.segments.list({ segmentationId: seg.id });
    expect(segments.items.map((x) => Math.round(x.onset * 100) / 100)).toEqual(CALLS.map((c) => c.onset));
    // A segment drawn there is measured in that channel too (channel 0 hears the call 12 ms later, outside it).
    const third = CALLS[2]!;
    const drawn = await alice.caller.segmentation.segments.create({
      segmentationId: seg.id,
      expectedVersion: seg.version,
      segment: { onset: third.onset - 0.003, offset: third.onset + third.duration + 0.003 },
    });
    expect(Math.abs(drawn.segment!.highFreq! - third.f0)).toBeLessThanOrEqual(6000);
    // A channel asked for is used as asked.
    const asked = await alice.caller.segmentation.start({
      recordingId: r.id,
      algorithmKey: "spectral",
      params: {},
      channel: 0,
    });
    const askedSeg = await waitForSegmentation(asked.segmentationId);
    expect(askedSeg.parameters).toMatchObject({ channel: 0, channelUsed: 0 });
  });

  it("previews a multichannel recording in the channel its run detected calls in, not the window's own pick", async () => {
    // Channel 0 hears one call in the first second; channel 1 hears five later on, so a run picks channel 1. The
    // preview's 3 s window around the first call holds a call in channel 0 only.
    const early = [{ onset: 0.5, duration: 0.006, f0: 60_000, f1: 30_000, kind: "linear" as const }];
    const late = [3.5, 4, 4.5, 5, 5.5].map((onset) => ({ ...early[0]!, onset }));
    const ch0 = synthRecording({ sampleRate: SR, duration: 6, calls: early, snrDb: 30, seed: 3 }).samples;
    const ch1 = synthRecording({ sampleRate: SR, duration: 6, calls: late, snrDb: 30, seed: 4 }).samples;
    const file = await writeFixture(t.config.dataDir, "two-bats.wav", [ch0, ch1], { sampleRate: SR });
    const r = await addRecording(alice, file, { name: "two bats" });
    const preview = (channel?: number) =>
      alice.caller.segmentation.preview({
        recordingId: r.id,
        algorithmKey: "spectral",
        params: {},
        center: 1,
        windowSeconds: 3,
        ...(channel !== undefined ? { channel } : {}),
      });
    // No run yet: the window's own choice.
    const before = await preview();
    expect(before).toMatchObject({ channel: 0, start: 0 });
    expect(before.segments).toHaveLength(1);
    const started = await alice.caller.segmentation.start({
      recordingId: r.id,
      algorithmKey: "spectral",
      params: {},
    });
    const seg = await waitForSegmentation(started.segmentationId);
    expect(seg.parameters).toMatchObject({ channelUsed: 1 });
    // After the run: its channel, where this window holds no call (what the run found there).
    const after = await preview();
    expect(after).toMatchObject({ channel: 1, segments: [] });
    // A channel asked for is used as asked.
    expect(await preview(0)).toMatchObject({ channel: 0, segments: [expect.anything()] });
  });

  it("validates parameters against the algorithm's description", async () => {
    const rec = await addRecording(alice, synthFile);
    const e1 = await expectTRPCError(
      alice.caller.segmentation.start({
        recordingId: rec.id,
        algorithmKey: "spectral",
        params: { threshold_db: 100 },
      }),
      "BAD_REQUEST",
      /threshold_db must be at most 60/,
    );
    expect(e1.message).toMatch(/threshold_db/);
    await expectTRPCError(
      alice.caller.segmentation.start({
        recordingId: rec.id,
        algorithmKey: "threshold",
        params: { bogus: 1 },
      }),
      "BAD_REQUEST",
    );
    await expectTRPCError(
      alice.caller.segmentation.start({
        recordingId: rec.id,
        algorithmKey: "spectral",
        params: { low_hz: 50_000, high_hz: 20_000 },
      }),
      "BAD_REQUEST",
      /high_hz/,
    );
    await expectTRPCError(
      alice.caller.segmentation.start({
        recordingId: rec.id,
        algorithmKey: "threshold",
        params: { smooth_window: 2.5 },
      }),
      "BAD_REQUEST",
    );
    expect(await t.deps.db.segmentation.count({ where: { recordingId: rec.id } })).toBe(0);
  });

  it("marks a run failed with its error and notifies when the audio cannot be read", async () => {
    const rec = await addRecording(alice, synthFile, { name: "broken" });
    fs.writeFileSync(path.join(t.config.mediaRoot, rec.filePath), "not a wav file at all");
    const started = await alice.caller.segmentation.start({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: {},
    });
    // The first attempt fails and leaves the run pending with its error (a retry is scheduled)…
    const until = Date.now() + 20_000;
    while (
      !(await t.deps.db.segmentation.findUniqueOrThrow({ where: { id: started.segmentationId } })).error
    ) {
      if (Date.now() > until) throw new Error("first attempt did not fail");
      await new Promise((r) => setTimeout(r, 150));
    }
    const pending = await t.deps.db.segmentation.findUniqueOrThrow({ where: { id: started.segmentationId } });
    expect(pending.status).toBe("pending");
    expect(
      (await alice.caller.notifications.list({ unreadOnly: true })).items.some((n) =>
        n.title.includes("broken"),
      ),
    ).toBe(false);
    // …then make the retry the last one and due now, instead of waiting for pg-boss's backoff.
    const bossJobId = (await t.deps.db.job.findUniqueOrThrow({ where: { id: started.jobId } })).bossJobId;
    await t.deps.db
      .$executeRaw`UPDATE pgboss.job SET retry_limit = 1, start_after = now() WHERE id = ${bossJobId}::uuid`;
    const seg = await waitForSegmentation(started.segmentationId);
    expect(seg.status).toBe("failed");
    expect(seg.error).toBeTruthy();
    const notes = await alice.caller.notifications.list({ unreadOnly: true });
    expect(notes.items.some((n) => n.kind === "segmentation.failed" && n.title.includes("broken"))).toBe(
      true,
    );
  });

  it("previews segments on a short window in absolute recording time", async () => {
    const rec = await addRecording(alice, synthFile);
    const p = await alice.caller.segmentation.preview({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: { threshold_db: 10, min_duration_ms: 1 },
      center: 0.45,
      windowSeconds: 0.3,
    });
    expect(p.start).toBeCloseTo(0.3, 6);
    expect(p.end).toBeCloseTo(0.6, 6);
    expect(p.segments).toHaveLength(1);
    const s = p.segments[0] as { onset: number; offset: number; lowFreq?: number; highFreq?: number };
    expect(s.onset).toBeGreaterThan(0.398);
    expect(s.offset).toBeLessThan(0.412);
    // with the call's band (a 70 -> 35 kHz sweep), as a run stores it
    expect(Math.abs((s.lowFreq ?? 0) - 35_000)).toBeLessThanOrEqual(6000);
    expect(Math.abs((s.highFreq ?? 0) - 70_000)).toBeLessThanOrEqual(6000);
    for (const seg of p.segments) {
      expect(seg.onset).toBeGreaterThanOrEqual(p.start);
      expect(seg.offset).toBeLessThanOrEqual(p.end);
    }
    // A window hanging over the end is shifted inside the recording.
    const tail = await alice.caller.segmentation.preview({
      recordingId: rec.id,
      algorithmKey: "spectral",
      params: { min_duration_ms: 1 },
      center: 0.99,
      windowSeconds: 0.4,
    });
    expect(tail.end).toBeCloseTo(1.0, 6);
    expect(tail.segments.map((x) => Math.round(x.onset * 10) / 10)).toEqual([0.8]);
    await expectTRPCError(
      alice.caller.segmentation.preview({
        recordingId: rec.id,
        algorithmKey: "spectral",
        params: {},
        center: 1,
        windowSeconds: 30,
      }),
      "BAD_REQUEST",
    );
  });

  it("batch-segments only the unsegmented recordings of a project; overview shows their state", async () => {
    const project = await alice.caller.projects.create({ name: "Batch project" });
    const recs = [];
    for (const name of ["b1", "b2", "b3"])
      recs.push(await addRecording(alice, synthFile, { name, projectId: project.id }));
    const done = await alice.caller.segmentation.start({
      recordingId: recs[0]!.id,
      algorithmKey: "threshold",
      params: {},
    });
    await waitForSegmentation(done.segmentationId);
    const before = await t.deps.db.job.count({ where: { type: QUEUES.segmentationRun } });

    const batch = await alice.caller.segmentation.startBatch({
      projectId: project.id,
      algorithmKey: "spectral",
      params: { min_duration_ms: 1 },
    });
    expect(batch.queued.map((q) => q.recordingId).sort()).toEqual([recs[1]!.id, recs[2]!.id].sort());
    expect(batch.skipped).toEqual([{ recordingId: recs[0]!.id, reason: "already segmented" }]);
    expect(await t.deps.db.job.count({ where: { type: QUEUES.segmentationRun } })).toBe(before + 2);
    // Started again while those are queued or done: nothing new.
    const again = await alice.caller.segmentation.startBatch({
      recordingIds: recs.map((r) => r.id),
      algorithmKey: "spectral",
      params: {},
    });
    expect(again.queued).toEqual([]);
    for (const q of batch.queued) await waitForSegmentation(q.segmentationId);

    const overview = await alice.caller.segmentation.overview({ projectId: project.id });
    expect(overview.total).toBe(3);
    expect(overview.items.map((i) => [i.name, i.status, i.active?.segmentCount])).toEqual([
      ["b1", "completed", expect.any(Number)],
      ["b2", "completed", 3],
      ["b3", "completed", 3],
    ]);
    const unsegmented = await alice.caller.segmentation.overview({
      projectId: project.id,
      status: "unsegmented",
    });
    expect(unsegmented.total).toBe(0);

    // The original of a split recording is neither batched nor listed: its parts are.
    const original = await addRecording(alice, synthFile, { name: "b0 original", projectId: project.id });
    await t.deps.db.recording.update({ where: { id: original.id }, data: { partCount: 2 } });
    const part = await addRecording(alice, synthFile, { name: "b0 (Part 1/2)", projectId: project.id });
    await t.deps.db.recording.update({
      where: { id: part.id },
      data: { parentRecordingId: original.id, partIndex: 1, partCount: 2 },
    });
    const third = await alice.caller.segmentation.startBatch({
      projectId: project.id,
      algorithmKey: "threshold",
      params: {},
    });
    expect(third.queued.map((q) => q.recordingId)).toEqual([part.id]);
    const byIds = await alice.caller.segmentation.startBatch({
      recordingIds: [original.id],
      algorithmKey: "threshold",
      params: {},
    });
    expect(byIds).toEqual({
      queued: [],
      skipped: [{ recordingId: original.id, reason: "split into 2 parts: segment its parts" }],
    });
    const listed = await alice.caller.segmentation.overview({ projectId: project.id });
    expect(listed.items.map((i) => i.name)).not.toContain("b0 original");
    expect(listed.items.map((i) => i.name)).toContain("b0 (Part 1/2)");
    await waitForSegmentation(third.queued[0]!.segmentationId);
  });
});

describe("manual editing", () => {
  async function editableSegmentation() {
    const rec = await addRecording(alice, BAT_WAV);
    const res = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm(
        { recordingId: rec.id },
        "s.csv",
        Buffer.from("onset,offset,notes\n0.1,0.2,first\n1,1.1,second call\n2,2.2,x\n"),
      ),
    });
    return {
      rec,
      segmentationId: res.json().segmentationId as string,
      version: res.json().version as number,
    };
  }

  it("creates, updates, deletes and batch-edits, bumping the version and marking it manually edited", async () => {
    const { segmentationId, version } = await editableSegmentation();
    const list = await alice.caller.segmentation.segments.list({ segmentationId });
    expect(list).toMatchObject({ total: 3, version });
    const c = await alice.caller.segmentation.segments.create({
      segmentationId,
      expectedVersion: version,
      segment: { onset: 3, offset: 3.05, label: "FM", lowFreq: 1000, highFreq: 9000 },
    });
    expect(c.version).toBe(version + 1);
    const u = await alice.caller.segmentation.segments.update({
      segmentationId,
      expectedVersion: c.version,
      segmentId: c.segment!.id,
      patch: { offset: 3.1, notes: "resized" },
    });
    expect(u.segment).toMatchObject({
      onset: 3,
      offset: 3.1,
      notes: "resized",
      label: "FM",
      lowFreq: 1000,
      highFreq: 9000,
    });
    const first = list.items[0]!;
    const d = await alice.caller.segmentation.segments.delete({
      segmentationId,
      expectedVersion: u.version,
      segmentId: first.id,
    });
    // Undo of that delete plus a nudge, atomically.
    const b = await alice.caller.segmentation.segments.batchEdit({
      segmentationId,
      expectedVersion: d.version,
      ops: [
        { op: "create", segment: { onset: first.onset, offset: first.offset, notes: first.notes } },
        { op: "update", segmentId: c.segment!.id, patch: { onset: 3.01, offset: 3.11 } },
      ],
    });
    expect(b.version).toBe(d.version + 1);
    expect(b.results[0]).toMatchObject({ onset: 0.1, offset: 0.2, notes: "first" });
    const seg = await alice.caller.segmentation.get({ segmentationId });
    expect(seg).toMatchObject({ manuallyEdited: true, version: b.version, segmentCount: 4 });

    // Invalid edits change nothing, not even the version.
    await expectTRPCError(
      alice.caller.segmentation.segments.create({
        segmentationId,
        expectedVersion: b.version,
        segment: { onset: 2, offset: 1 },
      }),
      "BAD_REQUEST",
      /onset 2 must be before offset 1/,
    );
    await expectTRPCError(
      alice.caller.segmentation.segments.batchEdit({
        segmentationId,
        expectedVersion: b.version,
        ops: [
          { op: "delete", segmentId: c.segment!.id },
          { op: "create", segment: { onset: 8, offset: 9.5 } },
        ],
      }),
      "BAD_REQUEST",
      /operation 2: offset 9.5 is after the end of the recording/,
    );
    expect((await alice.caller.segmentation.get({ segmentationId })).version).toBe(b.version);
    expect((await alice.caller.segmentation.segments.list({ segmentationId })).total).toBe(4);

    // Search and pagination; time window for the viewer.
    const found = await alice.caller.segmentation.segments.list({ segmentationId, search: "SECOND" });
    expect(found.items.map((s) => s.notes)).toEqual(["second call"]);
    const page2 = await alice.caller.segmentation.segments.list({ segmentationId, page: 2, pageSize: 3 });
    expect(page2.items).toHaveLength(1);
    const win = await alice.caller.segmentation.segments.window({ segmentationId, start: 0.9, end: 2.1 });
    expect(win.items.map((s) => s.onset)).toEqual([1, 2]);
  });

  it("creates an empty manual segmentation to draw into; another group cannot see or create one", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const first = await alice.caller.segmentation.createManual({ recordingId: rec.id });
    expect(first).toMatchObject({
      recordingId: rec.id,
      source: "manual",
      status: "completed",
      version: 0,
      segmentCount: 0,
      manuallyEdited: false,
      // The recording had no active segmentation, so this one takes the role.
      isActive: true,
      recording: { id: rec.id },
    });
    expect(first.name).toMatch(/^Manual /);
    // A second one is not made active unless asked.
    const second = await carol.caller.segmentation.createManual({
      recordingId: rec.id,
      name: "Carol's pass",
    });
    expect(second).toMatchObject({ name: "Carol's pass", isActive: false, version: 0 });
    const third = await alice.caller.segmentation.createManual({ recordingId: rec.id, makeActive: true });
    expect(third.isActive).toBe(true);
    const listed = await alice.caller.segmentation.list({ recordingId: rec.id });
    expect(listed.items.filter((s) => s.isActive).map((s) => s.id)).toEqual([third.id]);

    // Drawable at once from version 0.
    const drawn = await alice.caller.segmentation.segments.batchEdit({
      segmentationId: first.id,
      expectedVersion: 0,
      ops: [
        { op: "create", segment: { onset: 0.30000000000000004, offset: 0.35 } },
        { op: "create", segment: { onset: 1, offset: 1.2, notes: "second" } },
      ],
    });
    expect(drawn.version).toBe(1);
    const segs = await alice.caller.segmentation.segments.list({ segmentationId: first.id });
    expect(segs.items.map((s) => [s.onset, s.offset])).toEqual([
      [0.30000000000000004, 0.35],
      [1, 1.2],
    ]);
    expect(await alice.caller.segmentation.get({ segmentationId: first.id })).toMatchObject({
      manuallyEdited: true,
      segmentCount: 2,
      version: 1,
    });

    // Another group: the recording does not exist, nor do the segmentations.
    await expectTRPCError(mallory.caller.segmentation.createManual({ recordingId: rec.id }), "NOT_FOUND");
    await expectTRPCError(mallory.caller.segmentation.get({ segmentationId: first.id }), "NOT_FOUND");
    await expectTRPCError(
      mallory.caller.segmentation.segments.batchEdit({
        segmentationId: first.id,
        expectedVersion: 1,
        ops: [{ op: "create", segment: { onset: 2, offset: 2.1 } }],
      }),
      "NOT_FOUND",
    );
    expect(await t.deps.db.segmentation.count({ where: { recordingId: rec.id } })).toBe(3);
    expect(await t.deps.db.segment.count({ where: { segmentationId: first.id } })).toBe(2);
  });

  it("two users editing the same version: one wins, the other gets CONFLICT with the current version", async () => {
    const { segmentationId, version } = await editableSegmentation();
    const [a, b] = (await alice.caller.segmentation.segments.list({ segmentationId })).items;
    const results = await Promise.allSettled([
      alice.caller.segmentation.segments.update({
        segmentationId,
        expectedVersion: version,
        segmentId: a!.id,
        patch: { notes: "alice" },
      }),
      carol.caller.segmentation.segments.update({
        segmentationId,
        expectedVersion: version,
        segmentId: b!.id,
        patch: { notes: "carol" },
      }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const err = failed[0]!.reason as { code: string; cause: { details: { currentVersion: number } } };
    expect(err.code).toBe("CONFLICT");
    expect(err.cause.details.currentVersion).toBe(version + 1);
    // The loser reloads and re-applies; both edits survive.
    const loser = results[0]!.status === "rejected" ? alice : carol;
    const loserSeg = loser === alice ? a! : b!;
    await loser.caller.segmentation.segments.update({
      segmentationId,
      expectedVersion: version + 1,
      segmentId: loserSeg.id,
      patch: { notes: loser === alice ? "alice" : "carol" },
    });
    const notes = (await alice.caller.segmentation.segments.list({ segmentationId })).items.map(
      (s) => s.notes,
    );
    expect(notes.slice(0, 2)).toEqual(["alice", "carol"]);

    // Over HTTP the client gets the current version in error.data.details.
    const res = await trpcMutation(
      app,
      "segmentation.segments.delete",
      { segmentationId, expectedVersion: version, segmentId: a!.id },
      { apiKey: aliceKey },
    );
    expect(trpcCode(res)).toBe("CONFLICT");
    expect(res.json().error.data.details.currentVersion).toBe(version + 2);
  });
});

describe("access", () => {
  it("another group's segmentations and segments are invisible and immutable (tRPC, raw routes, REST)", async () => {
    const rec = await addRecording(alice, BAT_WAV);
    const imp = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: aliceKey },
      ...importForm({ recordingId: rec.id }, "s.csv", Buffer.from("onset,offset\n0.1,0.2\n0.5,0.6\n")),
    });
    const segmentationId = imp.json().segmentationId as string;
    const version = imp.json().version as number;
    const segId = (await alice.caller.segmentation.segments.list({ segmentationId })).items[0]!.id;
    // The import's box job writes its measurements; let it finish before the snapshot.
    expect(await waitForJob(segmentationId, QUEUES.segmentationBands)).toMatchObject({ status: "completed" });
    const snapshot = async () =>
      JSON.stringify(
        await t.deps.db.segmentation.findMany({
          where: { recordingId: rec.id },
          include: { segments: { orderBy: { id: "asc" } } },
          orderBy: { id: "asc" },
        }),
      );
    const before = await snapshot();
    const m = mallory.caller.segmentation;
    const calls: [string, () => Promise<unknown>][] = [
      ["list", () => m.list({ recordingId: rec.id })],
      ["get", () => m.get({ segmentationId })],
      ["defaults", () => m.defaults({ recordingId: rec.id, algorithmKey: "spectral" })],
      ["segments.list", () => m.segments.list({ segmentationId })],
      ["segments.window", () => m.segments.window({ segmentationId, start: 0, end: 5 })],
      ["start", () => m.start({ recordingId: rec.id, algorithmKey: "spectral", params: {} })],
      [
        "preview",
        () =>
          m.preview({
            recordingId: rec.id,
            algorithmKey: "spectral",
            params: {},
            center: 1,
            windowSeconds: 1,
          }),
      ],
      ["setActive", () => m.setActive({ segmentationId })],
      ["rename", () => m.rename({ segmentationId, name: "pwned" })],
      ["delete", () => m.delete({ segmentationId })],
      [
        "segments.create",
        () =>
          m.segments.create({ segmentationId, expectedVersion: version, segment: { onset: 1, offset: 2 } }),
      ],
      [
        "segments.update",
        () =>
          m.segments.update({
            segmentationId,
            expectedVersion: version,
            segmentId: segId,
            patch: { notes: "x" },
          }),
      ],
      [
        "segments.delete",
        () => m.segments.delete({ segmentationId, expectedVersion: version, segmentId: segId }),
      ],
      [
        "segments.batchEdit",
        () =>
          m.segments.batchEdit({
            segmentationId,
            expectedVersion: version,
            ops: [{ op: "delete", segmentId: segId }],
          }),
      ],
    ];
    for (const [name, call] of calls) {
      const code = await call().then(
        () => "SUCCEEDED",
        (e: { code?: string }) => e.code,
      );
      expect(code, name).toBe("NOT_FOUND");
    }
    const batch = await m.startBatch({ recordingIds: [rec.id], algorithmKey: "spectral", params: {} });
    expect(batch).toEqual({ queued: [], skipped: [{ recordingId: rec.id, reason: "not found" }] });
    const overview = await m.overview({});
    expect(overview.items.map((i) => i.recordingId)).not.toContain(rec.id);

    // Raw routes, with mallory's API key and with her cookie.
    for (const auth of [{ apiKey: malloryKey }, { cookie: mallory.token }]) {
      for (const url of [
        `/api/segmentations/${segmentationId}/export.csv`,
        `/api/segmentations/${segmentationId}/export.txt`,
      ]) {
        expect((await request(app, { method: "GET", url, auth })).statusCode, url).toBe(404);
      }
      const newImport = await request(app, {
        method: "POST",
        url: "/api/segmentations/import",
        auth,
        ...importForm({ recordingId: rec.id }, "s.csv", Buffer.from("onset,offset\n0.3,0.4\n"), ORIGIN),
      });
      expect(newImport.statusCode).toBe(404);
      const intoImport = await request(app, {
        method: "POST",
        url: "/api/segmentations/import",
        auth,
        ...importForm(
          { recordingId: rec.id, mode: segmentationId },
          "s.csv",
          Buffer.from("onset,offset\n0.3,0.4\n"),
          ORIGIN,
        ),
      });
      expect(intoImport.statusCode).toBe(404);
    }
    // Mallory's own recording cannot pull alice's segmentation in as a target either.
    const own = await addRecording(mallory, BAT_WAV);
    const cross = await request(app, {
      method: "POST",
      url: "/api/segmentations/import",
      auth: { apiKey: malloryKey },
      ...importForm(
        { recordingId: own.id, mode: segmentationId },
        "s.csv",
        Buffer.from("onset,offset\n0.3,0.4\n"),
      ),
    });
    expect(cross.statusCode).toBe(404);

    // REST v1 (API key).
    for (const [method, url] of [
      ["GET", `/api/v1/recordings/${rec.id}/segmentations`],
      ["GET", `/api/v1/segmentations/${segmentationId}/segments`],
    ] as const) {
      expect((await request(app, { method, url, auth: { apiKey: malloryKey } })).statusCode, url).toBe(404);
    }
    const restImport = await request(app, {
      method: "POST",
      url: `/api/v1/recordings/${rec.id}/segmentations/import`,
      auth: { apiKey: malloryKey },
      ...importForm({}, "s.csv", Buffer.from("onset,offset\n0.3,0.4\n")),
    });
    expect(restImport.statusCode).toBe(404);

    expect(await snapshot()).toBe(before);

    // The owner sees it through REST, and the OpenAPI document lists the routes.
    const mine = await request(app, {
      method: "GET",
      url: `/api/v1/recordings/${rec.id}/segmentations`,
      auth: { apiKey: aliceKey },
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items[0]).toMatchObject({ id: segmentationId, segmentCount: 2, isActive: true });
    const segs = await request(app, {
      method: "GET",
      url: `/api/v1/segmentations/${segmentationId}/segments`,
      auth: { apiKey: aliceKey },
    });
    expect(segs.json().items.map((s: { onset: number }) => s.onset)).toEqual([0.1, 0.5]);
    const restOwn = await request(app, {
      method: "POST",
      url: `/api/v1/recordings/${rec.id}/segmentations/import`,
      auth: { apiKey: aliceKey },
      ...importForm({ name: "from script" }, "s.csv", Buffer.from("onset,offset\n0.3,0.4\n")),
    });
    expect(restOwn.statusCode).toBe(201);
    // REST never acts on a browser cookie.
    const cookieRest = await request(app, {
      method: "GET",
      url: `/api/v1/recordings/${rec.id}/segmentations`,
      auth: { cookie: alice.token },
    });
    expect(cookieRest.statusCode).toBe(401);
    const doc = (await request(app, { method: "GET", url: "/api/v1/openapi.json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/recordings/{recordingId}/segmentations",
        "/api/v1/segmentations/{segmentationId}/segments",
        "/api/v1/recordings/{recordingId}/segmentations/import",
      ]),
    );
    // Notifications are per user.
    const n = await t.deps.db.notification.create({
      data: { userId: alice.id, kind: "x", title: "private" },
    });
    expect((await mallory.caller.notifications.markRead({ ids: [n.id] })).updated).toBe(0);
    expect((await mallory.caller.notifications.list()).items.map((i) => i.id)).not.toContain(n.id);
  });
});
