// Call rules of the default (spectral) detector: what a field recording puts around a call that is not a call.
// Field recordings with call boxes (issue 11) showed the bare detector's false segments to be mostly echoes and
// reverberation tails starting within 30 ms after a call, then ~2 ms broadband blips far from any call, then
// fragments of one call split at a dip; and a first version of these rules removed another bat's faint call
// starting shortly after a loud one as an "echo". Each rule is a named parameter (0 switches it off; all off = the
// detector as it was before them). The rules follow the physics of each confounder rather than a fit to any
// recording; `pnpm bench detector` measures them on the synthetic confounder set (test/fixtures/confounders.ts)
// and on the real clips in ../shared/data.
//
// In spectral.ts, which has the frame scores:
// - Edges: a call runs from its first frame within `end_drop_db` of its own peak (or above the release level if
//   that is higher) to its first fall below that after the peak, not down to the noise floor: a loud call's
//   reverberation otherwise extends it by tens of ms, and a faint sound just before it would be glued to its start.
//   Nor does it extend over frames whose sound comes up from the band's bottom (wind around a call in a gust), unless
//   the call's own loudest frame does.
//   The start goes back further over the call's own faint beginning (`start_follow`): the top of an FM sweep is often
//   20-40 dB under its loudest part (the bat's beam and the air favour its lower frequencies), plain to see and boxed
//   by experts, and cut off it was found again as a call of its own. Earlier frames belong to the call while each
//   one's sound touches the next one's in frequency (or lies no further from it than it is wide, on the side the call
//   sweeps from: a fast sweep moves that much per frame), is no louder than it and does not come up from the band's
//   bottom; another bat's tone below the sweep's top, or wind, ends it.
//   Within those edges, reverberation 10-16 dB under the call and an echo glued to it still pass for the call's end
//   (tight boxes measured by IoU held 4-8 ms of reverberation after 2-8 ms calls): the segment ends where the level
//   falls `end_cliff_db` within a frame or two and never comes back (`callOffset`). A call's own level changes
//   (a sweep fading as it goes, a quasi-constant end a few dB under its start) are gradual or come back.
//   What is cut off either side is searched again (`tail_rescan`) against its own per-bin median, for calls of its
//   own: another bat's call often sits in a loud call's reverberation. (In a tail, bins the call never reached are
//   scored against the floor: reverberation stays in its call's frequencies, and a long tone filling the tail would
//   hide in its own median.) A sound found in the tail that copies of the
//   call at any delays explain, over the call's band, is that reverberation and is dropped with the echoes.
// - Bursts (`burst_rescan`), low-edge noise (`low_edge_reject`): see spectral.ts and dropLowEdge below.
// - CF bats calling most of the time (`occupied_floor`) and faint tones that cross the threshold only in pieces
//   (`tone_join`): see spectral.ts.
// Here, on the measured detections:
// - Echoes: an echo is a weaker, delayed copy of the call. A detection is dropped as an echo when it is at least
//   `echo_drop_db` weaker than an earlier one and its time-frequency picture matches that call's picture shifted by
//   some delay up to `echo_window_ms` and lowered (cosine similarity >= `echo_match_pct` %, frequencies within
//   `echo_freq_pct` % for Doppler shift), with nothing loud in it that up to three such copies do not explain (see
//   echoMatch). A copy is as long as the call and only hidden where it overlaps the call: a copy at a delay that
//   would have begun in the quiet gap before the candidate, or gone on after it, clearly visible in the candidate's
//   own frequencies, must be seen there (`echo_gap_db`, see surroundRefutes); another bat's call that merely
//   resembles part of the call (a short tone after a long one, the flat end of a sweep) fails this at the delays
//   where it matched. A faint call of another bat that starts shortly after a loud call differs in contour (a
//   quasi-constant-frequency call after a steep FM sweep), band or duration, or adds sound an echo cannot, and is
//   kept; one of the same shape, band and delay as an echo is not distinguishable from an echo this way and is
//   dropped.
// - Fragments: two detections separated by less than `fragment_gap_pct` % of their summed duration (at most
//   `fragment_gap_max_ms`) are one call with a weak middle when the second continues the first's frequency contour
//   at about its level, and is no echo of it.
// - Local floor (in spectral.ts, measured there): the detector's noise floor is a per-bin median over ~1 s, which a
//   loud call's long reverberation (vegetation, a CF bat's tone smeared for 100 ms and more) raises only for a
//   moment: the reverberation's fluctuations then reach threshold_db over that floor, many times after each call. A
//   detection must also reach threshold_db over the recording in the `local_floor_ms` before it (per bin, the
//   median, so that calls and echoes filling less than half of that time do not raise it), and its edges are where
//   it rises out of it. Reverberation follows its call, so the side after a detection does not count. A call in
//   quiet surroundings loses nothing; one inside reverberation must stand out of it, as it does to the eye.
// - Blips: a detection shorter than `blip_max_ms` whose loudest frame covers at least `blip_band_pct` % of the band
//   (a click: energy everywhere at once, where a call of that length is a narrow tone or one sweep) is dropped. So is
//   one whose loudest frame is flat: its median bin within `blip_flat_db` of its peak. A faint click lights only part
//   of the band over the release level (its bins fluctuate like noise around a level near threshold), but it raises
//   every bin alike, the median with them; a call, however loud, raises the bins of its tone or sweep only and leaves
//   the median at the noise.
import type { Segment } from "./types.ts";

