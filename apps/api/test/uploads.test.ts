import { createWriteStream } from "node:fs";
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseWavHeader } from "@battycoda/audio";
import { cleanStaleUploads, createMediaStore, createUploadProcessHandler, tusDir } from "@battycoda/core";
import { QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { generateAll } from "../../../packages/audio/test/fixtures/generate.ts";
import { socketRequest, trpcCode, trpcQuery } from "./http-helpers.ts";
import { copyShared, createRecordingsEnv, type RecordingsEnv, upload } from "./recordings-fixtures.ts";

let env: RecordingsEnv;
let fixtures: Awaited<ReturnType<typeof generateAll>>;
let base: string;

beforeAll(async () => {
  env = await createRecordingsEnv();
  fixtures = await generateAll(env.dir);
  await registerJobHandler(
    { db: env.t.deps.db, boss: env.boss },
    QUEUES.uploadProcess,
    createUploadProcessHandler({ media: createMediaStore(env.t.config) }),
    { pollingIntervalSeconds: 0.5 },
  );
  await env.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await env?.close();
});

type Item = { name: string; data: Buffer | (() => Readable) };

async function writeZip(file: string, items: Item[], swaps: [string, string][] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const it of items) {
    if (typeof it.data === "function") zip.addReadStream(it.data(), it.name);
    else zip.addBuffer(it.data, it.name);
  }
  zip.end();
  const out = path.join(env.dir, file);
  await pipeline(zip.outputStream as unknown as Readable, createWriteStream(out));
  let buf = await readFile(out);
  // yazl refuses unsafe names: write same-length placeholders and swap the bytes afterwards
  for (const [from, to] of swaps) {
    const a = Buffer.from(from);
    for (let i = buf.indexOf(a); i >= 0; i = buf.indexOf(a, i + 1)) Buffer.from(to).copy(buf, i);
  }
  buf = Buffer.from(buf);
  await writeFile(out, buf);
  return buf;
}

const zeros = (total: number) => () =>
  Readable.from(
    (function* () {
      const chunk = Buffer.alloc(1 << 20);
      for (let left = total; left > 0; left -= chunk.length)
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })(),
  );

