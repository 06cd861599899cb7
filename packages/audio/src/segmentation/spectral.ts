// "spectral": the default detector. Band-limited spectral peak energy against a running per-bin noise floor.
//
// 1. STFT with a >= 0.5 ms frame (the power of two at or above; 256 samples at 384 kHz, 32 at 44.1 kHz), hop = frame:
//    one FFT per frame keeps it fast, and the boundary refinement below recovers the time resolution.
// 2. Per bin, power summed over 3 neighbouring bins (so a sweep crossing bins in one frame still counts).
// 3. Noise floor per bin: the median over ~100 ms blocks, then the median of those over +-5 blocks (~1 s).
//    Medians ignore calls as long as they fill under half of the time around them; CF bats fill more
//    (occupied_floor: where a bin's median is a line far over its quiet moments, those set its floor). For frames of
//    >= 128 samples (>= ~170 kHz at the default frame) the block medians use every FLOOR_STEP-th frame (<= 12; >= 12
//    frames per block), which estimates the floor as well for detection (see the benchmark's recall) at a fraction of
//    the FFTs.
// 4. Frame score = max over in-band bins of power / floor, in dB. Tonal and FM calls put their energy in a few
//    bins while white noise spreads over all of them, so this is ~15-20 dB more sensitive than broadband energy.
//    First stage (frames of >= 128 samples): only frames that may hold a call get an FFT. Every frame's energy in
//    the 8 bands of a Walsh-Hadamard transform of its 8-sample groups (~4 additions per sample, see wht.ts) is
//    compared with the band's own running floor (the same block medians); frames where some band reaches
//    SCREEN_RATIO (3 dB) x its floor, and SCREEN_PAD frames either side, are scored; the others score -Infinity
//    (below any threshold). 3 dB in a 1/8-spectrum band is reached well before a call's 3-bin power reaches the
//    8 dB release level (in noise ~1 % of frames pass), so the detections are those of scoring every frame except
//    at the detection limit; in bat recordings calls fill a small part of the time, so most frames need no FFT.
//    A loud steady tone (an insect's song, a device's whine, a CF bat calling most of the time) raises the bands'
//    floors beyond what a faint call adds (the bands leak): where the per-bin medians show one (LINE_DB), every frame
//    is scored.
// 5. Hysteresis: frames >= threshold_db start an event, which extends while >= release_db (and, for a faint tone,
//    while its frequency holds a line: tone_join); events closer than merge_gap_ms are merged; events outside
//    [min_duration_ms, max_duration_ms] are dropped.
// 6. Each boundary is re-measured with frames hopped by 1/8 frame around it: the onset (offset) is the centre of
//    the fine frame where the score crosses release_db (found by bisection between the frame before the event,
//    below release_db, and the event's first (last) frame, above it), so boundaries land within about half a frame
//    (< 0.4 ms).
//
// Works on one channel: for multichannel recordings the caller picks a channel (or passes a mix).
//
// Implementation: frames are analysed a block at a time; a block is scored once the medians of the FLOOR_BLOCKS
// blocks after it are known, and only the last FLOOR_BLOCKS + 2 blocks of band power and band energies are kept, so
// memory for them does not grow with the recording (per frame only a score and a flag; per block the medians and
// floors; per frame in a call its picture row, bounded by PICTURE_ROW_CELLS); the input is read in place (no float64
// copy); sampled frames' band power is reused for their score, refinement reuses the scores of frames on the coarse
// grid, and the pictures reuse the rows. The straightforward whole-recording version of this
// design is refSpectral in test/segmentation-characterisation.test.ts; results are identical to it.
import { powerToDb } from "../dsp/db.ts";
import { mainBand } from "./band.ts";
import {
  applyCallRules,
  CALL_END_TAIL_DB,
  CALL_RULE_DEFAULTS,
  type CallRuleParams,
  type Detection,
  mergeGaps,
  type Shape,
  type ShapeOf,
} from "./calls.ts";
import { RealFftPower } from "./fft-real.ts";
import type { FrequencyBox, ProgressCallback, Segment } from "./types.ts";
import { wht8Bands } from "./wht.ts";

export interface SpectralParams extends CallRuleParams {
  /** Lower band edge; null = auto: min(8 kHz, 10 % of Nyquist) (free-tailed bats call down to ~9.5 kHz). */
  low_hz: number | null;
  /** Upper band edge; null = auto: 95 % of Nyquist. */
  high_hz: number | null;
  threshold_db: number;
  release_db: number;
  min_duration_ms: number;
  max_duration_ms: number;
  merge_gap_ms: number;
  /** Target frame length; rounded up to a power of two in samples. */
  frame_ms: number;
  /** 1: events longer than max_duration_ms are re-scored against their own median spectrum (0: dropped whole). */
  burst_rescan: number;
  /** 1: in a frequency that sound fills most of the time (a CF bat calling), the floor is its quiet moments' level. */
  occupied_floor: number;
  /** 1: a faint event continues while its frequency holds a tone over TONE_WINDOW_MS (pieces of one faint tone join). */
  tone_join: number;
}

export const SPECTRAL_DEFAULTS: SpectralParams = {
  low_hz: null,
  high_hz: null,
  threshold_db: 12,
  release_db: 8,
  min_duration_ms: 0.5,
  max_duration_ms: 150,
  merge_gap_ms: 1,
  frame_ms: 0.5,
  ...CALL_RULE_DEFAULTS,
  burst_rescan: 1,
  occupied_floor: 1,
  tone_join: 1,
};

/** The band fraction of a frame counts bins within this many dB of its loudest (see calls.ts, blips). */
const BAND_SPREAD_DB = 20;
/** The rescan of a call's cut-off head or tail leaves out the bins whose median there is this far over the floor. */
const RAISED_DB = 8;
/**
 * There a sound must reach threshold_db + this: that median is a rougher floor than the detector's, and the
 * fluctuations of a decaying reverberation reach threshold_db now and then.
 */
const RESCAN_MARGIN_DB = 6;
/**
 * burst_rescan: a frame of a burst is scored against the median of the burst's frames within this many ms around it.
 * A gust rises and falls over hundreds of ms, so this floor follows it, in the bins it raises too (a call there stands
 * out of the wind around it); a call fills less than half of that time (even a 50-70 ms CF call at a usual duty
 * cycle), so it does not move the median.
 */
const BURST_FLOOR_MS = 200;
/** The running median is taken every this fraction of its half-width (the floor changes slowly). */
const BURST_FLOOR_STEPS = 4;
/**
 * Inside a burst a call must reach threshold_db + this over that floor: a median of a few hundred frames is less
 * certain than the detector's, and it lags a gust's fastest rise by a few dB. (3 dB lost calls 12-15 dB over a strong
 * gust, with no fewer false detections.)
 */
const BURST_MARGIN_DB = 1.5;
/** A call's cut-off head or tail is looked at again when it spans at least this many frames (shorter: no room). */
const RESCAN_MIN_FRAMES = 4;
/** start_follow: a frame's sound is the contiguous bins around its loudest within this many dB of it... */
const FOLLOW_SPREAD_DB = 10;
/**
 * ...and the sounds of consecutive frames of a call touch, or lie no further apart than the wider one is wide (a fast
 * sweep moves by about that much from frame to frame; at least this many bins), always on the same side...
 */
const FOLLOW_GAP_BINS = 1;
/** ...and a call's start fades towards its beginning: a frame this much louder than the next is another sound. */
const FOLLOW_LOUDER_DB = 3;
/** Detection shapes kept for reuse by the rules (they look at a few neighbours at a time). */
const SHAPE_CACHE = 32;
/**
 * Low-edge noise lights every bin from the band's lowest up to its loudest: none of them this far under the loudest.
 * Wind in a gust is about as far over its floor in all the bins it dominates (3-bin sums: a few dB of fluctuation);
 * a call over it is separated from it by bins at the white-noise floor, >= threshold_db (12 dB) under its peak.
 */
const LOW_EDGE_GAP_DB = 12;
/**
 * With fewer bins in the band (32-sample frames at 44.1-48 kHz: 14) a short sweep down to the band's bottom lights
 * every bin on its way within a frame or two, like noise from below: there only a detection loudest in the lowest bin
 * is low-edge noise.
 */
const LOW_EDGE_MIN_BINS = 16;
/**
 * What comes up from below the band goes on below it: wind's power rises towards low frequencies, a click's is flat. A
 * call just above the band's bottom (a free-tailed bat's 10 kHz sweep) lights the lowest bins through the 3-bin sums
 * and the window's leakage, but the bin under the band is clearly quieter: summed over up to LOW_EDGE_BELOW_FRAMES of
 * its frames (one frame's bin is too random to compare), at least LOW_EDGE_BELOW_DB under the band's lowest bin.
 */
const LOW_EDGE_BELOW_DB = 4;
const LOW_EDGE_BELOW_FRAMES = 16;
/** Fewer frames than this (a click) are not summed: the comparison would be a coin toss. */
const LOW_EDGE_BELOW_MIN_FRAMES = 4;

/** The largest magnitude in x[from .. to). */
function maxAbs(x: Float32Array | Float64Array, from: number, to: number): number {
  let hi = 0;
  for (let i = Math.max(0, from), end = Math.min(x.length, to); i < end; i++) {
    const v = x[i]!;
    if (v > hi) hi = v;
    else if (-v > hi) hi = -v;
  }
  return hi;
}

/** The loudest of a frame's first `nb` bins. */
function argmaxBin(r: Float64Array, nb: number): number {
  let best = 0;
  for (let k = 1; k < nb; k++) if (r[k]! > r[best]!) best = k;
  return best;
}

/**
 * Low-frequency noise (wind, handling) and broadband clicks light the band from its lowest bin up, without a gap, and
 * stay within what they light: most frames' loudest bins lie there. A call over such noise stands apart from it
 * (quiet bins in between), and a sweep down to the band's bottom has its loudest bins above it most of the time.
 * `r`: the peak frame's bins, `kMax` its loudest; `peakBin[g]`: frame g's loudest bin, for the event's frames f0..f1.
 */
