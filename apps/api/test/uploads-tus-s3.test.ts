// Resumable uploads with MEDIA_STORAGE=s3 behind two API hosts that share the database and the
// bucket but nothing else (each its own staging folder): an upload started on one host is
// finished on the other, the group checks are as strict as on local media, and what tus keeps in
// the bucket goes away when the upload is finished, cancelled, failed or abandoned.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { cleanStaleUploads, createMediaStore, type MediaStore, tusDir, tusObjectKey } from "@battycoda/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../src/server.ts";
import { type SocketResponse, socketRequest } from "./http-helpers.ts";
import { createRecordingsEnv, type Party, type RecordingsEnv } from "./recordings-fixtures.ts";
import { type LocalS3, startMultipartS3 } from "./s3rver-multipart.ts";

const PREFIX = "lab/media/";
const MiB = 1024 * 1024;

let s3: LocalS3;
let env: RecordingsEnv;
let hostA: FastifyInstance;
let hostB: FastifyInstance;
let cacheDirs: string[];
/** host A's and host B's media stores (same bucket, separate staging folders) */
let mediaA: MediaStore;
let mediaB: MediaStore;
const base: { A: string; B: string } = { A: "", B: "" };

beforeAll(async () => {
  s3 = await startMultipartS3();
  cacheDirs = await Promise.all(
    ["a", "b"].map((h) => mkdtemp(path.join(os.tmpdir(), `battycoda-host-${h}-`))),
  );
  env = await createRecordingsEnv({
    MEDIA_STORAGE: "s3",
    MEDIA_S3_BUCKET: s3.bucket,
    MEDIA_S3_PREFIX: PREFIX,
    MEDIA_S3_ENDPOINT: s3.endpoint,
    MEDIA_S3_ACCESS_KEY_ID: "S3RVER",
    MEDIA_S3_SECRET_ACCESS_KEY: "S3RVER",
    MEDIA_CACHE_DIR: cacheDirs[0] as string,
  });
  // as in production, each host knows the database URL (the hosts' shared upload locks need it)
  const configA = { ...env.t.config, databaseUrl: env.t.database.url };
  const configB = {
    ...configA,
    mediaStorage: { ...configA.mediaStorage, cacheDir: cacheDirs[1] as string },
  };
  mediaA = createMediaStore(configA);
  mediaB = createMediaStore(configB);
  expect(tusDir(mediaA)).not.toBe(tusDir(mediaB));
  hostA = await buildServer({ deps: { ...env.t.deps, config: configA }, webDistDir: "/nonexistent" });
  hostB = await buildServer({ deps: { ...env.t.deps, config: configB }, webDistDir: "/nonexistent" });
  await hostA.listen({ port: 0, host: "127.0.0.1" });
  await hostB.listen({ port: 0, host: "127.0.0.1" });
  base.A = `http://127.0.0.1:${(hostA.server.address() as AddressInfo).port}`;
  base.B = `http://127.0.0.1:${(hostB.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await hostA?.close();
  await hostB?.close();
  await env?.close();
  await s3?.stop();
  for (const d of cacheDirs ?? []) await rm(d, { recursive: true, force: true });
});

type Host = keyof typeof base;
const send = (host: Host, method: string, url: string, headers: Record<string, string>, body?: Buffer) =>
  socketRequest(base[host], method, url, headers, body);
const tus = (p: Party) => ({ "tus-resumable": "1.0.0", cookie: `bc_session=${p.token}` });
const meta = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
    .join(",");

async function create(host: Host, p: Party, filename: string, length: number): Promise<string> {
  const res = await send(host, "POST", "/api/uploads/tus", {
    ...tus(p),
    "upload-length": String(length),
    "upload-metadata": meta({ filename, location: "two hosts cave" }),
  });
  expect(res.status, res.body).toBe(201);
  return (res.headers.location as string).split("/").pop() as string;
}

function patch(host: Host, p: Party, id: string, offset: number, bytes: Buffer): Promise<SocketResponse> {
  return send(
    host,
    "PATCH",
    `/api/uploads/tus/${id}`,
    { ...tus(p), "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
    bytes,
  );
}

/** A 16-bit mono PCM WAV of `bytes` bytes whose samples are all different-looking (a chirp plus noise). */
function wav(bytes: number): Buffer {
  const dataSize = bytes - 44;
  const b = Buffer.alloc(bytes);
  b.write("RIFF", 0);
  b.writeUInt32LE(bytes - 8, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(250_000, 24);
  b.writeUInt32LE(500_000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(dataSize, 40);
  let seed = 12345;
  for (let i = 0; i < dataSize / 2; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const t = i / 250_000;
    const v = 12000 * Math.sin(2 * Math.PI * (20_000 + 20_000 * t) * t) + ((seed >>> 16) % 2000) - 1000;
    b.writeInt16LE(Math.round(v), 44 + 2 * i);
  }
  return b;
}

/** The tus objects of `id` in the bucket (under the media prefix). */
async function tusObjects(id: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of mediaA.list(".uploads/tus")) if (o.key.includes(id)) keys.push(o.key);
  return keys.sort();
}

async function openMultipart(id: string): Promise<boolean> {
  return (await s3.openMultipartKeys()).includes(`${PREFIX}${tusObjectKey(id)}`);
}

async function stagedFiles(media: MediaStore): Promise<string[]> {
  return readdir(tusDir(media)).catch(() => []);
}

describe("a resumable upload with S3 media and two API hosts", () => {
  it("is started on one host and finished on the other, and the store holds the exact bytes", async () => {
    const original = wav(12 * MiB + 4242);
    const id = await create("A", env.a, "two_hosts.wav", original.length);

    // 9 MiB on host A: one full 8 MiB part and a 1 MiB tail below S3's 5 MiB part minimum
    const first = await patch("A", env.a, id, 0, original.subarray(0, 9 * MiB));
    expect(first.status, first.body).toBe(204);
    expect(first.headers["upload-offset"]).toBe(String(9 * MiB));
    // nothing of it on host A's disk: the bytes are in the bucket, under the media prefix
    expect(await stagedFiles(mediaA)).toEqual([]);
    expect(await tusObjects(id)).toEqual([tusObjectKey(`${id}.info`), tusObjectKey(`${id}.part`)]);
    expect(await openMultipart(id)).toBe(true);

    // host B knows where the upload stands without ever having seen it
    const head = await send("B", "HEAD", `/api/uploads/tus/${id}`, tus(env.a));
    expect(head.status).toBe(200);
    expect(head.headers["upload-offset"]).toBe(String(9 * MiB));
    // an offset that does not match is refused there as it would be on A
    const stale = await patch("B", env.a, id, 8 * MiB, original.subarray(8 * MiB));
    expect(stale.status).toBe(409);

    const rest = await patch("B", env.a, id, 9 * MiB, original.subarray(9 * MiB));
    expect(rest.status, rest.body).toBe(204);
    const recordingId = rest.headers["battycoda-recording-id"] as string;
    const uploadId = rest.headers["battycoda-upload-id"] as string;
    expect(recordingId).toBeTruthy();

    const rec = await env.t.deps.db.recording.findUniqueOrThrow({ where: { id: recordingId } });
    expect(rec).toMatchObject({ name: "two_hosts", location: "two hosts cave", groupId: expect.any(String) });
    expect(rec.sha256).toBe(createHash("sha256").update(original).digest("hex"));
    // read back through a third store with its own empty cache: the bucket's bytes, not a staged copy
    const cacheC = await mkdtemp(path.join(os.tmpdir(), "battycoda-host-c-"));
    try {
      const mediaC = createMediaStore({
        ...env.t.config,
        mediaStorage: { ...env.t.config.mediaStorage, cacheDir: cacheC },
      });
      expect((await mediaC.read(rec.filePath)).equals(original)).toBe(true);
    } finally {
      await rm(cacheC, { recursive: true, force: true });
    }
    const upload = await env.a.caller.recordings.uploadReport({ uploadId });
    expect(upload).toMatchObject({ kind: "tus", status: "completed", report: { summary: { created: 1 } } });

    // what tus kept is gone: objects, the multipart upload, the staged copy on host B
    expect(await tusObjects(id)).toEqual([]);
    expect(await openMultipart(id)).toBe(false);
    expect(await stagedFiles(mediaB)).toEqual([]);
    expect(await stagedFiles(mediaA)).toEqual([]);
  });

  it("a retry on the other host takes the upload over from a PATCH there that still holds it", async () => {
    const original = wav(20_000);
    const id = await create("A", env.a, "retried.wav", original.length);
    // a PATCH on host A whose client went quiet after 1000 bytes (the connection stays open)
    const stuck = http.request(base.A, {
      method: "PATCH",
      path: `/api/uploads/tus/${id}`,
      headers: {
        ...tus(env.a),
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
        "content-length": String(original.length),
      },
    });
    let stuckEnded = false;
    const stuckDone = new Promise<{ status: number; offset?: string }>((resolve) => {
      stuck.on("response", (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, offset: res.headers["upload-offset"] as string }),
        );
      });
      stuck.on("error", () => resolve({ status: 0 }));
    }).finally(() => {
      stuckEnded = true;
    });
    stuck.write(original.subarray(0, 1000));
    try {
      // host A is inside tus, holding the upload's lock (in PostgreSQL, shared by the hosts)
      for (let i = 0; i < 100; i++) {
        const [row] = await env.t.deps.db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND classid = ${0x747573}::oid AND granted`;
        if (row?.n === 1) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // the client's retry asks host B where the upload stands: B has host A let go first, so
      // the answer counts what A stored and nothing A writes later can interleave with B's parts
      const head = await send("B", "HEAD", `/api/uploads/tus/${id}`, tus(env.a));
      expect(stuckEnded).toBe(true);
      expect(head.status).toBe(200);
      const offset = Number(head.headers["upload-offset"]);
      const a = await stuckDone;
      if (a.status === 204) expect(a.offset).toBe(String(offset));
      expect(offset).toBeLessThanOrEqual(1000);

      const rest = await patch("B", env.a, id, offset, original.subarray(offset));
      expect(rest.status, rest.body).toBe(204);
      const rec = await env.t.deps.db.recording.findUniqueOrThrow({
        where: { id: rest.headers["battycoda-recording-id"] as string },
      });
      expect((await mediaB.read(rec.filePath)).equals(original)).toBe(true);
      expect(await tusObjects(id)).toEqual([]);
    } finally {
      stuck.destroy();
    }
  });

  it("a file that is not a WAV fails on the finishing host, leaving no recording and no tus objects", async () => {
    const before = await env.t.deps.db.recording.count();
    const bytes = Buffer.from("not a wav at all, just text ".repeat(100));
    const id = await create("A", env.a, "fake.wav", bytes.length);
    expect((await patch("A", env.a, id, 0, bytes.subarray(0, 1000))).status).toBe(204);
    const res = await patch("B", env.a, id, 1000, bytes.subarray(1000));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "BAD_REQUEST" } });
    const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } });
    expect(row).toMatchObject({ status: "failed", tempPath: null });
    expect(row.error).toBeTruthy();
    expect(await env.t.deps.db.recording.count()).toBe(before);
    expect(await tusObjects(id)).toEqual([]);
    expect(await openMultipart(id)).toBe(false);
    expect(await stagedFiles(mediaB)).toEqual([]);
  });

  it("a cancelled upload loses its objects and its multipart upload, whichever host is asked", async () => {
    const id = await create("A", env.a, "cancel.wav", 10_000);
    expect((await patch("A", env.a, id, 0, Buffer.alloc(500, 7))).status).toBe(204);
    expect(await tusObjects(id)).toHaveLength(2);
    const del = await send("B", "DELETE", `/api/uploads/tus/${id}`, tus(env.a));
    expect(del.status).toBe(204);
    expect(await tusObjects(id)).toEqual([]);
    expect(await openMultipart(id)).toBe(false);
    const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } });
    expect(row).toMatchObject({ status: "failed", error: "Cancelled" });
    expect((await send("A", "HEAD", `/api/uploads/tus/${id}`, tus(env.a))).status).toBe(404);
  });
});

