import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadH5wasm } from "../src/hdf5/h5wasm.ts";
import { Hdf5Writer } from "../src/hdf5/writer.ts";
import {
  DB_FLOOR,
  decimate,
  frameCount,
  isLegacySpectrogramFile,
  N_FREQ_BINS,
  readSpectrogramAttrs,
  readSpectrogramWindow,
  SPECTROGRAM_DB_SCALE,
  SPECTROGRAM_FRAMES_PER_COLUMN,
  StreamingStft,
  stft,
  writeSpectrogramFile,
  writeSpectrogramFromSamples,
} from "../src/spectrogram/index.ts";
import { readWavFile } from "../src/wav/index.ts";
import {
  addNoise,
  linearSweep,
  makeTempDir,
  removeTempDir,
  sweepFrequency,
  synthRecording,
  tone,
  writeFixture,
} from "./fixtures/generate.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

function peakBin(s: { data: Float32Array; frames: number; bins: number }, frame: number): number {
  let best = 0;
  for (let k = 1; k < s.bins; k++)
    if (s.data[k * s.frames + frame]! > s.data[best * s.frames + frame]!) best = k;
  return best;
}

/** Direct DFT of one centred frame: the definition, to check the fast path against. */
function referenceDb(x: Float32Array, frame: number, k: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < 512; i++) {
    const idx = frame * 128 - 256 + i;
    const v = idx >= 0 && idx < x.length ? x[idx]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 512)) : 0;
    re += v * Math.cos((2 * Math.PI * k * i) / 512);
    im -= v * Math.sin((2 * Math.PI * k * i) / 512);
  }
  return 20 * Math.log10(Math.max(Math.hypot(re, im), 1e-4));
}

describe("STFT", () => {
  it("has 257 bins and 1 + floor(n / 128) frames", () => {
    for (const n of [0, 1, 127, 128, 129, 5000]) {
      const s = stft(new Float32Array(n));
      expect(s.bins).toBe(N_FREQ_BINS);
      expect(s.frames).toBe(frameCount(n));
      expect(s.frames).toBe(1 + Math.floor(n / 128));
    }
  });

  for (const [f, sr] of [
    [40000, 384000],
    [21000, 250000],
    [110000, 500000],
    [3000, 44100],
  ] as const) {
    it(`puts a ${f / 1000} kHz tone at ${sr / 1000} kHz in bin round(f·512/sr)`, () => {
      const s = stft(tone(f, 0.05, sr, 0.5));
      const expected = Math.round((f * 512) / sr);
      for (const frame of [5, Math.floor(s.frames / 2), s.frames - 6])
        expect(peakBin(s, frame)).toBe(expected);
    });
  }

  it("matches a direct DFT, including DC, Nyquist and the padded edges", () => {
    const x = tone(30000, 0.01, 384000, 0.3);
    addNoise(x, 20, 3);
    const s = stft(x);
    for (const frame of [0, 1, 15, s.frames - 1]) {
      for (const k of [0, 1, 40, 128, 255, 256]) {
        expect(s.data[k * s.frames + frame]).toBeCloseTo(referenceDb(x, frame, k), 3);
      }
    }
  });

  it("floors silence at -80 dB", () => {
    const s = stft(new Float32Array(1000));
    expect(s.data.every((v) => v === DB_FLOOR)).toBe(true);
    expect(DB_FLOOR).toBe(-80);
  });

  it("tracks an FM sweep from its start to its end frequency", () => {
    const sr = 384000;
    const s = stft(linearSweep(80000, 30000, 0.02, sr, 0.5));
    const binHz = sr / 512;
    // Dominant frequency of each frame follows the instantaneous frequency at the frame centre.
    for (const frame of [4, 20, 40, s.frames - 5]) {
      const expected = sweepFrequency("linear", 80000, 30000, 0.02, (frame * 128) / sr);
      expect(Math.abs(peakBin(s, frame) * binHz - expected)).toBeLessThanOrEqual(binHz);
    }
    expect(Math.abs(peakBin(s, 2) * binHz - 80000)).toBeLessThan(3 * binHz);
    expect(Math.abs(peakBin(s, s.frames - 3) * binHz - 30000)).toBeLessThan(3 * binHz);
  });

  it("streamed output is bit-identical to the one-shot STFT for any input block size", () => {
    const x = synthRecording({
      sampleRate: 384000,
      duration: 0.3,
      calls: [{ onset: 0.05, duration: 0.01, f0: 45000 }],
      snrDb: 20,
    }).samples;
    const ref = stft(x);
    for (const [inBlock, outBlock] of [
      [1, 7],
      [100, 64],
      [4096, 512],
      [x.length, 100000],
    ] as const) {
      const st = new StreamingStft(undefined, outBlock);
      const got = new Float32Array(ref.data.length);
      let frames = 0;
      const take = (blocks: ReturnType<StreamingStft["push"]>) => {
        for (const b of blocks) {
          expect(b.startFrame).toBe(frames);
          for (let k = 0; k < b.bins; k++)
            got.set(b.data.subarray(k * b.frames, (k + 1) * b.frames), k * ref.frames + b.startFrame);
          frames += b.frames;
        }
      };
      for (let i = 0; i < x.length; i += inBlock) take(st.push(x.subarray(i, i + inBlock)));
      take(st.finish());
      expect(frames).toBe(ref.frames);
      expect(Buffer.compare(Buffer.from(got.buffer), Buffer.from(ref.data.buffer))).toBe(0);
    }
  });
});

