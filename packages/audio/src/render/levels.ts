/**
 * Display levels from the data itself: the one level computation of the server's PNG renderer
 * and the browser viewers (browser-safe: no Node APIs).
 *
 * A fixed "loudest − 80 dB" range leaves a quiet recording (peak 53 of 32767) as a washed-out sheet
 * of noise and a loud one crushed into the top of the colour map. Levels from the recording's own
 * statistics put its noise floor near the bottom of the colour map and its peak at the top, whatever
 * the gain; brightness and contrast are then fine adjustments around that.
 */

/** Histogram of dB values in fixed 0.25 dB steps over [HIST_MIN, HIST_MAX]. */
export const HIST_STEP = 0.25;
export const HIST_MIN = -200;
export const HIST_MAX = 100;
const N_BINS = Math.round((HIST_MAX - HIST_MIN) / HIST_STEP) + 1;

export class DbHistogram {
  readonly counts = new Float64Array(N_BINS);
  total = 0;
  /** Largest value added (exact, not binned): the top of the levels. */
  max = Number.NEGATIVE_INFINITY;

  add(db: number, count = 1): void {
    if (!(count > 0) || Number.isNaN(db)) return;
    const i = Math.round((Math.max(HIST_MIN, Math.min(HIST_MAX, db)) - HIST_MIN) / HIST_STEP);
    this.counts[i] = this.counts[i]! + count;
    this.total += count;
    if (db > this.max) this.max = db;
  }

  addAll(data: ArrayLike<number>): this {
    for (let i = 0; i < data.length; i++) this.add(data[i]!);
    return this;
  }

  merge(other: DbHistogram): this {
    for (let i = 0; i < N_BINS; i++) this.counts[i] = this.counts[i]! + other.counts[i]!;
    this.total += other.total;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /** Value below which a fraction `p` (0–1) of the data lies; NaN when empty. */
  percentile(p: number): number {
    if (this.total <= 0) return Number.NaN;
    const target = Math.max(0, Math.min(1, p)) * this.total;
    let acc = 0;
    for (let i = 0; i < N_BINS; i++) {
      acc += this.counts[i]!;
      if (acc >= target && this.counts[i]! > 0) return HIST_MIN + i * HIST_STEP;
    }
    return this.max;
  }
}

export interface LevelOptions {
  /**
   * The percentile taken as the bottom of the colour map (0–1). Most of a bat recording's
   * spectrogram is background noise, so a low percentile of it draws the noise as a dark texture
   * and anything above the noise stands out.
   */
  floorPercentile?: number;
  /** Narrowest range (dB): a view of pure noise must not be stretched into false contrast. */
  minRange?: number;
  /** Widest range (dB). */
  maxRange?: number;
}

export const DEFAULT_LEVELS: Required<LevelOptions> = {
  floorPercentile: 0.2,
  minRange: 30,
  // The BCSG tiles are quantised over their loudest 80 dB: nothing below is there to show.
  maxRange: 80,
};

export interface Levels {
  /** dB at the bottom (LUT 0) and top (LUT 255) of the colour map. */
  lo: number;
  hi: number;
}

/** Auto levels: the floor percentile to the maximum, within [minRange, maxRange] dB. */
export function autoLevels(hist: DbHistogram, options: LevelOptions = {}): Levels {
  const o = { ...DEFAULT_LEVELS, ...options };
  if (hist.total <= 0 || !Number.isFinite(hist.max)) return { lo: -80, hi: 0 };
  const hi = hist.max;
  const floor = hist.percentile(o.floorPercentile);
  const range = Math.max(o.minRange, Math.min(o.maxRange, hi - floor));
  return { lo: hi - range, hi };
}

/** Levels of a dB array (the server's renderers). */
export function levelsOf(data: ArrayLike<number>, options: LevelOptions = {}): Levels {
  return autoLevels(new DbHistogram().addAll(data), options);
}

/**
 * Brightness (dB: positive brightens, moving the whole range down) and contrast (× : above 1
 * narrows the range from its top) as fine adjustments of the auto levels.
 */
export function adjustLevels(levels: Levels, brightness = 0, contrast = 1): Levels {
  const range = (levels.hi - levels.lo) / Math.max(0.1, contrast);
  const hi = levels.hi - brightness;
  return { lo: hi - range, hi };
}

/**
 * Histogram of a quantised window (values 0–255 on [dbMin, dbMax], as in a BCSG tile), so the
 * browser gets the same statistics from what it was sent. Value 0 also holds everything the
 * encoder clipped below dbMin, which is counted at dbMin.
 */
export function histogramOfQuantised(values: Uint8Array, dbMin: number, dbMax: number): DbHistogram {
  const counts = new Float64Array(256);
  for (let i = 0; i < values.length; i++) {
    const q = values[i]!;
    counts[q] = counts[q]! + 1;
  }
  const h = new DbHistogram();
  for (let q = 0; q < 256; q++) if (counts[q]! > 0) h.add(dbMin + (q / 255) * (dbMax - dbMin), counts[q]!);
  return h;
}