export interface CallRuleParams {
  end_drop_db: number;
  end_cliff_db: number;
  start_follow: number;
  tail_rescan: number;
  echo_window_ms: number;
  echo_drop_db: number;
  echo_match_pct: number;
  echo_freq_pct: number;
  echo_gap_db: number;
  blip_max_ms: number;
  blip_band_pct: number;
  blip_flat_db: number;
  fragment_gap_pct: number;
  fragment_gap_max_ms: number;
  low_edge_reject: number;
  low_edge_db: number;
  local_floor_ms: number;
}

export const CALL_RULE_DEFAULTS: CallRuleParams = {
  end_drop_db: 20,
  end_cliff_db: 10,
  start_follow: 1,
  tail_rescan: 1,
  echo_window_ms: 30,
  echo_drop_db: 6,
  echo_match_pct: 60,
  echo_freq_pct: 4,
  echo_gap_db: 12,
  blip_max_ms: 5,
  blip_band_pct: 65,
  blip_flat_db: 10,
  fragment_gap_pct: 35,
  fragment_gap_max_ms: 5,
  low_edge_reject: 1,
  low_edge_db: 6,
  local_floor_ms: 50,
};

/** Every rule switched off: the spectral detector as it was before them (its characterisation tests use this). */
export const CALL_RULES_OFF: Record<
  keyof CallRuleParams | "burst_rescan" | "occupied_floor" | "tone_join",
  number
> = {
  end_drop_db: 0,
  end_cliff_db: 0,
  start_follow: 1,
  tail_rescan: 0,
  echo_window_ms: 0,
  echo_drop_db: CALL_RULE_DEFAULTS.echo_drop_db,
  echo_match_pct: CALL_RULE_DEFAULTS.echo_match_pct,
  echo_freq_pct: CALL_RULE_DEFAULTS.echo_freq_pct,
  echo_gap_db: 0,
  blip_max_ms: 0,
  blip_band_pct: CALL_RULE_DEFAULTS.blip_band_pct,
  blip_flat_db: 0,
  fragment_gap_pct: 0,
  fragment_gap_max_ms: CALL_RULE_DEFAULTS.fragment_gap_max_ms,
  burst_rescan: 0,
  occupied_floor: 0,
  tone_join: 0,
  low_edge_reject: 0,
  low_edge_db: CALL_RULE_DEFAULTS.low_edge_db,
  local_floor_ms: 0,
};

/** A detection with what the rules need to know about it. */
export interface Detection extends Segment {
  /** Peak score: dB above the noise floor in the loudest frame. */
  peakDb: number;
  /** Frequency of the loudest bin in the loudest frame, Hz. */
  peakHz: number;
  /** Range of the loudest bins' frequencies over its frames, Hz (the contour, coarsely). */
  lowHz: number;
  highHz: number;
  /** Fraction of the analysed band within 20 dB of the peak (and above the release level) in the loudest frame. */
  bandFraction: number;
  /** Bins in the analysed band (the resolution of bandFraction). */
  bandBins: number;
  /** Median over the band's bins of their power over the floor in the loudest frame, dB. */
  bandMedianDb: number;
  /**
   * The energy comes up from below the band: the loudest bin of the loudest frame is the band's lowest, or (with >= 16
   * bins) the lowest is within low_edge_db of it with no quiet bins between them and most frames are loudest there.
   */
  lowEdge: boolean;
  /**
   * Peak score against the local floor (per bin, the median of the recording in the local_floor_ms before it;
   * Infinity when not measured). Under threshold_db, it does not stand out of what precedes it.
   */
  localDb: number;
  /**
   * Where the call itself ends, when sound goes on after it to `offset` that fell end_cliff_db at once and never came
   * back (its reverberation, or an echo glued to it): the segment ends here. The rules compare pictures up to `offset`
   * (the call's own reflections explain what follows it there).
   */
  callOffset?: number;
  /** It holds clipped samples: the call was louder than it measures (its echoes need not be echo_drop_db weaker). */
  clipped?: boolean;
  /**
   * Found in the cut-off head or tail of a call (tail_rescan): the gap and fragment merges leave it apart from that
   * call, and in a tail it may be the call's reverberation.
   */
  cutFrom?: "head" | "tail";
}

