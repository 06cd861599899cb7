import { open } from "node:fs/promises";
import { type ChunkedDataset, Hdf5Writer } from "../hdf5/writer.ts";
import { blocksFromHandle, readWavInfoFromHandle } from "../wav/file.ts";
import type { WavInfo } from "../wav/types.ts";
import { ColumnMax, columnCount } from "./column-max.ts";
import { SPECTROGRAM_DB_OFFSET, SPECTROGRAM_DB_SCALE, type SpectrogramEncoding } from "./encoding.ts";
import { forceMinorGc } from "./gc.ts";
import { DEFAULT_STFT, frameCount, N_FREQ_BINS, SPECTROGRAM_FRAMES_PER_COLUMN } from "./params.ts";
import { type SpectrogramBlock, StreamingStft } from "./stft.ts";

/**
 * HDF5 layout (one file per recording):
 *   /spectrogram      uint16 [257, n_columns] dB codes (dB = stored * db_scale + db_offset; older files: float32
 *                     dB, see encoding.ts), frequency rows (0 Hz first), time columns, each the maximum of
 *                     frames_per_column (3) consecutive STFT frames (older files: 1, every frame). For
 *                     multichannel audio this is the STFT of the channel mean, as the original
 *                     computed it, so existing tooling keeps working.
 *   /spectrogram_ch0, /spectrogram_ch1, ...   one per channel, same shape, only when channels > 1.
 * Every dataset carries sample_rate, n_fft, hop_length, duration, n_frames (STFT frames), n_columns,
 * frames_per_column, column_pooling ("max"), n_freq_bins, channels, dc_offset (subtracted before the STFT) and
 * `source` ("mean" or the channel index), and the quantised ones encoding, db_scale, db_offset. Chunks are
 * [257, 512] columns, shuffle + deflate.
 */
export const CHUNK_FRAMES = 512;

export interface SpectrogramJobOptions {
  /** Keep per-channel datasets for multichannel audio (default true). */
  perChannel?: boolean;
  /** zlib level (default 1: the data is noise-like, higher levels cost time for ~2 % size). */
  level?: number;
  /** Frames per processing block; memory is proportional to it (default 512: one HDF5 chunk, cache friendly). */
  blockFrames?: number;
  /** Called after each block with frames done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Force a young-generation garbage collection every this many frames to keep peak memory flat (0 = never; default 8192 ≈ 2.7 s at 384 kHz). */
  gcEveryFrames?: number;
  /**
   * Per-channel DC offset subtracted before the STFT. An offset is not sound: left in, it makes the
   * 0 Hz row the brightest of the picture and, against the zero padding, a broadband step in the
   * first and last frames. writeSpectrogramFile measures it (the file's mean) when not given.
   */
  dcOffsets?: number[];
  /**
   * Stored encoding (see encoding.ts): "uint16-db" (default; dB = stored * db_scale + db_offset) or the older
   * "float32-db" (kept for comparisons and for writing old-format test files).
   */
  encoding?: SpectrogramEncoding;
  /** Step of the uint16 codes, dB (default SPECTROGRAM_DB_SCALE = 0.05 dB). */
  dbScale?: number;
  /**
   * dB of code 0 and so the floor: lower values are stored as 0 (default SPECTROGRAM_DB_OFFSET = -80 dB, the STFT's
   * own floor, so nothing is clamped). A higher floor is for measuring what clamping would save (pnpm bench).
   */
  dbOffset?: number;
  /**
   * STFT frames whose maximum each stored column holds (default SPECTROGRAM_FRAMES_PER_COLUMN = 3 for uint16 codes,
   * 1 for float32 files). 1 stores every frame (comparisons, tests).
   */
  framesPerColumn?: number;
}

export interface SpectrogramFileSummary {
  path: string;
  sampleRate: number;
  channels: number;
  nFrames: number;
  /** Stored columns: nFrames / framesPerColumn, rounded up. */
  nColumns: number;
  framesPerColumn: number;
  nFreqBins: number;
  duration: number;
  datasets: string[];
}

interface Target {
  stream: StreamingStft;
  dataset: ChunkedDataset;
  /** Copies a (recycled) STFT block into the dataset's chunk buffer. */
  onBlock: (b: SpectrogramBlock) => void;
  /** Writes the last, unfinished column group. */
  finish: () => void;
}

/** Streams any source of channel blocks through STFT into an HDF5 file. */
export class SpectrogramSink {
  private readonly writer: Hdf5Writer;
  private readonly targets: Target[];
  private readonly mixTarget: Target;
  private readonly perChannel: boolean;
  private readonly mix: Float32Array[] = [];
  readonly totalFrames: number;
  private framesDone = 0;
  private readonly onProgress: ((done: number, total: number) => void) | undefined;
  private readonly info: Pick<WavInfo, "sampleRate" | "channels" | "frames">;
  private readonly gcEvery: number;
  private readonly gc: (() => void) | null;
  private nextGcAt: number;
  private readonly dc: number[] | null;
  private readonly centred: Float32Array[] = [];
  private readonly framesPerColumn: number;