/** Same shapes as uploads-tus-ids.test.ts: MINE in the path, VICTIM where tus could pick it up. */
const variants = (mine: string, victim: string) => [
  `/api/uploads/tus/${mine}?x=/${victim}`,
  `/api/uploads/tus/${mine}?/${victim}`,
  `/api/uploads/tus/${mine}?x=/${victim}/`,
  `/api/uploads/tus/${mine}?x=//${victim}`,
  `/api/uploads/tus/${mine}?x=%2F${victim}`,
  `/api/uploads/tus/${mine}?x=/a/b/${encodeURIComponent(victim)}`,
  `/api/uploads/tus/${mine}%2F${victim}`,
  `/api/uploads/tus/${mine}%2f${victim}`,
  `/api/uploads/tus/${mine}/${victim}`,
  `/api/uploads/tus/${mine}//${victim}`,
  `/api/uploads/tus//${victim}`,
  `/api/uploads/tus/${victim}/`,
  `/api/uploads/tus/${mine}/../${victim}`,
];

describe("tus ids on S3 come from the path and the caller's group, on every host", () => {
  let victim: string;

  beforeAll(async () => {
    victim = await create("B", env.b, "victim.wav", 1000);
  });

  async function victimUntouched() {
    expect(await tusObjects(victim)).toEqual([tusObjectKey(`${victim}.info`)]);
    expect(await openMultipart(victim)).toBe(true);
    const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: victim } });
    expect(row.status).toBe("receiving");
    for (const host of ["A", "B"] as const) {
      const head = await send(host, "HEAD", `/api/uploads/tus/${victim}`, tus(env.b));
      expect(head.status).toBe(200);
      expect(head.headers["upload-offset"]).toBe("0");
    }
  }

  it("another group's id is 404 on both hosts for every method", async () => {
    for (const host of ["A", "B"] as const)
      for (const method of ["HEAD", "PATCH", "DELETE"]) {
        const res = await send(host, method, `/api/uploads/tus/${victim}`, {
          ...tus(env.a),
          "upload-offset": "0",
          "content-type": "application/offset+octet-stream",
        });
        expect(res.status, `${host} ${method}`).toBe(404);
      }
    await victimUntouched();
  });

  it("HEAD never answers with another group's upload", async () => {
    const mine = await create("A", env.a, "mine.wav", 1000);
    for (const host of ["A", "B"] as const)
      for (const url of variants(mine, victim)) {
        const res = await send(host, "HEAD", url, tus(env.a));
        const m = String(res.headers["upload-metadata"] ?? "");
        expect(m, url).not.toContain(Buffer.from("victim.wav").toString("base64"));
        if (res.status === 200) expect(m, url).toContain(Buffer.from("mine.wav").toString("base64"));
        else expect(res.status, url).toBe(404);
      }
    await victimUntouched();
  });

  it("PATCH never appends to another group's upload", async () => {
    for (const shape of variants("MINE", "VICTIM")) {
      const mine = await create("A", env.a, "mine.wav", 1000);
      const url = shape.replaceAll("MINE", mine).replaceAll("VICTIM", victim);
      const res = await send(
        "B",
        "PATCH",
        url,
        { ...tus(env.a), "upload-offset": "0", "content-type": "application/offset+octet-stream" },
        Buffer.from("attacker bytes"),
      );
      expect([204, 404], `${url}: ${res.body}`).toContain(res.status);
      // a PATCH that was answered wrote to the caller's own upload
      if (res.status === 204) expect(await tusObjects(mine)).toContain(tusObjectKey(`${mine}.part`));
    }
    await victimUntouched();
  });

  it("DELETE never removes another group's upload or strands its row", async () => {
    for (const shape of variants("MINE", "VICTIM")) {
      const mine = await create("A", env.a, "mine.wav", 1000);
      const url = shape.replaceAll("MINE", mine).replaceAll("VICTIM", victim);
      const res = await send("B", "DELETE", url, tus(env.a));
      expect([204, 404], `${url}: ${res.body}`).toContain(res.status);
      if (res.status === 204) {
        const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: mine } });
        expect(row.status).toBe("failed");
        expect(await tusObjects(mine)).toEqual([]);
      }
    }
    await victimUntouched();
  });
});

