// Per-call summaries for clustering: MFCC (13), mel (128) and chroma (12), each as mean and standard deviation
// over frames, computed at the recording's own sample rate (the original resampled to 22.05 kHz, which threw
// away everything above 11 kHz, i.e. every echolocation call). Conventions follow librosa's defaults where they
// make sense: Slaney mel scale and area-normalised triangles from 0 Hz to Nyquist, power spectrogram,
// power_to_db with an 80 dB floor below the call's maximum, DCT-II (orthonormal) for MFCC, chroma as power
// folded into 12 pitch classes (C = 0, A4 = 440 Hz) normalised per frame by its maximum.
import type { Segment } from "../segmentation/types.ts";
import { cutSegment } from "./calls.ts";
import { magnitudes } from "./dft.ts";

export const N_MFCC = 13;
export const N_MELS = 128;
export const N_CHROMA = 12;

export interface ClusteringFeatures {
  mfccMean: number[];
  mfccStd: number[];
  melMean: number[];
  melStd: number[];
  chromaMean: number[];
  chromaStd: number[];
}

export interface ClusteringOptions {
  /** FFT length; default: the power of two nearest to 2 ms of audio, at least 256 samples. */
  nFft?: number;
}

export function defaultNfft(sampleRate: number): number {
  return Math.max(256, 2 ** Math.round(Math.log2(sampleRate * 0.002)));
}

// Slaney mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;
const hzToMel = (f: number): number =>
  f < MIN_LOG_HZ ? f / F_SP : MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP;
const melToHz = (m: number): number =>
  m < MIN_LOG_MEL ? m * F_SP : MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL));

interface Bank {
  nFft: number;
  mel: Float64Array[]; // N_MELS rows over nFft/2 + 1 bins
  chromaOf: Int8Array; // pitch class per bin (-1 for DC)
  window: Float64Array;
  dct: Float64Array[]; // N_MFCC rows over N_MELS
}

const banks = new Map<string, Bank>();

/** librosa.filters.mel(sr, n_fft, n_mels=128, fmin=0, fmax=sr/2): triangles with Slaney area normalisation. */
export function melFilterbank(sampleRate: number, nFft: number, nMels = N_MELS): Float64Array[] {
  const nBins = nFft / 2 + 1;
  const fft = Float64Array.from({ length: nBins }, (_, k) => (k * sampleRate) / nFft);
  const mMax = hzToMel(sampleRate / 2);
  const pts = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHz((i * mMax) / (nMels + 1)));
  const rows: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = pts[m]!;
    const c = pts[m + 1]!;
    const hi = pts[m + 2]!;
    const row = new Float64Array(nBins);
    const enorm = 2 / (hi - lo);
    for (let k = 0; k < nBins; k++) {
      const f = fft[k]!;
      const w = Math.max(0, Math.min((f - lo) / (c - lo), (hi - f) / (hi - c)));
      row[k] = w * enorm;
    }
    rows.push(row);
  }
  return rows;
}

function bank(sampleRate: number, nFft: number): Bank {
  const key = `${sampleRate}:${nFft}`;
  let b = banks.get(key);
  if (!b) {
    const nBins = nFft / 2 + 1;
    const chromaOf = new Int8Array(nBins);
    chromaOf[0] = -1;
    for (let k = 1; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const semis = Math.round(12 * Math.log2(f / 440)) + 9; // +9: A is pitch class 9 when C is 0
      chromaOf[k] = ((semis % 12) + 12) % 12;
    }
    const window = Float64Array.from(
      { length: nFft },
      (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft),
    );
    const dct: Float64Array[] = [];
    for (let q = 0; q < N_MFCC; q++) {
      const row = new Float64Array(N_MELS);
      const s = q === 0 ? Math.sqrt(1 / N_MELS) : Math.sqrt(2 / N_MELS);
      for (let m = 0; m < N_MELS; m++) row[m] = s * Math.cos((Math.PI * q * (2 * m + 1)) / (2 * N_MELS));
      dct.push(row);
    }
    b = { nFft, mel: melFilterbank(sampleRate, nFft), chromaOf, window, dct };
    banks.set(key, b);
  }
  return b;
}