  constructor(
    outPath: string,
    info: Pick<WavInfo, "sampleRate" | "channels" | "frames">,
    options: SpectrogramJobOptions = {},
  ) {
    this.info = info;
    this.writer = new Hdf5Writer(outPath);
    this.perChannel = (options.perChannel ?? true) && info.channels > 1;
    this.onProgress = options.onProgress;
    this.totalFrames = frameCount(info.frames, DEFAULT_STFT.hop);
    this.gcEvery = options.gcEveryFrames ?? 8192;
    // Short jobs never accumulate enough garbage to matter.
    this.gc = this.gcEvery > 0 && this.totalFrames > 2 * this.gcEvery ? forceMinorGc() : null;
    this.nextGcAt = this.gcEvery;
    this.dc = options.dcOffsets?.some((d) => d !== 0) ? options.dcOffsets : null;
    const blockFrames = options.blockFrames ?? CHUNK_FRAMES;
    const quantized = (options.encoding ?? "uint16-db") === "uint16-db";
    this.framesPerColumn = options.framesPerColumn ?? (quantized ? SPECTROGRAM_FRAMES_PER_COLUMN : 1);
    const dcOf = (source: string | number): number => {
      const dc = options.dcOffsets ?? [];
      if (typeof source === "number") return dc[source] ?? 0;
      return dc.length > 0 ? dc.reduce((a, b) => a + b, 0) / dc.length : 0;
    };
    const make = (name: string, source: string | number, counts: boolean): Target => {
      const scale = options.dbScale ?? SPECTROGRAM_DB_SCALE;
      const offset = options.dbOffset ?? SPECTROGRAM_DB_OFFSET;
      if (!(scale > 0)) throw new RangeError("dbScale must be positive");
      if (!Number.isFinite(offset)) throw new RangeError("dbOffset must be a finite number");
      const dataset = this.writer.createDataset(name, {
        rows: N_FREQ_BINS,
        chunkColumns: CHUNK_FRAMES,
        level: options.level ?? 1,
        ...(quantized ? { type: "u16" as const, quantize: { scale, offset } } : { type: "f32" as const }),
      });
      const attrs: Record<string, number | string> = {
        sample_rate: info.sampleRate,
        n_fft: DEFAULT_STFT.nFft,
        hop_length: DEFAULT_STFT.hop,
        duration: info.frames / info.sampleRate,
        n_frames: this.totalFrames,
        n_columns: columnCount(this.totalFrames, this.framesPerColumn),
        frames_per_column: this.framesPerColumn,
        column_pooling: "max",
        n_freq_bins: N_FREQ_BINS,
        channels: info.channels,
        source,
        units: quantized
          ? "dB re 1 (20*log10(max(|X|, 1e-4))) = stored * db_scale + db_offset"
          : "dB re 1 (20*log10(max(|X|, 1e-4)))",
        window: "hann (periodic), centred, zero padding, DC offset removed",
      };
      for (const [k, v] of Object.entries(attrs)) {
        // duration must stay a float even when it happens to be integral
        dataset.setAttr(k, k === "duration" ? { float: v as number } : v);
      }
      // What the close-up views computed from the audio subtract too (render/wav-window.ts).
      dataset.setAttr("dc_offset", { float: dcOf(source) });
      if (quantized) {
        dataset.setAttr("encoding", "uint16-db");
        dataset.setAttr("db_scale", { float: scale });
        dataset.setAttr("db_offset", { float: offset });
      }
      const columns = new ColumnMax(N_FREQ_BINS, this.framesPerColumn);
      const append = (data: Float32Array, count: number) => dataset.appendColumns(data, count);
      const onBlock = (b: SpectrogramBlock) => {
        columns.push(b.data, b.frames, append);
        if (counts) {
          this.framesDone += b.frames;
          this.onProgress?.(this.framesDone, this.totalFrames);
          if (this.gc && this.framesDone >= this.nextGcAt) {
            this.nextGcAt += this.gcEvery;
            this.gc();
          }
        }
      };
      return {
        stream: new StreamingStft(DEFAULT_STFT, blockFrames),
        dataset,
        onBlock,
        finish: () => columns.finish(append),
      };
    };
    this.mixTarget = make("spectrogram", info.channels > 1 ? "mean" : 0, true);
    this.targets = this.perChannel
      ? Array.from({ length: info.channels }, (_, c) => make(`spectrogram_ch${c}`, c, false))
      : [];
  }

