// A time-expanded file (GUANO TE) is read in real time: its rate, durations and everything measured on it are those
// of the bat, not of the slowed-down file, and files derived from it stay real-time.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchSegments, segment } from "../src/segmentation/index.ts";
import {
  copyWavRange,
  decodeWav,
  encodeFrames,
  encodeWav,
  formatOf,
  parseWavHeader,
  readWavInfo,
  writeTimeExpansion,
} from "../src/wav/index.ts";
import { ascii, cat, fmtBody, rawChunk, riff } from "./fixtures/riff.ts";
import { callTrain, synthRecording } from "./fixtures/synth.ts";

const REAL_RATE = 384_000;
const TE = 10;
// FM calls of 5 ms every 80 ms, 60-30 kHz in real time: at the header's 38.4 kHz they would be 6-3 kHz, 50 ms long.
const scene = synthRecording({
  sampleRate: REAL_RATE,
  duration: 1,
  calls: callTrain(10, 0.05, 0.09, { duration: 0.005, f0: 60_000, f1: 30_000, amplitude: 0.5 }),
  snrDb: 30,
  seed: 5,
});

/** The scene as a ×TE detector writes it: the header's rate divided by TE, GUANO (and/or wamd) after the samples. */
function expandedFile(guanoLines: string | null, wamd?: Uint8Array): Uint8Array {
  const fmt = rawChunk({ id: "fmt ", body: fmtBody({ channels: 1, sampleRate: REAL_RATE / TE, bits: 16 }) });
  const data = rawChunk({
    id: "data",
    body: encodeFrames([scene.samples], { bitsPerSample: 16, format: "pcm" }),
  });
  const meta: Uint8Array[] = [];
  if (guanoLines !== null)
    meta.push(rawChunk({ id: "guan", body: ascii(`GUANO|Version: 1.0\n${guanoLines}`) }));
  if (wamd) meta.push(rawChunk({ id: "wamd", body: wamd }));
  return riff([fmt, data, ...meta]);
}