/**
 * A detection's time-frequency picture: dB above the noise floor on a grid shared by all detections of a recording
 * (frame g starts at g * hop seconds; bin k is at (k0 + k) * binHz), so shapes compare by index.
 */
export interface Shape {
  start: number;
  frames: number;
  bins: number;
  k0: number;
  binHz: number;
  hop: number;
  /** frames x bins, frame-major. */
  db: Float32Array;
}

/** The picture of a detection's time span (the detector computes it from the samples when a rule asks). */
export type ShapeOf = (d: Segment) => Shape;

/**
 * end_cliff_db: what follows a call's end stays at least this far under the level it fell from (a reflection is
 * weaker than its call: echo_drop_db's 6 dB; the second half of a call with a dip comes back to about the first's level).
 */
export const CALL_END_TAIL_DB = 6;

/**
 * Where the call of a and b joined ends: a's call end when b is weaker than a by what follows a's end at least (the
 * reverberation after a's end, found apart and merged back), else the later one's.
 */
function callOffsetOf(a: Detection, b: Detection): number | undefined {
  if (a.callOffset !== undefined && inTailOf(a, b)) return a.callOffset;
  return (b.offset >= a.offset ? b : a).callOffset;
}

/** b is as weak as what follows a's call end (end_cliff_db): more of a's reverberation or echo, not a call of its own. */
const inTailOf = (a: Detection, b: Detection): boolean => b.peakDb <= a.peakDb - CALL_END_TAIL_DB;

/** Joins b into a (b starts after a): the union in time, the louder one's peak. */
function join(a: Detection, b: Detection): Detection {
  const louder = b.peakDb > a.peakDb ? b : a;
  const callOffset = callOffsetOf(a, b);
  return {
    onset: a.onset,
    offset: Math.max(a.offset, b.offset),
    peakDb: louder.peakDb,
    peakHz: louder.peakHz,
    lowHz: Math.min(a.lowHz, b.lowHz),
    highHz: Math.max(a.highHz, b.highHz),
    bandFraction: louder.bandFraction,
    bandBins: louder.bandBins,
    bandMedianDb: louder.bandMedianDb,
    lowEdge: louder.lowEdge,
    ...(a.clipped || b.clipped ? { clipped: true } : {}),
    localDb: Math.max(a.localDb, b.localDb),
    ...(a.cutFrom ? { cutFrom: a.cutFrom } : {}),
    ...(callOffset !== undefined ? { callOffset } : {}),
  };
}

/** b was found in a's cut-off tail, or a in b's cut-off head: the edge rule separated them. */
const apart = (a: Detection, b: Detection): boolean => b.cutFrom === "tail" || a.cutFrom === "head";

/**
 * Detections closer than `gapMs` are merged (the detector's plain merge_gap_ms). With `shapeOf` (the fragment rule
 * on), only when the second continues the first's contour: another bat's call starting right where a loud call's
 * echoes fade is not its second half.
 */
export function mergeGaps(dets: Detection[], gapMs: number, shapeOf?: ShapeOf): Detection[] {
  const out: Detection[] = [];
  const gap = gapMs / 1000;
  for (const d of dets) {
    const last = out[out.length - 1];
    if (last && !apart(last, d) && d.onset - last.offset < gap) {
      if (!shapeOf || continues(shapeOf(last), shapeOf(d))) out[out.length - 1] = join(last, d);
      // Right after the call, as a sound in its cut-off tail would be (and judged as one: maybe its reverberation).
      else out.push({ ...d, cutFrom: d.cutFrom ?? "tail" });
    } else out.push({ ...d });
  }
  return out;
}

/** Pixels within this many dB of a shape's loudest one count as the sound (a call's main part, as boxes are drawn). */
const SHAPE_SPREAD_DB = 20;

function maxOf(a: Float32Array): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

export interface EchoMatch {
  /** Cosine similarity of the candidate with the call's predicted echo at the best delay, 0..1. */
  score: number;
  /** That delay, seconds. */
  delay: number;
  /** Seconds of the candidate holding a detectable sound that the predicted echo does not explain. */
  unexplained: number;
  /** The same for copies at every delay up to maxDelay at once (reverberation: reflections from everywhere). */
  unreverberant: number;
  /**
   * Share of the call's band that reverberation would make visible at the candidate's level (6 dB over its display
   * level) which the candidate does show: reflections smear a call over time but keep its whole band.
   */
  bandShown: number;
}

