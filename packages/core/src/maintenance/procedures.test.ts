import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  encodeWav,
  isLegacySpectrogramFile,
  readSpectrogramAttrs,
  writeSpectrogramFile,
} from "@battycoda/audio";
import { loadConfig } from "@battycoda/config";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthRecording } from "../../../audio/test/fixtures/synth.ts";
import { type Boss, createBoss } from "../jobs/boss.ts";
import { registerJobHandler } from "../jobs/handler.ts";
import { QUEUES } from "../jobs/queues.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { resolveStoredPath } from "../media/media.ts";
import { ProcessingPool } from "../processing/pool.ts";
import { generateSpectrogram } from "../processing/spectrogram.ts";
import { createGroup, createRecordingFromWav } from "../processing/testing.ts";
import { generateMissingHdf5, spectrogramProblem } from "./hdf5.ts";
import { maintenanceRunHandler, startProcedure } from "./jobs.ts";
import { populateMemberships } from "./memberships.ts";
import { runProcedure } from "./procedures.ts";
import { type ProcedureReporter, silentReporter } from "./reporter.ts";
import { importSpecies } from "./species-import.ts";

let t: TestDatabase;
let boss: Boss;
let pool: ProcessingPool;
let dataDir: string;
let mediaRoot: string;
let wavPath: string;

function collecting(): ProcedureReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: async (l) => void lines.push(l),
    progress: async () => {},
    isCancelled: async () => false,
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  boss = await createBoss(t.url);
  pool = new ProcessingPool({ threads: 1 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "battycoda-maint-"));
  mediaRoot = path.join(dataDir, "media");
  // 0.5 s of a 40 kHz tone at 250 kHz
  const sr = 250_000;
  const samples = new Float32Array(sr / 2).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 40_000 * i) / sr));
  wavPath = path.join(dataDir, "tone.wav");
  writeFileSync(wavPath, encodeWav([samples], { sampleRate: sr, bitsPerSample: 16, format: "pcm" }));
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await pool?.destroy();
  await t?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("generate-missing-hdf5", () => {
  it("finds missing and unreadable spectrograms, dry-runs without changes, then regenerates them", async () => {
    const deps = { db: t.db, boss, media: new LocalMediaStore(mediaRoot), splitSeconds: 60, pool };
    const groupId = await createGroup({ db: t.db });
    const good = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, wavPath, { name: "good" });
    const missing = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, wavPath, {
      name: "missing",
    });
    const broken = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, wavPath, {
      name: "broken",
    });
    for (const r of [good, missing, broken])
      expect((await generateSpectrogram(deps, r.id)).status).toBe("ready");
    const after = async (id: string) => t.db.recording.findUniqueOrThrow({ where: { id } });
    // one file deleted from disk, one overwritten with garbage
    const missingFile = resolveStoredPath(mediaRoot, (await after(missing.id)).spectrogramPath ?? "");
    rmSync(missingFile);
    const brokenFile = resolveStoredPath(mediaRoot, (await after(broken.id)).spectrogramPath ?? "");
    writeFileSync(brokenFile, "not an HDF5 file");

    const dry = await generateMissingHdf5(deps, { dryRun: true, batchSize: 1 }, silentReporter);
    expect(dry.scanned).toBe(3);
    expect(dry.found.map((f) => [f.name, f.problem]).sort()).toEqual([
      ["broken", "unreadable"],
      ["missing", "missing"],
    ]);
    expect(dry.regenerated).toBe(0);
    expect(readFileSync(brokenFile, "utf8")).toBe("not an HDF5 file");

    // the machine is busy for the first two load checks: the run waits, then goes on
    const loads = [99, 99];
    const report = collecting();
    const real = await generateMissingHdf5(
      deps,
      { batchSize: 2, loadavg: () => loads.shift() ?? 0, pauseMs: 5 },
      report,
    );
    expect(real.regenerated).toBe(2);
    expect(real.failed).toBe(0);
    expect(report.lines.some((l) => l.startsWith("Pausing: load"))).toBe(true);
    expect(report.lines).toContain("Load is down again: resuming");
    for (const r of [good, missing, broken])
      expect(await spectrogramProblem(deps.media, await after(r.id))).toBeNull();
    const again = await generateMissingHdf5(deps, { dryRun: true }, silentReporter);
    expect(again.found).toEqual([]);
  });
});

