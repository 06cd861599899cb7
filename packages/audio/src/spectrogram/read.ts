import { loadH5wasm } from "../hdf5/h5wasm.ts";
import { decodeDb, encodingOf, type SpectrogramEncoding } from "./encoding.ts";
import type { SpectrogramBlock } from "./stft.ts";

export interface SpectrogramWindowRequest {
  /** Seconds. */
  start?: number;
  end?: number;
  /** "mix" (default: the `spectrogram` dataset) or a channel index. */
  channel?: "mix" | number;
  /** Hz; the window keeps bins whose centre lies in [fmin, fmax]. */
  fmin?: number;
  fmax?: number;
  /**
   * Widen the window to whole groups of this many frames (default 1, or the file's frames per column). A view of a
   * file of every frame that is to match a pooled file's (render/scale.ts framesPerPixel) asks for the pooled file's
   * frames per column, so that its columns start on the same frames.
   */
  alignFrames?: number;
}

export interface SpectrogramWindow extends SpectrogramBlock {
  /** STFT frames behind each column (their maximum): the file's frames_per_column, or 1. */
  framesPerColumn: number;
  sampleRate: number;
  nFft: number;
  hopLength: number;
  /** Index of the first frequency bin kept. */
  startBin: number;
  /** Seconds of the centres of the first and last frames behind the columns (a pooled file: of whole groups). */
  t0: number;
  t1: number;
  /** Hz of the first and last bins kept. */
  f0: number;
  f1: number;
}

export interface SpectrogramFileAttrs {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  duration: number;
  /** STFT frames of the recording. */
  nFrames: number;
  /** Each stored column is the maximum of this many frames (1: every frame stored, files before issue 15). */
  framesPerColumn: number;
  nFreqBins: number;
  channels: number;
  /** Subtracted from the samples before the STFT of /spectrogram (0 when the file does not say). */
  dcOffset: number;
  /** The same for each per-channel dataset (empty for mono files). */
  channelDcOffsets: number[];
  datasets: string[];
  /** "uint16-db" (quantised) or the older "float32-db"; see encoding.ts. */
  encoding: SpectrogramEncoding;
}

type AnyDataset = {
  shape: number[] | null;
  attrs: Record<string, { value: unknown }>;
  slice(ranges: [number, number][]): unknown;
};

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v);
}

export async function readSpectrogramAttrs(path: string): Promise<SpectrogramFileAttrs> {
  const h5wasm = await loadH5wasm();
  const f = new h5wasm.File(path, "r");
  try {
    const ds = f.get("spectrogram") as unknown as AnyDataset | null;
    if (!ds) throw new Error(`${path} has no spectrogram dataset`);
    const a = (k: string) => num(ds.attrs[k]?.value);
    const enc = encodingOf(ds.attrs);
    const datasets = f.keys();
    const channelDcOffsets = datasets
      .filter((d) => /^spectrogram_ch\d+$/.test(d))
      .map((d) => {
        const c = f.get(d) as unknown as AnyDataset;
        return { c: Number(d.slice("spectrogram_ch".length)), dc: num(c.attrs.dc_offset?.value ?? 0) };
      })
      .sort((x, y) => x.c - y.c)
      .map((x) => x.dc);
    return {
      sampleRate: a("sample_rate"),
      nFft: a("n_fft"),
      hopLength: a("hop_length"),
      duration: a("duration"),
      nFrames: a("n_frames"),
      framesPerColumn: enc.framesPerColumn,
      nFreqBins: a("n_freq_bins"),
      channels: ds.attrs.channels ? a("channels") : 1,
      dcOffset: ds.attrs.dc_offset ? a("dc_offset") : 0,
      channelDcOffsets,
      datasets,
      encoding: enc.encoding,
    };
  } finally {
    f.close();
  }
}