describe("HDF5 spectrogram files", () => {
  for (const encoding of ["uint16-db", "float32-db"] as const) {
    it(`writes the dataset, shape and attributes, equal to the one-shot STFT (${encoding})`, async () => {
      const sr = 384000;
      const rec = synthRecording({
        sampleRate: sr,
        duration: 1.3,
        calls: [{ onset: 0.2, duration: 0.02, f0: 50000 }],
        snrDb: 25,
      });
      const wav = await writeFixture(dir, `spec-${encoding}.wav`, rec.samples, { sampleRate: sr });
      const out = join(dir, `spec-${encoding}.h5`);
      const progress: number[] = [];
      const summary = await writeSpectrogramFile(wav, out, { encoding, onProgress: (d) => progress.push(d) });
      const expectedFrames = frameCount(rec.samples.length);
      const perColumn = encoding === "uint16-db" ? SPECTROGRAM_FRAMES_PER_COLUMN : 1;
      const expectedColumns = Math.ceil(expectedFrames / perColumn);
      expect(summary).toMatchObject({
        nFrames: expectedFrames,
        nColumns: expectedColumns,
        framesPerColumn: perColumn,
        nFreqBins: 257,
        datasets: ["spectrogram"],
      });
      expect(progress.at(-1)).toBe(expectedFrames);

      const h5wasm = await loadH5wasm();
      const f = new h5wasm.File(out, "r");
      try {
        const ds = f.get("spectrogram") as unknown as {
          shape: number[];
          dtype: string;
          value: Float32Array | Uint16Array;
          filters: { name: string }[];
          attrs: Record<string, { value: unknown }>;
        };
        expect(ds.shape).toEqual([257, expectedColumns]);
        expect(ds.filters.map((x) => x.name)).toEqual(["shuffle", "deflate"]);
        const attrs = Object.fromEntries(Object.entries(ds.attrs).map(([k, a]) => [k, a.value]));
        expect(attrs).toMatchObject({
          sample_rate: sr,
          n_fft: 512,
          hop_length: 128,
          n_frames: expectedFrames,
          n_columns: expectedColumns,
          frames_per_column: perColumn,
          column_pooling: "max",
          n_freq_bins: 257,
          channels: 1,
        });
        expect(attrs.dc_offset).toBeCloseTo(mean64((await readWavFile(wav)).channels[0]!), 12);
        expect(attrs.duration).toBeCloseTo(1.3, 9);
        // The file's DC offset is removed before the STFT (float64 mean, float32 samples).
        const ref = stft(withoutDc((await readWavFile(wav)).channels[0]!));
        if (encoding === "float32-db") {
          expect(ds.dtype).toBe("<f");
          expect(attrs.db_scale).toBeUndefined();
          expect(Buffer.compare(Buffer.from(ds.value.buffer), Buffer.from(ref.data.buffer))).toBe(0);
        } else {
          // uint16 codes: dB = stored * db_scale + db_offset, the nearest code to the maximum of every frame group.
          expect(ds.dtype).toBe("<H");
          const pooled = groupMax(ref.data, 257, ref.frames);
          expect(attrs).toMatchObject({ encoding: "uint16-db", db_offset: DB_FLOOR });
          expect(attrs.db_scale).toBeCloseTo(SPECTROGRAM_DB_SCALE, 12);
          const scale = attrs.db_scale as number;
          const codes = ds.value as Uint16Array;
          expect(codes).toBeInstanceOf(Uint16Array);
          let wrong = 0;
          let worst = 0;
          expect(codes.length).toBe(pooled.length);
          for (let i = 0; i < pooled.length; i++) {
            if (codes[i] !== Math.floor((pooled[i]! - DB_FLOOR) / scale + 0.5)) wrong++;
            worst = Math.max(worst, Math.abs(codes[i]! * scale + DB_FLOOR - pooled[i]!));
          }
          expect(wrong).toBe(0);
          expect(worst).toBeLessThanOrEqual(scale / 2 + 1e-5);
        }
      } finally {
        f.close();
      }
      expect((await readSpectrogramAttrs(out)).encoding).toBe(encoding);
      expect(await isLegacySpectrogramFile(out)).toBe(encoding === "float32-db");
    });
  }

  it("reads back a time/frequency window equal to the matching slice", async () => {
    const sr = 250000;
    const x = tone(40000, 2, sr, 0.25);
    addNoise(x, 30, 9);
    const out = join(dir, "win.h5");
    writeSpectrogramFromSamples([x], sr, out);
    const legacy = join(dir, "win-f32.h5");
    writeSpectrogramFromSamples([x], sr, legacy, { encoding: "float32-db" });
    const ref = stft(withoutDc(x));
    const w = await readSpectrogramWindow(out, { start: 0.5, end: 0.6, fmin: 20000, fmax: 60000 });
    const old = await readSpectrogramWindow(legacy, { start: 0.5, end: 0.6, fmin: 20000, fmax: 60000 });
    expect(old.data).toBeInstanceOf(Float32Array);
    expect(w.data).toBeInstanceOf(Float32Array);
    const binHz = sr / 512;
    // The old file from the frame nearest 0.5 s; today's from the group holding it (columns: maxima of frame groups).
    const G = SPECTROGRAM_FRAMES_PER_COLUMN;
    expect(old.startFrame).toBe(Math.round((0.5 * sr) / 128));
    expect(old.frames).toBe(Math.round((0.6 * sr) / 128) - old.startFrame + 1);
    expect(w.framesPerColumn).toBe(G);
    expect(w.startFrame).toBe(G * Math.floor(old.startFrame / G));
    expect(w.frames).toBe(Math.ceil((old.startFrame + old.frames) / G) - w.startFrame / G);
    expect(w.t0).toBeCloseTo((w.startFrame * 128) / sr, 12);
    expect(w.t1).toBeCloseTo(((w.startFrame + G * w.frames - 1) * 128) / sr, 12);
    expect(w.startBin).toBe(Math.ceil(20000 / binHz));
    expect(w.bins).toBe(Math.floor(60000 / binHz) - w.startBin + 1);
    expect(old.bins).toBe(w.bins);
    for (let k = 0; k < w.bins; k += 7) {
      for (let j = 0; j < old.frames; j += 5) {
        // Old files read back exactly.
        expect(old.data[k * old.frames + j]).toBe(
          ref.data[(w.startBin + k) * ref.frames + old.startFrame + j],
        );
      }
      for (let j = 0; j < w.frames; j += 5) {
        const f = w.startFrame + G * j;
        const row = (w.startBin + k) * ref.frames;
        const want = Math.max(...ref.data.subarray(row + f, row + f + G));
        // Quantised group maxima within half a code step.
        expect(Math.abs(w.data[k * w.frames + j]! - want)).toBeLessThanOrEqual(
          SPECTROGRAM_DB_SCALE / 2 + 1e-5,
        );
      }
    }
    const attrs = await readSpectrogramAttrs(out);
    expect(attrs).toMatchObject({
      sampleRate: sr,
      nFft: 512,
      hopLength: 128,
      nFrames: ref.frames,
      datasets: ["spectrogram"],
    });
  });

  it("keeps every channel of multichannel audio and the channel mean as /spectrogram", async () => {
    const sr = 192000;
    const a = tone(20000, 0.2, sr, 0.4);
    const b = tone(60000, 0.2, sr, 0.4);
    const out = join(dir, "stereo.h5");
    const summary = writeSpectrogramFromSamples([a, b], sr, out);
    expect(summary.datasets).toEqual(["spectrogram", "spectrogram_ch0", "spectrogram_ch1"]);
    const ch0 = await readSpectrogramWindow(out, { channel: 0 });
    const ch1 = await readSpectrogramWindow(out, { channel: 1 });
    const mid = Math.floor(ch0.frames / 2);
    const mix = await readSpectrogramWindow(out);
    expect(peakBin(ch0, mid)).toBe(Math.round((20000 * 512) / sr));
    expect(peakBin(ch1, mid)).toBe(Math.round((60000 * 512) / sr));
    const mean = new Float32Array(a.length).map((_, i) => (a[i]! + b[i]!) * 0.5);
    const whole = stft(mean);
    const want = groupMax(whole.data, whole.bins, whole.frames);
    expect(mix.data.length).toBe(want.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(mix.data[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(SPECTROGRAM_DB_SCALE / 2 + 1e-5);
    expect((await readSpectrogramAttrs(out)).channels).toBe(2);
  });

  it("indexes many chunks (multi-level chunk B-tree) correctly", async () => {
    const out = join(dir, "many.h5");
    const w = new Hdf5Writer(out);
    const ds = w.createDataset("spectrogram", { rows: 3, chunkColumns: 4 });
    const cols = 4 * 64 * 70 + 3; // > 64 × 64 chunks: three B-tree levels
    const data = new Float32Array(3 * cols).map((_, i) => i);
    ds.appendColumns(data, cols);
    w.close();
    const h5wasm = await loadH5wasm();
    const f = new h5wasm.File(out, "r");
    try {
      const d = f.get("spectrogram") as unknown as {
        shape: number[];
        value: Float32Array;
        slice(r: number[][]): Float32Array;
      };
      expect(d.shape).toEqual([3, cols]);
      expect(Array.from(d.value)).toEqual(Array.from(data));
      expect(
        Array.from(
          d.slice([
            [2, 3],
            [cols - 2, cols],
          ]),
        ),
      ).toEqual([3 * cols - 2, 3 * cols - 1]);
    } finally {
      f.close();
    }
  });

  it("leaves no output file when a job fails", async () => {
    const { readdir, writeFile } = await import("node:fs/promises");
    const bad = join(dir, "broken.wav");
    await writeFile(bad, "RIFF....WAVEnope");
    await expect(writeSpectrogramFile(bad, join(dir, "broken.h5"))).rejects.toThrow();
    expect((await readdir(dir)).filter((n) => n.startsWith("broken.h5"))).toEqual([]);
  });
});

describe("decimation for display", () => {
  it("removes content above the new Nyquist instead of aliasing it", () => {
    const sr = 384000;
    const factor = 8; // new rate 48 kHz, Nyquist 24 kHz
    const ultrasound = tone(40000, 0.05, sr, 0.5); // would alias to 8 kHz if samples were skipped
    const audible = tone(5000, 0.05, sr, 0.5);
    const rms = (x: Float32Array) =>
      Math.sqrt(x.slice(200, -200).reduce((s, v) => s + v * v, 0) / (x.length - 400));
    const naive = ultrasound.filter((_, i) => i % factor === 0);
    expect(rms(naive)).toBeGreaterThan(0.3);
    expect(rms(decimate(ultrasound, factor))).toBeLessThan(0.005);
    expect(rms(decimate(audible, factor))).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });
});

/** The maximum of each group of SPECTROGRAM_FRAMES_PER_COLUMN frames (the last one shorter), frequency-major. */
function groupMax(data: Float32Array, bins: number, frames: number): Float32Array {
  const G = SPECTROGRAM_FRAMES_PER_COLUMN;
  const columns = Math.ceil(frames / G);
  const out = new Float32Array(bins * columns);
  for (let k = 0; k < bins; k++)
    for (let c = 0; c < columns; c++)
      out[k * columns + c] = Math.max(
        ...data.subarray(k * frames + G * c, k * frames + Math.min(frames, G * c + G)),
      );
  return out;
}

function mean64(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  return m / x.length;
}

function withoutDc(x: Float32Array): Float32Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length || 1;
  return x.map((v) => v - m);
}