function isLowEdgeNoise(
  r: Float64Array,
  nb: number,
  kMax: number,
  peakBin: ArrayLike<number>,
  f0: number,
  f1: number,
  lowEdgeDb: number,
  quietBelow: () => boolean,
): boolean {
  if (kMax === 0) return !quietBelow();
  if (nb < LOW_EDGE_MIN_BINS || r[0]! < r[kMax]! * 10 ** (-lowEdgeDb / 10)) return false;
  const gapLevel = r[kMax]! * 10 ** (-LOW_EDGE_GAP_DB / 10);
  let kLit = -1;
  while (kLit + 1 < nb && r[kLit + 1]! >= gapLevel) kLit++;
  if (kLit < kMax) return false;
  let inLit = 0;
  for (let g = f0; g <= f1; g++) inLit += Number(peakBin[g]! <= kLit);
  return 2 * inLit > f1 - f0 + 1 && !quietBelow();
}
/**
 * The local floor (local_floor_ms; see localFloor) is per bin the median of the frames before a detection: other calls
 * and echoes filling less than half of that time do not raise it, a long reverberation's smear fills all of it. The
 * smear right after a call: the median over the last quarter of local_floor_ms before a detection counts too...
 */
const LOCAL_NEAR_SHARE = 0.25;
/**
 * ...when something there is this much louder than the detection (as an echo is, see echo_drop_db), while the
 * second half of a call with a dip, or the next call of a sequence, is about as loud as what precedes it.
 */
const LOCAL_NEAR_LOUDER_DB = 6;
/**
 * The local floor is only looked at after a sound LOCAL_NEAR_LOUDER_DB louder within this many local_floor_ms before a
 * detection (at ultrasonic frequencies air absorbs reflections from further away than ~25 m: 150 ms).
 */
const LOCAL_SOURCE_SPANS = 3;
/**
 * A median of a dozen or two frames is itself uncertain by about a dB: it raises the floor only by what it exceeds the
 * detector's floor by more than this (else faint calls near the threshold would lose to its noise).
 */
const LOCAL_MARGIN_DB = 1.5;
/** At most this many frames of the whole span are looked at (evenly spread); the near quarter is looked at whole. */
const LOCAL_MAX_FRAMES = 24;
/** A median of fewer frames than this (at a recording's ends) does not count. */
const LOCAL_MIN_FRAMES = 8;
/** The gap between a loud sound and a detection in its smear is often a few ms: its median may come from fewer. */
const LOCAL_GAP_MIN_FRAMES = 4;
/** Within a call, a dip (frames under its edge level) up to this long is crossed when its start is looked for. */
const LOCAL_DIP_MS = 3;
/**
 * A call's end is looked for past a dip (frames under its edge level) up to this long, when the call comes back to
 * within CALL_END_TAIL_DB of its peak after it. The calls of a feeding buzz are 4 ms or more apart.
 */
const END_DIP_MS = 2.5;
/** A detection holding this many consecutive samples at the recording's largest magnitude is clipped... */
const CLIP_RUN = 3;
/** ...within this fraction of it (float files clipped by a converter may land a rounding step below). */
const CLIP_TOLERANCE = 1e-4;
/** Shapes for the echo rule are sampled at this fraction of a frame (delays resolved to a quarter frame). */
const SHAPE_STEPS = 2;

const BLOCK_MS = 100;
const FLOOR_BLOCKS = 5;
const REFINE_STEPS = 8;
const GUESS_LO = 0.8;
const GUESS_HI = 1.25;
/** Below this many values, a plain selection is cheaper than guessing. */
const GUESS_MIN = 48;
/** First stage: frames of at least this many samples are screened (shorter ones are all scored). */
const SCREEN_MIN_FRAME = 128;
/** A frame is a candidate when a Haar band's energy reaches this multiple of the band's running median. */
const SCREEN_RATIO = 2;
/**
 * A steady tone (an insect's song, a device's whine) this far over the bins LINE_SPAN away on both sides, in a block's
 * per-bin medians, blinds the first stage: Walsh-Hadamard bands are square waves and leak, so a loud tone raises the
 * floor of several bands, and twice that is more than a faint call adds (calls beside a 40 dB tone were never scored),
 * while the per-bin floor takes the tone in its stride. Around such a block every frame is scored.
 */
const LINE_DB = 12;
/**
 * tone_join: a frame continues a faint event's tone when the median of its bin's power over the floor, over this many
 * ms around it, reaches TONE_DB (in the bin or the next: a quasi-constant-frequency call drifts)...
 */
const TONE_WINDOW_MS = 3;
/** ...this: in noise that median is about the floor (0 dB), and rarely 5 dB over it in three frames of five. */
const TONE_DB = 5;
/** ...and stands this far over the bins LINE_SPAN away: a line, not reverberation's smear or the next call. */
const TONE_LINE_DB = 6;
/** A faint tone this soon after a louder call at its frequency is that call's smear (reflections from ~25 m). */
const TONE_SMEAR_MS = 150;
/** A faint event is a tone's piece with this many frames or more over release_db... */
const TONE_MIN_FRAMES = 3;
/** ...and another event is a piece of the same tone when its peak is within this many bins of the first's. */
const TONE_DRIFT_BINS = 2;
/** occupied_floor: a bin's (or band's) quiet moments in a block are its sampled frames of this rank, as a share... */
const OCCUPIED_QUANTILE = 0.1;
/** ...and where its median is this far over their level (scaled as in noise), sound fills most of the time there. */
const OCCUPIED_DB = 6;
const LINE_SPAN = 4;
/** Frames scored either side of a candidate. */
const SCREEN_PAD = 1;
/** With the first stage, the per-bin noise floor is taken from every FLOOR_STEP-th frame (at most). */
const FLOOR_STEP = 12;
/** The first stage's band floors come from every SCREEN_MEDIAN_STEP-th frame. */
const SCREEN_MEDIAN_STEP = 2;
/**
 * Kept picture rows (see keepRow in spectralDetections): at most this many cells, 32 MB (a minute of 384 kHz audio
 * that is all calls: about 90 000 frames of 109 bins).
 */
const PICTURE_ROW_CELLS = 8_000_000;
/** Rows are kept in chunks of 2^this rows (allocated as needed). */
const ROW_CHUNK_BITS = 10;
/** Pictures' cells: power ratios at or under this are PICTURE_FLOOR_DB. */
const PICTURE_FLOOR = 1e-30;
const PICTURE_FLOOR_DB = -300;

/**
 * The frame: the power of two at or above frame_ms (never shorter). Rounding to the nearest power gave 16 samples
 * (0.36 ms, 2.8 kHz bins) at 44.1 kHz, where a 2-5 ms FM call's energy is spread over so few, wide bins that calls
 * at 4-8 dB SNR were missed (recall 0.41 -> 0.85 with 32 samples on the faint set); at 48-500 kHz both give the
 * same frame.
 */
function frameLength(sampleRate: number, frameMs: number): number {
  const target = (sampleRate * frameMs) / 1000;
  return Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(target, 1)) - 1e-9));
}

function blockFramesOf(sampleRate: number, n: number): number {
  return Math.max(8, Math.round((BLOCK_MS / 1000) * (sampleRate / n)));
}

/**
 * Samples per block of the detector's grid (frames, and blocks of frames for the floor). A piece of a long recording
 * that starts on this grid is analysed on the same frames and blocks as the whole recording (see pieces.ts).
 */
