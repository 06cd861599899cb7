// One contract, two backends: every MediaStore method against the local folder and against S3
// (s3rver, the real AWS SDK), so callers can switch MEDIA_STORAGE without caring.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startLocalS3 } from "../maintenance/testing.ts";
import { LocalMediaStore } from "./local-store.ts";
import { isMediaNotFound } from "./not-found.ts";
import { S3MediaStore } from "./s3-store.ts";
import type { MediaStore } from "./store.ts";

let s3: LocalS3;
const dirs: string[] = [];
const tmpDir = (tag: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), `battycoda-${tag}-`));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  s3 = await startLocalS3("media-conformance", "media/");
});
afterAll(async () => {
  await s3?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Backend {
  name: "local" | "s3";
  make(): MediaStore;
  /** Folders where a temp file could be left behind. */
  scratch(store: MediaStore): string[];
}

const backends: Backend[] = [
  {
    name: "local",
    make: () => new LocalMediaStore(tmpDir("media")),
    scratch: (store) => [(store as LocalMediaStore).location],
  },
  {
    name: "s3",
    make: () =>
      new S3MediaStore({
        s3: { ...s3.backup, prefix: `media/${randomUUID()}/` }, // a store of its own per test
        cacheDir: tmpDir("media-cache"),
        cacheMaxBytes: 64 * 1024 * 1024,
      }),
    scratch: (store) => [(store as S3MediaStore).cache.dir],
  },
];

/** Bytes whose value says where they are, so an off-by-one range shows. */
const pattern = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
};
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every file under `dir` (recursively), as relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []))
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