/** A pixel this much louder than the predicted echo there is not (only) the echo. */
const UNEXPLAINED_DB = 10;
/** Reverberation shows the call's band where the call was at least this far over the candidate's display level... */
const BAND_SHOWN_DB = 6;
/** ...over at least this share of it. */
const BAND_SHOWN_MIN = 0.5;
/** The echo match needed with fewer than BLIP_MIN_BINS bins in the band. */
const COARSE_MATCH = 0.9;
/** Echoes of one call considered together when explaining a candidate (a few reflectors around a bat). */
const MAX_ECHOES = 3;

/**
 * How well `echo` matches a weaker, delayed copy of `call`. The predicted echo is the call's picture lowered by the
 * difference of their peaks, keeping what would still be visible (above the echo's own display level: the release
 * level or 20 dB under its peak); its frequencies may be off by `freqPct` % (Doppler shift of a flying bat, and one
 * bin of quantisation). Over every delay in (0, maxDelay] the candidate's visible pixels are compared with the
 * prediction (cosine similarity of the excess over the display level): a copy of the same contour scores near 1, a
 * call with another contour, band or duration scores low, and a candidate much shorter than the part of the call
 * that would be visible scores low as well (the prediction's energy from the candidate's start on counts in the
 * norm; what would arrive before it is hidden in the call or its cut-off tail). At the best delay,
 * `unexplained` measures what else the candidate holds: pixels reaching the detection level (`detectDb`) well above
 * the prediction, as when another bat calls while the echo arrives. With `around`, delays at which the copy would
 * have shown before or after the candidate where the recording is quiet are not considered (see surroundRefutes);
 * delays scoring under `minScore` are not checked against it (the caller needs no better to decide), so the
 * recording around a candidate that matches no delay that well is never looked at.
 */
