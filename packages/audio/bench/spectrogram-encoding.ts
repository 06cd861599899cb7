// Issue 15, spectrogram files at scale: the HDF5 encodings compared in one run. For each: MB per minute of audio and
// write speed (the bench's synthetic minute at 384 kHz), MB per minute on the real 384-500 kHz clips, and how far the
// app's PNG renderer moves from the float32 rendering, in colour-map levels (auto levels; fixed 30 and 10 dB ranges
// over the noise). Codec-only rows (nothing written) measure what the writer does not offer: other filters and deflate
// levels, chunk widths, 8-bit and packed 12-bit codes. Last, the entropy of the codes: what no deflate setting beats.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { constants, deflateSync } from "node:zlib";
import { zlibShuffled } from "../src/hdf5/deflate.ts";
import { type DbGrid, renderPng } from "../src/render/index.ts";
import {
  readSpectrogramWindow,
  type SpectrogramJobOptions,
  type SpectrogramWindowRequest,
  stft,
  writeSpectrogramFile,
} from "../src/spectrogram/index.ts";
import { readWavFile, readWavInfo } from "../src/wav/index.ts";
import { pngPair, type SpectrogramFiles } from "../test/fixtures/app-view.ts";
import { type LevelDifference, levelDifference, NO_DIFFERENCE, worse } from "../test/fixtures/png-levels.ts";

const SHARED = new URL("../../../../shared/data/recordings/batdetect2/", import.meta.url).pathname;
const REAL = [
  "20170701_213954-MYOMYS-LR_0_0.5.wav",
  "20180530_213516-EPTSER-LR_0_0.5.wav",
  "20180627_215323-RHIFER-LR_0_0.5.wav",
];
/** Values per minute of 384 kHz audio: 257 bins x 180 000 frames. */
const VALUES_PER_MINUTE = 257 * ((60 * 384000) / 128);
const TARGET_MB = 25;

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);
const mbPerMinute = (bitsPerValue: number) => (bitsPerValue * VALUES_PER_MINUTE) / 8 / 1e6;

interface Candidate {
  label: string;
  options: SpectrogramJobOptions;
}

const CANDIDATES: Candidate[] = [
  { label: "float32 dB (before issue 15)", options: { encoding: "float32-db" } },
  { label: "uint16 0.05 dB, max of 3 frames (current)", options: {} },
  { label: "uint16 1/12 dB, every frame (before)", options: { framesPerColumn: 1, dbScale: 1 / 12 } },
  { label: "max of 3, 1/12 dB", options: { dbScale: 1 / 12 } },
  { label: "max of 3, 1/4 dB", options: { dbScale: 0.25 } },
  { label: "max of 3, 1/2 dB", options: { dbScale: 0.5 } },
  { label: "max of 3, 1 dB", options: { dbScale: 1 } },
  { label: "max of 3, 1.5 dB", options: { dbScale: 1.5 } },
  { label: "max of 3, 0.05 dB, floor -60 dB", options: { dbOffset: -60 } },
  { label: "max of 3, 0.05 dB, floor -40 dB", options: { dbOffset: -40 } },
];

interface Fidelity {
  auto: LevelDifference;
  fixed30: LevelDifference;
  fixed10: LevelDifference;
}

const NONE: Fidelity = { auto: NO_DIFFERENCE, fixed30: NO_DIFFERENCE, fixed10: NO_DIFFERENCE };

function merge(a: Fidelity, b: Fidelity): Fidelity {
  return {
    auto: worse(a.auto, b.auto),
    fixed30: worse(a.fixed30, b.fixed30),
    fixed10: worse(a.fixed10, b.fixed10),
  };
}

function median(data: Float32Array): number {
  const sorted = Float32Array.from(data).sort();
  return sorted[sorted.length >> 1]!;
}

/** The views of a file that the fidelity columns cover; fixed ranges centred on the window's median (the noise). */
interface Views {
  auto: { req: SpectrogramWindowRequest; width?: number; height?: number }[];
  fixedReq: SpectrogramWindowRequest;
}

