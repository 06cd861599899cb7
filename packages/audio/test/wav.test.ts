import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyWavRange,
  decodeWav,
  encodeWav,
  formatOf,
  parseWavHeader,
  readWavBlocks,
  readWavFile,
  readWavInfo,
  WavError,
  writeWavFile,
} from "../src/wav/index.ts";
import {
  exactSamples,
  generateAll,
  makeTempDir,
  malformedVariants,
  removeTempDir,
  validVariants,
} from "./fixtures/generate.ts";

let dir: string;
let files: Awaited<ReturnType<typeof generateAll>>;

beforeAll(async () => {
  dir = await makeTempDir();
  files = await generateAll(dir);
});
afterAll(async () => {
  await removeTempDir(dir);
});

function expectSamples(actual: Float32Array[], expected: Float32Array[]) {
  expect(actual.length).toBe(expected.length);
  for (let c = 0; c < expected.length; c++) {
    expect(actual[c]!.length).toBe(expected[c]!.length);
    expect(Array.from(actual[c]!)).toEqual(Array.from(expected[c]!));
  }
}

describe("valid WAV variants", () => {
  for (const v of validVariants()) {
    it(`reads ${v.name} from memory and from disk`, async () => {
      const path = files.valid.get(v.name)!;
      for (const { info, channels } of [decodeWav(v.bytes), await readWavFile(path)]) {
        expect(info.sampleRate).toBe(v.expect.sampleRate);
        expect(info.channels).toBe(v.expect.channels);
        expect(info.bitsPerSample).toBe(v.expect.bitsPerSample);
        expect(info.format).toBe(v.expect.format);
        expect(info.frames).toBe(v.expect.samples[0]!.length);
        expect(info.duration).toBeCloseTo(info.frames / info.sampleRate, 12);
        expectSamples(channels, v.expect.samples);
        if (v.expect.warning) expect(info.warnings.join("\n")).toContain(v.expect.warning);
        if (v.expect.extensible !== undefined) expect(info.extensible).toBe(v.expect.extensible);
        if (v.expect.chunkIds) expect(info.metadata.chunks.map((c) => c.id)).toEqual(v.expect.chunkIds);
        if (v.expect.guano) expect(info.metadata.guano?.fields).toEqual(v.expect.guano);
        if (v.expect.info) expect(info.metadata.info).toEqual(v.expect.info);
        if (v.expect.bextDescription) expect(info.metadata.bext?.description).toBe(v.expect.bextDescription);
      }
    });
  }

  it("well-formed files produce no warnings", () => {
    for (const name of [
      "pcm16-mono-384k",
      "ext-float32-6ch",
      "guano-list-bext-before-data",
      "odd-last-chunk-no-pad",
    ]) {
      const v = validVariants().find((x) => x.name === name)!;
      expect(parseWavHeader(v.bytes).warnings, name).toEqual([]);
    }
  });

  it("parses the header from only the first bytes when given the file size", () => {
    const v = validVariants().find((x) => x.name === "guano-list-bext-before-data")!;
    const info = parseWavHeader(v.bytes.subarray(0, 2048), { fileSize: v.bytes.length });
    expect(info.frames).toBe(777);
    expect(info.metadata.guano?.fields.Make).toBe("Titley Scientific");
    expect(info.warnings).toEqual([]);
  });

  it("keeps 12 valid bits out of a 16-bit container", () => {
    const v = validVariants().find((x) => x.name === "ext-pcm-12-valid-bits")!;
    const info = parseWavHeader(v.bytes);
    expect(info.validBitsPerSample).toBe(12);
  });

  it("reads the bext chunk fields", () => {
    const v = validVariants().find((x) => x.name === "guano-list-bext-before-data")!;
    const bext = parseWavHeader(v.bytes).metadata.bext!;
    expect(bext).toMatchObject({
      description: "Myotis at dusk",
      originator: "BattyCoda test",
      originationDate: "2024-06-01",
      originationTime: "21:34:05",
      timeReference: 123456789,
      codingHistory: "A=PCM,F=384000",
    });
  });
});

