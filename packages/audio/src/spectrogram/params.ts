/**
 * The original BattyCoda STFT, kept fixed so spectrograms stay comparable with existing data:
 * librosa.stft(n_fft=512, hop_length=128, window="hann", center=True, pad_mode="constant") then
 * 20·log10(max(|X|, 1e-4)). librosa ≥ 0.10 pads with zeros by default ("constant"), as the issue asks.
 */
export const N_FFT = 512;
export const HOP_LENGTH = 128;
export const N_FREQ_BINS = N_FFT / 2 + 1;
export const AMIN = 1e-4;
export const DB_FLOOR = 20 * Math.log10(AMIN); // -80
/**
 * STFT frames per stored column (their maximum) in spectrogram files written today, and the group size of every
 * view that shrinks frames (render/scale.ts framesPerPixel). spectrogram/encoding.ts says why.
 */
export const SPECTROGRAM_FRAMES_PER_COLUMN = 3;

export interface StftParams {
  nFft: number;
  hop: number;
}

export const DEFAULT_STFT: StftParams = { nFft: N_FFT, hop: HOP_LENGTH };

/** Frames of a centred STFT: 1 + floor(n / hop) (librosa with center=True). */
export function frameCount(samples: number, hop = HOP_LENGTH): number {
  return 1 + Math.floor(samples / hop);
}

/** Periodic Hann (scipy.signal.get_window("hann", n, fftbins=True)), what librosa uses. */
export function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Centre frequency of each bin, Hz. */
export function binFrequencies(sampleRate: number, nFft = N_FFT): Float64Array {
  const f = new Float64Array(nFft / 2 + 1);
  for (let k = 0; k < f.length; k++) f[k] = (k * sampleRate) / nFft;
  return f;
}

/** Time of each frame centre, seconds (frame t is centred on sample t·hop). */
export function frameTime(frame: number, sampleRate: number, hop = HOP_LENGTH): number {
  return (frame * hop) / sampleRate;
}
