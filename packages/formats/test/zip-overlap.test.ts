import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectZip, openZip, ZipFormatError, ZipLimitError } from "../src/index.ts";
import { ZipOverlapError } from "../src/zip/errors.ts";
import { overlappingZip } from "./fixtures/overlap-zip.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "formats-zip-overlap-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// compressible but not trivially so: a WAV-like mix of a repeated pattern and noise
const content = Buffer.concat(
  Array.from({ length: 64 }, () => Buffer.concat([randomBytes(2048), Buffer.alloc(6144)])),
);

describe("overlapping entries", () => {
  it("refuses 8 records sharing one local entry before extracting anything", async () => {
    const file = path.join(dir, "amplify.zip");
    await writeFile(file, overlappingZip(content, { copies: 8 }));
    const out = path.join(dir, "out");
    const run = async () => {
      for await (const e of openZip(file)) if (e.ok) await e.extractTo(path.join(out, e.name));
    };
    const err = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZipOverlapError);
    expect(err).toBeInstanceOf(ZipFormatError);
    expect((err as Error).message).toMatch(/copy\d\.wav.*copy\d\.wav.*overlapping entries/);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    await expect(inspectZip(file)).rejects.toBeInstanceOf(ZipOverlapError);
  });

  it("a single record of the same bytes is a normal archive", async () => {
    const file = path.join(dir, "one.zip");
    await writeFile(file, overlappingZip(content, { copies: 1 }));
    expect(await inspectZip(file)).toEqual({ entryCount: 1, declaredUncompressedBytes: content.length });
    const names: string[] = [];
    for await (const e of openZip(file)) {
      if (!e.ok) throw e.error;
      const { bytes } = await e.extractTo(path.join(dir, "one", e.name));
      expect(bytes).toBe(content.length);
      names.push(e.name);
    }
    expect(names).toEqual(["copy0.wav"]);
  });

  it("inspectZip reports the declared total and refuses one over the limit without inflating", async () => {
    const file = path.join(dir, "two.zip");
    await writeFile(file, overlappingZip(content, { copies: 1 }));
    await expect(inspectZip(file, { maxTotalUncompressedBytes: content.length - 1 })).rejects.toBeInstanceOf(
      ZipLimitError,
    );
  });
});