describe("populate-memberships", () => {
  it("repairs users without a group, a personal group without its membership, and a foreign current group", async () => {
    const lonely = await t.db.user.create({ data: { username: "lonely", email: "lonely@example.org" } });
    const orphaned = await t.db.user.create({
      data: { username: "orphaned", email: "orphaned@example.org" },
    });
    const personal = await t.db.group.create({ data: { name: "orphaned's group", isPersonal: true } });
    const foreign = await t.db.group.create({ data: { name: "Someone else's lab" } });
    const wanderer = await t.db.user.create({
      data: {
        username: "wanderer",
        email: "wanderer@example.org",
        memberships: { create: { group: { create: { name: "Wanderer lab" } } } },
        profile: { create: { currentGroupId: foreign.id } },
      },
      include: { memberships: true },
    });
    const snapshot = async () => ({
      memberships: await t.db.membership.count(),
      groups: await t.db.group.count(),
      profiles: await t.db.profile.findMany({ orderBy: { userId: "asc" } }),
    });
    const before = await snapshot();
    const dry = await populateMemberships({ db: t.db }, { dryRun: true }, silentReporter);
    expect(dry).toMatchObject({ personalGroupsCreated: 1, personalMembershipsRestored: 1, dryRun: true });
    expect(await snapshot()).toEqual(before);

    const r = await populateMemberships({ db: t.db }, {}, silentReporter);
    expect(r).toMatchObject({
      personalGroupsCreated: 1,
      personalMembershipsRestored: 1,
      currentGroupsFixed: 1,
    });
    const lonelyGroups = await t.db.membership.findMany({
      where: { userId: lonely.id },
      include: { group: true },
    });
    expect(lonelyGroups.map((m) => [m.group.isPersonal, m.isAdmin])).toEqual([[true, true]]);
    expect(
      await t.db.membership.findUnique({
        where: { userId_groupId: { userId: orphaned.id, groupId: personal.id } },
      }),
    ).toMatchObject({ isAdmin: true });
    // never joined to the foreign group; moved to their own
    expect(await t.db.membership.count({ where: { userId: wanderer.id, groupId: foreign.id } })).toBe(0);
    expect((await t.db.profile.findUnique({ where: { userId: wanderer.id } }))?.currentGroupId).toBe(
      wanderer.memberships[0]?.groupId,
    );
    for (const u of [lonely, orphaned]) {
      const p = await t.db.profile.findUnique({ where: { userId: u.id } });
      expect(await t.db.membership.count({ where: { userId: u.id, groupId: p?.currentGroupId ?? "" } })).toBe(
        1,
      );
    }
    const twice = await populateMemberships({ db: t.db }, {}, silentReporter);
    expect(twice).toMatchObject({
      personalGroupsCreated: 0,
      personalMembershipsRestored: 0,
      currentGroupsFixed: 0,
      profilesCreated: 0,
    });
  });
});

