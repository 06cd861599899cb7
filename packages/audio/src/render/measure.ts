/**
 * Raven-style selection measurements from spectrogram data (browser-safe: the viewer's measure tool
 * and the annotation screen call it on the window they fetched for the box; tests on the STFT).
 *
 * The box measurements are Raven's Begin/End Time, Delta Time, Low/High Freq, Delta Freq; the
 * energy ones are Raven's Peak Freq, Peak Time, Max Power, Center Freq, Freq 5 % / 95 %,
 * BW 90 %, Time 5 % / 95 % and Dur 90 % (energy = Σ 10^(dB/10) over the cells in the box).
 * `signal` is the sound inside the box: the span where the frame's loudest cell is within
 * `thresholdDb` of the box's peak (crossings interpolated between frames), and the lowest and
 * highest rows within `thresholdDb` of the peak in those frames, so a loose box still gives the
 * call's duration and band (within a bin for calls of a few ms; a 2 ms sweep over 50 kHz smears
 * over a window and comes out a bin or two wider).
 */

export interface MeasureGrid {
  /** dB, frequency-major: data[bin * frames + frame] (bin 0 = lowest frequency). */
  data: ArrayLike<number>;
  frames: number;
  bins: number;
  /** Seconds of column 0's centre and the spacing of columns. */
  t0: number;
  dt: number;
  /** Hz of row 0's centre and the spacing of rows. */
  f0: number;
  df: number;
}

export interface SelectionBox {
  /** Seconds. */
  start: number;
  end: number;
  /** Hz. */
  fLow: number;
  fHigh: number;
}

export interface SelectionMeasurements {
  beginTime: number;
  endTime: number;
  deltaTime: number;
  lowFreq: number;
  highFreq: number;
  deltaFreq: number;
  peakFreq: number;
  peakTime: number;
  maxPowerDb: number;
  centerFreq: number;
  freq5: number;
  freq95: number;
  bandwidth90: number;
  time5: number;
  time95: number;
  duration90: number;
  signal: {
    thresholdDb: number;
    start: number;
    end: number;
    duration: number;
    lowFreq: number;
    highFreq: number;
  };
  /** Cells the measurements come from (0 when the box holds none: then only the box fields mean anything). */
  cells: number;
}

export const DEFAULT_SIGNAL_THRESHOLD_DB = 10;