/** The app's views of `files.coded` (close-ups from the audio) against the float32 file of every frame. */
async function fileFidelity(files: SpectrogramFiles, views: Views): Promise<Fidelity> {
  const colormap = "gray";
  let auto = NO_DIFFERENCE;
  for (const v of views.auto) {
    const opts = { colormap, ...(v.width ? { width: v.width, height: v.height ?? 300 } : {}) } as const;
    auto = worse(auto, levelDifference(...(await pngPair(files, v.req, opts)), colormap));
  }
  const mid = median((await readSpectrogramWindow(files.float, views.fixedReq)).data);
  const fixed = async (width: number) => {
    // A page-wide view (frame pairs pooled) of the same window: close-ups alone would never read the file.
    const opts = {
      colormap,
      dbMin: mid - width / 2,
      dbMax: mid + width / 2,
      width: 300,
      height: 257,
    } as const;
    return levelDifference(...(await pngPair(files, views.fixedReq, opts)), colormap);
  };
  return { auto, fixed30: await fixed(30), fixed10: await fixed(10) };
}

/** "1", or "2 (0.09 %)" with the share of pixels more than one level apart. */
function levels(d: LevelDifference): string {
  if (d.worst <= 1) return String(d.worst);
  return `${d.worst} (${fmt((100 * d.overOne) / d.pixels, d.overOne / d.pixels < 0.01 ? 2 : 0)} %)`;
}

export async function compareEncodings(dir: string, wav60: string): Promise<void> {
  console.log(
    `\n## Spectrogram HDF5 encodings (issue 15: <= ${TARGET_MB} MB per minute, every PNG pixel within 1 colour-map level of float32)`,
  );
  // The synthetic minute: 10 calls per second at 0.01 + k/10 s, so 0.04-0.095 s is noise only (auto levels at their
  // narrowest, 30 dB: the strictest auto case).
  const synthViews: Views = {
    auto: [
      { req: { end: 10 }, width: 1200, height: 300 },
      { req: { start: 0.04, end: 0.095 } },
      { req: { end: 0.3 } },
    ],
    fixedReq: { end: 0.3 },
  };
  // The whole clip at a pixel per frame (from the audio) and shrunk to 300 pixels (from the file), and a close-up.
  const realViews: Views = {
    auto: [{ req: {} }, { req: {}, width: 300, height: 257 }, { req: { start: 0.2, end: 0.25 } }],
    fixedReq: {},
  };
  const path = (c: number, name: string) => join(dir, `enc${c}-${name}.h5`);

  // Write speed: the float32 and the current encoding alternated, best of three; the other candidates once each.
  const speed = new Map<number, { rate: number; size: number }>();
  const timeWrite = async (c: number) => {
    const out = path(c, "minute");
    const c0 = process.cpuUsage();
    await writeSpectrogramFile(wav60, out, CANDIDATES[c]!.options);
    const rate = 60 / cpuSeconds(c0);
    const size = (await stat(out)).size;
    const prev = speed.get(c);
    if (!prev || rate > prev.rate) speed.set(c, { rate, size });
  };
  for (let round = 0; round < 3; round++) for (const c of [0, 1]) await timeWrite(c);
  for (let c = 2; c < CANDIDATES.length; c++) await timeWrite(c);

  let realSeconds = 0;
  for (const f of REAL) realSeconds += (await readWavInfo(join(SHARED, f))).duration;
  console.log(
    `${"encoding".padEnd(42)} ${"MB/min".padStart(7)} ${"x real".padStart(7)}  ${"auto".padEnd(6)} ${"30 dB".padEnd(6)} ${"10 dB".padEnd(12)}| real: ${"MB/min".padStart(6)} ${"auto".padEnd(6)} 10 dB`,
  );
  for (const [c, cand] of CANDIDATES.entries()) {
    const { rate, size } = speed.get(c)!;
    const synth =
      c === 0
        ? NONE
        : await fileFidelity({ wav: wav60, float: path(0, "minute"), coded: path(c, "minute") }, synthViews);
    let realSize = 0;
    let real = NONE;
    for (const f of REAL) {
      const out = path(c, f);
      await writeSpectrogramFile(join(SHARED, f), out, cand.options);
      realSize += (await stat(out)).size;
      if (c > 0)
        real = merge(
          real,
          await fileFidelity({ wav: join(SHARED, f), float: path(0, f), coded: out }, realViews),
        );
    }
    console.log(
      `${cand.label.padEnd(42)} ${fmt(size / 1e6).padStart(7)} ${fmt(rate).padStart(7)}  ${levels(synth.auto).padEnd(6)} ${levels(synth.fixed30).padEnd(6)} ${levels(synth.fixed10).padEnd(12)}| ${fmt(((realSize / realSeconds) * 60) / 1e6).padStart(12)} ${levels(real.auto).padEnd(6)} ${levels(real.fixed10)}`,
    );
  }
  const before = speed.get(1)!;
  console.log(
    `current vs float32: ${fmt(speed.get(0)!.size / before.size, 2)}x smaller, ${fmt(before.rate / speed.get(0)!.rate, 2)}x the write speed. ` +
      `Columns: MB per minute of 384 kHz audio and CPU speed (x real time, one thread) on the synthetic minute; worst ` +
      `PNG difference in colour-map levels (share of pixels > 1 level) with auto levels and fixed 30 / 10 dB ranges; ` +
      `the same for the real clips (${fmt(realSeconds, 1)} s, 384-500 kHz, MB per minute of their own rate).`,
  );

  await codecRows(wav60);
}

