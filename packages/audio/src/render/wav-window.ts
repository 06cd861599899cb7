import { DEFAULT_STFT, frameCount } from "../spectrogram/params.ts";
import { type SpectrogramWindow, type SpectrogramWindowRequest, windowFrames } from "../spectrogram/read.ts";
import { StftKernel } from "../spectrogram/stft.ts";
import { readWavFile, readWavInfo } from "../wav/file.ts";
import { type BinaryOptions, encodeSpectrogramBinary } from "./binary.ts";
import { type RenderOptions, renderPng } from "./png.ts";

/**
 * A spectrogram window computed straight from the WAV, frame for frame where the HDF5 file has it
 * (frame t centred on sample t·hop, zeros beyond the file's ends), so a recording can be looked at
 * while its HDF5 job is still running. Only the window's samples (± half an FFT) are read.
 *
 * The DC offset is removed first: the file's own (`dcOffset`, the spectrogram file's dc_offset, when the window
 * stands in for that file's frames), else estimated from the samples read. An offset is not sound, and left in it
 * draws the 0 Hz row as the brightest in the picture and turns the step from the zero padding into a broadband
 * first and last frame.
 */
export async function readWavSpectrogramWindow(
  wavPath: string,
  req: WavWindowRequest = {},
): Promise<SpectrogramWindow> {
  const info = await readWavInfo(wavPath);
  const sr = info.sampleRate;
  const { nFft, hop } = DEFAULT_STFT;
  const frames = frameCount(info.frames, hop);
  const [fr0, fr1] = windowFrames(frames, sr, hop, req, req.alignFrames ?? 1);
  const bins = nFft / 2 + 1;
  const binHz = sr / nFft;
  const b0 = req.fmin === undefined ? 0 : Math.max(0, Math.min(bins, Math.ceil(req.fmin / binHz)));
  const b1 = req.fmax === undefined ? bins : Math.max(b0, Math.min(bins, Math.floor(req.fmax / binHz) + 1));
  const n = fr1 - fr0;
  const axes = {
    startFrame: fr0,
    frames: n,
    framesPerColumn: 1,
    bins: b1 - b0,
    startBin: b0,
    sampleRate: sr,
    nFft,
    hopLength: hop,
    t0: (fr0 * hop) / sr,
    t1: (Math.max(fr0, fr1 - 1) * hop) / sr,
    f0: b0 * binHz,
    f1: Math.max(b0, b1 - 1) * binHz,
  };
  if (n === 0 || b1 === b0) return { ...axes, data: new Float32Array(0) };

  // Padded-signal span of the window's frames: [fr0·hop − nFft/2, (fr1 − 1)·hop + nFft/2).
  const p0 = fr0 * hop - nFft / 2;
  const p1 = (fr1 - 1) * hop + nFft / 2;
  const s0 = Math.max(0, p0);
  const s1 = Math.min(info.frames, p1);
  const wav = await readWavFile(wavPath, { start: s0 / sr, end: s1 / sr });
  const channel = req.channel ?? "mix";
  if (channel !== "mix" && channel >= wav.channels.length && !(channel === 0 && wav.channels.length === 1))
    throw new Error(`${wavPath} has no channel ${channel}`);
  const picked = channel === "mix" ? wav.channels : [wav.channels[channel]!];
  const padded = new Float32Array(p1 - p0);
  const got = picked[0]?.length ?? 0;
  const inv = 1 / picked.length;
  for (const ch of picked)
    for (let i = 0; i < got; i++) padded[s0 - p0 + i] = padded[s0 - p0 + i]! + ch[i]! * inv;
  let mean = req.dcOffset;
  if (mean === undefined) {
    mean = 0;
    for (let i = 0; i < got; i++) mean += padded[s0 - p0 + i]!;
    mean = got > 0 ? mean / got : 0;
  }
  for (let i = 0; i < got; i++) padded[s0 - p0 + i] = padded[s0 - p0 + i]! - mean;

  const kernel = new StftKernel(DEFAULT_STFT);
  const full = new Float32Array(bins * n);
  for (let t = 0; t < n; t++) kernel.column(padded, t * hop, full, t, n);
  const data = b0 === 0 && b1 === bins ? full : full.slice(b0 * n, b1 * n);
  return { ...axes, data };
}

export interface WavWindowRequest extends SpectrogramWindowRequest {
  /** The DC offset to subtract (the spectrogram file's dc_offset); default: the mean of the samples read. */
  dcOffset?: number;
}

/** WAV + window → BCSG for the browser canvas (while the HDF5 file does not exist yet, and for close-ups). */
export async function renderWavWindowBinary(
  wavPath: string,
  req: WavWindowRequest,
  options: BinaryOptions = {},
): Promise<Uint8Array> {
  const w = await readWavSpectrogramWindow(wavPath, req);
  return encodeSpectrogramBinary(
    w,
    { t0: w.t0, t1: w.t1, f0: w.f0, f1: w.f1, sampleRate: w.sampleRate },
    options,
  );
}

/** WAV + window → PNG. */
export async function renderWavWindowPng(
  wavPath: string,
  req: WavWindowRequest,
  options: RenderOptions = {},
): Promise<Buffer> {
  return renderPng(await readWavSpectrogramWindow(wavPath, req), options);
}