describe("housekeeping of tus uploads in S3", () => {
  const DAY = 24 * 3600_000;

  it("expires an upload that received nothing for 24 h: objects deleted, multipart upload aborted", async () => {
    const id = await create("A", env.a, "abandoned.wav", 20 * MiB);
    // a full part (in the multipart upload) and a tail (an object)
    expect((await patch("A", env.a, id, 0, Buffer.alloc(6 * MiB, 3))).status).toBe(204);
    expect((await patch("B", env.a, id, 6 * MiB, Buffer.alloc(1000, 4))).status).toBe(204);
    const old = new Date(Date.now() - 2 * DAY);
    await env.t.deps.db.upload.update({ where: { tusId: id }, data: { createdAt: old } });
    const ctx = { db: env.t.deps.db, media: mediaA };

    // old, but bytes arrived just now: still alive
    await cleanStaleUploads(ctx);
    expect((await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } })).status).toBe("receiving");
    expect(await openMultipart(id)).toBe(true);

    const r = await cleanStaleUploads(ctx, new Date(Date.now() + DAY + 3600_000));
    expect(r.expiredUploads).toBeGreaterThanOrEqual(1);
    expect((await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } })).status).toBe("expired");
    expect(await tusObjects(id)).toEqual([]);
    expect(await openMultipart(id)).toBe(false);
    expect((await send("B", "HEAD", `/api/uploads/tus/${id}`, tus(env.a))).status).toBe(404);
  });

  it("removes the objects of an upload whose row is gone once they are idle for 24 h", async () => {
    const id = await create("B", env.a, "orphan.wav", 10_000);
    expect((await patch("A", env.a, id, 0, Buffer.alloc(700, 5))).status).toBe(204);
    await env.t.deps.db.upload.delete({ where: { tusId: id } });
    const ctx = { db: env.t.deps.db, media: mediaB };
    await cleanStaleUploads(ctx);
    expect(await tusObjects(id)).toHaveLength(2);
    const r = await cleanStaleUploads(ctx, new Date(Date.now() + DAY + 3600_000));
    expect(r.removedFiles).toBeGreaterThanOrEqual(2);
    expect(await tusObjects(id)).toEqual([]);
    expect(await openMultipart(id)).toBe(false);
  });
});