/** One STFT grid (dB, frequency-major) of the first seconds of the minute and of the real clips. */
async function grids(wav60: string): Promise<{ name: string; grid: DbGrid; sampleRate: number }[]> {
  const out = [];
  const synth = stft((await readWavFile(wav60, { end: 10 })).channels[0]!);
  out.push({ name: "synthetic 10 s", grid: synth, sampleRate: 384000 });
  for (const f of REAL) {
    const w = await readWavFile(join(SHARED, f));
    out.push({ name: f, grid: stft(w.channels[0]!), sampleRate: w.info.sampleRate });
  }
  return out;
}

/** uint16 codes round((v - offset) / step), clamped to [0, maxCode]. */
function codes(grid: DbGrid, step: number, offset: number, maxCode = 65535): Uint16Array {
  const out = new Uint16Array(grid.data.length);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.max(0, Math.min(maxCode, Math.round((grid.data[i]! - offset) / step)));
  return out;
}

type Coder = (chunk: Uint16Array, width: number, rows: number) => number;

/** The chunk's codes as the shuffle filter lays them out (low bytes, then high bytes). */
function shuffled(chunk: Uint16Array): Uint8Array {
  const n = chunk.length;
  const out = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[i] = chunk[i]! & 0xff;
    out[n + i] = chunk[i]! >>> 8;
  }
  return out;
}

const byteLength = (pieces: Uint8Array[]) => pieces.reduce((a, p) => a + p.length, 0);

const CODERS: Record<string, Coder> = {
  "writer's coder (shuffle; low byte stored/Huffman, high byte RLE)": (c) =>
    byteLength(zlibShuffled(shuffled(c), { level: 1, planes: 2, rlePlanes: 1 })),
  "shuffle + deflate level 1": (c) => deflateSync(shuffled(c), { level: 1 }).length,
  "shuffle + deflate level 6": (c) => deflateSync(shuffled(c), { level: 6 }).length,
  "shuffle + deflate level 9": (c) => deflateSync(shuffled(c), { level: 9 }).length,
  "no shuffle + deflate level 1": (c) => deflateSync(new Uint8Array(c.buffer), { level: 1 }).length,
  "no shuffle + deflate level 6": (c) => deflateSync(new Uint8Array(c.buffer), { level: 6 }).length,
  // HDF5's N-bit filter packs 12-bit codes back to back (3 bytes per 2 values); deflate after it.
  "12-bit codes, N-bit packed + deflate 6": (c) => {
    const packed = new Uint8Array(Math.ceil((c.length * 3) / 2));
    for (let i = 0, o = 0; i < c.length; i += 2, o += 3) {
      const a = c[i]! & 0xfff;
      const b = (c[i + 1] ?? 0) & 0xfff;
      packed[o] = a & 0xff;
      packed[o + 1] = (a >>> 8) | ((b & 0x0f) << 4);
      packed[o + 2] = b >>> 4;
    }
    return deflateSync(packed, { level: 6 }).length;
  },
  // One byte per value (an 8-bit dataset): Huffman only, as the writer codes noise-like bytes.
  "8-bit codes, deflate (Huffman only)": (c) => {
    const bytes = Uint8Array.from(c, (v) => Math.min(255, v));
    return deflateSync(bytes, { level: 1, strategy: constants.Z_HUFFMAN_ONLY }).length;
  },
};

