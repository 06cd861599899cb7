// The S3 store's local side: the read-through cache behind withLocalFile (one download per
// object version, LRU eviction that spares files in use, invalidation, crash leftovers) and the
// block cache behind openRandomAccess (few ranged GETs, never the whole object).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { readFrames, readWavInfo, readWavInfoFromHandle } from "@battycoda/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startLocalS3 } from "../maintenance/testing.ts";
import { CACHE_OWNER, MediaCache } from "./cache.ts";
import { S3MediaStore, type S3MediaStoreOptions } from "./s3-store.ts";

const RECORDING = path.resolve(
  import.meta.dirname,
  "../../../../../shared/data/recordings/bat1_angie_19.wav",
);

let s3: LocalS3;
const dirs: string[] = [];
const tmpDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "battycoda-cache-"));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  s3 = await startLocalS3("media-cache", "cache/");
});
afterAll(async () => {
  await s3?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Requests the real client sends, by command, and the bytes GetObject answered with. */
function countRequests(client: S3Client) {
  const counts: Record<string, number> = {};
  const got = { bytes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "?";
      counts[name] = (counts[name] ?? 0) + 1;
      const out = await next(args);
      if (context.commandName === "GetObjectCommand")
        got.bytes += (out.output as { ContentLength?: number }).ContentLength ?? 0;
      return out;
    },
    { step: "initialize", name: `count-${randomUUID()}` },
  );
  return {
    counts,
    got,
    reset() {
      for (const k of Object.keys(counts)) delete counts[k];
      got.bytes = 0;
    },
  };
}

/** A store on its own prefix; `shared` gives a second store (another process) the same bucket. */
function makeStore(options: Partial<S3MediaStoreOptions> & { prefix?: string } = {}) {
  const store = new S3MediaStore({
    s3: { ...s3.backup, prefix: options.prefix ?? `cache/${randomUUID()}/` },
    cacheDir: options.cacheDir ?? tmpDir(),
    cacheMaxBytes: options.cacheMaxBytes ?? 64 * 1024 * 1024,
    ...(options.revalidateMs !== undefined ? { revalidateMs: options.revalidateMs } : {}),
  });
  return { store, requests: countRequests(store.client) };
}

const stage = (store: S3MediaStore, key: string) => store.withLocalFile(key, (p) => readFile(p));
const cachedFiles = async (store: S3MediaStore) => readdir(path.join(store.cache.dir, "objects"));

describe("withLocalFile through the read-through cache", () => {
  it("downloads an object once however many callers ask at the same time, then reuses it", async () => {
    const { store, requests } = makeStore({ revalidateMs: 60_000 });
    const data = Buffer.alloc(700_000, 7);
    await store.write("g/a.wav", data);
    requests.reset();
    const all = await Promise.all(Array.from({ length: 5 }, () => stage(store, "g/a.wav")));
    for (const b of all) expect(b.equals(data)).toBe(true);
    expect(requests.counts).toEqual({ HeadObjectCommand: 1, GetObjectCommand: 1 });
    requests.reset();
    await stage(store, "g/a.wav");
    expect(requests.counts).toEqual({}); // trusted within revalidateMs: no request at all
  });

  it("fetches again when the object changed, even to the same size", async () => {
    const { store: writer } = makeStore();
    const prefix = writer.location.slice(`s3://${s3.backup.bucket}/`.length);
    // Another host's cache: it asks S3 on every use (revalidateMs 0).
    const { store: reader, requests } = makeStore({ prefix, revalidateMs: 0 });
    await writer.write("g/x.h5", "version-1");
    expect((await stage(reader, "g/x.h5")).toString()).toBe("version-1");
    requests.reset();
    expect((await stage(reader, "g/x.h5")).toString()).toBe("version-1");
    expect(requests.counts).toEqual({ HeadObjectCommand: 1 }); // unchanged: a HEAD, no download
    await writer.write("g/x.h5", "version-2");
    requests.reset();
    expect((await stage(reader, "g/x.h5")).toString()).toBe("version-2");
    expect(requests.counts).toEqual({ HeadObjectCommand: 1, GetObjectCommand: 1 });
    await writer.delete("g/x.h5");
    await expect(stage(reader, "g/x.h5")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("sees this process's own writes at once, however long it trusts a version", async () => {
    const { store } = makeStore({ revalidateMs: 60_000 });
    await store.write("g/m.rds", "old");
    expect((await stage(store, "g/m.rds")).toString()).toBe("old");
    await store.write("g/m.rds", "new");
    expect((await stage(store, "g/m.rds")).toString()).toBe("new");
    await store.withLocalOutput("g/m.rds", (p) => writeFile(p, "newest"));
    expect((await stage(store, "g/m.rds")).toString()).toBe("newest");
    // Only the current version stays on disk.
    expect(await cachedFiles(store)).toHaveLength(1);
  });

  it("keeps an uploaded file as the staged copy, so reading it back downloads nothing", async () => {
    const { store, requests } = makeStore({ revalidateMs: 60_000 });
    await store.withLocalOutput("g/spec.h5", (p) => writeFile(p, Buffer.alloc(100_000, 3)));
    const src = path.join(tmpDir(), "upload.wav");
    await writeFile(src, Buffer.alloc(50_000, 4));
    await store.importFile(src, "g/audio.wav");
    requests.reset();
    expect((await stage(store, "g/spec.h5")).equals(Buffer.alloc(100_000, 3))).toBe(true);
    expect((await stage(store, "g/audio.wav")).equals(Buffer.alloc(50_000, 4))).toBe(true);
    expect(requests.counts.GetObjectCommand).toBeUndefined();
  });

  it("evicts the least recently used files beyond the limit, never one in use", async () => {
    const { store } = makeStore({ cacheMaxBytes: 1_000_000 });
    for (const k of ["a", "b", "c", "d"])
      await store.write(`e/${k}.wav`, Buffer.alloc(300_000, k.charCodeAt(0)));
    await stage(store, "e/a.wav");
    await stage(store, "e/b.wav");
    await stage(store, "e/c.wav");
    await stage(store, "e/a.wav"); // a is now more recent than b
    await stage(store, "e/d.wav"); // 1.2 MB > 1 MB: b goes, the least recently used
    expect(await store.cache.size()).toBeLessThanOrEqual(1_000_000);
    expect(await cachedFiles(store)).toHaveLength(3);

    // Hold d while three others come in: the cache overshoots rather than pull d away.
    await store.withLocalFile("e/d.wav", async (held) => {
      for (const k of ["a", "b", "c"]) await store.write(`e/${k}2.wav`, Buffer.alloc(400_000, 1));
      for (const k of ["a", "b", "c"]) await stage(store, `e/${k}2.wav`);
      expect((await readFile(held)).equals(Buffer.alloc(300_000, "d".charCodeAt(0)))).toBe(true);
      // d's cache entry itself stays (not only the caller's link to it).
      const contents = await Promise.all(
        (await cachedFiles(store)).map((f) => readFile(path.join(store.cache.dir, "objects", f))),
      );
      expect(contents.some((c) => c.equals(Buffer.alloc(300_000, "d".charCodeAt(0))))).toBe(true);
    });
    expect(await store.cache.size()).toBeLessThanOrEqual(1_000_000 + 300_000);
  });

  it("a file in use by another process sharing the folder survives that process's eviction", async () => {
    const cacheDir = tmpDir();
    const { store: a } = makeStore({ cacheDir, cacheMaxBytes: 500_000 });
    const prefix = a.location.slice(`s3://${s3.backup.bucket}/`.length);
    const { store: b } = makeStore({ cacheDir, prefix, cacheMaxBytes: 500_000 });
    await a.write("x/held.wav", Buffer.alloc(400_000, 9));
    await a.write("x/other.wav", Buffer.alloc(400_000, 8));
    await a.withLocalFile("x/held.wav", async (held) => {
      // b is over its limit after this; the least recently used entry is held.wav, but it is
      // linked (in use), so b's eviction takes its own, now unused, other.wav instead.
      await stage(b, "x/other.wav");
      expect((await readFile(held)).equals(Buffer.alloc(400_000, 9))).toBe(true);
      const left = await cachedFiles(a);
      expect(left).toHaveLength(1);
      expect(
        (await readFile(path.join(cacheDir, "objects", left[0] as string))).equals(Buffer.alloc(400_000, 9)),
      ).toBe(true);
    });
    await stage(b, "x/other.wav");
    await stage(b, "x/held.wav"); // 800 KB > 500 KB with nothing in use: back under the limit
    expect(await b.cache.size()).toBeLessThanOrEqual(500_000);
  });

  it("removes what dead processes left in the folder, and keeps what live ones are writing", async () => {
    const cacheDir = tmpDir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const { host, pid, token } = CACHE_OWNER;
    const planted = {
      "tmp/dead": `${host}.${dead}.aaaa.1.part`,
      "tmp/earlier-me": `${host}.${pid}.${token === "bbbb" ? "cccc" : "bbbb"}.2.part`,
      "tmp/live": `${host}.${process.ppid}.dddd.3.part`,
      "tmp/other-host": `elsewhere.${dead}.eeee.4.part`,
      "inuse/dead": `${host}.${dead}.ffff.5.wav`,
      "inuse/live": `${host}.${process.ppid}.gggg.6.wav`,
    };
    for (const [where, name] of Object.entries(planted)) {
      const dir = path.join(cacheDir, where.split("/")[0] as string);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, name), "x");
    }
    const { store } = makeStore({ cacheDir });
    await store.write("c/a.wav", "a");
    await stage(store, "c/a.wav");
    const left = (where: keyof typeof planted) =>
      existsSync(path.join(cacheDir, where.split("/")[0] as string, planted[where]));
    expect(left("tmp/dead")).toBe(false);
    expect(left("tmp/earlier-me")).toBe(false);
    expect(left("inuse/dead")).toBe(false);
    expect(left("tmp/live")).toBe(true);
    expect(left("inuse/live")).toBe(true);
    expect(left("tmp/other-host")).toBe(true);
  });

  it("a download that fails halfway leaves nothing under a cache name, and the next use retries", async () => {
    const dir = tmpDir();
    let fail = true;
    const cache = new MediaCache(
      {
        head: async () => ({ version: '"v1"', size: 10 }),
        download: async (_key, dest) => {
          await writeFile(dest, "01234");
          if (fail) throw new Error("connection reset");
          await writeFile(dest, "0123456789");
          return { version: '"v1"', size: 10 };
        },
      },
      { dir, maxBytes: 1_000_000 },
    );
    await expect(cache.use("k/a.wav", (p) => readFile(p, "utf8"))).rejects.toThrow("connection reset");
    expect(await readdir(path.join(dir, "objects"))).toEqual([]);
    expect(await readdir(path.join(dir, "tmp"))).toEqual([]);
    fail = false;
    expect(await cache.use("k/a.wav", (p) => readFile(p, "utf8"))).toBe("0123456789");
    expect(await readdir(path.join(dir, "inuse"))).toEqual([]); // the per-use link went with the use
  });
});

describe("openRandomAccess on S3", () => {
  it("walks a real WAV header and reads a window with a few ranged GETs", async () => {
    const { store, requests } = makeStore();
    const original = await readFile(RECORDING);
    await store.write("w/bat.wav", original);
    requests.reset();
    const fh = await store.openRandomAccess("w/bat.wav");
    try {
      const info = await readWavInfoFromHandle(fh);
      expect(info).toEqual(await readWavInfo(RECORDING));
      const from = Math.floor(info.sampleRate * 0.5);
      const frames = await readFrames(fh, info, from, from + Math.floor(info.sampleRate * 0.1));
      expect(frames[0]?.length).toBe(Math.floor(info.sampleRate * 0.1));
    } finally {
      await fh.close();
    }
    expect(requests.counts.HeadObjectCommand).toBe(1);
    expect(requests.counts.GetObjectCommand).toBeLessThanOrEqual(3);
    expect(requests.got.bytes).toBeLessThan(original.length / 2);
    console.log(
      `WAV header + 0.1 s window of a ${(original.length / 1e6).toFixed(2)} MB file: ` +
        `${requests.counts.GetObjectCommand} ranged GETs, ${(requests.got.bytes / 1024).toFixed(0)} KiB fetched`,
    );
  });

  it("fails a read rather than mix two versions of a replaced object", async () => {
    const { store } = makeStore();
    await store.write("w/v.wav", Buffer.alloc(1_000_000, 1));
    const fh = await store.openRandomAccess("w/v.wav");
    const out = Buffer.alloc(10);
    await fh.read(out, 0, 10, 0);
    await store.write("w/v.wav", Buffer.alloc(1_000_000, 2));
    await expect(fh.read(out, 0, 10, 900_000)).rejects.toMatchObject({ code: "ESTALE" });
    await fh.close();
  });
});
