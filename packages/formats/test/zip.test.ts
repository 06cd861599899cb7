import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import {
  openZip,
  type ZipEntry,
  ZipEntryNameError,
  ZipFormatError,
  ZipLimitError,
  ZipUnsupportedEntryError,
} from "../src/index.ts";
import { DEFAULT_ZIP_LIMITS, LimitedEntryStream } from "../src/zip/limits.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "formats-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Item = { name: string; data?: Buffer | (() => Readable); dir?: boolean; compress?: boolean };

async function writeZip(file: string, items: Item[]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const it of items) {
    if (it.dir) zip.addEmptyDirectory(it.name);
    else if (typeof it.data === "function")
      zip.addReadStream(it.data(), it.name, { compress: it.compress ?? true });
    else zip.addBuffer(it.data ?? Buffer.alloc(0), it.name, { compress: it.compress ?? true });
  }
  zip.end();
  const out = path.join(dir, file);
  await pipeline(zip.outputStream as unknown as Readable, createWriteStream(out));
  return out;
}

/** yazl refuses unsafe names, so write same-length placeholders and swap the bytes (the CRC does not cover names). */
async function patchNames(file: string, swaps: [string, string][]): Promise<void> {
  let buf = await readFile(file);
  for (const [from, to] of swaps) {
    expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
    const a = Buffer.from(from);
    let hits = 0;
    for (let i = buf.indexOf(a); i >= 0; i = buf.indexOf(a, i + 1)) {
      Buffer.from(to).copy(buf, i);
      hits++;
    }
    expect(hits).toBe(2); // local header + central directory
  }
  buf = Buffer.from(buf);
  await writeFile(file, buf);
}

async function collect(zipPath: string, limits = {}): Promise<{ entries: ZipEntry[]; skipped: string[] }> {
  const reader = openZip(zipPath, limits);
  const entries: ZipEntry[] = [];
  for await (const e of reader) entries.push(e);
  return { entries, skipped: reader.skipped };
}

const zeros = (total: number) => () =>
  Readable.from(
    (function* () {
      const chunk = Buffer.alloc(1 << 20);
      for (let left = total; left > 0; left -= chunk.length)
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })(),
  );

describe("normal archives", () => {
  it("iterates nested folders, skips junk and directories, extracts byte-identically", async () => {
    const wav1 = randomBytes(300_000);
    const wav2 = randomBytes(50_000);
    const csv = Buffer.from("onset,offset\n0.1,0.2\n");
    const zipPath = await writeZip("normal.zip", [
      { name: "season/", dir: true },
      { name: "season/site A/", dir: true },
      { name: "season/site A/bat1.WAV", data: wav1 },
      { name: "season/site A/bat1.WAV.csv", data: csv },
      { name: "season/site A/._bat1.WAV", data: Buffer.from("appledouble") },
      { name: "__MACOSX/season/site A/._bat1.WAV", data: Buffer.from("junk") },
      { name: "season/.DS_Store", data: Buffer.from("junk") },
      { name: "root.wav", data: wav2, compress: false },
      { name: "empty.txt", data: Buffer.alloc(0) },
    ]);
    const { entries, skipped } = await collect(zipPath);
    expect(entries.map((e) => e.ok && e.name)).toEqual([
      "season/site A/bat1.WAV",
      "season/site A/bat1.WAV.csv",
      "root.wav",
      "empty.txt",
    ]);
    expect(skipped).toEqual([
      "season/",
      "season/site A/",
      "season/site A/._bat1.WAV",
      "__MACOSX/season/site A/._bat1.WAV",
      "season/.DS_Store",
    ]);

    const out = path.join(dir, "out-normal");
    const reader = openZip(zipPath);
    const expected: Record<string, Buffer> = {
      "bat1.WAV": wav1,
      "bat1.WAV.csv": csv,
      "root.wav": wav2,
      "empty.txt": Buffer.alloc(0),
    };
    for await (const e of reader) {
      if (!e.ok) throw e.error;
      expect(e.baseName).toBe(path.posix.basename(e.name));
      expect(e.uncompressedSize).toBe(expected[e.baseName]?.length);
      const dest = path.join(out, e.name);
      const { bytes } = await e.extractTo(dest);
      expect(bytes).toBe(e.uncompressedSize);
      expect((await readFile(dest)).equals(expected[e.baseName] as Buffer)).toBe(true);
    }
    // no temp files left beside the results
    expect((await readdir(path.join(out, "season/site A"))).sort()).toEqual(["bat1.WAV", "bat1.WAV.csv"]);
  });

  it("streams an entry through openReadStream", async () => {
    const data = randomBytes(70_000);
    const zipPath = await writeZip("stream.zip", [{ name: "a/b/c.wav", data }]);
    for await (const e of openZip(zipPath)) {
      if (!e.ok) throw e.error;
      expect(e.dirName).toBe("a/b");
      const chunks: Buffer[] = [];
      for await (const c of await e.openReadStream()) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    }
  });

  it("refuses a file that is not a ZIP", async () => {
    const p = path.join(dir, "not.zip");
    await writeFile(p, "RIFF....WAVEfmt ");
    await expect(collect(p)).rejects.toThrow(ZipFormatError);
  });
});