/** Bytes and CPU milliseconds of coding `all` in chunks of [rows, width] columns, zero-padded at the end. */
function codeChunks(all: Uint16Array, frames: number, rows: number, width: number, coder: Coder) {
  let bytes = 0;
  const chunk = new Uint16Array(rows * width);
  const c0 = process.cpuUsage();
  for (let c = 0; c < frames; c += width) {
    chunk.fill(0);
    const take = Math.min(width, frames - c);
    for (let r = 0; r < rows; r++) chunk.set(all.subarray(r * frames + c, r * frames + c + take), r * width);
    bytes += coder(chunk, width, rows);
  }
  return { bytes, ms: cpuSeconds(c0) * 1000 };
}

/** Zeroth-order entropy (bits per value) of the codes at a step: no coder of single values does better. */
function entropy(grid: DbGrid, step: number): number {
  let max = -80;
  for (const v of grid.data) if (v > max) max = v;
  const counts = new Float64Array(Math.round((max + 80) / step) + 1);
  for (const v of grid.data) {
    const c = Math.round((v + 80) / step);
    counts[c] = counts[c]! + 1;
  }
  let h = 0;
  for (const c of counts) if (c > 0) h -= c * Math.log2(c / grid.data.length);
  return h / grid.data.length;
}

/** Entropy of the codes given the mean of the previous frame's and the lower bin's value (rounded to 1 dB). */
function contextEntropy(grid: DbGrid, step: number): number {
  const { frames, bins, data } = grid;
  const joint = new Map<number, number>();
  const context = new Map<number, number>();
  let n = 0;
  for (let k = 1; k < bins; k++)
    for (let t = 1; t < frames; t++) {
      const code = Math.round((data[k * frames + t]! + 80) / step);
      const ctx = Math.round((data[k * frames + t - 1]! + data[(k - 1) * frames + t]!) / 2);
      joint.set(ctx * 1e6 + code, (joint.get(ctx * 1e6 + code) ?? 0) + 1);
      context.set(ctx, (context.get(ctx) ?? 0) + 1);
      n++;
    }
  const h = (m: Map<number, number>) => {
    let s = 0;
    for (const c of m.values()) s -= c * Math.log2(c / n);
    return s / n;
  };
  return h(joint) - h(context);
}