describe("malformed WAV files", () => {
  for (const m of malformedVariants()) {
    it(`rejects ${m.name} with ${m.code}`, async () => {
      let caught: unknown;
      try {
        decodeWav(m.bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(WavError);
      expect((caught as WavError).code).toBe(m.code);
      expect((caught as WavError).message.length).toBeGreaterThan(10);
      await expect(readWavInfo(files.malformed.get(m.name)!)).rejects.toMatchObject({ code: m.code });
    });
  }
});

describe("time ranges and streaming", () => {
  it("range reads equal the slice of a full read", async () => {
    const samples = exactSamples(48000, 2, 5);
    const path = join(dir, "range.wav");
    await writeWavFile(path, samples, { sampleRate: 96000, bitsPerSample: 24, format: "pcm" });
    const full = await readWavFile(path);
    const part = await readWavFile(path, { start: 0.1, end: 0.25 });
    expect(part.channels[0]!.length).toBe(0.15 * 96000);
    for (let c = 0; c < 2; c++) {
      expect(Array.from(part.channels[c]!)).toEqual(Array.from(full.channels[c]!.subarray(9600, 24000)));
    }
    const tail = await readWavFile(path, { start: 0.4 });
    expect(tail.channels[1]!.length).toBe(48000 - 38400);
    const beyond = await readWavFile(path, { start: 10, end: 20 });
    expect(beyond.channels[0]!.length).toBe(0);
    await expect(readWavFile(path, { start: 0.3, end: 0.1 })).rejects.toMatchObject({ code: "BAD_RANGE" });
    // In-memory decode agrees with file reads.
    const mem = decodeWav(new Uint8Array(await readFile(path)), { start: 0.1, end: 0.25 });
    expect(Array.from(mem.channels[1]!)).toEqual(Array.from(part.channels[1]!));
  });

  it("block reader yields fixed-size blocks that concatenate to the full signal", async () => {
    const samples = exactSamples(10_000, 1, 6);
    const path = join(dir, "blocks.wav");
    await writeWavFile(path, samples, { sampleRate: 384000, bitsPerSample: 16, format: "pcm" });
    const sizes: number[] = [];
    const joined = new Float32Array(10_000);
    for await (const block of readWavBlocks(path, { blockFrames: 4096 })) {
      sizes.push(block.channels[0]!.length);
      joined.set(block.channels[0]!, block.frameOffset);
    }
    expect(sizes).toEqual([4096, 4096, 1808]);
    expect(Array.from(joined)).toEqual(Array.from(samples[0]!));

    // Recycled buffers give the same data (consumed before the iterator advances).
    const again = new Float32Array(10_000);
    for await (const block of readWavBlocks(path, { blockFrames: 3000, reuse: true, start: 0 })) {
      again.set(block.channels[0]!, block.frameOffset);
    }
    expect(Array.from(again)).toEqual(Array.from(samples[0]!));
  });
});

describe("writer", () => {
  const formats = [
    { bitsPerSample: 8, format: "pcm" },
    { bitsPerSample: 16, format: "pcm" },
    { bitsPerSample: 24, format: "pcm" },
    { bitsPerSample: 32, format: "pcm" },
    { bitsPerSample: 32, format: "float" },
    { bitsPerSample: 64, format: "float" },
  ] as const;
  for (const f of formats) {
    it(`round-trips ${f.bitsPerSample}-bit ${f.format} keeping format and depth`, () => {
      const samples = exactSamples(333, 3, f.bitsPerSample);
      const bytes = encodeWav(samples, { sampleRate: 250000, ...f });
      const { info, channels } = decodeWav(bytes);
      expect(info).toMatchObject({ sampleRate: 250000, channels: 3, ...f, frames: 333, warnings: [] });
      expectSamples(channels, samples);
    });
  }

  it("quantises to nearest and clips out-of-range values", () => {
    const x = new Float32Array([1.5, -1.5, 0.25 + 1 / 70000, -1]);
    const { channels } = decodeWav(encodeWav([x], { sampleRate: 1000, bitsPerSample: 16, format: "pcm" }));
    expect(Array.from(channels[0]!)).toEqual([32767 / 32768, -1, 0.25, -1]);
  });

  it("round-trips GUANO, LIST/INFO and bext metadata", () => {
    const v = validVariants().find((x) => x.name === "guano-list-bext-before-data")!;
    const src = decodeWav(v.bytes);
    const again = decodeWav(encodeWav(src.channels, formatOf(src.info)));
    expect(again.info.metadata.guano).toEqual(src.info.metadata.guano);
    expect(again.info.metadata.info).toEqual(src.info.metadata.info);
    expect(again.info.metadata.bext).toEqual(src.info.metadata.bext);
    expectSamples(again.channels, src.channels);
  });

  it("writes extensible multichannel files", () => {
    const samples = exactSamples(50, 5, 1);
    const bytes = encodeWav(samples, {
      sampleRate: 192000,
      bitsPerSample: 24,
      format: "pcm",
      extensible: true,
      channelMask: 0,
    });
    const { info, channels } = decodeWav(bytes);
    expect(info.extensible).toBe(true);
    expect(info.channels).toBe(5);
    expectSamples(channels, samples);
  });

  it("copies a time range byte-exactly in the source format, metadata included", async () => {
    const v = validVariants().find((x) => x.name === "ext-pcm32-2ch")!;
    const src = join(dir, "copy-src.wav");
    const withMeta = encodeWav(decodeWav(v.bytes).channels, {
      ...formatOf(decodeWav(v.bytes).info),
      metadata: { guano: { fields: { "GUANO|Version": "1.0", Make: "Test" } } },
    });
    await writeFile(src, withMeta);
    const dst = join(dir, "copy-dst.wav");
    await copyWavRange(src, dst, { start: 100 / 192000, end: 300 / 192000 });
    const info = await readWavInfo(dst);
    expect(info).toMatchObject({
      channels: 2,
      bitsPerSample: 32,
      format: "pcm",
      extensible: true,
      frames: 200,
    });
    expect(info.metadata.guano?.fields.Make).toBe("Test");
    const srcInfo = await readWavInfo(src);
    const srcBytes = withMeta.subarray(srcInfo.dataOffset + 100 * 8, srcInfo.dataOffset + 300 * 8);
    const dstBytes = new Uint8Array(await readFile(dst)).subarray(info.dataOffset);
    expect(Buffer.compare(Buffer.from(srcBytes), Buffer.from(dstBytes))).toBe(0);
    expect((await stat(dst)).size).toBe(info.dataOffset + 1600);
  });

  it("refuses impossible formats", () => {
    const x = [new Float32Array(4)];
    expect(() => encodeWav(x, { sampleRate: 1000, bitsPerSample: 12, format: "pcm" })).toThrow(WavError);
    expect(() => encodeWav(x, { sampleRate: 1000, bitsPerSample: 16, format: "float" })).toThrow(WavError);
    expect(() => encodeWav([], { sampleRate: 1000, bitsPerSample: 16, format: "pcm" })).toThrow(/0 channels/);
  });
});

describe("real recordings from ../shared/data", () => {
  const base = join(import.meta.dirname, "../../../../shared/data/recordings");
  const cases = [
    { file: "bat1_angie_19.wav", sampleRate: 44100, channels: 2, duration: 8.9 },
    { file: "test-audio.wav", sampleRate: 44100, channels: 1, duration: 3.0 },
    {
      file: "batdetect2/20170701_213954-MYOMYS-LR_0_0.5.wav",
      sampleRate: 500000,
      channels: 1,
      duration: 0.5,
    },
    {
      file: "batdetect2/20180530_213516-EPTSER-LR_0_0.5.wav",
      sampleRate: 384000,
      channels: 1,
      duration: 0.5,
    },
    {
      file: "batdetect2/20180627_215323-RHIFER-LR_0_0.5.wav",
      sampleRate: 384000,
      channels: 1,
      duration: 0.5,
    },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, async () => {
      const { info, channels } = await readWavFile(join(base, c.file));
      expect(info).toMatchObject({
        sampleRate: c.sampleRate,
        channels: c.channels,
        bitsPerSample: 16,
        format: "pcm",
      });
      expect(info.duration).toBeCloseTo(c.duration, 1);
      expect(info.warnings).toEqual([]);
      expect(channels).toHaveLength(c.channels);
      expect(channels[0]!.length).toBe(info.frames);
      // Real audio: not silent, within full scale.
      const peak = channels[0]!.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(1);
    });
  }
});