describe("import-species", () => {
  const csv = [
    "species,common_name,description,call_types",
    'Myotis lucifugus,Little brown bat,"Fast FM sweeps, often in clutter",FM:Frequency modulated;FB:Feeding buzz',
    "Tadarida brasiliensis,,,QCF",
  ].join("\r\n");

  it("creates system species with call types, then only adds what is missing", async () => {
    const dry = await importSpecies({ db: t.db }, { csv, dryRun: true }, silentReporter);
    expect(dry).toMatchObject({ speciesCreated: 2, callTypesCreated: 3 });
    expect(await t.db.species.count({ where: { name: "Myotis lucifugus" } })).toBe(0);
    const r = await importSpecies({ db: t.db }, { csv }, silentReporter);
    expect(r).toMatchObject({ speciesCreated: 2, speciesExisting: 0, callTypesCreated: 3 });
    const myotis = await t.db.species.findFirstOrThrow({
      where: { name: "Myotis lucifugus", groupId: null },
      include: { callTypes: { orderBy: { shortName: "asc" } } },
    });
    expect(myotis).toMatchObject({
      isSystem: true,
      commonName: "Little brown bat",
      description: "Fast FM sweeps, often in clutter",
    });
    expect(myotis.callTypes.map((c) => [c.shortName, c.longName])).toEqual([
      ["FB", "Feeding buzz"],
      ["FM", "Frequency modulated"],
    ]);
    const more = await importSpecies(
      { db: t.db },
      { csv: csv.replace("QCF", "QCF;SOC:Social") },
      silentReporter,
    );
    expect(more).toMatchObject({ speciesCreated: 0, speciesExisting: 2, callTypesCreated: 1 });
  });

  it("rejects a bad file with every problem and writes nothing", async () => {
    const before = await t.db.species.count();
    const bad = "species,call_types\n,FM\nEptesicus serotinus,\nNyctalus noctula,FM;FM";
    await expect(importSpecies({ db: t.db }, { csv: bad }, silentReporter)).rejects.toThrow(
      /3 problem\(s\)[\s\S]*line 2: species is empty[\s\S]*line 3: Eptesicus serotinus has no call types[\s\S]*line 4: call type FM twice/,
    );
    await expect(importSpecies({ db: t.db }, { csv: "name,calls\nX,Y" }, silentReporter)).rejects.toThrow(
      /header must name/,
    );
    expect(await t.db.species.count()).toBe(before);
  });
});