export function echoMatch(
  call: Shape,
  echo: Shape,
  releaseDb: number,
  detectDb: number,
  freqPct: number,
  maxDelay: number,
  around?: Surround,
  minScore = 0,
): EchoMatch {
  const nb = call.bins;
  if (echo.bins !== nb || echo.k0 !== call.k0) throw new RangeError("shapes from different grids");
  // Frames the candidate shares with the call (boundaries are refined to within a frame) hold the call itself.
  const own = Math.max(0, call.start + call.frames - echo.start);
  const peakC = maxOf(call.db);
  const peakE = maxOf(echo.db.subarray(own * nb));
  const level = Math.max(releaseDb, peakE - SHAPE_SPREAD_DB);
  // The candidate's visible pixels: absolute frame, bin, dB.
  const litG: number[] = [];
  const litK: number[] = [];
  const litDb: number[] = [];
  let normE = 0;
  for (let f = own; f < echo.frames; f++)
    for (let k = 0; k < nb; k++) {
      const v = echo.db[f * nb + k]!;
      if (v > level) {
        litG.push(echo.start + f);
        litK.push(k);
        litDb.push(v);
        normE += (v - level) ** 2;
      }
    }
  // The predicted echo (dB), and the same spread over the frequency tolerance (for the products only: spreading
  // the norm's pixels too would penalise a perfect copy).
  const drop = peakC - peakE;
  // Energy of the prediction from frame f of the call on: the part of an echo arriving before the candidate starts
  // is hidden in what precedes it (the call itself, or the part cut off as its tail), so only the rest must show.
  const fromFrame = new Float64Array(call.frames + 1);
  for (let f = call.frames - 1; f >= 0; f--) {
    let e = 0;
    for (let k = 0; k < nb; k++) e += Math.max(0, call.db[f * nb + k]! - drop - level) ** 2;
    fromFrame[f] = fromFrame[f + 1]! + e;
  }
  const none = { score: 0, delay: 0, unexplained: 0, unreverberant: 0, bandShown: 0 };
  if (!(normE > 0) || !(fromFrame[0]! > 0)) return none;
  // Only the bins the candidate lights are ever looked up.
  const used = new Uint8Array(nb);
  for (const k of litK) used[k] = 1;
  const spread = new Float32Array(call.frames * nb);
  for (let k = 0; k < nb; k++) {
    if (used[k] === 0) continue;
    for (let f = 0; f < call.frames; f++) {
      const tol = Math.max(1, Math.round(((call.k0 + k) * freqPct) / 100));
      let m = Number.NEGATIVE_INFINITY;
      for (let j = Math.max(0, k - tol), j1 = Math.min(nb - 1, k + tol); j <= j1; j++)
        m = Math.max(m, call.db[f * nb + j]!);
      spread[f * nb + k] = m - drop;
    }
  }
  // Delays (grid steps) at which the shifted call overlaps the candidate at all.
  const dMax = Math.min(Math.floor(maxDelay / call.hop + 1e-9), echo.start + echo.frames - 1 - call.start);
  const dMin = Math.max(1, echo.start - (call.start + call.frames - 1));
  let refutes: ((d: number) => boolean) | undefined;
  const refuted = (d: number): boolean => {
    refutes ??= surroundRefutes(call, echo, around, drop, level, freqPct, used);
    return refutes(d);
  };
  let best = none;
  let bestD = 0;
  for (let d = dMin; d <= dMax; d++) {
    let dot = 0;
    for (let i = 0; i < litG.length; i++) {
      const f = litG[i]! - d - call.start;
      if (f >= 0 && f < call.frames)
        dot += (litDb[i]! - level) * Math.max(0, spread[f * nb + litK[i]!]! - level);
    }
    const normC = fromFrame[Math.min(call.frames, Math.max(0, echo.start - d - call.start))]!;
    const score = normC > 0 ? Math.min(1, dot / Math.sqrt(normE * normC)) : 0;
    // (The surround is checked only for a better delay: most are not.)
    if (score > best.score && (score < minScore || !refuted(d))) {
      best = { score, delay: d * call.hop, unexplained: 0, unreverberant: 0, bandShown: 0 };
      bestD = d;
    }
  }
  if (best.score > 0) {
    // Several reflectors give several echoes, often merged into one detection: besides the best delay, up to
    // MAX_ECHOES - 1 more delays may each explain part of what is left; the rest is unexplained.
    const todo: number[] = [];
    for (let i = 0; i < litG.length; i++) if (litDb[i]! >= detectDb) todo.push(i);
    const explains = (i: number, d: number): boolean => {
      const f = litG[i]! - d - call.start;
      return f >= 0 && f < call.frames && litDb[i]! - spread[f * nb + litK[i]!]! < UNEXPLAINED_DB;
    };
    let left = todo.filter((i) => !explains(i, bestD));
    for (let e = 1; e < MAX_ECHOES && left.length > 0; e++) {
      let most = 0;
      let dMost = -1;
      for (let d = dMin; d <= dMax; d++) {
        let c = 0;
        for (const i of left) c += Number(explains(i, d));
        if (c > most) {
          most = c;
          dMost = d;
        }
      }
      if (dMost < 0) break;
      left = left.filter((i) => !explains(i, dMost));
    }
    best.unexplained = new Set(left.map((i) => litG[i]!)).size * call.hop;
  }
  // Reverberation: any delay may explain each pixel.
  const unreverb = new Set<number>();
  for (let i = 0; i < litG.length; i++) {
    if (litDb[i]! < detectDb) continue;
    let predicted = Number.NEGATIVE_INFINITY;
    const f0 = Math.max(0, litG[i]! - dMax - call.start);
    const f1 = Math.min(call.frames - 1, litG[i]! - dMin - call.start);
    for (let f = f0; f <= f1; f++) predicted = Math.max(predicted, spread[f * nb + litK[i]!]!);
    if (litDb[i]! - predicted >= UNEXPLAINED_DB) unreverb.add(litG[i]!);
  }
  best.unreverberant = unreverb.size * call.hop;
  let visible = 0;
  let shown = 0;
  for (let k = 0; k < nb; k++) {
    let c = Number.NEGATIVE_INFINITY;
    for (let f = 0; f < call.frames; f++) c = Math.max(c, call.db[f * nb + k]!);
    if (c - drop < level + BAND_SHOWN_DB) continue;
    visible++;
    const tol = Math.max(1, Math.round(((call.k0 + k) * freqPct) / 100));
    let e = Number.NEGATIVE_INFINITY;
    for (let f = own; f < echo.frames; f++)
      for (let j = Math.max(0, k - tol), j1 = Math.min(nb - 1, k + tol); j <= j1; j++)
        e = Math.max(e, echo.db[f * nb + j]!);
    shown += Number(e >= level);
  }
  best.bandShown = visible > 0 ? shown / visible : 1;
  return best;
}

/**
 * The recording around a candidate echo on the grid of the shapes: `before` from the call's end to the candidate's
 * start, `after` from the candidate's end on (each as long as the call at most), and how much weaker than a predicted
 * echo pixel the recording must be there for that pixel to be missing.
 */
export interface Surround {
  before?: Shape | undefined;
  after?: Shape | undefined;
  missingDb: number;
}

/**
 * A predicted echo pixel this far above the candidate's display level would have been seen had it been there (well
 * above: a faint copy's edge pixels come and go with the noise).
 */
const SURROUND_VISIBLE_DB = 10;