function meanStd(rows: Float64Array[], dim: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(dim).fill(0);
  const std = new Array<number>(dim).fill(0);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i]! += r[i]!;
  for (let i = 0; i < dim; i++) mean[i] = mean[i]! / rows.length;
  for (const r of rows) for (let i = 0; i < dim; i++) std[i]! += (r[i]! - mean[i]!) ** 2;
  for (let i = 0; i < dim; i++) std[i] = Math.sqrt(std[i]! / rows.length);
  return { mean, std };
}

/** Summaries for one call (already cut out). Frames hop by nFft/4; a call shorter than nFft is one zero-padded frame. */
export function clusteringFeaturesOf(
  x: Float64Array,
  sampleRate: number,
  opts: ClusteringOptions = {},
): ClusteringFeatures {
  const nFft = opts.nFft ?? defaultNfft(sampleRate);
  const b = bank(sampleRate, nFft);
  const nBins = nFft / 2 + 1;
  const hop = nFft / 4;
  const padded = x.length >= nFft ? x : Float64Array.from({ length: nFft }, (_, i) => x[i] ?? 0);
  const nFrames = 1 + Math.floor((padded.length - nFft) / hop);
  const mags = new Float64Array(nBins);
  const melFrames: Float64Array[] = [];
  const chromaFrames: Float64Array[] = [];
  let maxDb = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < nFrames; f++) {
    magnitudes(padded, f * hop, nFft, b.window, mags);
    const mel = new Float64Array(N_MELS);
    for (let m = 0; m < N_MELS; m++) {
      const row = b.mel[m]!;
      let s = 0;
      for (let k = 0; k < nBins; k++) if (row[k] !== 0) s += row[k]! * mags[k]! * mags[k]!;
      mel[m] = 10 * Math.log10(Math.max(s, 1e-10));
      if (mel[m]! > maxDb) maxDb = mel[m]!;
    }
    melFrames.push(mel);
    const chroma = new Float64Array(N_CHROMA);
    for (let k = 1; k < nBins; k++) chroma[b.chromaOf[k]!]! += mags[k]! * mags[k]!;
    let cmax = 0;
    for (const v of chroma) if (v > cmax) cmax = v;
    if (cmax > 0) for (let i = 0; i < N_CHROMA; i++) chroma[i] = chroma[i]! / cmax;
    chromaFrames.push(chroma);
  }
  const floorDb = maxDb - 80;
  const mfccFrames = melFrames.map((mel) => {
    for (let m = 0; m < N_MELS; m++) if (mel[m]! < floorDb) mel[m] = floorDb;
    const c = new Float64Array(N_MFCC);
    for (let q = 0; q < N_MFCC; q++) {
      const row = b.dct[q]!;
      let s = 0;
      for (let m = 0; m < N_MELS; m++) s += row[m]! * mel[m]!;
      c[q] = s;
    }
    return c;
  });
  const mf = meanStd(mfccFrames, N_MFCC);
  const me = meanStd(melFrames, N_MELS);
  const ch = meanStd(chromaFrames, N_CHROMA);
  return {
    mfccMean: mf.mean,
    mfccStd: mf.std,
    melMean: me.mean,
    melStd: me.std,
    chromaMean: ch.mean,
    chromaStd: ch.std,
  };
}

/** Clustering summaries for each segment of one channel; segments shorter than 10 samples give NaN vectors. */
export function extractClusteringFeatures(
  samples: Float32Array,
  sampleRate: number,
  segments: Segment[],
  opts: ClusteringOptions = {},
): ClusteringFeatures[] {
  return segments.map((seg) => {
    const x = cutSegment(samples, sampleRate, seg);
    if (x.length < 10) {
      const nan = (n: number) => new Array<number>(n).fill(Number.NaN);
      return {
        mfccMean: nan(N_MFCC),
        mfccStd: nan(N_MFCC),
        melMean: nan(N_MELS),
        melStd: nan(N_MELS),
        chromaMean: nan(N_CHROMA),
        chromaStd: nan(N_CHROMA),
      };
    }
    return clusteringFeaturesOf(x, sampleRate, opts);
  });
}