describe("maintenance.run", () => {
  it("runs a queued procedure in the worker with its log on the Job row, one at a time per procedure", async () => {
    const config = loadConfig({ DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot }, { persistSecretKey: false });
    await registerJobHandler(
      { db: t.db, boss },
      QUEUES.maintenanceRun,
      maintenanceRunHandler({ config, databaseUrl: t.url, pool }),
      { pollingIntervalSeconds: 0.5 },
    );
    const admin = await t.db.user.create({
      data: { username: "ops", email: "ops@example.org", isSiteAdmin: true },
    });
    const job = await startProcedure(
      { db: t.db, boss },
      { procedure: "generate-missing-hdf5", dryRun: true },
      { userId: admin.id, via: "panel" },
    );
    expect(job).toMatchObject({
      type: "maintenance.run",
      subjectType: "maintenance",
      subjectId: "generate-missing-hdf5",
      groupId: null,
    });
    await expect(
      startProcedure(
        { db: t.db, boss },
        { procedure: "generate-missing-hdf5" },
        { userId: admin.id, via: "panel" },
      ),
    ).rejects.toThrow(/already queued or running/);
    let row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    for (let i = 0; i < 200 && (row.status === "queued" || row.status === "running"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    }
    expect(row.status).toBe("completed");
    expect(row.progress).toBe(1);
    expect(row.log).toMatch(
      /generate-missing-hdf5 started[\s\S]*Dry run: 3 examined, 0 missing[\s\S]*generate-missing-hdf5 finished/,
    );
    expect(row.result).toMatchObject({ dryRun: true, scanned: 3 });
    // bad options fail before anything is queued
    await expect(
      startProcedure(
        { db: t.db, boss },
        { procedure: "generate-missing-hdf5", batchSize: 0 },
        { userId: null, via: "panel" },
      ),
    ).rejects.toThrow();
  });
});

describe("generate-missing-hdf5 --rewrite-legacy", () => {
  it("lists float32 files and older codes on a dry run, rewrites them in the current encoding, keeps a file it cannot replace", async () => {
    const deps = { db: t.db, boss, media: new LocalMediaStore(mediaRoot), splitSeconds: 60, pool };
    const groupId = await createGroup({ db: t.db });
    const make = async (name: string) => {
      const r = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, wavPath, { name });
      expect((await generateSpectrogram(deps, r.id)).status).toBe("ready");
      return t.db.recording.findUniqueOrThrow({ where: { id: r.id } });
    };
    const current = await make("current");
    const float = await make("float32");
    const coarse = await make("old codes");
    const everyFrame = await make("codes of every frame");
    const orphan = await make("float32 without audio");
    const file = (r: { spectrogramPath: string | null }) =>
      resolveStoredPath(mediaRoot, r.spectrogramPath ?? "");
    // older formats written over the job's files, as an installation from before issue 15 holds them
    await writeSpectrogramFile(wavPath, file(float), { encoding: "float32-db" });
    await writeSpectrogramFile(wavPath, file(coarse), { dbScale: 0.25 });
    await writeSpectrogramFile(wavPath, file(everyFrame), { framesPerColumn: 1 });
    await writeSpectrogramFile(wavPath, file(orphan), { encoding: "float32-db" });
    rmSync(resolveStoredPath(mediaRoot, orphan.filePath));
    const bytes = readFileSync(file(float));
    const legacyNames = ["codes of every frame", "float32", "float32 without audio", "old codes"];
    const mine = (found: { name: string; problem: string }[]) =>
      found
        .filter((f) => [current.name, ...legacyNames].includes(f.name))
        .map((f) => `${f.name}: ${f.problem}`)
        .sort();

    // without the option they are fine files
    const plain = await generateMissingHdf5(deps, { dryRun: true }, silentReporter);
    expect(mine(plain.found)).toEqual([]);

    const dry = await generateMissingHdf5(deps, { dryRun: true, rewriteLegacy: true }, silentReporter);
    expect(mine(dry.found)).toEqual(legacyNames.map((n) => `${n}: legacy`).sort());
    expect(dry.legacy).toBe(4);
    expect(dry.regenerated).toBe(0);
    expect(readFileSync(file(float)).equals(bytes)).toBe(true);

    const report = collecting();
    const real = await generateMissingHdf5(deps, { rewriteLegacy: true, loadavg: () => 0 }, report);
    expect(real.regenerated).toBe(3);
    expect(real.failed).toBe(1);
    expect(report.lines).toContain("float32: rewritten in the current encoding");
    expect(report.lines.some((l) => l.startsWith("float32 without audio: failed"))).toBe(true);
    for (const r of [current, float, coarse, everyFrame]) {
      expect(await isLegacySpectrogramFile(file(r))).toBe(false);
      const attrs = await readSpectrogramAttrs(file(r));
      expect(attrs).toMatchObject({
        encoding: "uint16-db",
        sampleRate: 250_000,
        nFreqBins: 257,
        framesPerColumn: 3,
      });
      // the rows are untouched: same key, still ready
      expect(await t.db.recording.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
        spectrogramPath: r.spectrogramPath,
        processingStatus: "ready",
      });
    }
    expect(readFileSync(file(float)).length).toBeLessThan(bytes.length / 2);
    // the one without audio keeps its old, readable file
    expect(await isLegacySpectrogramFile(file(orphan))).toBe(true);

    const again = await generateMissingHdf5(deps, { dryRun: true, rewriteLegacy: true }, silentReporter);
    expect(mine(again.found)).toEqual(["float32 without audio: legacy"]);
  });
});

describe("cleanup", () => {
  it("removes stale uploads and model files no classifier names once they are a day old", async () => {
    const media = new LocalMediaStore(mediaRoot);
    const orphan = "models/global/gone/0000000000000000000000000000000000000000000000000000000000000000.rds";
    const fresh = "models/global/gone/1111111111111111111111111111111111111111111111111111111111111111.rds";
    await media.write(orphan, "a model whose training died before its commit");
    await media.write(fresh, "a model whose commit may still be on its way");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    utimesSync(media.localPath(orphan), twoDaysAgo, twoDaysAgo);
    const config = loadConfig({ DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot, DATABASE_URL: t.url });
    const report = collecting();
    const result = (await runProcedure(
      { db: t.db, boss, config, databaseUrl: t.url, media },
      { procedure: "cleanup" },
      report,
    )) as { orphanModels: number };
    expect(result.orphanModels).toBe(1);
    expect(await media.stat(orphan)).toBeNull();
    expect(await media.stat(fresh)).not.toBeNull();
    expect(report.lines.some((l) => l.includes("Orphaned model files removed: 1"))).toBe(true);
  });
});