/**
 * Whether the recording around the candidate refutes an echo at delay d: a copy delayed by d would have begun before
 * the candidate (in a quiet gap after the call) or gone on after it, clearly visible in the frequencies the candidate
 * shows, yet nothing is there. A copy is as long as the call and is only hidden where it falls on the call itself
 * (frames of the call), never in a quiet gap. Only the candidate's own bins are looked at: air absorbs an echo's high
 * frequencies (a sweep's start) more, so their absence proves nothing.
 */
function surroundRefutes(
  call: Shape,
  echo: Shape,
  around: Surround | undefined,
  drop: number,
  level: number,
  freqPct: number,
  used: Uint8Array,
): (d: number) => boolean {
  if (!around || !(around.missingDb > 0)) return () => false;
  const nb = call.bins;
  const callEnd = call.start + call.frames;
  const echoEnd = echo.start + echo.frames;
  // Frames (absolute) and the loudest the recording is around each of their pixels within the frequency tolerance
  // (Doppler shift), for the candidate's bins.
  const bins: number[] = [];
  for (let k = 0; k < nb; k++) if (used[k] !== 0) bins.push(k);
  const nu = bins.length;
  const frames: number[] = [];
  // Per frame, per bin of `bins`.
  const seen: number[] = [];
  const take = (sh: Shape | undefined, from: number, to: number): void => {
    if (!sh) return;
    for (let g = Math.max(sh.start, from); g < Math.min(sh.start + sh.frames, to); g++) {
      frames.push(g);
      for (const k of bins) {
        let m = Number.NEGATIVE_INFINITY;
        const tol = Math.max(1, Math.round(((call.k0 + k) * freqPct) / 100));
        for (let j = Math.max(0, k - tol), j1 = Math.min(nb - 1, k + tol); j <= j1; j++)
          m = Math.max(m, sh.db[(g - sh.start) * nb + j]!);
        seen.push(m);
      }
    }
  };
  take(around.before, callEnd, echo.start);
  take(around.after, Math.max(echoEnd, callEnd), Number.POSITIVE_INFINITY);
  if (frames.length === 0) return () => false;
  const needFrames = Math.max(1, Math.round(UNEXPLAINED_MIN_S / call.hop));
  return (d: number): boolean => {
    let missing = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]! - d - call.start;
      if (f < 0 || f >= call.frames) continue;
      for (let j = 0; j < nu; j++) {
        const predicted = call.db[f * nb + bins[j]!]! - drop;
        if (predicted >= level + SURROUND_VISIBLE_DB && seen[i * nu + j]! < predicted - around.missingDb) {
          missing++;
          break;
        }
      }
      if (missing >= needFrames) return true;
    }
    return false;
  };
}

/** A candidate holding at least this much unexplained sound is kept (about one frame: a sound, not a noise pixel). */
const UNEXPLAINED_MIN_S = 0.0004;

/** The contour range of a detection is taken from frames' loudest bins: widened by this for the quick check. */
const RANGE_PCT = 10;

type RuleParams = CallRuleParams & { release_db: number; threshold_db: number };

/** b (after a, at least echo_drop_db weaker) is a delayed copy of a, and nothing else (see echoMatch). */
function echoOf(a: Detection, b: Detection, p: RuleParams, shapeOf: ShapeOf): boolean {
  // A clipped call was louder than it measures; a candidate clipped as well is as loud as the recorder goes: another
  // call of a sequence, as likely as an echo.
  if ((!a.clipped || b.clipped) && a.peakDb - b.peakDb < p.echo_drop_db) return false;
  // A copy's loudest frequency is one the call had: outside the call's contour (widened for the coarse frames) it
  // cannot match, and the pictures need not be made.
  const widen = Math.max(p.echo_freq_pct, RANGE_PCT) / 100;
  if (b.peakHz < a.lowHz * (1 - widen) || b.peakHz > a.highHz * (1 + widen)) return false;
  const call = shapeOf(a);
  // The recording either side of the candidate, as far as a copy of the call overlapping it could reach.
  const len = a.offset - a.onset;
  const beforeFrom = Math.max(a.offset, b.onset - len);
  // Pictured only when echoMatch asks (most candidates match no delay well enough for it to).
  const around: Surround | undefined =
    p.echo_gap_db > 0
      ? {
          get before() {
            return b.onset > beforeFrom ? shapeOf({ onset: beforeFrom, offset: b.onset }) : undefined;
          },
          get after() {
            return shapeOf({ onset: b.offset, offset: b.offset + len });
          },
          missingDb: p.echo_gap_db,
        }
      : undefined;
  // With few bins (low sample rates) contours are too coarse to differ: only a near-perfect copy is an echo there.
  const needed =
    a.bandBins >= BLIP_MIN_BINS ? p.echo_match_pct / 100 : Math.max(COARSE_MATCH, p.echo_match_pct / 100);
  // Below `needed` the score decides nothing, so neither does the surround there.
  const m = echoMatch(
    call,
    shapeOf(b),
    p.release_db,
    p.threshold_db,
    p.echo_freq_pct,
    p.echo_window_ms / 1000,
    around,
    needed,
  );
  if (m.score >= needed && m.unexplained < UNEXPLAINED_MIN_S) return true;
  // Reverberation: a sound found in the call's cut-off tail (continuous with the call) that copies of the call at
  // any delays explain, showing the call's band as reflections do. (A separate faint detection at the call's loudest
  // frequency is not taken for reverberation: another bat's faint call there looks the same, and is kept.)
  return b.cutFrom === "tail" && m.unreverberant < UNEXPLAINED_MIN_S && m.bandShown >= BAND_SHOWN_MIN;
}

