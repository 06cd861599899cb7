// The chunk compressor: zlib streams mixing stored blocks (noise byte planes) and zlib's Huffman-only blocks must
// inflate (with zlib's Adler-32 check) to the input, for noise, silence, mixed and tiny chunks.
import { join } from "node:path";
import { constants, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { adler32, adler32Combine, sampledEntropy, zlibShuffled } from "../src/hdf5/deflate.ts";
import { loadH5wasm } from "../src/hdf5/h5wasm.ts";
import { Hdf5Writer } from "../src/hdf5/writer.ts";
import { makeTempDir, removeTempDir } from "./fixtures/generate.ts";
import { rng } from "./fixtures/synth.ts";

const concat = (pieces: Uint8Array[]) => Buffer.concat(pieces);
const zlibAdler = (b: Uint8Array) =>
  deflateSync(b, { level: 0 }).readUInt32BE(deflateSync(b, { level: 0 }).length - 4);

/** Shuffled float32 chunk (planes of n bytes, least significant first) of the given values. */
function shuffled(values: Float32Array): Uint8Array {
  const b = new Uint8Array(values.buffer);
  const n = values.length;
  const out = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < 4; j++) out[j * n + i] = b[4 * i + j]!;
  return out;
}

describe("Adler-32", () => {
  it("equals zlib's, for any length, and combines like adler32_combine", () => {
    const r = rng(3);
    for (const len of [0, 1, 7, 8, 3800, 3801, 65536, 200_003]) {
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = len % 2 ? 255 : Math.floor(r() * 256);
      expect(adler32(b), `len ${len}`).toBe(zlibAdler(b));
      const cut = Math.floor(len / 3);
      expect(adler32Combine(adler32(b, 0, cut), adler32(b, cut, len), len - cut)).toBe(zlibAdler(b));
    }
  });

  it("estimates a byte plane's entropy", () => {
    const r = rng(5);
    const noise = Uint8Array.from({ length: 65536 }, () => Math.floor(r() * 256));
    expect(sampledEntropy(noise, 0, noise.length)).toBeGreaterThan(7.9);
    expect(sampledEntropy(new Uint8Array(65536), 0, 65536)).toBe(0);
  });
});

describe("zlibShuffled", () => {
  const r = rng(9);
  const n = 257 * 512;
  // [values, bytes stored uncompressed]
  const cases: Record<string, [Float32Array, number]> = {
    "noise-like dB values (low planes stored)": [
      Float32Array.from({ length: n }, () => -80 + 100 * r()),
      2 * n,
    ],
    "silence at the floor (all planes compressed)": [new Float32Array(n).fill(-80), 0],
    "half silence, half noise": [
      Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? -80 : -80 + 100 * r())),
      0,
    ],
    "random bits (every plane stored)": [
      new Float32Array(Uint32Array.from({ length: n }, () => (r() * 2 ** 32) >>> 0).buffer),
      4 * n,
    ],
    "tiny chunk": [Float32Array.from({ length: 10 }, () => r()), 0],
  };
  for (const [name, [values, storedBytes]] of Object.entries(cases)) {
    it(`inflates back to the input: ${name}`, () => {
      const data = shuffled(values);
      const pieces = zlibShuffled(data, { level: 1, planes: 4 });
      // Stored data are subarrays of the input itself.
      const stored = pieces.filter((p) => p.buffer === data.buffer).reduce((a, p) => a + p.length, 0);
      expect(stored).toBe(storedBytes);
      const z = concat(pieces);
      expect(Buffer.compare(inflateSync(z), Buffer.from(data))).toBe(0);
      // Never meaningfully larger than zlib's own Huffman-only stream of the whole chunk.
      const plain = deflateSync(data, { level: 1, strategy: constants.Z_HUFFMAN_ONLY, memLevel: 9 });
      expect(z.length).toBeLessThanOrEqual(plain.length * 1.01 + 64);
    });
  }
});

describe("zlibShuffled with run-length planes (uint16 dB codes)", () => {
  const r = rng(17);
  const n = 257 * 512;
  /** Shuffled uint16 codes: low bytes, then high bytes. */
  const planes = (codes: Uint16Array) => {
    const out = new Uint8Array(2 * codes.length);
    for (let i = 0; i < codes.length; i++) {
      out[i] = codes[i]! & 0xff;
      out[codes.length + i] = codes[i]! >>> 8;
    }
    return out;
  };
  const cases: Record<string, Uint16Array> = {
    "noise at 1/12 dB (low plane stored)": Uint16Array.from({ length: n }, () => 400 + Math.floor(500 * r())),
    "floor only": new Uint16Array(n),
    "narrow values (low plane Huffman-coded)": Uint16Array.from(
      { length: n },
      () => 600 + Math.floor(8 * r()),
    ),
    "tiny chunk": Uint16Array.from({ length: 10 }, () => Math.floor(1500 * r())),
  };
  for (const [name, codes] of Object.entries(cases)) {
    it(`is one zlib stream that inflates back to the input: ${name}`, () => {
      const data = planes(codes);
      const z = concat(zlibShuffled(data, { level: 1, planes: 2, rlePlanes: 1 }));
      expect(Buffer.compare(inflateSync(z), Buffer.from(data))).toBe(0);
      // Never meaningfully larger than Huffman alone (a stored noise plane costs <= 1 %), and smaller when the low
      // plane compresses: the high plane's runs code below one bit per byte.
      const huff = deflateSync(data, { level: 1, strategy: constants.Z_HUFFMAN_ONLY });
      expect(z.length).toBeLessThanOrEqual(huff.length * 1.01 + 64);
      if (codes.length > 1000 && !name.includes("stored")) expect(z.length).toBeLessThan(huff.length);
    });
  }
});

describe("Hdf5Writer chunks", () => {
  it("reads back (h5wasm) noise, silence and a partial chunk appended in uneven blocks", async () => {
    const dir = await makeTempDir();
    try {
      const out = join(dir, "mixed.h5");
      const rows = 257;
      const cols = 512 * 5 + 77;
      const r = rng(21);
      // Frequency rows × time columns; chunks 0–1 noise-like, 2 silent, 3 mixed, 4 noise, then a partial one.
      const full = new Float32Array(rows * cols);
      for (let k = 0; k < rows; k++)
        for (let t = 0; t < cols; t++) {
          const silent = (t >= 1024 && t < 1536) || (t >= 1536 && t < 2048 && k < 128);
          full[k * cols + t] = silent ? -80 : -80 + 110 * r();
        }
      const w = new Hdf5Writer(out);
      const ds = w.createDataset("spectrogram", { rows, chunkColumns: 512 });
      for (let t = 0, step = 1; t < cols; t += step, step = (step * 7) % 600 || 1) {
        const width = Math.min(step, cols - t);
        const block = new Float32Array(rows * width);
        for (let k = 0; k < rows; k++)
          block.set(full.subarray(k * cols + t, k * cols + t + width), k * width);
        ds.appendColumns(block, width);
      }
      w.close();
      const h5wasm = await loadH5wasm();
      const f = new h5wasm.File(out, "r");
      try {
        const d = f.get("spectrogram") as unknown as { shape: number[]; value: Float32Array };
        expect(d.shape).toEqual([rows, cols]);
        expect(
          Buffer.compare(
            Buffer.from(d.value.buffer, d.value.byteOffset, d.value.byteLength),
            Buffer.from(full.buffer),
          ),
        ).toBe(0);
      } finally {
        f.close();
      }
    } finally {
      await removeTempDir(dir);
    }
  });
});
