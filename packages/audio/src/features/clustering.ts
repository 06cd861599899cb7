// Per-call summaries for clustering: MFCC (13), mel (128) and chroma (12), each as mean and standard deviation
// over frames, computed at the recording's own sample rate (the original resampled to 22.05 kHz, which threw
// away everything above 11 kHz, i.e. every echolocation call).
//
// Recordings of one run often differ in sample rate (250, 384, 500 kHz), and the same call must give the
// same vector at each of them, or the clusters split by recorder instead of by call shape. So nothing here
// depends on the rate: the mel filterbank spans a fixed band (default 10–120 kHz, a run passes its own,
// the same for every recording), not 0 Hz to Nyquist; the analysis window and hop are durations, not sample
// counts; each frame's power is normalised by the FFT length and the window's energy (Parseval), so a tone
// or a noise floor reads the same power at every rate; and each filter integrates the triangle over every
// FFT bin's width instead of sampling it at the bin centres, so filters narrower than a bin are neither
// empty at one rate nor full at another. A band reaching above Nyquist reads zero power there (the
// recording holds nothing), which the 80 dB floor below turns into the floor value.
// Otherwise librosa's conventions: Slaney mel scale and area-normalised triangles, power in dB with an 80 dB
// floor below the call's maximum, DCT-II (orthonormal) for MFCC, chroma as the band's power folded into 12
// pitch classes (C = 0, A4 = 440 Hz) normalised per frame by its maximum.
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

/** The frequencies the mel filterbank (and chroma) look at, in Hz. */
export interface FrequencyBand {
  minHz: number;
  maxHz: number;
}

/** Where most bat echolocation and social calls lie; a run for other animals passes its own band. */
export const DEFAULT_CLUSTERING_BAND: Readonly<FrequencyBand> = Object.freeze({
  minHz: 10_000,
  maxHz: 120_000,
});
/** 2 ms: about 500 Hz resolution, a few frames even in a short FM call. */
export const DEFAULT_WINDOW_SECONDS = 0.002;

export interface ClusteringOptions {
  /** Default DEFAULT_CLUSTERING_BAND. Must be the same for every recording compared. */
  band?: FrequencyBand;
  /** Analysis window length in seconds (default 2 ms); frames hop by a quarter of it. */
  windowSeconds?: number;
}

export function checkBand(band: FrequencyBand): FrequencyBand {
  if (!(Number.isFinite(band.minHz) && Number.isFinite(band.maxHz) && band.minHz >= 0))
    throw new RangeError(`invalid frequency band ${band.minHz}–${band.maxHz} Hz`);
  if (band.maxHz <= band.minHz)
    throw new RangeError(
      `the band's upper edge (${band.maxHz} Hz) must be above its lower (${band.minHz} Hz)`,
    );
  return band;
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

/** The (lower, centre, upper) edges in Hz of nMels triangles evenly spaced in mel over the band. */
export function melEdges(band: FrequencyBand = DEFAULT_CLUSTERING_BAND, nMels = N_MELS): Float64Array {
  checkBand(band);
  const m0 = hzToMel(band.minHz);
  const m1 = hzToMel(band.maxHz);
  return Float64Array.from({ length: nMels + 2 }, (_, i) => melToHz(m0 + (i * (m1 - m0)) / (nMels + 1)));
}

/** ∫ from -∞ to x of the triangle (lo, c, hi) whose area is 1 (Slaney normalisation: peak 2 / (hi - lo)). */
function triangleCdf(lo: number, c: number, hi: number, x: number): number {
  if (x <= lo) return 0;
  if (x >= hi) return 1;
  const h = 2 / (hi - lo);
  if (x <= c) return (h * (x - lo) ** 2) / (2 * (c - lo));
  return 1 - (h * (hi - x) ** 2) / (2 * (hi - c));
}

/**
 * Filter weights over the nFft/2 + 1 bins of a one-sided spectrum at this rate: each weight is the
 * triangle's mean over the bin's width (sr / nFft), so Σ_k weight·power_k is the triangle-weighted mean
 * power spectral density whatever the bin grid. Bins above Nyquist do not exist and weigh nothing.
 */
export function melFilterbank(
  sampleRate: number,
  nFft: number,
  band: FrequencyBand = DEFAULT_CLUSTERING_BAND,
  nMels = N_MELS,
): Float64Array[] {
  const nBins = nFft / 2 + 1;
  const df = sampleRate / nFft;
  const pts = melEdges(band, nMels);
  const rows: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = pts[m]!;
    const c = pts[m + 1]!;
    const hi = pts[m + 2]!;
    const row = new Float64Array(nBins);
    const kFrom = Math.max(0, Math.floor(lo / df - 0.5));
    const kTo = Math.min(nBins - 1, Math.ceil(hi / df + 0.5));
    for (let k = kFrom; k <= kTo; k++) {
      const a = (k - 0.5) * df;
      const b = (k + 0.5) * df;
      row[k] = (triangleCdf(lo, c, hi, b) - triangleCdf(lo, c, hi, a)) / df;
    }
    rows.push(row);
  }
  return rows;
}