export function spectralGridSamples(
  sampleRate: number,
  frameMs: number = SPECTRAL_DEFAULTS.frame_ms,
): number {
  const n = frameLength(sampleRate, frameMs);
  return n * blockFramesOf(sampleRate, n);
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/** The element of rank len >> 1 of arr[0 .. len) (see quickRank). */
function quickMedian(arr: Float64Array, len: number): number {
  return quickRank(arr, len, len >> 1);
}

/** The element of rank k of arr[0 .. len) (Hoare quickselect; reorders arr). */
function quickRank(arr: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const pivot = arr[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (arr[i]! < pivot) i++;
      while (arr[j]! > pivot) j--;
      if (i <= j) {
        const t = arr[i]!;
        arr[i] = arr[j]!;
        arr[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return arr[k]!;
}

/**
 * The same element as quickMedian (the value of rank len >> 1) without its data-dependent branches, which
 * mispredict about every other comparison on noise: branch-free Lomuto partitions (< pivot | == pivot | > pivot)
 * around a median-of-3 pivot, ~2x faster. The rank-k value is unique, so both agree whenever no value is NaN
 * (comparisons with NaN make the result order-dependent): then the original quickselect is used.
 */
function selectMedian(a: Float64Array, len: number): number {
  return selectRankChecked(a, len, len >> 1);
}

/** The element of rank k of a[0 .. len): selectRank, or quickselect where a value is NaN (see selectMedian). */
function selectRankChecked(a: Float64Array, len: number, k: number): number {
  let check = 0;
  for (let i = 0; i < len; i++) check += a[i]! * 0; // NaN if any value is NaN or infinite
  return check !== 0 ? quickRank(a, len, k) : selectRank(a, len, k);
}

/** The element of rank k of a[0 .. len) (no NaN), branch-free (see selectMedian); reorders a. */
function selectRank(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len;
  while (hi - lo > 1) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi - 1]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let s = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[s]!;
      a[s] = v;
      s += Number(v < pivot);
    }
    if (k < s) {
      hi = s;
      continue;
    }
    let e = s;
    for (let i = s; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[e]!;
      a[e] = v;
      e += Number(v <= pivot);
    }
    if (k < e) return pivot;
    lo = e;
  }
  return a[lo]!;
}

/**
 * Per bin, the median over the block's `frames` frames of slot (bin-major, row stride), into med[at + k].
 * The previous block's median of the bin (prev[k], if given) is a good guess: one branch-free pass counts the
 * values below guess * GUESS_LO and gathers those within [guess * GUESS_LO, guess * GUESS_HI]; when the rank
 * sought falls among the gathered ones (noise is stationary over ~100 ms) it is selected among them only. Exact:
 * otherwise, or if any value is NaN or infinite, the whole row is selected as before.
 */
function blockMedians(
  slot: Float64Array,
  frames: number,
  stride: number,
  nb: number,
  tmp: Float64Array,
  med: Float64Array,
  at: number,
  prev: number,
  fstep = 1,
): void {
  const k = frames >> 1;
  for (let j = 0; j < nb; j++) {
    const row = j * stride;
    if (prev >= 0 && frames >= GUESS_MIN) {
      const g = med[prev + j]!;
      const lo = g * GUESS_LO;
      const hi = g * GUESS_HI;
      let below = 0;
      let c = 0;
      let check = 0;
      for (let f = 0; f < frames; f++) {
        const v = slot[row + f * fstep]!;
        check += v * 0;
        below += Number(v < lo);
        tmp[c] = v;
        c += Number(v >= lo) & Number(v <= hi);
      }
      if (check === 0 && below <= k && k < below + c) {
        med[at + j] = selectRank(tmp, c, k - below);
        continue;
      }
    }
    for (let f = 0; f < frames; f++) tmp[f] = slot[row + f * fstep]!;
    med[at + j] = selectMedian(tmp, frames);
  }
}

/** Per bin j, the value of rank `rank` of slot[j * stride + f] over f < frames, into out[at + j]. */
function blockRanks(
  slot: Float64Array,
  frames: number,
  stride: number,
  nb: number,
  tmp: Float64Array,
  out: Float64Array,
  at: number,
  rank: number,
  fstep = 1,
): void {
  for (let j = 0; j < nb; j++) {
    const row = j * stride;
    for (let f = 0; f < frames; f++) tmp[f] = slot[row + f * fstep]!;
    out[at + j] = selectRankChecked(tmp, frames, rank);
  }
}

/**
 * Frame score: max over bins of power (bin k at sv[at + k * stride]) / floor (given as 1 / floor), in dB. The
 * loudest bin's index goes to peakBin[f] (a detection's frequency range, for the echo rule's quick check).
 */
function frameScore(
  sv: Float64Array,
  at: number,
  stride: number,
  inv: Float64Array,
  fb: number,
  nb: number,
  peakBin: Uint16Array,
  f: number,
): number {
  let best = 0;
  let bin = 0;
  for (let k = 0; k < nb; k++) {
    const r = sv[at + k * stride]! * inv[fb + k]!;
    if (r > best) {
      best = r;
      bin = k;
    }
  }
  peakBin[f] = bin;
  return 10 * Math.log10(best + 1e-300);
}

export function spectralSegment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: SpectralParams,
  onProgress?: ProgressCallback,
): Segment[] {
  // Merge short gaps, apply the call rules, then the duration limits.
  const { detections, shapeOf, bandPicture } = spectralDetections(samples, sampleRate, p, onProgress);
  const joined = mergeGaps(detections, p.merge_gap_ms, p.fragment_gap_pct > 0 ? shapeOf : undefined);
  const merged = applyCallRules(joined, p, shapeOf);
  if (onProgress) onProgress(1);
  const minD = p.min_duration_ms / 1000;
  const maxD = p.max_duration_ms / 1000;
  // The duration limits judge the detection (a buzz call trimmed of its glued echo is no shorter a sound).
  const nyquist = sampleRate / 2;
  return merged
    .filter((e) => e.offset - e.onset >= minD && e.offset - e.onset <= maxD)
    .map((e) => {
      const call = { onset: e.onset, offset: e.callOffset ?? e.offset };
      const band = callBand(bandPicture(call), p, e.peakHz, nyquist);
      return band ? { ...call, ...band } : call;
    });
}

function callBand(
  picture: Shape,
  p: SpectralParams,
  seedHz: number | undefined,
  nyquist: number,
): FrequencyBox | null {
  // The shapes' cells are the detector's 3-bin sums (one bin either side).
  const band = mainBand(picture, p.release_db, 1, seedHz);
  return band ? { lowFreq: band.lowHz, highFreq: Math.min(nyquist, band.highHz) } : null;
}

/**
 * The band of each span's main harmonic, measured as spectralSegment measures its calls' (same floor, picture and
 * rule), for spans a user drew or moved. `samples` are the spans' surroundings: the floor is theirs (about a second
 * holds its blocks; much less and a long call fills its medians). The track starts at the frequency of the loudest
 * detection within the span, else at the span's loudest cell. Null where nothing in the span reaches threshold_db.
 */
export function spectralBands(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  spans: Segment[],
  p: SpectralParams,
): (FrequencyBox | null)[] {
  const { detections, bandPicture } = spectralDetections(samples, sampleRate, p);
  return spans.map((span) => {
    let seed: Detection | undefined;
    for (const d of detections) {
      if (d.onset < span.offset && d.offset > span.onset && (!seed || d.peakDb > seed.peakDb)) seed = d;
    }
    const picture = bandPicture(span);
    // As a detection starts: some cell must reach threshold_db (noise reaches release_db somewhere in a wide box).
    let top = Number.NEGATIVE_INFINITY;
    for (const v of picture.db) top = Math.max(top, v);
    return top >= p.threshold_db ? callBand(picture, p, seed?.peakHz, sampleRate / 2) : null;
  });
}

/**
 * The detector's events with what the call rules measure, before any merging or rule, and the pictures the echo rule
 * compares (tests and the bench look at both).
 */