async function collect(it: AsyncIterable<{ key: string; size: number }>) {
  const out: { key: string; size: number }[] = [];
  for await (const o of it) out.push(o);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** A source that yields `good` bytes in chunks, then fails like a dropped client. */
function failingSource(good: number): Readable {
  async function* gen() {
    const chunk = 256 * 1024;
    for (let sent = 0; sent < good; sent += chunk) yield pattern(Math.min(chunk, good - sent));
    throw new Error("client went away");
  }
  return Readable.from(gen(), { objectMode: false });
}

describe.each(backends)("MediaStore conformance: $name", (backend) => {
  it("writes, reads and stats objects; an overwrite replaces the whole object", async () => {
    const store = backend.make();
    expect(await store.stat("g/a.txt")).toBeNull();
    await store.write("g/a.txt", "hello");
    await store.write("g/b.bin", new Uint8Array([1, 2, 3]));
    expect((await store.read("g/a.txt")).toString()).toBe("hello");
    expect([...(await store.read("g/b.bin"))]).toEqual([1, 2, 3]);
    const st = await store.stat("g/a.txt");
    expect(st?.size).toBe(5);
    expect(st?.modified).toBeInstanceOf(Date);
    await store.write("g/a.txt", "hi");
    expect((await store.read("g/a.txt")).toString()).toBe("hi");
    expect(await collect(store.list("g"))).toEqual([
      { key: "g/a.txt", size: 2 },
      { key: "g/b.bin", size: 3 },
    ]);
  });

  it("streams byte ranges: first byte, last byte, middle, past the end", async () => {
    const store = backend.make();
    const data = pattern(300_000);
    await store.write("r/audio.wav", data);
    const range = async (start: number, end: number) =>
      buffer(await store.createReadStream("r/audio.wav", { start, end }));
    expect(await buffer(await store.createReadStream("r/audio.wav"))).toEqual(data);
    expect(await range(0, 0)).toEqual(data.subarray(0, 1));
    expect(await range(299_999, 299_999)).toEqual(data.subarray(299_999));
    expect(await range(1000, 70_000)).toEqual(data.subarray(1000, 70_001));
    expect(await range(299_000, 400_000)).toEqual(data.subarray(299_000)); // end clamped to the object
    expect((await range(300_000, 300_010)).length).toBe(0);
    await expect(store.createReadStream("r/audio.wav", { start: 10, end: 5 })).rejects.toThrow();
  });

  it("reads positions without fetching the whole object", async () => {
    const store = backend.make();
    const data = pattern(1_000_000);
    await store.write("r/big.wav", data);
    const fh = await store.openRandomAccess("r/big.wav");
    try {
      expect(await fh.stat()).toEqual(expect.objectContaining({ size: 1_000_000 }));
      for (const [pos, len] of [
        [0, 12],
        [36, 8],
        [262_140, 10], // across a 256 KiB block boundary
        [100_000, 700_000], // several blocks at once
        [999_990, 10],
        [0, 12], // again, from the block kept
      ] as const) {
        const out = Buffer.alloc(len + 4, 0xee);
        const { bytesRead } = await fh.read(out, 4, len, pos);
        expect(bytesRead).toBe(len);
        expect(out.subarray(4, 4 + len)).toEqual(data.subarray(pos, pos + len));
        expect(out.subarray(0, 4)).toEqual(Buffer.alloc(4, 0xee)); // nothing before `offset`
      }
      const tail = Buffer.alloc(100);
      expect((await fh.read(tail, 0, 100, 999_950)).bytesRead).toBe(50);
      expect(tail.subarray(0, 50)).toEqual(data.subarray(999_950));
      expect((await fh.read(tail, 0, 10, 1_000_000)).bytesRead).toBe(0);
    } finally {
      await fh.close();
    }
  });

  it("writeStream stores what it hashed, small and multipart-sized", async () => {
    const store = backend.make();
    for (const [key, n] of [
      ["w/small.wav", 100_000],
      ["w/large.wav", 9 * 1024 * 1024 + 123], // > one 8 MiB part: a multipart upload on S3
    ] as const) {
      const data = pattern(n);
      const stored = await store.writeStream(
        key,
        Readable.from([data.subarray(0, 5000), data.subarray(5000)]),
      );
      expect(stored).toEqual({ bytes: n, sha256: sha(data) });
      expect(sha(await store.read(key))).toBe(sha(data));
    }
  });

  it("writeStream from a failing source leaves no object and keeps the previous one", async () => {
    const store = backend.make();
    for (const good of [300_000, 10 * 1024 * 1024]) {
      await expect(store.writeStream("x/new.wav", failingSource(good))).rejects.toThrow("client went away");
      expect(await store.stat("x/new.wav")).toBeNull();
    }
    await store.write("x/old.wav", "previous");
    await expect(store.writeStream("x/old.wav", failingSource(9 * 1024 * 1024))).rejects.toThrow();
    expect((await store.read("x/old.wav")).toString()).toBe("previous");
    expect(await collect(store.list("x"))).toEqual([{ key: "x/old.wav", size: 8 }]);
    for (const dir of backend.scratch(store))
      expect((await filesUnder(dir)).filter((f) => /\.(part|tmp)/.test(f))).toEqual([]);
  });

  it("importFile moves a finished local file in", async () => {
    const store = backend.make();
    const src = path.join(tmpDir("import"), "upload.wav");
    const data = pattern(50_000);
    await writeFile(src, data);
    await store.importFile(src, "i/upload.wav");
    expect(existsSync(src)).toBe(false);
    expect(await store.read("i/upload.wav")).toEqual(data);
  });

  it("withLocalFile gives a readable path; withLocalOutput stores only what finished", async () => {
    const store = backend.make();
    const data = pattern(80_000);
    await store.write("f/spectrogram.h5", data);
    const seen = await store.withLocalFile("f/spectrogram.h5", async (p) => {
      expect(p.endsWith(".h5")).toBe(true); // tools may look at the extension
      return readFile(p);
    });
    expect(seen).toEqual(data);

    const result = await store.withLocalOutput("f/model.rds", async (p) => {
      await writeFile(p, "model bytes");
      return 42;
    });
    expect(result).toBe(42);
    expect((await store.read("f/model.rds")).toString()).toBe("model bytes");

    let tmp = "";
    await expect(
      store.withLocalOutput("f/broken.rds", async (p) => {
        tmp = p;
        await writeFile(p, "half");
        throw new Error("R crashed");
      }),
    ).rejects.toThrow("R crashed");
    expect(await store.stat("f/broken.rds")).toBeNull();
    expect(existsSync(tmp)).toBe(false);
  });

  it("missing objects fail with ENOENT everywhere, and deleting them is fine", async () => {
    const store = backend.make();
    const key = "nope/missing.wav";
    expect(await store.stat(key)).toBeNull();
    const attempts: (() => Promise<unknown>)[] = [
      () => store.read(key),
      () => store.createReadStream(key),
      () => store.createReadStream(key, { start: 0, end: 10 }),
      () => store.openRandomAccess(key),
      () => store.withLocalFile(key, async () => "never"),
    ];
    for (const attempt of attempts) {
      const err = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMediaNotFound(err), String(err)).toBe(true);
    }
    await store.delete(key);
    await store.deletePrefix("nope");
    expect(await collect(store.list("nope"))).toEqual([]);
  });

  it("deletes one object, and a folder-like prefix without touching its neighbours", async () => {
    const store = backend.make();
    for (const k of [
      "g1/recordings/r1/audio.wav",
      "g1/recordings/r1/spec/s.h5",
      "g1/recordings/r10/audio.wav",
    ])
      await store.write(k, k);
    await store.write("g1/keep.txt", "x");
    await store.delete("g1/keep.txt");
    expect(await store.stat("g1/keep.txt")).toBeNull();
    await store.deletePrefix("g1/recordings/r1");
    expect((await collect(store.list(""))).map((o) => o.key)).toEqual(["g1/recordings/r10/audio.wav"]);
    await expect(store.deletePrefix("")).rejects.toThrow(/whole media store/);
  });

  it("lists under a prefix or everything", async () => {
    const store = backend.make();
    await store.write("a/1.wav", "1");
    await store.write("a/b/2.wav", "22");
    await store.write("ab/3.wav", "333");
    expect(await collect(store.list("a"))).toEqual([
      { key: "a/1.wav", size: 1 },
      { key: "a/b/2.wav", size: 2 },
    ]);
    expect(await collect(store.list("a/"))).toEqual(await collect(store.list("a")));
    expect((await collect(store.list(""))).map((o) => o.key)).toEqual(["a/1.wav", "a/b/2.wav", "ab/3.wav"]);
    expect(await collect(store.list("zzz"))).toEqual([]);
  });

  it("refuses keys that could escape the store", async () => {
    const store = backend.make();
    for (const bad of ["../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "a/./b", "", "a\\b", "a\0b"]) {
      // Through an async wrapper: the local store throws some of these synchronously.
      const refused = (fn: () => Promise<unknown>) =>
        expect((async () => fn())(), bad).rejects.toThrow(/Invalid media key/);
      await refused(() => store.write(bad, "x"));
      await refused(() => store.read(bad));
      await refused(() => store.stat(bad));
      await refused(() => store.createReadStream(bad));
      await refused(() => store.openRandomAccess(bad));
      await refused(() => store.delete(bad));
      await refused(() => store.withLocalFile(bad, async () => 1));
      await refused(() => store.withLocalOutput(bad, async () => 1));
      await expect(
        (async () => {
          for await (const _ of store.list(bad || "..")) break;
        })(),
        bad,
      ).rejects.toThrow(/Invalid media key/);
    }
    await expect(store.deletePrefix("../..")).rejects.toThrow(/Invalid media key/);
  });

  it("says where an object is on disk only when it is", async () => {
    const store = backend.make();
    await store.write("p/x.wav", "x");
    const local = store.localPath("p/x.wav");
    if (backend.name === "local") expect(await readFile(local as string, "utf8")).toBe("x");
    else expect(local).toBeNull();
  });
});

describe("S3 listing", () => {
  it("follows continuation tokens past 1000 keys", async () => {
    const store = new S3MediaStore({
      s3: { ...s3.backup, prefix: "paged/" },
      cacheDir: tmpDir("media-cache"),
      cacheMaxBytes: 1024 * 1024,
    });
    const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(4, "0")}.txt`);
    for (let i = 0; i < keys.length; i += 25)
      await Promise.all(keys.slice(i, i + 25).map((k) => store.write(k, randomBytes(4))));
    const listed = await collect(store.list("many"));
    expect(listed.map((o) => o.key)).toEqual(keys);
    await store.deletePrefix("many");
    expect(await collect(store.list(""))).toEqual([]);
  });
});

describe("local store after a crash", () => {
  it("sweeps the temp of a writeStream whose process was killed when the key is written again", async () => {
    const store = new LocalMediaStore(tmpDir("media"));
    await store.write("c/call.wav", "old");
    // what a SIGKILLed writer leaves: a temp named for the target with a pid that no longer runs
    const dead = 2 ** 22 + 12_345; // above pid_max's default: no such process
    const orphan = `${store.localPath("c/call.wav")}.${dead}.0badc0de.tmp`;
    await writeFile(orphan, "half a stream");
    // list() never shows it meanwhile
    expect(await collect(store.list("c"))).toEqual([{ key: "c/call.wav", size: 3 }]);
    await store.writeStream("c/call.wav", Readable.from([Buffer.from("new")]));
    expect((await store.read("c/call.wav")).toString()).toBe("new");
    expect(existsSync(orphan)).toBe(false);
    expect(await filesUnder(store.location)).toEqual(["c/call.wav"]);
  });
});