async function codecRows(wav60: string): Promise<void> {
  const gs = await grids(wav60);
  console.log(
    "\ncodec only, on every frame (why the files keep the maximum of 3 frames: no coder reaches 25 MB per minute of " +
      "every frame; no file; 1/12 dB codes unless said; bits per value -> MB per minute at 384 kHz; synthetic | real clips):",
  );
  const rows: [string, Coder, number, (g: DbGrid) => Uint16Array][] = [];
  const current = (g: DbGrid) => codes(g, 1 / 12, -80);
  for (const [name, coder] of Object.entries(CODERS)) {
    if (name.startsWith("8-bit")) {
      // 80 dB below each grid's maximum in 255 steps, as the BCSG tiles the browser gets.
      const eightBit = (g: DbGrid) => {
        let max = Number.NEGATIVE_INFINITY;
        for (const v of g.data) if (v > max) max = v;
        return codes(g, 80 / 255, max - 80, 255);
      };
      rows.push([`${name}, 80/255 dB steps over the top 80 dB`, coder, 512, eightBit]);
    } else rows.push([name, coder, 512, current]);
  }
  const writer = CODERS["writer's coder (shuffle; low byte stored/Huffman, high byte RLE)"]!;
  rows.push(["writer's coder, chunks of 128 frames", writer, 128, current]);
  rows.push(["writer's coder, chunks of 2048 frames", writer, 2048, current]);
  for (const [label, coder, width, encode] of rows) {
    const cells = gs.map(({ grid }) => {
      const { bytes, ms } = codeChunks(encode(grid), grid.frames, grid.bins, width, coder);
      const n = grid.frames * grid.bins;
      return { bits: (8 * bytes) / n, mbps: (4 * n) / 1e6 / (ms / 1000), n };
    });
    const synth = cells[0]!;
    const real = cells.slice(1);
    const realBits = real.reduce((a, c) => a + c.bits * c.n, 0) / real.reduce((a, c) => a + c.n, 0);
    console.log(
      `  ${label.padEnd(62)} ${fmt(synth.bits, 2)} b -> ${fmt(mbPerMinute(synth.bits)).padStart(5)} MB/min at ${fmt(synth.mbps, 0).padStart(4)} MB/s | ${fmt(realBits, 2)} b -> ${fmt(mbPerMinute(realBits))} MB/min`,
    );
  }
  // What the 8-bit rows cost on screen: the decoded grids rendered like the files (auto levels, 10 dB at the noise).
  let auto = NO_DIFFERENCE;
  let fixed10 = NO_DIFFERENCE;
  for (const { grid } of gs) {
    let max = Number.NEGATIVE_INFINITY;
    for (const v of grid.data) if (v > max) max = v;
    const step = 80 / 255;
    const c = codes(grid, step, max - 80, 255);
    const decoded = { ...grid, data: Float32Array.from(c, (v) => v * step + max - 80) };
    const opts = { colormap: "gray" as const, width: Math.min(grid.frames, 1500) };
    auto = worse(auto, levelDifference(renderPng(grid, opts), renderPng(decoded, opts), "gray"));
    const mid = median(grid.data);
    const narrow = { ...opts, dbMin: mid - 5, dbMax: mid + 5 };
    fixed10 = worse(fixed10, levelDifference(renderPng(grid, narrow), renderPng(decoded, narrow), "gray"));
  }
  console.log(
    `  (8-bit codes on screen: auto levels ${levels(auto)}, fixed 10 dB ${levels(fixed10)} levels off)`,
  );

  // The floor under every coder above: the entropy of the codes, and the step at which it reaches the target.
  const perMinute = (g: DbGrid, step: number) => mbPerMinute(entropy(g, step));
  const stepFor = (g: DbGrid) => {
    let lo = 1 / 12;
    let hi = 4;
    for (let i = 0; i < 20; i++) {
      const mid = (lo + hi) / 2;
      if (perMinute(g, mid) > TARGET_MB) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  console.log(
    "entropy of the codes (bits per value; zeroth order, and given the mean of the left and lower neighbours in 1 dB " +
      "bins: what a context coder could reach) and the step the zeroth-order entropy needs for the target:",
  );
  for (const { name, grid } of gs) {
    const step = stepFor(grid);
    console.log(
      `  ${name.padEnd(38)} 1/12 dB: ${fmt(entropy(grid, 1 / 12), 2)} b = ${fmt(perMinute(grid, 1 / 12))} MB/min ` +
        `(${fmt(contextEntropy(grid, 1 / 12), 2)} b given the neighbours); ` +
        `${TARGET_MB} MB/min needs steps of ${fmt(step, 2)} dB (max error ${fmt(step / 2, 2)} dB = ` +
        `${fmt((step / 2 / 30) * 255)} colour levels at a 30 dB range)`,
    );
  }
}
