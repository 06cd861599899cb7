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
}

export interface SpectrogramWindow extends SpectrogramBlock {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  /** Index of the first frequency bin kept. */
  startBin: number;
  /** Seconds of the first and last frame centres. */
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
  nFrames: number;
  nFreqBins: number;
  channels: number;
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
    return {
      sampleRate: a("sample_rate"),
      nFft: a("n_fft"),
      hopLength: a("hop_length"),
      duration: a("duration"),
      nFrames: a("n_frames"),
      nFreqBins: a("n_freq_bins"),
      channels: ds.attrs.channels ? a("channels") : 1,
      datasets: f.keys(),
      encoding: encodingOf(ds.attrs).encoding,
    };
  } finally {
    f.close();
  }
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
    const [bins, frames] = ds.shape as [number, number];
    const sr = num(ds.attrs.sample_rate?.value);
    const nFft = num(ds.attrs.n_fft?.value);
    const hop = num(ds.attrs.hop_length?.value);
    const toFrame = (t: number) => Math.round((t * sr) / hop);
    const fr0 = Math.max(0, Math.min(frames, req.start === undefined ? 0 : toFrame(req.start)));
    const fr1 = Math.max(fr0, Math.min(frames, req.end === undefined ? frames : toFrame(req.end) + 1));
    const binHz = sr / nFft;
    const b0 = req.fmin === undefined ? 0 : Math.max(0, Math.min(bins, Math.ceil(req.fmin / binHz)));
    const b1 = req.fmax === undefined ? bins : Math.max(b0, Math.min(bins, Math.floor(req.fmax / binHz) + 1));
    const enc = encodingOf(ds.attrs);
    const raw =
      fr1 > fr0 && b1 > b0
        ? (ds.slice([
            [b0, b1],
            [fr0, fr1],
          ]) as Float32Array | Uint16Array)
        : new Float32Array(0);
    // Quantised files are decoded here, so every consumer gets dB as float32 whatever the file's age.
    const data = enc.encoding === "uint16-db" ? decodeDb(raw, enc.scale, enc.offset) : (raw as Float32Array);
    return {
      startFrame: fr0,
      frames: fr1 - fr0,
      bins: b1 - b0,
      data,
      startBin: b0,
      sampleRate: sr,
      nFft,
      hopLength: hop,
      t0: (fr0 * hop) / sr,
      t1: (Math.max(fr0, fr1 - 1) * hop) / sr,
      f0: b0 * binHz,
      f1: Math.max(b0, b1 - 1) * binHz,
    };
  } finally {
    f.close();
  }
}