interface Bank {
  /** Window length in samples and FFT length (zero-padded to at least twice the window). */
  length: number;
  nFft: number;
  hop: number;
  /** mel[m] is non-zero only on bins from[m] .. to[m]. */
  mel: Float64Array[];
  from: Int32Array;
  to: Int32Array;
  /** Pitch class per bin inside the band, -1 outside it. */
  chromaOf: Int8Array;
  /** Hann window of `length` samples, zero-padded to nFft. */
  window: Float64Array;
  /** |X_k|² → power per bin: 1 / (nFft · Σw²). */
  powerScale: number;
  dct: Float64Array[]; // N_MFCC rows over N_MELS
}

const banks = new Map<string, Bank>();

function nextPow2(n: number): number {
  let m = 2;
  while (m < n) m *= 2;
  return m;
}

function bank(sampleRate: number, band: FrequencyBand, windowSeconds: number): Bank {
  const key = `${sampleRate}:${band.minHz}:${band.maxHz}:${windowSeconds}`;
  let b = banks.get(key);
  if (b) return b;
  const length = Math.max(16, Math.round(windowSeconds * sampleRate));
  // zero-padding to twice the window samples the window's spectrum finely enough (≤ 1/4 of its main
  // lobe) that the bin grid, which differs between rates, hardly changes the filters' sums
  const nFft = nextPow2(2 * length);
  const hop = Math.max(1, Math.round(length / 4));
  const nBins = nFft / 2 + 1;
  const window = new Float64Array(nFft);
  let energy = 0;
  for (let i = 0; i < length; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
    energy += window[i]! ** 2;
  }
  const mel = melFilterbank(sampleRate, nFft, band);
  const from = new Int32Array(N_MELS);
  const to = new Int32Array(N_MELS);
  mel.forEach((row, m) => {
    let first = -1;
    let last = -2;
    for (let k = 0; k < nBins; k++)
      if (row[k] !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    from[m] = Math.max(0, first);
    to[m] = last;
  });
  const chromaOf = new Int8Array(nBins).fill(-1);
  for (let k = 1; k < nBins; k++) {
    const f = (k * sampleRate) / nFft;
    if (f < band.minHz || f > band.maxHz) continue;
    const semis = Math.round(12 * Math.log2(f / 440)) + 9; // +9: A is pitch class 9 when C is 0
    chromaOf[k] = ((semis % 12) + 12) % 12;
  }
  const dct: Float64Array[] = [];
  for (let q = 0; q < N_MFCC; q++) {
    const row = new Float64Array(N_MELS);
    const s = q === 0 ? Math.sqrt(1 / N_MELS) : Math.sqrt(2 / N_MELS);
    for (let m = 0; m < N_MELS; m++) row[m] = s * Math.cos((Math.PI * q * (2 * m + 1)) / (2 * N_MELS));
    dct.push(row);
  }
  b = { length, nFft, hop, mel, from, to, chromaOf, window, powerScale: 1 / (nFft * energy), dct };
  banks.set(key, b);
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

/** Summaries for one call (already cut out). A call shorter than the window is one zero-padded frame. */
export function clusteringFeaturesOf(
  x: Float64Array,
  sampleRate: number,
  opts: ClusteringOptions = {},
): ClusteringFeatures {
  const b = bank(
    sampleRate,
    checkBand(opts.band ?? DEFAULT_CLUSTERING_BAND),
    opts.windowSeconds ?? DEFAULT_WINDOW_SECONDS,
  );
  const { nFft, length, hop } = b;
  const nBins = nFft / 2 + 1;
  const nFrames = x.length <= length ? 1 : 1 + Math.floor((x.length - length) / hop);
  // one frame: the window's samples, then zeros up to nFft (the window is zero there too)
  const frame = new Float64Array(nFft);
  const power = new Float64Array(nBins);
  const melFrames: Float64Array[] = [];
  const chromaFrames: Float64Array[] = [];
  let maxDb = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < nFrames; f++) {
    const start = f * hop;
    for (let i = 0; i < length; i++) frame[i] = x[start + i] ?? 0;
    magnitudes(frame, 0, nFft, b.window, power);
    for (let k = 0; k < nBins; k++) power[k] = power[k]! * power[k]! * b.powerScale;
    const mel = new Float64Array(N_MELS);
    for (let m = 0; m < N_MELS; m++) {
      const row = b.mel[m]!;
      let s = 0;
      for (let k = b.from[m]!; k <= b.to[m]!; k++) s += row[k]! * power[k]!;
      mel[m] = 10 * Math.log10(Math.max(s, 1e-30));
      if (mel[m]! > maxDb) maxDb = mel[m]!;
    }
    melFrames.push(mel);
    const chroma = new Float64Array(N_CHROMA);
    for (let k = 1; k < nBins; k++) {
      const pc = b.chromaOf[k]!;
      if (pc >= 0) chroma[pc]! += power[k]!;
    }
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