  push(input: Float32Array[]): void {
    const n = input[0]?.length ?? 0;
    const channels = this.dc ? this.removeDc(input, n) : input;
    let mono: Float32Array;
    if (channels.length === 1) mono = channels[0]!;
    else {
      // Channel mean as librosa.to_mono computes it (float32 accumulation order: c0 + c1 + ...).
      if (this.mix.length < 1 || this.mix[0]!.length !== n) this.mix[0] = new Float32Array(n);
      mono = this.mix[0]!;
      mono.fill(0);
      for (const ch of channels) for (let i = 0; i < n; i++) mono[i] = mono[i]! + ch[i]!;
      const inv = 1 / channels.length;
      for (let i = 0; i < n; i++) mono[i] = mono[i]! * inv;
    }
    this.mixTarget.stream.pushEach(mono, this.mixTarget.onBlock);
    for (const [c, t] of this.targets.entries()) t.stream.pushEach(channels[c]!, t.onBlock);
  }

  /** Copies (the input may be the caller's audio) minus each channel's offset. */
  private removeDc(input: Float32Array[], n: number): Float32Array[] {
    return input.map((ch, c) => {
      let out = this.centred[c];
      if (!out || out.length !== n) {
        out = new Float32Array(n);
        this.centred[c] = out;
      }
      const d = this.dc?.[c] ?? 0;
      for (let i = 0; i < n; i++) out[i] = ch[i]! - d;
      return out;
    });
  }

  finish(outPath: string): SpectrogramFileSummary {
    for (const t of [this.mixTarget, ...this.targets]) {
      t.stream.finishEach(t.onBlock);
      t.finish();
    }
    this.writer.close();
    return {
      path: outPath,
      sampleRate: this.info.sampleRate,
      channels: this.info.channels,
      nFrames: this.totalFrames,
      nColumns: columnCount(this.totalFrames, this.framesPerColumn),
      framesPerColumn: this.framesPerColumn,
      nFreqBins: N_FREQ_BINS,
      duration: this.info.frames / this.info.sampleRate,
      datasets: ["spectrogram", ...this.targets.map((_, c) => `spectrogram_ch${c}`)],
    };
  }

  abort(): void {
    this.writer.abort();
  }
}

/** WAV file → HDF5 spectrogram, streamed: memory does not depend on the recording's length. */
export async function writeSpectrogramFile(
  wavPath: string,
  outPath: string,
  options: SpectrogramJobOptions = {},
): Promise<SpectrogramFileSummary> {
  const fh = await open(wavPath, "r");
  try {
    const info = await readWavInfoFromHandle(fh);
    const blockSamples = DEFAULT_STFT.hop * (options.blockFrames ?? CHUNK_FRAMES) * 4;
    // A first pass for the DC offsets: reading is a small part of the job's time.
    const dcOffsets =
      options.dcOffsets ??
      (await channelMeans(blocksFromHandle(fh, info, { blockFrames: blockSamples, reuse: true })));
    const sink = new SpectrogramSink(outPath, info, { ...options, dcOffsets });
    try {
      // Recycled read/decode buffers: the sink copies what it needs synchronously in push().
      for await (const block of blocksFromHandle(fh, info, { blockFrames: blockSamples, reuse: true }))
        sink.push(block.channels);
      return sink.finish(outPath);
    } catch (err) {
      sink.abort();
      throw err;
    }
  } finally {
    await fh.close();
  }
}

/** In-memory audio → HDF5 spectrogram (used by pool tasks that receive samples). */
export function writeSpectrogramFromSamples(
  channels: Float32Array[],
  sampleRate: number,
  outPath: string,
  options: SpectrogramJobOptions = {},
): SpectrogramFileSummary {
  const frames = channels[0]?.length ?? 0;
  const dcOffsets = options.dcOffsets ?? channels.map((c) => mean(c));
  const sink = new SpectrogramSink(
    outPath,
    { sampleRate, channels: channels.length, frames },
    { ...options, dcOffsets },
  );
  try {
    const step = DEFAULT_STFT.hop * (options.blockFrames ?? CHUNK_FRAMES) * 4;
    for (let i = 0; i < frames; i += step)
      sink.push(channels.map((c) => c.subarray(i, Math.min(frames, i + step))));
    return sink.finish(outPath);
  } catch (err) {
    sink.abort();
    throw err;
  }
}

/** Mean in sample order (float64): the DC offset the sink subtracts. */
export function mean(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return x.length > 0 ? s / x.length : 0;
}

/** Mean of each channel over a stream of blocks. */
async function channelMeans(blocks: AsyncIterable<{ channels: Float32Array[] }>): Promise<number[]> {
  let sums: number[] = [];
  let n = 0;
  for await (const b of blocks) {
    if (sums.length === 0) sums = b.channels.map(() => 0);
    // One running sum per channel, in sample order: the same value as mean() over the whole array.
    b.channels.forEach((ch, c) => {
      let s = sums[c]!;
      for (let i = 0; i < ch.length; i++) s += ch[i]!;
      sums[c] = s;
    });
    n += b.channels[0]?.length ?? 0;
  }
  return sums.map((s) => (n > 0 ? s / n : 0));
}