async function waitForUpload(uploadId: string, caller = env.a.caller) {
  for (let i = 0; i < 120; i++) {
    const u = await caller.recordings.uploadReport({ uploadId });
    if (u.status === "completed" || u.status === "failed") return u;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("upload did not finish");
}

describe("batch ZIP upload", () => {
  it("creates a recording per good WAV, pairs segment files and reports every bad entry", async () => {
    const a = await readFile(
      fixtures.valid.get("pcm16-mono") ?? (fixtures.valid.values().next().value as string),
    );
    const bat = await readFile(await copyShared(env, "bat1_angie_19.wav"));
    const project = await env.a.caller.projects.create({ name: "Batch" });
    const zip = await writeZip(
      "batch.zip",
      [
        { name: "site1/a.wav", data: a },
        { name: "site1/a.csv", data: Buffer.from("onset,offset\n0.001,0.002\n") },
        { name: "site2/deep/bat1_angie_19.WAV", data: bat },
        {
          name: "site2/deep/bat1_angie_19.wav.pickle",
          data: await readFile(await copyShared(env, "bat1_angie_19.wav.pickle")),
        },
        { name: "__MACOSX/site1/._a.wav", data: Buffer.from("junk") },
        { name: "site1/._a.wav", data: Buffer.from("junk") },
        { name: "corrupt.wav", data: Buffer.from("RIFF....WAVEjunkjunkjunk") },
        { name: "readme.md", data: Buffer.from("# notes") },
        { name: "orphan.csv", data: Buffer.from("onset,offset\n1,2\n") },
        { name: "Q1/evil.wav", data: a },
        { name: "bomb.wav", data: zeros(20 * 1024 * 1024) },
      ],
      [["Q1/evil.wav", "../evil.wav"]],
    );
    const res = await upload(
      env.app,
      "/api/recordings/upload-zip",
      { cookie: env.a.token },
      { projectId: project.id },
      [{ field: "file", filename: "batch.zip", content: zip }],
    );
    expect(res.statusCode, res.body).toBe(202);
    const { uploadId, jobId } = res.json();
    const done = await waitForUpload(uploadId);
    expect(done.status).toBe("completed");
    expect(done.job).toMatchObject({ id: jobId, status: "completed", progress: 1 });
    const byPath = Object.fromEntries((done.report?.entries ?? []).map((e) => [e.path, e]));
    expect(byPath["site1/a.wav"]).toMatchObject({
      status: "created",
      segments: { status: "imported", count: 1 },
    });
    expect(byPath["site2/deep/bat1_angie_19.WAV"]).toMatchObject({
      status: "created",
      segments: { status: "imported" },
    });
    expect(byPath["corrupt.wav"]?.status).toBe("rejected");
    expect(byPath["corrupt.wav"]?.reason).toMatch(/Not a usable WAV file/);
    expect(byPath["readme.md"]).toMatchObject({
      status: "rejected",
      reason: expect.stringMatching(/not a WAV file/),
    });
    expect(byPath["../evil.wav"]?.reason).toMatch(/zip slip/);
    expect(byPath["bomb.wav"]?.reason).toMatch(/compression ratio/);
    expect(Object.keys(byPath).some((p) => p.includes("._a") || p.includes("__MACOSX"))).toBe(false);
    expect(done.report?.skipped).toBe(2);
    expect(done.report?.unmatchedSegmentFiles).toEqual(["orphan.csv"]);
    expect(done.report?.summary).toEqual({ created: 2, rejected: 4, segmented: 2 });

    const created = await env.t.deps.db.recording.findMany({
      where: {
        id: {
          in: [
            byPath["site1/a.wav"]?.recordingId as string,
            byPath["site2/deep/bat1_angie_19.WAV"]?.recordingId as string,
          ],
        },
      },
    });
    expect(created.map((r) => r.name).sort()).toEqual(["a", "bat1_angie_19"]);
    expect(created.every((r) => r.projectId === project.id && r.processingStatus === "pending")).toBe(true);
    const batRec = created.find((r) => r.name === "bat1_angie_19");
    expect(
      Buffer.compare(await readFile(path.join(env.t.config.mediaRoot, batRec?.filePath as string)), bat),
    ).toBe(0);
    expect(
      await env.t.deps.db.job.count({
        where: { type: "recording.ingest", subjectId: { in: created.map((r) => r.id) } },
      }),
    ).toBe(2);
    // the ZIP itself is gone
    const upl = await env.t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(upl.tempPath).toBeNull();
    // another group cannot read the report
    expect(
      trpcCode(await trpcQuery(env.app, "recordings.uploadReport", { uploadId }, { cookie: env.b.token })),
    ).toBe("NOT_FOUND");
  });

  it("writes a time expansion the form states into each file, and says so in the report", async () => {
    const a = await readFile(
      fixtures.valid.get("pcm16-mono") ?? (fixtures.valid.values().next().value as string),
    );
    const rate = parseWavHeader(new Uint8Array(a)).sampleRate;
    const zip = await writeZip("te.zip", [
      { name: "night/a.wav", data: a },
      { name: "night/b.wav", data: a },
    ]);
    const res = await upload(
      env.app,
      "/api/recordings/upload-zip",
      { cookie: env.a.token },
      { timeExpansion: "10" },
      [{ field: "file", filename: "te.zip", content: zip }],
    );
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForUpload(res.json().uploadId);
    expect(done.report?.summary).toEqual({ created: 2, rejected: 0, segmented: 0 });
    for (const e of done.report?.entries ?? []) {
      expect(e.warning).toMatch(/^Time-expanded x10 file: its header says .*; read in real time at/);
      const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: e.recordingId as string } });
      expect(rec.sampleRate).toBe(10 * rate);
    }
  });

  it("refuses another group's species or project up front, queueing nothing (issue 8 #10)", async () => {
    const zip = await writeZip("foreign.zip", [{ name: "x.wav", data: Buffer.alloc(5000) }]);
    const bSpecies = await env.b.caller.species.create({ name: "B only", callTypes: [{ shortName: "B1" }] });
    const bProject = await env.b.caller.projects.create({ name: "B zip" });
    const uploadsBefore = await env.t.deps.db.upload.count();
    const foreign: Record<string, string>[] = [{ speciesId: bSpecies.id }, { projectId: bProject.id }];
    for (const fields of foreign) {
      const res = await upload(env.app, "/api/recordings/upload-zip", { cookie: env.a.token }, fields, [
        { field: "file", filename: "foreign.zip", content: zip },
      ]);
      expect(res.statusCode).toBe(404);
    }
    expect(await env.t.deps.db.upload.count()).toBe(uploadsBefore);
  });

  it("refuses an unreadable archive up front with a clear reason, queueing nothing", async () => {
    const good = await writeZip("trunc.zip", [{ name: "x.wav", data: Buffer.alloc(5000) }]);
    const truncated = good.subarray(0, good.length - 30);
    const uploadsBefore = await env.t.deps.db.upload.count();
    const res = await upload(env.app, "/api/recordings/upload-zip", { cookie: env.a.token }, {}, [
      { field: "file", filename: "trunc.zip", content: truncated },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^Not a readable ZIP archive: /);
    expect(await env.t.deps.db.upload.count()).toBe(uploadsBefore);
    const notZip = await upload(env.app, "/api/recordings/upload-zip", { cookie: env.a.token }, {}, [
      { field: "file", filename: "x.zip", content: Buffer.from("not a zip at all") },
    ]);
    expect(notZip.statusCode).toBe(400);
    expect(notZip.json().error.message).toBe("Not a ZIP archive");
  });
});

// ─── tus, over a real socket ───

const request = (method: string, url: string, headers: Record<string, string>, body?: Buffer) =>
  socketRequest(base, method, url, headers, body);

const tusHeaders = (cookie: string) => ({ "tus-resumable": "1.0.0", cookie: `bc_session=${cookie}` });
const meta = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
    .join(",");