export function spectralDetections(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: SpectralParams,
  onProgress?: ProgressCallback,
  /** Bound of the kept picture rows, in cells (see keepRow; tests compare with 0: none kept). */
  pictureRowCells = PICTURE_ROW_CELLS,
): { detections: Detection[]; shapeOf: ShapeOf; bandPicture: ShapeOf } {
  const x = samples;
  const n = frameLength(sampleRate, p.frame_ms);
  const nyq = sampleRate / 2;
  const lowHz = p.low_hz ?? Math.min(8000, 0.1 * nyq);
  const highHz = Math.min(p.high_hz ?? 0.95 * nyq, nyq);
  const binHz = sampleRate / n;
  const loBin = Math.max(1, Math.ceil(lowHz / binHz));
  const hiBin = Math.min(n / 2 - 1, Math.floor(highHz / binHz));
  const nFrames = Math.floor(x.length / n);
  if (nFrames < 2 || hiBin < loBin) {
    const none = () => ({ start: 0, frames: 0, bins: 0, k0: 0, binHz, hop: 1, db: new Float32Array(0) });
    return { detections: [], shapeOf: none, bandPicture: none };
  }
  const fft = new RealFftPower(n, hann(n));
  const nb = hiBin - loBin + 1;
  const power = new Float64Array(nb + 2);

  const blockFrames = blockFramesOf(sampleRate, n);
  const nBlocks = Math.ceil(nFrames / blockFrames);
  // First stage (frames of >= SCREEN_MIN_FRAME samples): Haar band energies of every frame against their own
  // running floor flag candidate frames; the per-bin floor then comes from every `step`-th frame only.
  const wht = n >= SCREEN_MIN_FRAME ? 8 : 0;
  const step = wht > 0 ? Math.max(1, Math.min(FLOOR_STEP, Math.floor(blockFrames / 8))) : 1;
  const perBlock = Math.ceil(blockFrames / step);
  const nBands = wht;

  // Per block, kept for the last FLOOR_BLOCKS + 2 blocks only: the band power of its sampled frames (bin-major) and
  // the first stage's band energies of all its frames.
  const keep = FLOOR_BLOCKS + 2;
  const slots = Array.from({ length: keep }, () => new Float64Array(perBlock * nb));
  const ring = Array.from({ length: wht > 0 ? keep : 0 }, () => new Float64Array(blockFrames * nBands));
  const blockMed = new Float64Array(nBlocks * nb);
  // 1 / noise floor per block and bin, computed for the blocks that have frames to score (nBlocks x nb: 0.5 MB per
  // minute at 384 kHz, like the score array it is linear in the length; the band power is not).
  const invFloor = new Float64Array(nBlocks * nb);
  // occupied_floor (see occupiedFloors): per block, the quiet moments of each bin and of each first-stage band (a low
  // quantile of their sampled frames), whether some bin's floor is its quiet moments' level, and which.
  const occupied = p.occupied_floor > 0;
  const blockLow = new Float64Array(occupied ? nBlocks * nb : 0);
  const bandLow = new Float64Array(occupied ? nBlocks * nBands : 0);
  const occupiedAt = new Uint8Array(occupied ? nBlocks : 0);
  const occupiedBin = new Uint8Array(occupied ? nBlocks * nb : 0);
  const medK = new Float64Array(occupied ? nb : 0);
  const lowK = new Float64Array(occupied ? nb : 0);
  const ratioK = new Float64Array(occupied ? nb : 0);
  const floorDone = new Uint8Array(nBlocks);
  const tmp = new Float64Array(Math.max(blockFrames, 2 * FLOOR_BLOCKS + 1));
  // All frames are candidates when there is no first stage.
  const cand = new Uint8Array(nFrames).fill(wht > 0 ? 0 : 1);
  const bandMed = new Float64Array(wht > 0 ? nBlocks * nBands : 0);
  // Per block and bin: whether the block's per-bin medians show a line there (see LINE_DB).
  const lineAt = new Uint8Array(wht > 0 ? nBlocks * nb : 0);
  const lineRatio = 10 ** (LINE_DB / 10);
  const findLines = (at: number): void => {
    for (let k = LINE_SPAN; k < nb - LINE_SPAN; k++) {
      const around = Math.max(blockMed[at + k - LINE_SPAN]!, blockMed[at + k + LINE_SPAN]!);
      lineAt[at + k] = Number(blockMed[at + k]! >= lineRatio * around);
    }
  };
  // A steady tone: a line in the same bin (or the next) in block b and the blocks either side. (The smear of a loud
  // call's reverberation may fill one block's medians at its frequency; it does not stay there.)
  const steadyTone = (b: number): boolean => {
    const prev = Math.max(0, b - 1) * nb;
    const next = Math.min(nBlocks - 1, b + 1) * nb;
    for (let k = LINE_SPAN; k < nb - LINE_SPAN; k++) {
      if (lineAt[b * nb + k] === 0) continue;
      const before = lineAt[prev + k - 1]! | lineAt[prev + k]! | lineAt[prev + k + 1]!;
      const after = lineAt[next + k - 1]! | lineAt[next + k]! | lineAt[next + k + 1]!;
      if (before & after) return true;
    }
    return false;
  };
  const bandFloor = new Float64Array(nBands);
  const score = new Float64Array(nFrames).fill(Number.NEGATIVE_INFINITY);
  const peakBin = new Uint16Array(nFrames);
  const fineBin = new Uint16Array(1);
  const sv = new Float64Array(nb);
  const pad = wht > 0 ? SCREEN_PAD : 0;
  // The pictures of the calls' frames (their boxes, the echo rule's shapes) are rows of dB over the floor of frames the
  // scoring has just transformed: a frame scoring >= release_db keeps its row, which saves the pictures a second FFT
  // of most of their frames (a third of all FFTs in a dense recording). Bounded by PICTURE_ROW_CELLS; frames without a
  // row (or past the bound) are transformed again, with the same result.
  const rowLimit = Math.floor(pictureRowCells / nb);
  const rowOf = new Int32Array(nFrames).fill(-1);
  const rowChunks: Float32Array[] = [];
  let rows = 0;
  const rowRatio = new Float64Array(nb);
  const rowRatioWords = new Int32Array(rowRatio.buffer);
  const keepRow = (src: Float64Array, at: number, stride: number, fb: number, f: number): void => {
    if (rows >= rowLimit) return;
    for (let k = 0; k < nb; k++) rowRatio[k] = src[at + k * stride]! * invFloor[fb + k]!;
    const chunk = rows >> ROW_CHUNK_BITS;
    if (chunk === rowChunks.length) rowChunks.push(new Float32Array((1 << ROW_CHUNK_BITS) * nb));
    const o = (rows & ((1 << ROW_CHUNK_BITS) - 1)) * nb;
    powerToDb(rowRatio, rowRatioWords, nb, PICTURE_FLOOR, PICTURE_FLOOR_DB, rowChunks[chunk]!, o, 1);
    rowOf[f] = rows++;
  };

  // Column k's value over blocks b0..b1 (`perBlock` holds `width` values per block): their median, kept off zero
  // (digital silence: nothing is "above" zero noise by a ratio).
  const overBlocks = (perBlock: Float64Array, width: number, k: number, b0: number, b1: number): number => {
    for (let j = b0; j <= b1; j++) tmp[j - b0] = perBlock[j * width + k]!;
    return Math.max(selectMedian(tmp, b1 - b0 + 1), 1e-30);
  };
  // 1 / the noise floor of block b, per bin: the median of the bin's block medians within +-FLOOR_BLOCKS.
  const inverseFloor = (b: number): number => {
    const at = b * nb;
    if (floorDone[b] === 1) return at;
    floorDone[b] = 1;
    const b0 = Math.max(0, b - FLOOR_BLOCKS);
    const b1 = Math.min(nBlocks - 1, b + FLOOR_BLOCKS);
    for (let k = 0; k < nb; k++) invFloor[at + k] = 1 / overBlocks(blockMed, nb, k, b0, b1);
    if (occupied) occupiedFloors(b, b0, b1, at);
    return at;
  };
  // occupied_floor. The median ignores calls that fill less than half of the time; a horseshoe or leaf-nosed bat's
  // constant-frequency calls fill 40-80 % of it at their frequency (two bats more), so there the median is the calls'
  // own level: a fainter bat's calls, and the tone of every call where the duty cycle is highest, were lost, and only
  // their FM ends were found, as fragments. In a bin whose median shows a line (LINE_DB over the bins LINE_SPAN away:
  // narrowband sound, not wind) and lies OCCUPIED_DB over its quiet moments (their level scaled by what the median
  // exceeds it by in noise, measured on the block's bins: most hold noise only), the floor is that scaled level. A
  // steady tone has no quiet moments and keeps its floor.
  const occRatio = 10 ** (OCCUPIED_DB / 10);
  // Per column k < n (bins or bands): the level of its quiet moments over blocks b0..b1 into `quiet` (from `low`, per
  // block), and what the medians `med` exceed it by in noise (the median over the columns: most hold noise only).
  const quietLevels = (
    low: Float64Array,
    n: number,
    b0: number,
    b1: number,
    med: Float64Array,
    quiet: Float64Array,
    ratio: Float64Array,
  ): number => {
    for (let k = 0; k < n; k++) {
      quiet[k] = overBlocks(low, n, k, b0, b1);
      ratio[k] = med[k]! / quiet[k]!;
    }
    return selectMedian(ratio, n);
  };
  const occupiedFloors = (b: number, b0: number, b1: number, at: number): void => {
    for (let k = 0; k < nb; k++) medK[k] = 1 / invFloor[at + k]!;
    // Most blocks have no line at all: nothing more to measure.
    const isLine = (k: number): boolean =>
      k >= LINE_SPAN &&
      k < nb - LINE_SPAN &&
      medK[k]! >= lineRatio * Math.max(medK[k - LINE_SPAN]!, medK[k + LINE_SPAN]!);
    let lines = 0;
    for (let k = 0; k < nb; k++) lines += Number(isLine(k));
    if (lines === 0) return;
    const noise = quietLevels(blockLow, nb, b0, b1, medK, lowK, ratioK);
    for (let k = 0; k < nb; k++) {
      const quiet = noise * lowK[k]!;
      if (quiet * occRatio >= medK[k]! || !isLine(k)) continue;
      invFloor[at + k] = 1 / quiet;
      occupiedAt[b] = 1;
      occupiedBin[at + k] = 1;
    }
  };
  // Where a bin's floor is its quiet moments' level, the first stage's band medians are as blind as its median was:
  // every frame of the block is scored (as around a steady tone).
  const occupiedBlock = (b: number): boolean => {
    if (!occupied) return false;
    inverseFloor(b);
    return occupiedAt[b] === 1;
  };
  // The first stage's band floors (bandFloor holds their medians) likewise: a band that sound fills most of the time
  // gets its quiet moments' level (the per-bin medians may still be noise when calls fill about half of the time,
  // sampled on another grid, while the band's are not).
  const bandLowK = new Float64Array(nBands);
  const bandRatio = new Float64Array(nBands);
  const occupiedBands = (b0: number, b1: number): void => {
    const noise = quietLevels(bandLow, nBands, b0, b1, bandFloor, bandLowK, bandRatio);
    for (let k = 0; k < nBands; k++) {
      const quiet = noise * bandLowK[k]!;
      if (quiet * occRatio < bandFloor[k]!) bandFloor[k] = quiet;
    }
  };
  // Candidates of block b: frames where a band's energy reaches SCREEN_RATIO x its floor (the median of the band's
  // block medians within +-FLOOR_BLOCKS); all of them around a steady tone.
  const screen = (b: number): void => {
    const f0 = b * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    if (steadyTone(b) || occupiedBlock(b)) {
      cand.fill(1, f0, f1);
      return;
    }
    const b0 = Math.max(0, b - FLOOR_BLOCKS);
    const b1 = Math.min(nBlocks - 1, b + FLOOR_BLOCKS);
    for (let k = 0; k < nBands; k++) bandFloor[k] = overBlocks(bandMed, nBands, k, b0, b1);
    if (occupied) occupiedBands(b0, b1);
    for (let k = 0; k < nBands; k++) bandFloor[k] = SCREEN_RATIO * bandFloor[k]!;
    const e = ring[b % keep]!;
    for (let k = 0; k < nBands; k++) {
      const fk = bandFloor[k]!;
      const row = k * blockFrames;
      for (let f = f0; f < f1; f++) cand[f] = cand[f]! | Number(e[row + f - f0]! >= fk);
    }
  };
  // Scores of block c's frames within `pad` frames of a candidate (needs the candidates of blocks c - 1 .. c + 1 and
  // the block medians of c + FLOOR_BLOCKS); the other frames stay below any threshold. Sampled frames reuse their
  // band power.
  const scoreBlock = (c: number): void => {
    const f0 = c * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    let any = 0;
    for (let f = Math.max(0, f0 - pad); f < Math.min(nFrames, f1 + pad); f++) any |= cand[f]!;
    if (any === 0) return;
    const fb = inverseFloor(c);
    const slot = slots[c % keep]!;
    for (let f = f0; f < f1; f++) {
      let need = 0;
      for (let g = Math.max(0, f - pad), g1 = Math.min(nFrames - 1, f + pad); g <= g1; g++) need |= cand[g]!;
      if (need === 0) continue;
      const i = f - f0;
      if (i % step === 0) {
        score[f] = frameScore(slot, i / step, perBlock, invFloor, fb, nb, peakBin, f);
        if (score[f]! >= p.release_db) keepRow(slot, i / step, perBlock, fb, f);
      } else {
        fft.bandSums(x, f * n, loBin, hiBin, power, sv, 0, 1);
        score[f] = frameScore(sv, 0, 1, invFloor, fb, nb, peakBin, f);
        if (score[f]! >= p.release_db) keepRow(sv, 0, 1, fb, f);
      }
    }
  };
  const progressEvery = Math.max(1, Math.floor(nBlocks / 20));
  const lag = FLOOR_BLOCKS + 1;
  for (let b = 0; b < nBlocks; b++) {
    const f0 = b * blockFrames;
    const f1 = Math.min(nFrames, f0 + blockFrames);
    const m = Math.ceil((f1 - f0) / step);
    const slot = slots[b % keep]!;
    for (let j = 0; j < m; j++) fft.bandSums(x, (f0 + j * step) * n, loBin, hiBin, power, slot, j, perBlock);
    blockMedians(slot, m, perBlock, nb, tmp, blockMed, b * nb, b > 0 ? (b - 1) * nb : -1);
    if (occupied) blockRanks(slot, m, perBlock, nb, tmp, blockLow, b * nb, Math.floor(m * OCCUPIED_QUANTILE));
    if (wht > 0) {
      findLines(b * nb);
      const e = ring[b % keep]!;
      for (let f = f0; f < f1; f++) wht8Bands(x, f * n, n, e, f - f0, blockFrames);
      const bm = Math.ceil((f1 - f0) / SCREEN_MEDIAN_STEP);
      blockMedians(
        e,
        bm,
        blockFrames,
        nBands,
        tmp,
        bandMed,
        b * nBands,
        b > 0 ? (b - 1) * nBands : -1,
        SCREEN_MEDIAN_STEP,
      );
      if (occupied)
        blockRanks(
          e,
          bm,
          blockFrames,
          nBands,
          tmp,
          bandLow,
          b * nBands,
          Math.floor(bm * OCCUPIED_QUANTILE),
          SCREEN_MEDIAN_STEP,
        );
      if (b >= FLOOR_BLOCKS) screen(b - FLOOR_BLOCKS);
    }
    if (b >= lag) scoreBlock(b - lag);
    if (onProgress && b % progressEvery === 0) onProgress((0.9 * b) / nBlocks);
  }
  if (wht > 0) for (let b = Math.max(0, nBlocks - FLOOR_BLOCKS); b < nBlocks; b++) screen(b);
  for (let c = Math.max(0, nBlocks - lag); c < nBlocks; c++) scoreBlock(c);
  if (onProgress) onProgress(0.9);

  // Hysteresis on frames.
  const events: [number, number][] = [];
  let f = 0;
  while (f < nFrames) {
    if (score[f]! >= p.threshold_db) {
      let a0 = f;
      while (a0 > 0 && score[a0 - 1]! >= p.release_db) a0--;
      let a1 = f;
      while (a1 + 1 < nFrames && score[a1 + 1]! >= p.release_db) a1++;
      const last = events[events.length - 1];
      if (last && a0 <= last[1] + 1) last[1] = Math.max(last[1], a1);
      else events.push([a0, a1]);
      f = a1 + 1;
    } else f++;
  }

  // Inside a burst (see rescanBurst) the floor is the burst's running median: per frame there, per bin, 1 / that
  // floor over the detector's. Whatever is measured against the floor there uses it (scores, bins, the echo rule's
  // pictures): else the wind a call sits in would count as part of the call.
  const burstInv = new Map<number, Float64Array>();
  const inBurst = (ratios: Float64Array, frame: number): void => {
    const b = burstInv.get(frame);
    if (b) for (let k = 0; k < nb; k++) ratios[k] = ratios[k]! * b[k]!;
  };
  const ones = new Float64Array(nb).fill(1);
  // The band power of the frame starting at sample `start` over the floor, into `out` (the floor of the coarse frame
  // holding its centre; `burst` false: over the detector's floor even inside a burst).
  const ratiosAt = (start: number, out: Float64Array, burst = true): Float64Array => {
    fft.bandSums(x, start, loBin, hiBin, power, out, 0, 1);
    const frame = Math.floor((start + n / 2) / n);
    const fb = inverseFloor(Math.min(nBlocks - 1, Math.floor(frame / blockFrames)));
    for (let k = 0; k < nb; k++) out[k] = out[k]! * invFloor[fb + k]!;
    if (burst) inBurst(out, frame);
    return out;
  };
  // Refine boundaries with a fine hop, in samples.
  const fine = Math.max(1, Math.floor(n / REFINE_STEPS));
  const fineScore = (start: number): number => {
    if (start < 0 || start + n > x.length) return Number.NEGATIVE_INFINITY;
    // A frame on the coarse grid: the same computation as its score above (if it was scored).
    if (start % n === 0 && score[start / n]! !== Number.NEGATIVE_INFINITY) return score[start / n]!;
    return frameScore(ratiosAt(start, sv), 0, 1, ones, 0, nb, fineBin, 0);
  };
  // The first of the fine frames t0 + j * dt (j = 0 .. jMax) scoring >= release_db, or -1. The frame jAnchor (the
  // event's first or last coarse frame, >= release_db by construction) bounds the search: the crossing between the
  // start (below) and the anchor (above) is found by bisection (3 fine frames instead of up to 8 when dt = n / 8).
  const firstAbove = (t0: number, dt: number, jMax: number, jAnchor: number, rel: number): number => {
    if (Number.isInteger(jAnchor) && jAnchor >= 0 && jAnchor <= jMax && fineScore(t0 + jAnchor * dt) >= rel) {
      if (jAnchor === 0 || fineScore(t0) >= rel) return 0;
      let lo = 0;
      let hi = jAnchor;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (fineScore(t0 + mid * dt) >= rel) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    for (let j = 0; j <= jMax; j++) if (fineScore(t0 + j * dt) >= rel) return j;
    return -1;
  };
  // Backwards from sample `from` down to `to`: the centre of the last fine frame scoring >= rel, the frame starting at
  // `anchor` bounding the search as in firstAbove; null if none.
  const lastAbove = (from: number, to: number, anchor: number, rel: number): number | null => {
    const j = firstAbove(from, -fine, Math.floor((from - to) / fine), (from - anchor) / fine, rel);
    return j >= 0 ? from - j * fine + n / 2 : null;
  };
  // Per event: its peak, the tail cut (end_drop_db below the peak), and the frequencies the call rules compare.
  const binsOf = (frame: number, burst = true): Float64Array => ratiosAt(frame * n, sv, burst);
  // Whether the bin under the band is LOW_EDGE_BELOW_DB quieter than the band's lowest over up to
  // LOW_EDGE_BELOW_FRAMES frames of f0..f1 around `peak` (see LOW_EDGE_BELOW_DB; not with DC under the band).
  const edgePair = new Float64Array(2);
  const quietBelowBand = (f0: number, f1: number, peak: number): boolean => {
    if (loBin < 2 || f1 - f0 + 1 < LOW_EDGE_BELOW_MIN_FRAMES) return false;
    const g1 = Math.min(f1, Math.max(f0, peak - LOW_EDGE_BELOW_FRAMES / 2) + LOW_EDGE_BELOW_FRAMES - 1);
    const g0 = Math.max(f0, g1 - LOW_EDGE_BELOW_FRAMES + 1);
    let below = 0;
    let edge = 0;
    for (let g = g0; g <= g1; g++) {
      fft.power(x, g * n, loBin - 1, loBin, edgePair);
      below += edgePair[0]!;
      edge += edgePair[1]!;
    }
    return below * 10 ** (LOW_EDGE_BELOW_DB / 10) <= edge;
  };
  // Re-scores frames a0..a1 as the largest over bins of their band power over the floor (`ratios`, frame-major) times
  // inv (per bin; frame-major with stride nb, or stride 0 for one inv for all frames), replacing their scores.
  const rescore = (a0: number, a1: number, ratios: Float64Array, inv: Float64Array, stride: number) => {
    for (let g = a0; g <= a1; g++) {
      let best = 0;
      const at = (g - a0) * nb;
      const iv = (g - a0) * stride;
      for (let k = 0; k < nb; k++) best = Math.max(best, ratios[at + k]! * inv[iv + k]!);
      score[g] = 10 * Math.log10(best + 1e-300);
    }
  };
  // The runs of frames a0..a1 whose (re-scored) score reaches needDb, each extended while >= release_db.
  const runsAbove = (a0: number, a1: number, needDb: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let g = a0; g <= a1; g++) {
      if (score[g]! < needDb) continue;
      let b0 = g;
      while (b0 > a0 && score[b0 - 1]! >= p.release_db) b0--;
      let b1 = g;
      while (b1 < a1 && score[b1 + 1]! >= p.release_db) b1++;
      out.push([b0, b1]);
      g = b1;
    }
    return out;
  };
  // Band power over the floor of frames a0..a1, frame-major.
  const spanRatios = (a0: number, a1: number): Float64Array => {
    const ratios = new Float64Array((a1 - a0 + 1) * nb);
    for (let g = a0; g <= a1; g++) ratios.set(binsOf(g), (g - a0) * nb);
    return ratios;
  };
  // A call's cut-off head or tail (frames a0..a1): re-scored against its own per-bin median (a floor that has caught up
  // with the reverberation filling it; a call fills too little of it to move it), leaving out the bins it raised
  // (median >= RAISED_DB over the floor: their fluctuations would otherwise come back as detections). What still
  // rises above threshold_db + RESCAN_MARGIN_DB there is returned as events of their own.
  // In a tail, a bin stays in, scored against the floor, when the call (frames c0..c1) never reached the tail's
  // median there: reverberation stays in its call's frequencies, so what raised that bin is another sound (another
  // bat's long constant-frequency call filling most of the tail, after a loud click in another band).
  const rescan = (a0: number, a1: number, call?: [number, number]): [number, number][] => {
    const len = a1 - a0 + 1;
    const ratios = spanRatios(a0, a1);
    const col = new Float64Array(len);
    const local = new Float64Array(nb);
    const raised = 10 ** (RAISED_DB / 10);
    let callMax: Float64Array | null = null;
    if (call) {
      callMax = new Float64Array(nb);
      for (let g = call[0]; g <= call[1]; g++) {
        const r = binsOf(g);
        for (let k = 0; k < nb; k++) if (r[k]! > callMax[k]!) callMax[k] = r[k]!;
      }
    }
    for (let k = 0; k < nb; k++) {
      for (let i = 0; i < len; i++) col[i] = ratios[i * nb + k]!;
      const m = selectMedian(col, len);
      if (m < raised) local[k] = 1 / Math.max(1, m);
      else local[k] = callMax && callMax[k]! < m ? 1 : 0;
    }
    rescore(a0, a1, ratios, local, 0);
    return runsAbove(a0, a1, p.threshold_db + RESCAN_MARGIN_DB);
  };
  // An event longer than max_duration_ms (frames a0..a1: a gust of wind, rain): each frame re-scored per bin against
  // the running median of the burst's frames within BURST_FLOOR_MS around it (shifted inside the burst at its ends);
  // what reaches threshold_db + BURST_MARGIN_DB is returned as events of their own. (A burst lasts a second or so at
  // most: the detector's floor, a median over ~1 s, catches up with anything longer.)
  const half = Math.max(1, Math.round((BURST_FLOOR_MS / 2000) * (sampleRate / n)));
  const medianStep = Math.max(1, Math.floor(half / BURST_FLOOR_STEPS));
  const rescanBurst = (a0: number, a1: number): [number, number][] => {
    const len = a1 - a0 + 1;
    const width = Math.min(len, 2 * half + 1);
    const ratios = spanRatios(a0, a1);
    const col = new Float64Array(width);
    const inv = new Float64Array(len * nb);
    for (let c = 0; c < len; c += medianStep) {
      const lo = Math.max(0, Math.min(c + (medianStep >> 1) - half, len - width));
      for (let k = 0; k < nb; k++) {
        for (let i = 0; i < width; i++) col[i] = ratios[(lo + i) * nb + k]!;
        const v = 1 / Math.max(1, selectMedian(col, width));
        for (let i = c, end = Math.min(len, c + medianStep); i < end; i++) inv[i * nb + k] = v;
      }
    }
    rescore(a0, a1, ratios, inv, nb);
    for (let i = 0; i < len; i++) burstInv.set(a0 + i, inv.subarray(i * nb, (i + 1) * nb));
    return runsAbove(a0, a1, p.threshold_db + BURST_MARGIN_DB);
  };
  // A frame's sound: the bins around its loudest, contiguous, within FOLLOW_SPREAD_DB of it and over the release level.
  const release = 10 ** (p.release_db / 10);
  const spread = 10 ** (-FOLLOW_SPREAD_DB / 10);
  const soundOf = (g: number): [number, number] => {
    const r = binsOf(g);
    const k = argmaxBin(r, nb);
    const lit = Math.max(release, r[k]! * spread);
    let lo = k;
    while (lo > 0 && r[lo - 1]! >= lit) lo--;
    let hi = k;
    while (hi < nb - 1 && r[hi + 1]! >= lit) hi++;
    return [lo, hi];
  };
  // Whether some frame of f0..f1 is loudest in the band's bottom bin.
  const fromBottomWithin = (f0: number, f1: number): boolean => {
    for (let g = f0; g <= f1; g++) if (peakBin[g] === 0) return true;
    return false;
  };
  // The first frame of a call whose edge (end_drop_db under its peak) is at frame f0 (its end at f1): earlier frames,
  // back to `limit`, belong to it while each one's sound touches the next one's in frequency (or lies on the side the
  // call sweeps from), is not louder than it and does not come up from the band's bottom (see start_follow in
  // calls.ts).
  const followStart = (f0: number, f1: number, limit: number): number => {
    let g = f0;
    let [lo, hi] = soundOf(g);
    // The way the call's own first frames sweep (down: its top lies back in time above them), if they do.
    const swept = peakBin[f0]! - peakBin[Math.min(f1, f0 + 2)]!;
    let dir = Math.sign(swept);
    while (g > limit) {
      const s = score[g - 1]!;
      if (!(s >= p.release_db) || s > score[g]! + FOLLOW_LOUDER_DB) break;
      const [plo, phi] = soundOf(g - 1);
      // Sound up from the band's bottom is noise from below it (wind, handling), not the top of a sweep or a tone.
      if (plo === 0) break;
      // A sweep moves by about a frame's width of sound from one frame to the next, and on in the same direction.
      const room = Math.max(FOLLOW_GAP_BINS, phi - plo + 1, hi - lo + 1);
      const step = plo > hi ? 1 : phi < lo ? -1 : 0;
      if (plo - hi > room || lo - phi > room || (step !== 0 && step === -dir)) break;
      if (step !== 0) dir = step;
      lo = plo;
      hi = phi;
      g--;
    }
    return g;
  };
  // tone_join. A faint constant-frequency call (a distant horseshoe bat's tone, the long quasi-constant search call
  // of a noctule, a free-tailed or sheath-tailed bat) scores around threshold_db frame by frame, and only pieces of it
  // cross it: it came out as a row of short detections, or as one of them. In a spectrogram it is a plain line: the
  // eye averages along it. So a faint event (peak under release_db + end_drop_db: its edges are at release_db) goes
  // on, either side, over the frames where the median over TONE_WINDOW_MS of its frequency's power (the loudest
  // frame's bin, following it by a bin at a time) stays TONE_DB over the floor, and those frames count as at
  // release_db.
  // Pieces of one tone then join; a faint FM sweep has no such tone beside it, nor has noise.
  const toneHalf = Math.max(1, Math.round((TONE_WINDOW_MS / 2000) * (sampleRate / n)));
  const toneRatio = 10 ** (TONE_DB / 10);
  const echoDrop = 10 ** (p.echo_drop_db / 10);
  const toneAt = new Map<number, Float64Array>();
  const toneBins = (g: number): Float64Array => {
    let r = toneAt.get(g);
    if (!r) {
      r = Float64Array.from(binsOf(g));
      toneAt.set(g, r);
    }
    return r;
  };
  // The median over the window around frame g of bin k's power over the floor (a median: one loud frame, a click or
  // a short call crossing the bin, is no tone).
  const toneCol = new Float64Array(2 * toneHalf + 1);
  const toneLevel = (g: number, k: number): number => {
    const w0 = Math.max(0, g - toneHalf);
    const w1 = Math.min(nFrames - 1, g + toneHalf);
    for (let h = w0; h <= w1; h++) toneCol[h - w0] = toneBins(h)[k]!;
    return selectMedian(toneCol, w1 - w0 + 1);
  };
  // A tone is a line: its level stands TONE_LINE_DB over the bins LINE_SPAN away (a smear of reverberation, an echo of
  // a sweep or the next call spread over the band).
  const toneLine = 10 ** (TONE_LINE_DB / 10);
  const lineAround = (g: number, k: number, m: number): boolean =>
    m >=
    toneLine *
      Math.max(
        k >= LINE_SPAN ? toneLevel(g, k - LINE_SPAN) : 0,
        k + LINE_SPAN < nb ? toneLevel(g, k + LINE_SPAN) : 0,
      );
  // From frame `from` on in direction `dir`, the last frame of the tone in bin k (from - dir when none), stopping
  // before `stop` (a louder event: what leads into it at its frequency is its own reverberation or build-up).
  const followTone = (
    from: number,
    dir: 1 | -1,
    k0: number,
    room: number,
    stop: number,
    need: number,
  ): number => {
    let k = k0;
    let last = from - dir;
    if (!mayGoOn(from, k, stop)) return last;
    for (let g = from, i = 0; g >= 0 && g < nFrames && i < room && g !== stop; g += dir, i++) {
      let best = toneLevel(g, k);
      let bk = k;
      for (const j of [k - 1, k + 1]) {
        if (j < 0 || j >= nb) continue;
        const m = toneLevel(g, j);
        if (m > best) {
          best = m;
          bk = j;
        }
      }
      if (best < need || !lineAround(g, bk, best)) break;
      k = bk;
      last = g;
    }
    return last;
  };
  const smearFrames = Math.round((TONE_SMEAR_MS / 1000) * (sampleRate / n));
  // Most tones end where their event does: the first frame past it is under TONE_DB (one FFT, not a window's). A
  // faint tone's frame may dip there too; the next piece, extended back, then bridges the gap.
  const mayGoOn = (g: number, k: number, stop: number): boolean => {
    if (g < 0 || g >= nFrames || g === stop) return false;
    const r = toneBins(g);
    return Math.max(r[k - 1] ?? 0, r[k]!, r[k + 1] ?? 0) >= toneRatio;
  };
  const joinTones = (evs: [number, number][]): void => {
    const faint = p.release_db + p.end_drop_db;
    const peaks = evs.map(([a0, a1]) => {
      let peak = a0;
      for (let g = a0 + 1; g <= a1; g++) if (score[g]! > score[peak]!) peak = g;
      return peak;
    });
    const sameBin = (j: number, k: number): boolean => Math.abs(peakBin[peaks[j]!]! - k) <= TONE_DRIFT_BINS;
    // The frame next to the nearest event either side of event i that is louder or at another frequency (a tone
    // stops short of it: another call, or a louder one leading into it at its frequency, its reverberation), or -1.
    const blocker = (i: number, dir: 1 | -1, k: number): number => {
      for (let j = i + dir; j >= 0 && j < evs.length; j += dir)
        if (!(score[peaks[j]!]! < faint) || !sameBin(j, k)) return dir > 0 ? evs[j]![0] - 1 : evs[j]![1] + 1;
      return -1;
    };
    // A louder event at its frequency shortly before it: a faint "tone" there is that call's reverberation (a CF
    // call's smear is a line too).
    const smear = (i: number, k: number): boolean => {
      const loud = score[peaks[i]!]! + LOCAL_NEAR_LOUDER_DB;
      for (let j = i - 1; j >= 0 && evs[i]![0] - evs[j]![1] <= smearFrames; j--)
        if (score[peaks[j]!]! >= loud && sameBin(j, k)) return true;
      return false;
    };
    for (const [i, e] of evs.entries()) {
      const [a0, a1] = e;
      const peak = peaks[i]!;
      if (!(score[peak]! < faint)) continue;
      // A tone itself: TONE_MIN_FRAMES or more, most loudest within a bin of its peak's (a faint FM sweep's are not,
      // nor is a short call at a low rate's coarse bins a tone).
      let near = 0;
      let lit = 0;
      for (let g = a0; g <= a1; g++) {
        if (!(score[g]! >= p.release_db)) continue;
        lit++;
        near += Number(Math.abs(peakBin[g]! - peakBin[peak]!) <= 1);
      }
      if (lit < TONE_MIN_FRAMES || 3 * near < 2 * lit || smear(i, peakBin[peak]!)) continue;
      const room = Math.max(0, Math.floor(maxFrames) - (a1 - a0 + 1));
      // (The scores' loudest bin: the peak frame's own.)
      const k = peakBin[peak]!;
      const after = blocker(i, 1, k);
      const before = blocker(i, -1, k);
      if (!mayGoOn(a1 + 1, k, after) && !mayGoOn(a0 - 1, k, before)) continue;
      // The tone goes on at about its level: an echo of it, echo_drop_db weaker or more, is not followed.
      const need = Math.max(toneRatio, toneLevel(peak, k) / echoDrop);
      const b1 = followTone(a1 + 1, 1, k, room, after, need);
      const b0 = followTone(a0 - 1, -1, k, room - (b1 - a1), before, need);
      for (let g = b0; g < a0; g++) score[g] = Math.max(score[g]!, p.release_db);
      for (let g = a1 + 1; g <= b1; g++) score[g] = Math.max(score[g]!, p.release_db);
      e[0] = b0;
      e[1] = b1;
    }
    // Events that now touch are one.
    let w = 0;
    for (let i = 1; i < evs.length; i++) {
      const cur = evs[w]!;
      const next = evs[i]!;
      if (next[0] <= cur[1] + 1) cur[1] = Math.max(cur[1], next[1]);
      else evs[++w] = next;
    }
    evs.length = Math.min(evs.length, w + 1);
    toneAt.clear();
  };
  // Events longer than max_duration_ms (wind, rain, insect choruses raising part of the band for a while) would be
  // dropped with every call inside them. burst_rescan: look inside them instead.
  const maxFrames = (p.max_duration_ms / 1000) * (sampleRate / n);
  // The local floor of a detection at frames f0..f1, as 1 / floor per bin; null when off, not measurable or no higher
  // than the detector's floor.
  // Reverberation follows its call: what a detection may be the smear of lies before it, so that side is its floor:
  // the medians over local_floor_ms and, after a much louder sound, over its last quarter (the smear right after a
  // call, which the longer median misses while the call and the quiet before it fill most of it), each counting by
  // what it exceeds the detector's floor by more than LOCAL_MARGIN_DB. After a detection lie its own reverberation
  // and perhaps a louder call's, which it need not stand out of (that side serves at a recording's start only).
  // Its medians and the detection's frames are measured over the detector's floor even in a burst: it is a floor that
  // follows what precedes a detection (a gust too), and a call right after a burst must see the gust in the frames
  // before it as they are, not levelled by the burst's own floor.
  const localSpan = Math.round((p.local_floor_ms / 1000) * (sampleRate / n));
  const localStep = Math.max(1, Math.ceil(localSpan / LOCAL_MAX_FRAMES));
  const localDip = Math.ceil((LOCAL_DIP_MS / 1000) * (sampleRate / n));
  const endDip = Math.ceil((END_DIP_MS / 1000) * (sampleRate / n));
  const localMargin = 10 ** (LOCAL_MARGIN_DB / 10);
  /** Frames from `from` on in direction `dir` (every `step`-th), `span` frames at most, within the recording. */
  const framesFrom = (from: number, dir: 1 | -1, span: number, step: number): number[] => {
    const room = dir < 0 ? from + 1 : nFrames - from;
    return Array.from({ length: Math.ceil(Math.min(span, room) / step) }, (_, i) => from + dir * i * step);
  };
  const sourceSpan = Math.round(LOCAL_SOURCE_SPANS * localSpan);
  // The local floor is measured around most detections: its buffers are reused, grown as needed.
  const growable = (): ((size: number) => Float64Array) => {
    let buffer = new Float64Array(0);
    return (size) => {
      if (buffer.length < size) buffer = new Float64Array(2 * size);
      return buffer;
    };
  };
  const farScores = growable();
  const floorColumns = growable();
  const localFloor = (f0: number, f1: number, peakDb: number): Float64Array | null => {
    if (!(localSpan > 0)) return null;
    // Smear has a source: a sound much louder than it shortly before. Without one, the frames before it must be
    // loud themselves (wind, noise); else (most calls) there is nothing to stand out of, and no frame needs an FFT.
    const loud = peakDb + LOCAL_NEAR_LOUDER_DB;
    let source = false;
    for (let g = Math.max(0, f0 - sourceSpan); g < f0 && !source; g++) source = score[g]! >= loud;
    // At a recording's start the side after it stands in.
    const before = framesFrom(f0 - 1, -1, localSpan, localStep);
    const far = before.length >= LOCAL_MIN_FRAMES ? before : framesFrom(f1 + 1, 1, localSpan, localStep);
    if (!source) {
      const s = farScores(far.length);
      for (let i = 0; i < far.length; i++) s[i] = score[far[i]!]!;
      if (!(far.length > 0 && quickMedian(s, far.length) >= LOCAL_MARGIN_DB)) return null;
    }
    // Near it, the louder sound's own frames are not its smear, nor what preceded that sound: only the frames after
    // it, in the gap, count.
    const near = framesFrom(f0 - 1, -1, Math.floor(localSpan * LOCAL_NEAR_SHARE), 1);
    const lastLoud = near.findIndex((g) => score[g]! >= loud);
    const gap = lastLoud < 0 ? [] : near.slice(0, lastLoud);
    const spans = [far].filter((g) => g.length >= LOCAL_MIN_FRAMES);
    if (gap.length >= LOCAL_GAP_MIN_FRAMES) spans.push(gap);
    if (spans.length === 0) return null;
    const inv = new Float64Array(nb).fill(1);
    for (const frames of spans) {
      const m = frames.length;
      // Bin-major, so each bin's values are contiguous for its median.
      const cols = floorColumns(m * nb);
      for (let i = 0; i < m; i++) {
        const r = binsOf(frames[i]!, false);
        for (let k = 0; k < nb; k++) cols[k * m + i] = r[k]!;
      }
      for (let k = 0; k < nb; k++)
        inv[k] = Math.min(inv[k]!, localMargin / selectMedian(cols.subarray(k * m, (k + 1) * m), m));
    }
    // The frames before a CF call are mostly the bat's previous call: in the bins whose floor is their quiet moments'
    // level, that is the floor (its reverberation there is cut off by the edge rule and rescanned like any other).
    if (occupied) {
      const at = inverseFloor(Math.min(nBlocks - 1, Math.floor(f0 / blockFrames)));
      for (let k = 0; k < nb; k++) if (occupiedBin[at + k] === 1) inv[k] = 1;
    }
    // Not raised anywhere (around most calls): the detector's own scores and edges stand.
    return inv.some((v) => v < 1) ? inv : null;
  };
  /** Frames f0..f1 scored against the local floor `inv`, dB. */
  const localScores = (f0: number, f1: number, inv: Float64Array): Float64Array => {
    const out = new Float64Array(f1 - f0 + 1);
    for (let g = f0; g <= f1; g++) out[g - f0] = frameScore(binsOf(g, false), 0, 1, inv, 0, nb, fineBin, 0);
    return out;
  };
  // end_cliff_db: the first frame g after the peak where the score has fallen `drop` dB under the louder of the two
  // frames before it (the louder one: `from`) and everything after it to f1 stays CALL_END_TAIL_DB under that; with
  // the level it fell under. Null: none.
  const cliffSuffix = growable();
  const cliffAfter = (peak: number, f1: number, drop: number): [number, number, number] | null => {
    let after = Number.NEGATIVE_INFINITY;
    const suffix = cliffSuffix(f1 - peak + 2);
    suffix[f1 - peak + 1] = after;
    for (let g = f1; g > peak; g--) {
      after = Math.max(after, score[g]!);
      suffix[g - peak] = after;
    }
    for (let g = peak + 1; g <= f1; g++) {
      const from = g - 2 >= peak && score[g - 2]! > score[g - 1]! ? g - 2 : g - 1;
      const level = score[from]! - drop;
      if (score[g]! <= level && suffix[g - peak]! <= score[from]! - CALL_END_TAIL_DB) return [g, from, level];
    }
    return null;
  };
  // Events still to measure: first frame, last frame, and whether it was found in the cut-off head or tail of a call.
  type Item = [number, number, Detection["cutFrom"]];
  const queue: Item[] = [];
  const found = (parts: [number, number][], where: Detection["cutFrom"]) =>
    parts.map(([b0, b1]): Item => [b0, b1, where]);
  if (p.tone_join > 0) joinTones(events);
  for (const [a0, a1] of events) {
    if (!(p.burst_rescan > 0) || a1 - a0 + 1 <= maxFrames) queue.push([a0, a1, undefined]);
    else queue.push(...found(rescanBurst(a0, a1), undefined));
  }

  // Clipping: runs of CLIP_RUN samples at the recording's largest magnitude, as a recorder's range cuts a loud call.
  // A clipped call is loud, so it lies within an event: the events' samples give that magnitude (scanning the whole
  // recording for it took a third of the detector's time). Each frame's largest magnitude is measured once, and a
  // detection's samples are scanned only in frames that reach the clip level (scanning all of them took a tenth).
  const frameMax = new Float64Array(nFrames).fill(-1);
  const maxOfFrame = (f: number): number => {
    if (frameMax[f]! < 0) frameMax[f] = maxAbs(x, f * n, (f + 1) * n);
    return frameMax[f]!;
  };
  let rail = 0;
  for (const [a0, a1] of events) for (let f = a0; f <= a1; f++) rail = Math.max(rail, maxOfFrame(f));
  const clipLevel = rail * (1 - CLIP_TOLERANCE);
  const clippedIn = (s0: number, s1: number): boolean => {
    if (!(rail > 0)) return false;
    let run = 0;
    const end = Math.min(x.length, Math.ceil(s1));
    for (let i = Math.max(0, Math.floor(s0)); i < end; ) {
      const f = Math.floor(i / n);
      const frameEnd = Math.min(end, (f + 1) * n);
      if (f < nFrames && maxOfFrame(f) < clipLevel) {
        run = 0;
        i = frameEnd;
        continue;
      }
      for (; i < frameEnd; i++) {
        const v = x[i]!;
        run = v >= clipLevel || -v >= clipLevel ? run + 1 : 0;
        if (run >= CLIP_RUN) return true;
      }
    }
    return false;
  };
  const refined: Detection[] = [];
  while (queue.length > 0) {
    const [a0, a1, cutFrom] = queue.pop()!;
    let peakFrame = a0;
    for (let g = a0 + 1; g <= a1; g++) if (score[g]! > score[peakFrame]!) peakFrame = g;
    let peakDb = score[peakFrame]!;
    // The call spans the frames within end_drop_db of its peak (the release level unless the edge rule raises it),
    // from the first one to the first fall after the peak; what lies either side (a loud call's reverberation, a faint
    // sound glued to its start) is looked at again.
    const edgeLevel = p.end_drop_db > 0 ? Math.max(p.release_db, peakDb - p.end_drop_db) : p.release_db;
    let f0 = a0;
    let f1 = a1;
    // The start was moved back over the call's faint beginning (start_follow): its edge is at the release level.
    let followed = false;
    if (edgeLevel > p.release_db) {
      if (cutFrom) {
        // Within a call's cut-off edge, reverberation fills the time around a sound found there: its start too is
        // the contiguous run around its peak.
        f0 = peakFrame;
        while (f0 > a0 && score[f0 - 1]! >= edgeLevel) f0--;
      } else while (f0 < peakFrame && score[f0]! < edgeLevel) f0++;
      // The end is the first fall below that level after the peak: what rises again later is reverberation, an echo
      // or another sound (found again below), or the second half of a call with a deep dip (joined by the fragment
      // rule).
      f1 = peakFrame;
      while (f1 < a1 && score[f1 + 1]! >= edgeLevel) f1++;
      // ...unless the call comes back to within CALL_END_TAIL_DB of its peak within END_DIP_MS: a dip in its middle
      // (an echo or reverberation stays further under it; the next call of a buzz comes after a longer gap). Its
      // second half would otherwise be lost: it fills most of the cut-off tail, whose median then hides it.
      for (let g = f1 + 1; g <= a1 && g - f1 - 1 < endDip; g++) {
        if (score[g]! < peakDb - CALL_END_TAIL_DB) continue;
        f1 = g;
        while (f1 < a1 && score[f1 + 1]! >= edgeLevel) f1++;
        g = f1;
      }
      // Wind (noise from below the band) around a call in a gust reaches the edge level too: the call ends where
      // frames come up from the band's bottom, unless its own loudest frame does. (Looked at only when some frame's
      // loudest bin is the bottom one: most calls have none, and need no FFT for it.)
      if (!cutFrom && fromBottomWithin(f0, f1) && soundOf(peakFrame)[0] > 0) {
        let g = peakFrame;
        while (g > f0 && soundOf(g - 1)[0] > 0) g--;
        f0 = g;
        g = peakFrame;
        while (g < f1 && soundOf(g + 1)[0] > 0) g++;
        f1 = g;
      }
      if (!cutFrom && p.start_follow > 0) {
        const cut = f0;
        f0 = followStart(f0, f1, Math.max(a0, f0 - (f1 - f0 + 1)));
        followed = f0 < cut;
      }
      if (p.tail_rescan > 0) {
        if (f0 - a0 >= RESCAN_MIN_FRAMES) queue.push(...found(rescan(a0, f0 - 1), "head"));
        if (a1 - f1 >= RESCAN_MIN_FRAMES) queue.push(...found(rescan(f1 + 1, a1, [f0, f1]), "tail"));
      }
    }
    // Against the local floor the detection is what stands out of its surroundings: its peak there decides whether
    // it is kept (dropBelowLocalFloor), and its edges are where it rises out of them (a call inside a long
    // reverberation would otherwise take some of the smear either side with it).
    let localDb = Number.POSITIVE_INFINITY;
    // (A sound found in a call's cut-off edge was scored against the median of that edge already, and the call it
    // was cut from lies right before it.)
    const floor = cutFrom ? null : localFloor(f0, f1, peakDb);
    if (floor) {
      const ls = localScores(f0, f1, floor);
      let top = 0;
      for (let i = 1; i < ls.length; i++) if (ls[i]! > ls[top]!) top = i;
      localDb = ls[top]!;
      if (localDb >= p.threshold_db) {
        const level = p.end_drop_db > 0 ? Math.max(p.release_db, localDb - p.end_drop_db) : p.release_db;
        // The start: back from the peak over frames at that level and dips of a call's middle (not longer than
        // LOCAL_DIP_MS; the edge rule above keeps a dip before the peak too), but not over the smear's fluctuations,
        // which reach the level now and then only. The end: the first fall after the peak, as the edge rule.
        let i0 = top;
        for (let i = top - 1; i >= 0 && i0 - i <= localDip + 1; i--) if (ls[i]! >= level) i0 = i;
        // A faint start followed back (start_follow) stays as far as it stands out of the local floor too.
        if (followed) while (i0 > 0 && ls[i0 - 1]! >= p.release_db) i0--;
        let i1 = top;
        while (i1 < ls.length - 1 && ls[i1 + 1]! >= level) i1++;
        // The peak the other rules compare is the one within these edges.
        if (peakFrame < f0 + i0 || peakFrame > f0 + i1) {
          peakFrame = f0 + top;
          peakDb = score[peakFrame]!;
        }
        f1 = f0 + i1;
        f0 += i0;
        if (i0 > 0) followed = false;
      }
    }
    const r = binsOf(peakFrame);
    const kMax = argmaxBin(r, nb);
    const peakHz = (loBin + kMax) * binHz;
    // The contour's range from the frames' loudest bins, widened by half the largest step between frames (a sweep
    // runs on between frame centres).
    let kLow = nb;
    let kHigh = 0;
    let step = 0;
    for (let g = f0; g <= f1; g++) {
      kLow = Math.min(kLow, peakBin[g]!);
      kHigh = Math.max(kHigh, peakBin[g]!);
      if (g > f0) step = Math.max(step, Math.abs(peakBin[g]! - peakBin[g - 1]!));
    }
    const lowEdge = isLowEdgeNoise(r, nb, kMax, peakBin, f0, f1, p.low_edge_db, () =>
      quietBelowBand(f0, f1, peakFrame),
    );
    kLow = Math.max(0, kLow - step / 2);
    kHigh = Math.min(nb - 1, kHigh + step / 2);
    // Band coverage from the single bins (power[k + 1] is bin loBin + k; its floor is a third of the 3-bin floor):
    // the 3-bin sums would widen every line by two bins, which matters at low rates with few bins in the band.
    const lit = Math.max(10 ** (p.release_db / 10), 10 ** ((peakDb - BAND_SPREAD_DB) / 10));
    const fbPeak = inverseFloor(Math.min(nBlocks - 1, Math.floor(peakFrame / blockFrames)));
    let litBins = 0;
    const ratios = new Float64Array(nb);
    const bPeak = burstInv.get(peakFrame) ?? ones;
    for (let k = 0; k < nb; k++) {
      ratios[k] = 3 * power[k + 1]! * invFloor[fbPeak + k]! * bPeak[k]!;
      litBins += Number(ratios[k]! >= lit);
    }
    const bandMedianDb = 10 * Math.log10(selectMedian(ratios, nb) + 1e-300);

    // Onset: the fine frame where the score crosses release_db, from one frame before the event start (not before a
    // cut-off tail's first frame: the frame before it is the call it was cut from, whose sound would give the onset).
    let onsetCentre = f0 * n + n / 2;
    const on0 = Math.max(0, (cutFrom === "tail" ? Math.max(a0, f0 - 1) : f0 - 1) * n);
    const jOn = firstAbove(
      on0,
      fine,
      Math.floor((f0 * n + n - on0) / fine),
      (f0 * n - on0) / fine,
      followed ? p.release_db : edgeLevel,
    );
    if (jOn >= 0) onsetCentre = on0 + jOn * fine + n / 2;
    // Offset: likewise backwards from one frame after the event end (in a cut-off head, not from the call's frames).
    let offsetCentre = f1 * n + n / 2;
    const off0 = Math.min(x.length - n, (cutFrom === "head" ? Math.min(a1, f1 + 1) : f1 + 1) * n);
    if (off0 >= f1 * n - n) offsetCentre = lastAbove(off0, f1 * n - n, f1 * n, edgeLevel) ?? offsetCentre;
    if (offsetCentre <= onsetCentre) offsetCentre = onsetCentre + fine;
    const cliff = p.end_drop_db > 0 && p.end_cliff_db > 0 ? cliffAfter(peakFrame, f1, p.end_cliff_db) : null;
    let callOffset: number | undefined;
    if (cliff) {
      // The fine frame where the score falls under the cliff's level, back from the first frame past it.
      const [g, from, level] = cliff;
      const off = Math.min(x.length - n, g * n);
      const centre = lastAbove(off, from * n, from * n, level) ?? from * n + n / 2;
      if (centre > onsetCentre && centre < offsetCentre) callOffset = centre / sampleRate;
    }
    refined.push({
      onset: onsetCentre / sampleRate,
      offset: offsetCentre / sampleRate,
      peakDb,
      peakHz,
      lowHz: (loBin + kLow) * binHz,
      highHz: (loBin + kHigh) * binHz,
      bandFraction: litBins / nb,
      bandBins: nb,
      bandMedianDb,
      lowEdge,
      localDb,
      ...(clippedIn(onsetCentre - n / 2, offsetCentre + n / 2) ? { clipped: true } : {}),
      ...(cutFrom ? { cutFrom } : {}),
      ...(callOffset !== undefined ? { callOffset } : {}),
    });
  }
  refined.sort((a, b) => a.onset - b.onset);

  // A detection's picture for the echo rule: frames every hop samples whose centres lie within it, dB over the floor.
  const hop = Math.max(1, Math.floor(n / SHAPE_STEPS));
  // The rules ask for the same few recent detections' shapes again and again: keep the last SHAPE_CACHE.
  const shapes = new Map<string, Shape>();
  const ratio = new Float64Array(nb);
  const ratioWords = new Int32Array(ratio.buffer);
  const shapeOf = (d: Segment): Shape => {
    const key = `${d.onset},${d.offset}`;
    const known = shapes.get(key);
    if (known) return known;
    const made = picture(d, hop);
    shapes.set(key, made);
    if (shapes.size > SHAPE_CACHE) shapes.delete(shapes.keys().next().value!);
    return made;
  };
  // Frames every `step` samples whose centres lie within d.
  const picture = (d: Segment, step: number): Shape => {
    const last = Math.floor((x.length - n) / step);
    const g0 = Math.max(0, Math.ceil((d.onset * sampleRate - n / 2) / step - 1e-9));
    const g1 = Math.min(last, Math.floor((d.offset * sampleRate - n / 2) / step + 1e-9));
    const frames = Math.max(0, g1 - g0 + 1);
    const db = new Float32Array(frames * nb);
    for (let g = g0; g <= g1; g++) {
      const start = g * step;
      const f = start % n === 0 ? start / n : -1;
      const row = f >= 0 ? rowOf[f]! : -1;
      // A kept row is the frame's picture over the detector's floor: not inside a burst (see ratiosAt).
      if (row >= 0 && !burstInv.has(f)) {
        const o = (row & ((1 << ROW_CHUNK_BITS) - 1)) * nb;
        db.set(rowChunks[row >> ROW_CHUNK_BITS]!.subarray(o, o + nb), (g - g0) * nb);
      } else
        powerToDb(
          ratiosAt(start, ratio),
          ratioWords,
          nb,
          PICTURE_FLOOR,
          PICTURE_FLOOR_DB,
          db,
          (g - g0) * nb,
          1,
        );
    }
    return { start: g0, frames, bins: nb, k0: loBin, binHz, hop: step / sampleRate, db };
  };
  // A call's band needs no finer time steps than the detector's frames (half the FFTs of its shape).
  const bandPicture = (d: Segment): Shape => picture(d, n);
  return { detections: refined, shapeOf, bandPicture };
}