/** Parts of one call differ by less than this in level; a much weaker neighbour is something else. */
const FRAGMENT_LEVELS_DB = 20;
/** Frequency tolerance where two fragments meet, on top of the first one's sweep across the gap. */
const FRAGMENT_FREQ_PCT = 10;
/** Either side of a dip a call has about the same level; a jump larger than this is another sound starting. */
const FRAGMENT_JUNCTION_DB = 12;
/** The levels either side of the gap are the loudest within this time of it. */
const JUNCTION_S = 0.001;

/** The loudest bin (Hz) per frame of a shape, for the frames within SHAPE_SPREAD_DB of its peak: [seconds, Hz][]. */
function ridge(s: Shape): [number, number, number][] {
  const peak = maxOf(s.db);
  const out: [number, number, number][] = [];
  for (let f = 0; f < s.frames; f++) {
    let best = 0;
    for (let k = 1; k < s.bins; k++) if (s.db[f * s.bins + k]! > s.db[f * s.bins + best]!) best = k;
    const v = s.db[f * s.bins + best]!;
    if (v >= peak - SHAPE_SPREAD_DB) out.push([(s.start + f) * s.hop, (s.k0 + best) * s.binHz, v]);
  }
  return out;
}

/**
 * b continues a's contour across the gap: a dip in a call's level does not make its frequency jump, so b starts
 * where a ended or where a's sweep (its last ~half millisecond) would have taken it, and at about a's level there.
 */
export function continues(a: Shape, b: Shape): boolean {
  const ra = ridge(a);
  const rb = ridge(b);
  if (ra.length === 0 || rb.length === 0) return true;
  const [t1, f1] = ra[ra.length - 1]!;
  let i = ra.length - 1;
  while (i > 0 && t1 - ra[i]![0] < 0.0005) i--;
  const [t0, f0] = ra[i]!;
  const slope = t1 > t0 ? (f1 - f0) / (t1 - t0) : 0;
  const [t2, f2] = rb[0]!;
  const swept = f1 + slope * Math.max(0, t2 - t1);
  const tol = Math.max(2 * a.binHz, (FRAGMENT_FREQ_PCT / 100) * f1);
  if (!(f2 >= Math.min(f1, swept) - tol && f2 <= Math.max(f1, swept) + tol)) return false;
  let endA = Number.NEGATIVE_INFINITY;
  for (const [t, , v] of ra) if (t >= t1 - JUNCTION_S) endA = Math.max(endA, v);
  let startB = Number.NEGATIVE_INFINITY;
  for (const [t, , v] of rb) if (t <= t2 + JUNCTION_S) startB = Math.max(startB, v);
  return Math.abs(endA - startB) < FRAGMENT_JUNCTION_DB;
}

/** Merges fragments of one call (see the module comment). */
export function mergeFragments(dets: Detection[], p: RuleParams, shapeOf: ShapeOf): Detection[] {
  if (!(p.fragment_gap_pct > 0)) return dets;
  const out: Detection[] = [];
  for (const d of dets) {
    const last = out[out.length - 1];
    if (last) {
      // From the call's own end: the reverberation or echo glued to it (up to `offset`) is no part of the call whose
      // second half d might be. (A d as weak as that tail is more of it: joined, the call still ends at callOffset.)
      const end = inTailOf(last, d) ? last.offset : (last.callOffset ?? last.offset);
      const gap = d.onset - end;
      const limit = Math.min(
        p.fragment_gap_max_ms / 1000,
        (p.fragment_gap_pct / 100) * (end - last.onset + (d.callOffset ?? d.offset) - d.onset),
      );
      if (
        gap < limit &&
        Math.abs(last.peakDb - d.peakDb) < FRAGMENT_LEVELS_DB &&
        continues(shapeOf(end === last.offset ? last : { ...last, offset: end }), shapeOf(d)) &&
        !(p.echo_window_ms > 0 && echoOf(last, d, p, shapeOf))
      ) {
        out[out.length - 1] = join(last, d);
        continue;
      }
    }
    out.push(d);
  }
  return out;
}