describe("measure-missing-bands", () => {
  it("counts boxless segments on a dry run, then measures them, keeps given boxes and names an unreadable recording", async () => {
    const sr = 250_000;
    const calls = [
      { onset: 0.1, duration: 0.008, f0: 60_000, f1: 30_000, kind: "linear" as const },
      { onset: 0.3, duration: 0.008, f0: 50_000, f1: 25_000, kind: "linear" as const },
    ];
    const sweeps = path.join(dataDir, "sweeps.wav");
    const { samples } = synthRecording({ sampleRate: sr, duration: 0.5, calls, snrDb: 30 });
    writeFileSync(sweeps, encodeWav([samples], { sampleRate: sr, bitsPerSample: 16, format: "pcm" }));
    const media = new LocalMediaStore(mediaRoot);
    const groupId = await createGroup({ db: t.db });
    const rec = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, sweeps, { name: "sweeps" });
    const gone = await createRecordingFromWav({ db: t.db }, mediaRoot, groupId, sweeps, { name: "gone" });
    rmSync(resolveStoredPath(mediaRoot, gone.filePath));
    const imported = (recordingId: string) =>
      t.db.segmentation.create({
        data: { groupId, recordingId, name: "old import", source: "import", status: "completed" },
      });
    const seg = await imported(rec.id);
    const lost = await imported(gone.id);
    const span = (c: (typeof calls)[number]) => ({
      onset: c.onset - 0.002,
      offset: c.onset + c.duration + 0.002,
    });
    await t.db.segment.createMany({
      data: [
        { segmentationId: seg.id, ...span(calls[0]!) },
        { segmentationId: seg.id, ...span(calls[1]!) },
        { segmentationId: seg.id, onset: 0.2, offset: 0.21, lowFreq: 1000, highFreq: 2000 },
        { segmentationId: seg.id, onset: 0.42, offset: 0.44 },
        { segmentationId: lost.id, ...span(calls[0]!) },
      ],
    });
    const config = loadConfig({ DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot, DATABASE_URL: t.url });
    const deps = { db: t.db, boss, config, databaseUrl: t.url, media, pool };
    const rows = () =>
      t.db.segment.findMany({ where: { segmentationId: seg.id }, orderBy: { onset: "asc" } });

    const dry = await runProcedure(deps, { procedure: "measure-missing-bands", dryRun: true }, collecting());
    expect(dry).toMatchObject({ segmentations: 2, segments: 4, measured: 0, failed: 0, dryRun: true });
    expect((await rows()).every((r) => !r.bandMeasured)).toBe(true);

    const report = collecting();
    const done = await runProcedure(deps, { procedure: "measure-missing-bands", dryRun: false }, report);
    expect(done).toMatchObject({ segmentations: 2, segments: 4, measured: 2, failed: 1, dryRun: false });
    const [first, given, second, noise] = await rows();
    for (const [row, call] of [
      [first, calls[0]!],
      [second, calls[1]!],
    ] as const) {
      expect(row?.bandMeasured).toBe(true);
      expect(Math.abs(row!.lowFreq! - call.f1)).toBeLessThanOrEqual(4000);
      expect(Math.abs(row!.highFreq! - call.f0)).toBeLessThanOrEqual(4000);
    }
    expect(given).toMatchObject({ lowFreq: 1000, highFreq: 2000, bandMeasured: false });
    // Nothing stands out there: measured, without a box...
    expect(noise).toMatchObject({ lowFreq: null, highFreq: null, bandMeasured: true });
    expect(report.lines.some((l) => l.startsWith(`Segmentation ${lost.id}:`))).toBe(true);
    // ...so only the unreadable recording's segment is left to measure.
    const again = await runProcedure(
      deps,
      { procedure: "measure-missing-bands", dryRun: true },
      collecting(),
    );
    expect(again).toMatchObject({ segmentations: 1, segments: 1 });
  });
});