/** Sends `bytes` as a PATCH but drops the connection after `sendBytes` of them. */
function interruptedPatch(url: string, cookie: string, bytes: Buffer, sendBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${base}${url}`, {
      method: "PATCH",
      headers: {
        ...tusHeaders(cookie),
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
        "content-length": String(bytes.length),
      },
    });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.write(bytes.subarray(0, sendBytes), () => setTimeout(() => req.destroy(), 300));
  });
}

describe("tus resumable uploads", () => {
  it("resumes an interrupted upload and creates a recording with the exact bytes", async () => {
    const source = await readFile(await copyShared(env, "bat1_angie_19.wav"));
    const created = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": String(source.length),
      "upload-metadata": meta({ filename: "bat1_angie_19.wav", location: "tus cave" }),
    });
    expect(created.status, created.body).toBe(201);
    const location = created.headers.location as string;
    expect(location).toMatch(/^\/api\/uploads\/tus\/[0-9a-f]+$/);

    await interruptedPatch(location, env.a.token, source, 600_000);
    const head = await request("HEAD", location, tusHeaders(env.a.token));
    expect(head.status).toBe(200);
    const offset = Number(head.headers["upload-offset"]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(source.length);

    // another group can neither see nor continue it
    for (const method of ["HEAD", "PATCH", "DELETE"]) {
      const other = await request(
        method,
        location,
        {
          ...tusHeaders(env.b.token),
          "upload-offset": String(offset),
          "content-type": "application/offset+octet-stream",
        },
        method === "PATCH" ? source.subarray(offset) : undefined,
      );
      expect(other.status, method).toBe(404);
    }
    const anon = await request("HEAD", location, { "tus-resumable": "1.0.0" });
    expect(anon.status).toBe(401);

    const rest = await request(
      "PATCH",
      location,
      {
        ...tusHeaders(env.a.token),
        "upload-offset": String(offset),
        "content-type": "application/offset+octet-stream",
      },
      source.subarray(offset),
    );
    expect(rest.status, rest.body).toBe(204);
    const recordingId = rest.headers["battycoda-recording-id"] as string;
    const uploadId = rest.headers["battycoda-upload-id"] as string;
    expect(recordingId).toBeTruthy();
    const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } });
    expect(rec).toMatchObject({ name: "bat1_angie_19", location: "tus cave", processingStatus: "pending" });
    expect(Buffer.compare(await readFile(path.join(env.t.config.mediaRoot, rec.filePath)), source)).toBe(0);
    const report = await env.a.caller.recordings.uploadReport({ uploadId });
    expect(report).toMatchObject({ kind: "tus", status: "completed", report: { summary: { created: 1 } } });
    expect(
      trpcCode(await trpcQuery(env.app, "recordings.uploadReport", { uploadId }, { cookie: env.b.token })),
    ).toBe("NOT_FOUND");
  });

  it("rejects a corrupt WAV at the end with the parser's message and keeps nothing", async () => {
    const bad = Buffer.from("this is not a wav file at all, just text\n");
    const created = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": String(bad.length),
      "upload-metadata": meta({ filename: "bad.wav" }),
    });
    const location = created.headers.location as string;
    const before = await env.t.deps.db.recording.count();
    const res = await request(
      "PATCH",
      location,
      { ...tusHeaders(env.a.token), "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      bad,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/Not a usable WAV file: .*RIFF/);
    expect(await env.t.deps.db.recording.count()).toBe(before);
    const id = location.split("/").pop() as string;
    await expect(stat(path.join(tusDir(createMediaStore(env.t.config)), id))).rejects.toThrow();
    const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } });
    expect(row.status).toBe("failed");
  });

  it("refuses missing filenames, other file types and foreign projects up front", async () => {
    const noName = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": "10",
    });
    expect(noName.status).toBe(400);
    const exe = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": "10",
      "upload-metadata": meta({ filename: "x.exe" }),
    });
    expect(exe.status).toBe(400);
    const bProject = await env.b.caller.projects.create({ name: "B tus" });
    const foreign = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": "10",
      "upload-metadata": meta({ filename: "x.wav", projectId: bProject.id }),
    });
    expect(foreign.status).toBe(404);
  });

  it("housekeeping expires partial uploads idle for 24 h", async () => {
    const created = await request("POST", "/api/uploads/tus", {
      ...tusHeaders(env.a.token),
      "upload-length": "1000",
      "upload-metadata": meta({ filename: "stale.wav" }),
    });
    const id = (created.headers.location as string).split("/").pop() as string;
    const file = path.join(tusDir(createMediaStore(env.t.config)), id);
    const old = new Date(Date.now() - 25 * 3600_000);
    await utimes(file, old, old);
    await env.t.deps.db.upload.update({ where: { tusId: id }, data: { createdAt: old } });
    const r = await cleanStaleUploads({ db: env.t.deps.db, media: createMediaStore(env.t.config) });
    expect(r.expiredUploads).toBe(1);
    await expect(stat(file)).rejects.toThrow();
    expect((await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } })).status).toBe("expired");
    const head = await request("HEAD", `/api/uploads/tus/${id}`, tusHeaders(env.a.token));
    expect(head.status).toBe(404);
  });
});
