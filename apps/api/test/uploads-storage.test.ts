// Disk amplification and storage quotas: overlapping ZIP entries, ZIPs too big for the free disk,
// per-group quotas on every upload path (single, ZIP, tus), and who may set a quota.
import { statfs } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overlappingZip } from "../../../packages/formats/test/fixtures/overlap-zip.ts";
import { makeSiteAdmin } from "./helpers.ts";
import { socketRequest, trpcCode, trpcMutation, trpcQuery } from "./http-helpers.ts";
import {
  createRecordingsEnv,
  mediaFiles,
  type Party,
  type RecordingsEnv,
  upload,
} from "./recordings-fixtures.ts";

/** A real 16-bit mono PCM WAV: a tone with noise, so it deflates only modestly, as audio does. */
function wav(seconds: number, rate = 22050): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(n * 2, 40);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const v = 8000 * Math.sin((2 * Math.PI * 3000 * i) / rate) + ((seed % 4000) - 2000);
    b.writeInt16LE(Math.round(v), 44 + i * 2);
  }
  return b;
}

/** A well-formed single-entry ZIP (stored by the local entry, listed once). */
const singleZip = (name: string, content: Buffer) => overlappingZip(content, { copies: 1, name: () => name });

let main: RecordingsEnv;
let admin: Party;
let base: string;

beforeAll(async () => {
  main = await createRecordingsEnv();
  admin = main.a; // alice: site admin in these tests; bob is not
  await makeSiteAdmin(main.t, admin.id);
  await main.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(main.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await main?.close();
});

const send = (url: string, method: string, headers: Record<string, string>, body?: Buffer) => {
  const u = new URL(url);
  return socketRequest(u.origin, method, `${u.pathname}${u.search}`, headers, body);
};
const tus = (p: Party) => ({ "tus-resumable": "1.0.0", cookie: `bc_session=${p.token}` });
const filenameMeta = (name: string) => `filename ${Buffer.from(name).toString("base64")}`;

async function snapshot(env: RecordingsEnv) {
  const db = env.t.deps.db;
  return {
    recordings: await db.recording.count(),
    uploads: await db.upload.count({ where: { status: { not: "failed" } } }),
    files: await mediaFiles(env.t.config.mediaRoot),
  };
}

describe("overlapping ZIP entries", () => {
  const audio = wav(2);
  const amplifier = overlappingZip(audio, { copies: 8 });

  it("the archive really is tiny next to what it claims", () => {
    expect(amplifier.length).toBeLessThan(audio.length);
    expect(deflateRawSync(audio).length).toBeGreaterThan(audio.length / 4); // audio, not a zero bomb
  });

  it("a multipart ZIP upload is refused with a clear message and nothing written", async () => {
    const before = await snapshot(main);
    const res = await upload(main.app, "/api/recordings/upload-zip", { cookie: main.b.token }, {}, [
      { field: "file", filename: "amplify.zip", content: amplifier },
    ]);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(
      /^Refused ZIP archive: entries "copy\d.wav" and "copy\d.wav" share the same bytes .*overlapping entries/,
    );
    expect(await snapshot(main)).toEqual(before);
  });

  it("a tus ZIP upload is refused when it completes, its row failed with the reason", async () => {
    const before = await snapshot(main);
    const created = await send(`${base}/api/uploads/tus`, "POST", {
      ...tus(main.b),
      "upload-length": String(amplifier.length),
      "upload-metadata": filenameMeta("amplify.zip"),
    });
    expect(created.status, created.body).toBe(201);
    const id = (created.headers.location as string).split("/").pop() as string;
    const res = await send(
      `${base}/api/uploads/tus/${id}`,
      "PATCH",
      { ...tus(main.b), "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      amplifier,
    );
    expect(res.status, res.body).toBe(400);
    expect(res.body).toMatch(/overlapping entries/);
    const row = await main.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: id } });
    expect(row).toMatchObject({ status: "failed", tempPath: null });
    expect(row.error).toMatch(/overlapping entries/);
    expect(await snapshot(main)).toEqual(before);
  });

  it("the same WAV listed once is accepted", async () => {
    const res = await upload(main.app, "/api/recordings/upload-zip", { cookie: main.b.token }, {}, [
      { field: "file", filename: "one.zip", content: singleZip("one.wav", audio) },
    ]);
    expect(res.statusCode, res.body).toBe(202);
  });
});