describe("zip slip", () => {
  it("rejects each unsafe name on its own and keeps going", async () => {
    const good = Buffer.from("good");
    const zipPath = await writeZip("slip.zip", [
      { name: "first.wav", data: good },
      { name: "Q1/evil.wav", data: good },
      { name: "Qabs.wav", data: good },
      { name: "Q2Xevil.wav", data: good },
      { name: "subQ..Q..Qevil2.wav", data: good },
      { name: "winQsub.wav", data: good },
      { name: "first.wav", data: good },
      { name: "last.wav", data: good },
    ]);
    await patchNames(zipPath, [
      ["Q1/evil.wav", "../evil.wav"],
      ["Qabs.wav", "/abs.wav"],
      ["Q2Xevil.wav", "C:\\evil.wav"],
      ["subQ..Q..Qevil2.wav", "sub\\..\\..\\evil2.wav"],
      ["winQsub.wav", "win\\sub.wav"],
    ]);
    const { entries } = await collect(zipPath);
    const summary = entries.map((e) => (e.ok ? `ok ${e.name}` : `${e.error.name} ${e.error.message}`));
    expect(summary).toEqual([
      "ok first.wav",
      `ZipEntryNameError "../evil.wav": '..' in the path would write outside the target folder (zip slip)`,
      `ZipEntryNameError "/abs.wav": absolute path (zip slip)`,
      `ZipEntryNameError "C:/evil.wav": absolute path with a drive letter (zip slip)`,
      `ZipEntryNameError "sub/../../evil2.wav": '..' in the path would write outside the target folder (zip slip)`,
      "ok win/sub.wav",
      `ZipEntryNameError "first.wav": a second entry named first.wav`,
      "ok last.wav",
    ]);
    for (const e of entries) if (!e.ok) expect(e.error).toBeInstanceOf(ZipEntryNameError);
  });

  it("rejects symlink entries", async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from("/etc/passwd"), "link.wav", { mode: 0o120777 });
    zip.addBuffer(Buffer.from("x"), "ok.wav");
    zip.end();
    const p = path.join(dir, "symlink.zip");
    await pipeline(zip.outputStream as unknown as Readable, createWriteStream(p));
    const { entries } = await collect(p);
    expect(entries[0]?.ok).toBe(false);
    expect(!entries[0]?.ok && entries[0]?.error).toBeInstanceOf(ZipUnsupportedEntryError);
    expect(entries[1]?.ok).toBe(true);
  });
});