/** The DC offset the file's dataset for `channel` ("mix" or an index) had removed before its STFT. */
export function dcOffsetOf(
  attrs: Pick<SpectrogramFileAttrs, "dcOffset" | "channelDcOffsets">,
  channel: "mix" | number = "mix",
): number {
  if (channel === "mix") return attrs.dcOffset;
  return attrs.channelDcOffsets[channel] ?? attrs.dcOffset;
}

/**
 * Reads a time window (and optional frequency range) with an HDF5 slice: only the chunks that
 * overlap the window are read and decompressed.
 */
export async function readSpectrogramWindow(
  path: string,
  req: SpectrogramWindowRequest = {},
): Promise<SpectrogramWindow> {
  const h5wasm = await loadH5wasm();
  const f = new h5wasm.File(path, "r");
  try {
    const name =
      req.channel === undefined || req.channel === "mix" ? "spectrogram" : `spectrogram_ch${req.channel}`;
    let ds = f.get(name) as unknown as AnyDataset | null;
    // Mono files have only /spectrogram: channel 0 is the same signal.
    if (!ds && req.channel === 0) ds = f.get("spectrogram") as unknown as AnyDataset | null;
    if (!ds) throw new Error(`${path} has no dataset ${name}`);
    const [bins, columns] = ds.shape as [number, number];
    const sr = num(ds.attrs.sample_rate?.value);
    const nFft = num(ds.attrs.n_fft?.value);
    const hop = num(ds.attrs.hop_length?.value);
    const enc = encodingOf(ds.attrs);
    const per = enc.framesPerColumn;
    const frames = ds.attrs.n_frames ? num(ds.attrs.n_frames.value) : columns * per;
    const [fr0, fr1] = windowFrames(frames, sr, hop, req, Math.max(per, req.alignFrames ?? 1));
    const c0 = Math.floor(fr0 / per);
    const c1 = Math.min(columns, Math.ceil(fr1 / per));
    const binHz = sr / nFft;
    const b0 = req.fmin === undefined ? 0 : Math.max(0, Math.min(bins, Math.ceil(req.fmin / binHz)));
    const b1 = req.fmax === undefined ? bins : Math.max(b0, Math.min(bins, Math.floor(req.fmax / binHz) + 1));
    const raw =
      c1 > c0 && b1 > b0
        ? (ds.slice([
            [b0, b1],
            [c0, c1],
          ]) as Float32Array | Uint16Array)
        : new Float32Array(0);
    // Quantised files are decoded here, so every consumer gets dB as float32 whatever the file's age.
    const data = enc.encoding === "uint16-db" ? decodeDb(raw, enc.scale, enc.offset) : (raw as Float32Array);
    return {
      startFrame: c0 * per,
      frames: Math.max(0, c1 - c0),
      framesPerColumn: per,
      bins: b1 - b0,
      data,
      startBin: b0,
      sampleRate: sr,
      nFft,
      hopLength: hop,
      t0: (c0 * per * hop) / sr,
      t1: (Math.max(c0 * per, Math.min(frames, c1 * per) - 1) * hop) / sr,
      f0: b0 * binHz,
      f1: Math.max(b0, b1 - 1) * binHz,
    };
  } finally {
    f.close();
  }
}

/**
 * STFT frames [fr0, fr1) of a window request over a recording of `frames` frames: the frames nearest its start and
 * end, widened to whole groups of `align` frames counted from frame 0.
 */
export function windowFrames(
  frames: number,
  sampleRate: number,
  hop: number,
  req: Pick<SpectrogramWindowRequest, "start" | "end">,
  align = 1,
): [number, number] {
  const toFrame = (t: number) => Math.round((t * sampleRate) / hop);
  let fr0 = Math.max(0, Math.min(frames, req.start === undefined ? 0 : toFrame(req.start)));
  let fr1 = Math.max(fr0, Math.min(frames, req.end === undefined ? frames : toFrame(req.end) + 1));
  if (align > 1) {
    fr0 = Math.floor(fr0 / align) * align;
    fr1 = Math.min(frames, Math.ceil(fr1 / align) * align);
  }
  return [fr0, fr1];
}