describe("storage quota", () => {
  const setQuota = (who: Party, groupId: string, quotaBytes: number | null) =>
    trpcMutation(main.app, "admin.setGroupStorageQuota", { groupId, quotaBytes }, { cookie: who.token });

  async function groupOf(p: Party) {
    const res = await trpcQuery(main.app, "profile.storage", undefined, { cookie: p.token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().result.data as { groupId: string; usedBytes: number; quotaBytes: number | null };
  }

  it("a site admin sets a group's quota; profile and admin page show usage against it", async () => {
    const b = await groupOf(main.b);
    expect(b.quotaBytes).toBeNull(); // site default 0 = unlimited
    const res = await setQuota(admin, b.groupId, 5_000_000);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().result.data).toMatchObject({ groupId: b.groupId, quotaBytes: 5_000_000 });
    expect((await groupOf(main.b)).quotaBytes).toBe(5_000_000);
    const row = await main.t.deps.db.group.findUniqueOrThrow({ where: { id: b.groupId } });
    expect(row.storageQuotaBytes).toBe(5_000_000n);

    const list = await trpcQuery(main.app, "admin.groupStorage", undefined, { cookie: admin.token });
    const mine = (list.json().result.data.groups as { groupId: string; ownQuotaBytes: number }[]).find(
      (g) => g.groupId === b.groupId,
    );
    expect(mine?.ownQuotaBytes).toBe(5_000_000);

    // usage is the sum of the group's recording files
    const sum = await main.t.deps.db.recording.aggregate({
      where: { groupId: b.groupId },
      _sum: { fileSize: true },
    });
    expect((await groupOf(main.b)).usedBytes).toBe(Number(sum._sum.fileSize ?? 0n));

    // back to the site default
    expect((await setQuota(admin, b.groupId, null)).json().result.data.quotaBytes).toBeNull();
  });

  it("a non-admin cannot set or read quotas, for another group or their own", async () => {
    const a = await groupOf(admin);
    const b = await groupOf(main.b);
    for (const groupId of [a.groupId, b.groupId]) {
      const res = await setQuota(main.b, groupId, 1);
      expect(trpcCode(res)).toBe("FORBIDDEN");
    }
    expect(
      trpcCode(await trpcQuery(main.app, "admin.groupStorage", undefined, { cookie: main.b.token })),
    ).toBe("FORBIDDEN");
    for (const id of [a.groupId, b.groupId]) {
      const g = await main.t.deps.db.group.findUniqueOrThrow({ where: { id } });
      expect(g.storageQuotaBytes).toBeNull();
    }
    // an unknown group is NOT_FOUND, not a new row
    expect(trpcCode(await setQuota(admin, "nonexistent-group", 1))).toBe("NOT_FOUND");
  });

  it("refuses a single upload, a ZIP and a tus creation over the quota, with used/quota in the message", async () => {
    const b = await groupOf(main.b);
    const audio = wav(1); // ~44 KB
    await setQuota(admin, b.groupId, b.usedBytes + 20_000);
    const before = await snapshot(main);

    const single = await upload(main.app, "/api/recordings/upload", { cookie: main.b.token }, {}, [
      { field: "file", filename: "big.wav", content: audio },
    ]);
    expect(single.statusCode, single.body).toBe(413);
    expect(single.json().error.message).toMatch(/^Storage quota exceeded: the group uses .* of its .* quota/);

    const v1 = await upload(main.app, "/api/v1/recordings", { apiKey: main.b.apiKey }, {}, [
      { field: "file", filename: "big.wav", content: audio },
    ]);
    expect(v1.statusCode, v1.body).toBe(413);

    const zip = await upload(main.app, "/api/recordings/upload-zip", { cookie: main.b.token }, {}, [
      { field: "file", filename: "big.zip", content: singleZip("big.wav", audio) },
    ]);
    expect(zip.statusCode, zip.body).toBe(413);
    expect(zip.json().error.message).toMatch(/Storage quota exceeded/);

    const created = await send(`${base}/api/uploads/tus`, "POST", {
      ...tus(main.b),
      "upload-length": String(audio.length),
      "upload-metadata": filenameMeta("big.wav"),
    });
    expect(created.status, created.body).toBe(413);
    // the same JSON error shape as the other upload routes, so the upload page shows the message
    expect(JSON.parse(created.body).error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringMatching(/^Storage quota exceeded: the group uses .* of its .* quota/),
      details: { quotaBytes: b.usedBytes + 20_000, incomingBytes: audio.length },
    });

    expect(await snapshot(main)).toEqual(before);

    // the other group is not affected by B's quota
    const other = await upload(main.app, "/api/recordings/upload", { cookie: admin.token }, {}, [
      { field: "file", filename: "fine.wav", content: audio },
    ]);
    expect(other.statusCode, other.body).toBe(201);
    // and B under the quota still uploads
    await setQuota(admin, b.groupId, b.usedBytes + 1_000_000);
    const ok = await upload(main.app, "/api/recordings/upload", { cookie: main.b.token }, {}, [
      { field: "file", filename: "fits.wav", content: audio },
    ]);
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await groupOf(main.b)).usedBytes).toBe(b.usedBytes + audio.length);
  });

  it("a ZIP's declared uncompressed size counts, not its compressed size", async () => {
    const b = await groupOf(main.b);
    const silence = Buffer.alloc(400_000); // deflates to almost nothing
    const zip = singleZip("quiet.wav", silence);
    expect(zip.length).toBeLessThan(10_000);
    await setQuota(admin, b.groupId, b.usedBytes + 100_000);
    const res = await upload(main.app, "/api/recordings/upload-zip", { cookie: main.b.token }, {}, [
      { field: "file", filename: "quiet.zip", content: zip },
    ]);
    expect(res.statusCode, res.body).toBe(413);
    await setQuota(admin, b.groupId, null);
  });

  it("resumable uploads being received count against the quota", async () => {
    const b = await groupOf(main.b);
    await setQuota(admin, b.groupId, b.usedBytes + 150_000);
    const first = await send(`${base}/api/uploads/tus`, "POST", {
      ...tus(main.b),
      "upload-length": "100000",
      "upload-metadata": filenameMeta("first.wav"),
    });
    expect(first.status, first.body).toBe(201);
    expect((await groupOf(main.b)).usedBytes).toBe(b.usedBytes + 100_000);
    const second = await send(`${base}/api/uploads/tus`, "POST", {
      ...tus(main.b),
      "upload-length": "100000",
      "upload-metadata": filenameMeta("second.wav"),
    });
    expect(second.status, second.body).toBe(413);
    await setQuota(admin, b.groupId, null);
  });
});