export function measureSelection(
  grid: MeasureGrid,
  box: SelectionBox,
  thresholdDb = DEFAULT_SIGNAL_THRESHOLD_DB,
): SelectionMeasurements {
  const start = Math.min(box.start, box.end);
  const end = Math.max(box.start, box.end);
  const fLow = Math.min(box.fLow, box.fHigh);
  const fHigh = Math.max(box.fLow, box.fHigh);
  const timeOf = (i: number) => grid.t0 + i * grid.dt;
  const freqOf = (k: number) => grid.f0 + k * grid.df;
  // Cells whose centre lies in the box.
  const c0 = Math.max(0, Math.ceil((start - grid.t0) / (grid.dt || 1) - 1e-9));
  const c1 = Math.min(grid.frames - 1, Math.floor((end - grid.t0) / (grid.dt || 1) + 1e-9));
  const k0 = Math.max(0, Math.ceil((fLow - grid.f0) / (grid.df || 1) - 1e-9));
  const k1 = Math.min(grid.bins - 1, Math.floor((fHigh - grid.f0) / (grid.df || 1) + 1e-9));
  const out: SelectionMeasurements = {
    beginTime: start,
    endTime: end,
    deltaTime: end - start,
    lowFreq: fLow,
    highFreq: fHigh,
    deltaFreq: fHigh - fLow,
    peakFreq: Number.NaN,
    peakTime: Number.NaN,
    maxPowerDb: Number.NaN,
    centerFreq: Number.NaN,
    freq5: Number.NaN,
    freq95: Number.NaN,
    bandwidth90: Number.NaN,
    time5: Number.NaN,
    time95: Number.NaN,
    duration90: Number.NaN,
    signal: {
      thresholdDb,
      start: Number.NaN,
      end: Number.NaN,
      duration: Number.NaN,
      lowFreq: Number.NaN,
      highFreq: Number.NaN,
    },
    cells: 0,
  };
  if (c1 < c0 || k1 < k0) return out;
  const nT = c1 - c0 + 1;
  const nF = k1 - k0 + 1;
  out.cells = nT * nF;

  let peak = Number.NEGATIVE_INFINITY;
  let peakT = c0;
  let peakK = k0;
  const frameMax = new Float64Array(nT).fill(Number.NEGATIVE_INFINITY);
  const energyT = new Float64Array(nT);
  const energyF = new Float64Array(nF);
  for (let k = k0; k <= k1; k++) {
    const row = k * grid.frames;
    for (let t = c0; t <= c1; t++) {
      const db = grid.data[row + t]!;
      const p = 10 ** (db / 10);
      energyT[t - c0] = energyT[t - c0]! + p;
      energyF[k - k0] = energyF[k - k0]! + p;
      if (db > frameMax[t - c0]!) frameMax[t - c0] = db;
      if (db > peak) {
        peak = db;
        peakT = t;
        peakK = k;
      }
    }
  }
  out.maxPowerDb = peak;
  out.peakFreq = freqOf(peakK);
  out.peakTime = timeOf(peakT);

  const cumF = new Float64Array(nF);
  for (let i = 0, acc = 0; i < nF; i++) cumF[i] = acc += energyF[i]!;
  const cumT = new Float64Array(nT);
  for (let i = 0, acc = 0; i < nT; i++) cumT[i] = acc += energyT[i]!;
  const totalF = cumF[nF - 1]!;
  const totalT = cumT[nT - 1]!;
  // Raven reports these at cell centres: the first cell at which the running sum reaches the share.
  const at = (cum: Float64Array, share: number, total: number) => {
    const target = share * total;
    for (let i = 0; i < cum.length; i++) if (cum[i]! >= target) return i;
    return cum.length - 1;
  };
  out.freq5 = freqOf(k0 + at(cumF, 0.05, totalF));
  out.centerFreq = freqOf(k0 + at(cumF, 0.5, totalF));
  out.freq95 = freqOf(k0 + at(cumF, 0.95, totalF));
  out.bandwidth90 = out.freq95 - out.freq5;
  out.time5 = timeOf(c0 + at(cumT, 0.05, totalT));
  out.time95 = timeOf(c0 + at(cumT, 0.95, totalT));
  out.duration90 = out.time95 - out.time5;

  // The signal: frames within thresholdDb of the peak, contiguous around the peak's frame.
  const level = peak - thresholdDb;
  let a = peakT - c0;
  let b = peakT - c0;
  while (a > 0 && frameMax[a - 1]! >= level) a--;
  while (b < nT - 1 && frameMax[b + 1]! >= level) b++;
  // Crossing between a frame below the level and the first one above it, linear in dB.
  const cross = (inside: number, outside: number) => {
    if (outside < 0 || outside >= nT) return inside;
    const hiDb = frameMax[inside]!;
    const loDb = frameMax[outside]!;
    const f = hiDb > loDb ? (hiDb - level) / (hiDb - loDb) : 0;
    return inside + (outside - inside) * Math.max(0, Math.min(1, f));
  };
  const sa = cross(a, a - 1);
  const sb = cross(b, b + 1);
  // Its band: the rows that come within thresholdDb of the peak during those frames. (The ridge
  // alone misses a sweep's ends, where a frame holds only part of the call.)
  let lo = -1;
  let hi = -1;
  for (let k = k0; k <= k1; k++) {
    const row = k * grid.frames;
    for (let i = a; i <= b; i++) {
      if (grid.data[row + c0 + i]! >= level) {
        if (lo < 0) lo = k;
        hi = k;
        break;
      }
    }
  }
  out.signal = {
    thresholdDb,
    start: timeOf(c0 + sa),
    end: timeOf(c0 + sb),
    duration: (sb - sa) * grid.dt,
    lowFreq: freqOf(lo),
    highFreq: freqOf(hi),
  };
  return out;
}

/**
 * A decoded BCSG window (rows from the highest frequency down, values 0–255 on [dbMin, dbMax]) as a
 * measurable grid. Pooled windows measure coarser: fetch the box at full resolution to measure it.
 */
export function gridFromQuantised(w: {
  frames: number;
  bins: number;
  dbMin: number;
  dbMax: number;
  t0: number;
  t1: number;
  f0: number;
  f1: number;
  values: Uint8Array;
}): MeasureGrid {
  const data = new Float32Array(w.frames * w.bins);
  const scale = (w.dbMax - w.dbMin) / 255;
  for (let r = 0; r < w.bins; r++) {
    const k = w.bins - 1 - r;
    for (let t = 0; t < w.frames; t++) data[k * w.frames + t] = w.dbMin + w.values[r * w.frames + t]! * scale;
  }
  return {
    data,
    frames: w.frames,
    bins: w.bins,
    t0: w.t0,
    dt: w.frames > 1 ? (w.t1 - w.t0) / (w.frames - 1) : 0,
    f0: w.f0,
    df: w.bins > 1 ? (w.f1 - w.f0) / (w.bins - 1) : 0,
  };
}