describe("limits", () => {
  let bombPath: string;
  beforeAll(async () => {
    // 200 MB of zeros deflates to ~200 KB
    bombPath = await writeZip("bomb.zip", [
      { name: "ok.wav", data: randomBytes(1000) },
      { name: "bomb.wav", data: zeros(200 * 1024 * 1024) },
      { name: "after.wav", data: randomBytes(1000) },
    ]);
  }, 60_000);

  it("rejects an honest-header bomb up front, without inflating it, and carries on", async () => {
    const { entries } = await collect(bombPath);
    expect(entries.map((e) => e.ok)).toEqual([true, false, true]);
    const bomb = entries[1];
    if (!bomb || bomb.ok) throw new Error("expected a rejection");
    expect(bomb.error).toBeInstanceOf(ZipLimitError);
    expect((bomb.error as ZipLimitError).limit).toBe("compressionRatio");
    expect(bomb.error.message).toMatch(
      /^bomb\.wav: declares a compression ratio of \d+:1; the limit is 100:1$/,
    );
  });

  it("stops a bomb whose headers lie, early and with flat memory, counting real inflated bytes", async () => {
    const buf = await readFile(bombPath);
    // rewrite bomb.wav's central-directory uncompressed size (offset 24) to 300 000 bytes
    const name = Buffer.from("bomb.wav");
    let patched = 0;
    for (
      let i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      i >= 0;
      i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)
    ) {
      const nameLen = buf.readUInt16LE(i + 28);
      if (buf.subarray(i + 46, i + 46 + nameLen).equals(name)) {
        buf.writeUInt32LE(300_000, i + 24);
        patched++;
      }
    }
    expect(patched).toBe(1);
    const liar = path.join(dir, "liar.zip");
    await writeFile(liar, buf);

    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    let caught: unknown;
    for await (const e of openZip(liar)) {
      if (!e.ok || e.name !== "bomb.wav") continue;
      try {
        await e.extractTo(path.join(dir, "liar-out", "bomb.wav"));
      } catch (err) {
        caught = err;
      }
    }
    expect(caught).toBeInstanceOf(ZipLimitError);
    const err = caught as ZipLimitError;
    expect(err.limit).toBe("declaredSize");
    expect(err.entryName).toBe("bomb.wav");
    expect(err.actual).toBeGreaterThan(300_000);
    expect(err.actual).toBeLessThan(1024 * 1024); // stopped within a chunk or two, not after 200 MB
    expect(Date.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    // nothing, not even a temp file, was left behind
    expect(await readdir(path.join(dir, "liar-out"))).toEqual([]);
  });

  it("refuses an archive with too many entries before yielding any", async () => {
    const many = await writeZip(
      "many.zip",
      Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.wav`, data: Buffer.from([i]) })),
    );
    const reader = openZip(many, { maxEntries: 20 });
    const seen: ZipEntry[] = [];
    const run = async () => {
      for await (const e of reader) seen.push(e);
    };
    await expect(run()).rejects.toMatchObject({
      name: "ZipLimitError",
      limit: "entryCount",
      max: 20,
      actual: 30,
    });
    expect(seen).toEqual([]);
  });

  it("enforces the per-entry and declared total limits", async () => {
    const p = await writeZip("sizes.zip", [
      { name: "a.wav", data: randomBytes(5000) },
      { name: "big.wav", data: randomBytes(20_000) },
      { name: "b.wav", data: randomBytes(5000) },
    ]);
    const { entries } = await collect(p, { maxEntryUncompressedBytes: 10_000 });
    expect(entries.map((e) => (e.ok ? "ok" : (e.error as ZipLimitError).limit))).toEqual([
      "ok",
      "entryUncompressedBytes",
      "ok",
    ]);
    await expect(collect(p, { maxTotalUncompressedBytes: 26_000 })).rejects.toMatchObject({
      limit: "totalUncompressedBytes",
    });
  });

  it("counts real bytes for ratio, entry and total limits while streaming", async () => {
    const run = async (
      sizes: { compressedSize: number; uncompressedSize: number },
      limits: Partial<typeof DEFAULT_ZIP_LIMITS>,
      total = 0,
    ) => {
      const budget = { limits: { ...DEFAULT_ZIP_LIMITS, ...limits }, inflatedTotal: total, failure: null };
      const s = new LimitedEntryStream({ name: "x.wav", ...sizes }, budget);
      const src = Readable.from(
        (function* () {
          for (let i = 0; i < 100; i++) yield Buffer.alloc(64 * 1024);
        })(),
      );
      let err: unknown;
      try {
        await pipeline(src, s, new Writable({ write: (_chunk, _enc, done) => done() }));
      } catch (e) {
        err = e;
      }
      return { err: err as ZipLimitError | undefined, budget };
    };
    const big = { compressedSize: 10_000, uncompressedSize: 100 * 64 * 1024 };
    const ratio = await run(big, { maxCompressionRatio: 100, ratioGraceBytes: 0 });
    expect(ratio.err?.limit).toBe("compressionRatio");
    expect(ratio.err?.actual).toBeLessThanOrEqual((1_000_000 + 65_536) / 10_000);
    const entry = await run(
      { compressedSize: 6_553_600, uncompressedSize: 6_553_600 },
      { maxEntryUncompressedBytes: 200_000 },
    );
    expect(entry.err?.limit).toBe("entryUncompressedBytes");
    expect(entry.err?.actual).toBe(4 * 65536);
    const total = await run(
      { compressedSize: 6_553_600, uncompressedSize: 6_553_600 },
      { maxTotalUncompressedBytes: 1_000_000 },
      900_000,
    );
    expect(total.err?.limit).toBe("totalUncompressedBytes");
    expect(total.budget.failure).toBe(total.err);
    const ok = await run({ compressedSize: 6_553_600, uncompressedSize: 6_553_600 }, {});
    expect(ok.err).toBeUndefined();
    const short = await run({ compressedSize: 6_553_600, uncompressedSize: 7_000_000 }, {});
    expect(short.err).toBeInstanceOf(ZipFormatError);
  });
});