describe("site-wide limits from the configuration", () => {
  let tight: RecordingsEnv;
  const mb = 1024 * 1024;

  beforeAll(async () => {
    // ZIP_MAX_DISK_SHARE chosen so the share of today's free space is about 2 MB
    const s = await statfs(os.tmpdir());
    const free = s.bavail * s.bsize;
    tight = await createRecordingsEnv({
      ZIP_MAX_DISK_SHARE: String((2 * mb) / free),
      GROUP_STORAGE_QUOTA_MB: "1",
    });
  });
  afterAll(async () => {
    await tight?.close();
  });

  it("refuses a ZIP whose declared size exceeds the configured share of free disk", async () => {
    await tight.t.deps.db.group.updateMany({ data: { storageQuotaBytes: 0n } }); // quota out of the way
    const before = await snapshot(tight);
    const zip = singleZip("huge.wav", Buffer.alloc(16 * mb));
    const res = await upload(tight.app, "/api/recordings/upload-zip", { cookie: tight.a.token }, {}, [
      { field: "file", filename: "huge.zip", content: zip },
    ]);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.message).toMatch(
      /^Refused ZIP archive: it unpacks to 16 MB, more than the .* allowed/,
    );
    expect(await snapshot(tight)).toEqual(before);

    const small = await upload(tight.app, "/api/recordings/upload-zip", { cookie: tight.a.token }, {}, [
      { field: "file", filename: "small.zip", content: singleZip("small.wav", wav(1)) },
    ]);
    expect(small.statusCode, small.body).toBe(202);
    await tight.t.deps.db.group.updateMany({ data: { storageQuotaBytes: null } });
  });

  it("a group without its own quota gets GROUP_STORAGE_QUOTA_MB; 0 lifts it", async () => {
    const storage = await trpcQuery(tight.app, "profile.storage", undefined, { cookie: tight.b.token });
    expect(storage.json().result.data).toMatchObject({ quotaBytes: mb, quotaIsSiteDefault: true });
    const res = await tight.app.inject({
      method: "POST",
      url: "/api/uploads/tus",
      headers: { ...tus(tight.b), "upload-length": String(2 * mb), "upload-metadata": filenameMeta("x.wav") },
    });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.body).toMatch(/of its 1\.0 MB quota/);
    const bGroup = storage.json().result.data.groupId as string;
    await tight.t.deps.db.group.update({ where: { id: bGroup }, data: { storageQuotaBytes: 0n } });
    const lifted = await tight.app.inject({
      method: "POST",
      url: "/api/uploads/tus",
      headers: { ...tus(tight.b), "upload-length": String(2 * mb), "upload-metadata": filenameMeta("x.wav") },
    });
    expect(lifted.statusCode, lifted.body).toBe(201);
  });
});