/** Drops echoes (see the module comment). */
export function dropEchoes(dets: Detection[], p: RuleParams, shapeOf: ShapeOf): Detection[] {
  if (!(p.echo_window_ms > 0)) return dets;
  const window = p.echo_window_ms / 1000;
  // Shapes of the recent detections only: a long recording has thousands.
  const cache = new Map<Segment, Shape>();
  const shape = (d: Segment): Shape => {
    let s = cache.get(d);
    if (!s) {
      s = shapeOf(d);
      cache.set(d, s);
    }
    return s;
  };
  const echo = dets.map(() => false);
  for (let i = 1; i < dets.length; i++) {
    const b = dets[i]!;
    for (const d of cache.keys()) if (d.offset < b.onset - 2 * window) cache.delete(d);
    for (let j = i - 1; j >= 0; j--) {
      const a = dets[j]!;
      // A copy delayed by at most `window` starts by a's offset + window (its visible part may start later than
      // a's onset + delay when only the call's end is loud enough to be seen, never later than that).
      if (b.onset - a.offset > window) {
        // Earlier ones ended earlier still, except a long call ending after a short one: keep looking a bit.
        if (b.onset - a.offset > 2 * window) break;
        continue;
      }
      if (echoOf(a, b, p, shape)) {
        echo[i] = true;
        break;
      }
    }
  }
  return dets.filter((_, i) => !echo[i]);
}

/** Below this many bins in the band, band coverage is too coarse to tell a click from a short call. */
const BLIP_MIN_BINS = 16;
/**
 * With 12-15 bins (32-sample frames at 44.1-48 kHz: 14) a blip must light this share of the band: there a click
 * lights 85-95 % of it, a 2-5 ms sweep ~20-45 %, but a 0.5 ms sweep over 10 kHz 55-75 % (it crosses 7 bins within
 * one frame).
 */
const BLIP_COARSE_SHARE = 0.8;
/** Below this many bins (16-sample frames: 7) a short sweep lights most of them too: a blip must light every bin. */
const BLIP_FEW_BINS = 12;

/**
 * A flat frame's median bin must also stand this far over the floor: at a detection near threshold the median of the
 * noise bins (~0 dB) is itself within blip_flat_db of the peak.
 */
const BLIP_FLAT_MIN_DB = 4;

/** Drops short broadband blips (clicks). */
export function dropBlips(dets: Detection[], p: CallRuleParams): Detection[] {
  if (!(p.blip_max_ms > 0)) return dets;
  const maxD = p.blip_max_ms / 1000;
  // With few bins a short sweep or a clipped call lights most of them too: there a blip must light more of the band.
  const needed = (d: Detection) =>
    d.bandBins >= BLIP_MIN_BINS
      ? p.blip_band_pct / 100
      : d.bandBins >= BLIP_FEW_BINS
        ? Math.max(BLIP_COARSE_SHARE, p.blip_band_pct / 100)
        : 1;
  // The median needs bins enough to be a band's and not a sweep's (see BLIP_MIN_BINS).
  const flat = (d: Detection) =>
    p.blip_flat_db > 0 &&
    d.bandBins >= BLIP_MIN_BINS &&
    d.bandMedianDb >= BLIP_FLAT_MIN_DB &&
    d.peakDb - d.bandMedianDb <= p.blip_flat_db;
  return dets.filter((d) => !(d.offset - d.onset < maxD && (d.bandFraction >= needed(d) || flat(d))));
}

/**
 * Drops detections whose energy comes up from the band's low edge (wind, handling noise: sounds below the band leaking
 * in; also broadband clicks, which light the band from its bottom).
 */
export function dropLowEdge(dets: Detection[], p: CallRuleParams): Detection[] {
  return p.low_edge_reject > 0 ? dets.filter((d) => !d.lowEdge) : dets;
}

/** Drops detections that do not stand out of their surroundings by threshold_db (see the module comment). */
export function dropBelowLocalFloor(dets: Detection[], p: RuleParams): Detection[] {
  return p.local_floor_ms > 0 ? dets.filter((d) => d.localDb >= p.threshold_db) : dets;
}

/**
 * All rules after the plain gap merge, in order: local floor, low edge, blips, echoes, fragments (an echo right after
 * a call is gone before it could be taken for the call's second half).
 */
export function applyCallRules(dets: Detection[], p: RuleParams, shapeOf: ShapeOf): Detection[] {
  const kept = dropLowEdge(dropBelowLocalFloor(dets, p), p);
  return mergeFragments(dropEchoes(dropBlips(kept, p), p, shapeOf), p, shapeOf);
}
