// migrate-media's domain function against a real local folder and s3rver: local → S3 with an
// interruption and a resume, S3 → local, damaged copies found by checksum, the source untouched.
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startLocalS3 } from "../maintenance/testing.ts";
import { LocalMediaStore } from "./local-store.ts";
import { type MigrationProgress, migrateMedia, migrationJournalPath } from "./migrate.ts";
import { S3MediaStore } from "./s3-store.ts";
import type { MediaStore } from "./store.ts";

let s3: LocalS3;
const dirs: string[] = [];
const tmpDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "battycoda-migrate-"));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  s3 = await startLocalS3("media-migrate", "m/");
});
afterAll(async () => {
  await s3?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const s3Store = (prefix = `m/${randomUUID()}/`) =>
  new S3MediaStore({ s3: { ...s3.backup, prefix }, cacheDir: tmpDir(), cacheMaxBytes: 32 * 1024 * 1024 });

/** A small installation: recordings (one past the 8 MiB multipart threshold), spectrograms, images. */
async function seed(store: MediaStore): Promise<Map<string, string>> {
  const objects: [string, Buffer][] = [
    ["g1/recordings/r1/audio.wav", Buffer.alloc(9 * 1024 * 1024 + 17, 1)],
    ["g1/recordings/r1/spectrogram.h5", Buffer.alloc(300_000, 2)],
    ["g1/recordings/r2/audio.wav", Buffer.alloc(200_000, 3)],
    ["g1/species/s1/card.png", Buffer.from("png")],
    ["g2/recordings/r3/audio.wav", Buffer.alloc(123_457, 4)],
    ["g2/models/m1/model.rds", Buffer.from("model")],
    ["g2/exports/e1.csv", Buffer.from("a,b\n1,2\n")],
    ["g2/recordings/r3/part-1.wav", Buffer.alloc(1, 5)],
  ];
  for (const [k, b] of objects) await store.write(k, b);
  return snapshot(store);
}

async function snapshot(store: MediaStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const o of store.list(""))
    out.set(
      o.key,
      createHash("sha256")
        .update(await store.read(o.key))
        .digest("hex"),
    );
  return new Map([...out].sort());
}

describe("migrateMedia", () => {
  it("copies local → S3, stops when interrupted, resumes without reading the done part again", async () => {
    const local = new LocalMediaStore(tmpDir());
    const before = await seed(local);
    const target = s3Store();
    const journalPath = migrationJournalPath(tmpDir(), local, target);

    const dry = await migrateMedia({ media: local }, target, { dryRun: true, journalPath });
    expect(dry.plan).toEqual({ copy: 8, copyBytes: dry.bytes.total, check: 0, checkBytes: 0, journaled: 0 });
    expect(await snapshot(target)).toEqual(new Map());

    // Ctrl-C after three objects: the copies done stay done, nothing half-written appears.
    const stop = new AbortController();
    const seen: MigrationProgress[] = [];
    const first = await migrateMedia({ media: local }, target, {
      journalPath,
      concurrency: 1,
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.objects.done === 3) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.objects).toMatchObject({ total: 8, done: 3, copied: 3, failed: 0 });
    const partial = await snapshot(target);
    expect(partial.size).toBe(3);
    for (const [k, h] of partial) expect(before.get(k)).toBe(h);
    // Progress carried sizes and an ETA once bytes had moved.
    expect(seen.at(-1)?.bytes.done).toBeGreaterThan(0);
    expect(seen.some((p) => p.etaSeconds !== null)).toBe(true);

    // A run killed mid-line leaves a broken journal line: it is ignored, not fatal.
    await appendFile(journalPath, '{"k":"g2/broken');

    const dry2 = await migrateMedia({ media: local }, target, { dryRun: true, journalPath });
    expect(dry2.plan).toMatchObject({ copy: 5, journaled: 3 });

    const second = await migrateMedia({ media: local }, target, { journalPath });
    expect(second.objects).toMatchObject({ total: 8, done: 8, copied: 5, skipped: 3, failed: 0 });
    expect(second.failures).toEqual([]);
    // The three journaled objects were neither copied nor hashed: only the five new ones moved.
    const newBytes = [...before.keys()].filter((k) => !partial.has(k));
    const sizes = new Map<string, number>();
    for await (const o of local.list("")) sizes.set(o.key, o.size);
    expect(second.bytes.moved).toBe(newBytes.reduce((n, k) => n + (sizes.get(k) ?? 0), 0));

    expect(await snapshot(target)).toEqual(before);
    expect(await snapshot(local)).toEqual(before); // the source is never changed

    const third = await migrateMedia({ media: local }, target, { journalPath });
    expect(third.objects).toMatchObject({ copied: 0, skipped: 8 });
    expect(third.bytes.moved).toBe(0);
  });

  it("compares by SHA-256 what it finds without a journal, and copies again what differs", async () => {
    const local = new LocalMediaStore(tmpDir());
    const before = await seed(local);
    const target = s3Store();
    await migrateMedia({ media: local }, target);
    // Damage one copy, same size, different bytes (another host, a bad earlier tool…).
    await target.write("g2/models/m1/model.rds", "MODEL");
    const again = await migrateMedia({ media: local }, target);
    expect(again.objects).toMatchObject({ copied: 1, skipped: 7, failed: 0 });
    expect(await snapshot(target)).toEqual(before);
  });

  it("copies S3 → local, then back to another S3 prefix, identically", async () => {
    const source = s3Store();
    const before = await seed(source);
    const local = new LocalMediaStore(tmpDir());
    const down = await migrateMedia({ media: source }, local, {
      journalPath: path.join(tmpDir(), "j.jsonl"),
    });
    expect(down.objects).toMatchObject({ copied: 8, failed: 0 });
    expect(await snapshot(local)).toEqual(before);
    const up = s3Store();
    await migrateMedia({ media: local }, up, { concurrency: 3 });
    expect(await snapshot(up)).toEqual(before);
    expect(await snapshot(source)).toEqual(before);
  });

  it("reports a copy that does not read back the same, and goes on with the rest", async () => {
    const local = new LocalMediaStore(tmpDir());
    const before = await seed(local);
    const real = s3Store();
    // A target whose reads come back with a flipped byte for one key: a corrupting proxy.
    const flaky: MediaStore = Object.assign(Object.create(real) as MediaStore, {
      createReadStream: async (key: string, range?: { start: number; end: number }) => {
        const stream = await real.createReadStream(key, range);
        if (key !== "g1/recordings/r2/audio.wav") return stream;
        let first = true;
        return stream.pipe(
          new Transform({
            transform(chunk: Buffer, _e, done) {
              const c = Buffer.from(chunk);
              if (first && c.length > 0) c[0] = (c[0] as number) ^ 0xff;
              first = false;
              done(null, c);
            },
          }),
        );
      },
    });
    const result = await migrateMedia({ media: local }, flaky);
    expect(result.failures).toEqual([
      { key: "g1/recordings/r2/audio.wav", error: expect.stringContaining("checksum mismatch") },
    ]);
    expect(result.objects).toMatchObject({ copied: 7, failed: 1 });
    expect(await snapshot(local)).toEqual(before);
  });

  it("refuses to copy a store onto itself", async () => {
    const local = new LocalMediaStore(tmpDir());
    await expect(migrateMedia({ media: local }, new LocalMediaStore(local.location))).rejects.toThrow(
      /same store/,
    );
  });
});