/** A wamd body (wa_meta.h): u16 id, u32 length, value; the version subchunk first. */
function wamdBody(version: number, subchunks: [number, Uint8Array][]): Uint8Array {
  const sub = (id: number, value: Uint8Array) => {
    const head = new Uint8Array(6);
    new DataView(head.buffer).setUint16(0, id, true);
    new DataView(head.buffer).setUint32(2, value.length, true);
    return cat(head, value);
  };
  const u16 = (v: number) => new Uint8Array([v & 0xff, v >> 8]);
  return cat(sub(0, u16(version)), ...subchunks.map(([id, v]) => sub(id, id === 0x0f ? u16(v[0]!) : v)));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bc-te-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("time-expanded WAV files", () => {
  it("reads a GUANO TE file at the real rate and duration", () => {
    const info = parseWavHeader(expandedFile("TE: 10\nMake: Pettersson\n"));
    expect(info.sampleRate).toBe(REAL_RATE);
    expect(info.timeExpansion).toBe(TE);
    expect(info.frames).toBe(scene.samples.length);
    expect(info.duration).toBeCloseTo(1, 9);
    expect(info.warnings).toEqual([]);
  });

  it("reads Wildlife Acoustics' wamd time expansion, GUANO TE first", () => {
    const wamd = wamdBody(1, [
      [0x01, ascii("EM3")],
      [0x0f, new Uint8Array([TE])],
    ]);
    const info = parseWavHeader(expandedFile(null, wamd));
    expect([info.sampleRate, info.timeExpansion]).toEqual([REAL_RATE, TE]);
    expect(info.metadata.wamd).toEqual({ fields: { model: "EM3" }, timeExpansion: TE });
    expect(parseWavHeader(expandedFile("TE: 1\n", wamd)).sampleRate).toBe(REAL_RATE / TE);
    // Another version of the format is not read (its own rule).
    const v2 = parseWavHeader(expandedFile(null, wamdBody(2, [[0x0f, new Uint8Array([TE])]])));
    expect([v2.sampleRate, v2.metadata.wamd]).toEqual([REAL_RATE / TE, undefined]);
  });

  it("ignores a TE that is no factor, and a Samplerate without TE", () => {
    // A recorder that stores a decimated file may give the converter's rate: that is not an expansion.
    expect(parseWavHeader(expandedFile(`Samplerate: ${REAL_RATE}\n`)).sampleRate).toBe(REAL_RATE / TE);
    const one = parseWavHeader(expandedFile("TE: 1\n"));
    expect([one.sampleRate, one.timeExpansion]).toEqual([REAL_RATE / TE, undefined]);
    const odd = parseWavHeader(expandedFile("TE: 2.5\n"));
    expect(odd.sampleRate).toBe(REAL_RATE / TE);
    expect(odd.warnings.join()).toMatch(/GUANO TE "2.5" is not a time-expansion factor/);
    expect(parseWavHeader(expandedFile("TE: 1000\n")).warnings.join()).toMatch(
      /is not a time-expansion factor/,
    );
  });

  it("finds the calls where the bat made them, as in the real-time file", async () => {
    const path = join(dir, "te.wav");
    await writeFile(path, expandedFile("TE: 10\n"));
    const info = await readWavInfo(path);
    expect(info.sampleRate).toBe(REAL_RATE);
    const { channels } = decodeWav(expandedFile("TE: 10\n"));
    const found = segment(channels[0]!, info.sampleRate);
    const truth = scene.calls.map((c) => ({ onset: c.onset, offset: c.offset }));
    const m = matchSegments(truth, found);
    expect(m.truePositives).toBe(truth.length);
    expect(m.precision).toBe(1);
    for (const s of found) expect(s.offset - s.onset).toBeLessThan(0.008);
  });

  it("writes derived files (clips, parts) real-time, so they are not expanded twice", async () => {
    const src = join(dir, "te-src.wav");
    await writeFile(src, expandedFile("TE: 10\nMake: Pettersson\n"));
    const dst = join(dir, "te-part.wav");
    await copyWavRange(src, dst, { start: 0.1, end: 0.3 });
    const part = await readWavInfo(dst);
    expect(part.sampleRate).toBe(REAL_RATE);
    expect(part.timeExpansion).toBeUndefined();
    expect(part.duration).toBeCloseTo(0.2, 9);
    expect(part.metadata.guano?.fields).toMatchObject({
      TE: "1",
      Samplerate: String(REAL_RATE),
      Make: "Pettersson",
    });
    const clip = decodeWav(encodeWav([new Float32Array(10)], formatOf(part)));
    expect(clip.info.sampleRate).toBe(REAL_RATE);
  });

  describe("writeTimeExpansion: a factor the file does not state", () => {
    const plain = () => expandedFile(null);
    const write = async (name: string, bytes: Uint8Array) => {
      const path = join(dir, name);
      await writeFile(path, bytes);
      return path;
    };

    it("is written into the file as GUANO TE: read in real time, samples untouched, the file's own GUANO kept", async () => {
      const path = await write("plain.wav", plain());
      const before = decodeWav(plain());
      expect(before.info.sampleRate).toBe(REAL_RATE / TE);
      const info = await writeTimeExpansion(path, TE);
      expect(info).toMatchObject({ sampleRate: REAL_RATE, timeExpansion: TE, frames: before.info.frames });
      const after = decodeWav(new Uint8Array(await readFile(path)));
      expect(after.info.warnings).toEqual([]);
      expect(after.channels[0]).toEqual(before.channels[0]);
      expect(after.info.metadata.guano?.fields.TE).toBe("10");
      // Calls found where the bat made them (60-30 kHz, 5 ms), not where the slowed file has them.
      const found = segment(after.channels[0]!, after.info.sampleRate);
      expect(matchSegments(scene.calls, found).recall).toBe(1);

      // With GUANO already there (no TE): its fields are kept, one guan chunk is left (the old one is padding).
      const tagged = await write("tagged.wav", expandedFile("Make: Pettersson\nModel: D240X"));
      await writeTimeExpansion(tagged, TE);
      const t = await readWavInfo(tagged);
      expect(t.metadata.guano?.fields).toMatchObject({ Make: "Pettersson", Model: "D240X", TE: "10" });
      expect(t.metadata.chunks.filter((c) => c.id === "guan")).toHaveLength(1);
      expect(t.metadata.chunks.map((c) => c.id)).toContain("JUNK");
      expect(t.sampleRate).toBe(REAL_RATE);
    });

    it("keeps a factor the file states, refuses another, and refuses files it cannot extend safely", async () => {
      const stated = await write("stated.wav", expandedFile("TE: 10"));
      expect((await writeTimeExpansion(stated, 10)).sampleRate).toBe(REAL_RATE);
      await expect(writeTimeExpansion(stated, 20)).rejects.toThrow(
        /own metadata says it is time-expanded x10, not x20/,
      );
      await expect(writeTimeExpansion(stated, 1.5)).rejects.toThrow(/whole number 1-100/);
      // Cut short: the data chunk claims more than the file holds.
      const full = plain();
      const cut = await write("cut.wav", full.subarray(0, full.length - 1000));
      await expect(writeTimeExpansion(cut, TE)).rejects.toThrow(/truncated or unfinished/);
      // The file is unchanged by a refusal.
      expect(new Uint8Array(await readFile(cut))).toEqual(full.subarray(0, full.length - 1000));
      // An odd number of 8-bit samples (a pad byte after the data), with a LIST chunk after it.
      const fmt = rawChunk({ id: "fmt ", body: fmtBody({ channels: 1, sampleRate: 44_100, bits: 8 }) });
      const odd = await write(
        "odd.wav",
        riff([
          fmt,
          rawChunk({ id: "data", body: new Uint8Array(4411).fill(128) }),
          rawChunk({ id: "LIST", body: ascii("INFOINAM\u0006\u0000\u0000\u0000batty\u0000") }),
        ]),
      );
      const oddInfo = await writeTimeExpansion(odd, 10);
      expect(oddInfo).toMatchObject({ sampleRate: 441_000, frames: 4411, warnings: [] });
      expect(oddInfo.metadata.info?.INAM).toBe("batty");
    });
  });
});
