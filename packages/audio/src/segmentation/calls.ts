// Call rules of the default (spectral) detector: what a field recording puts around a call that is not a call.
// Measured on expert-boxed field recordings (issue 11), the bare detector's false segments were mostly echoes and
// reverberation tails starting within 30 ms after a call, then ~2 ms broadband blips far from any call, then
// fragments of one call split at a dip. Each rule is a named parameter (0 switches it off; all off = the detector as
// it was before these rules); the defaults were chosen on the confounder set of `pnpm bench detector`.
//
// - Tail: a call ends where its score falls `end_drop_db` below its own peak (or at the release level if that is
//   higher), not where it reaches the noise floor: a loud call's reverberation otherwise extends it by tens of ms.
//   (Applied in spectral.ts, which has the frame scores.)
// - Fragments: two detections separated by less than `fragment_gap_pct` % of their summed duration (at most
//   `fragment_gap_max_ms`) are one call with a weak middle, unless the second looks like an echo of the first.
// - Echoes: a detection starting within `echo_window_ms` after the end of an earlier one, at least `echo_drop_db`
//   weaker at its peak and with a peak frequency within `echo_freq_pct` % of the earlier one's, is a reflection.
// - Blips: a detection shorter than `blip_max_ms` whose loudest frame covers at least `blip_band_pct` % of the band
//   (a click: energy everywhere at once, where a call of that length is a narrow tone or one sweep) is dropped.
import type { Segment } from "./types.ts";

export interface CallRuleParams {
  end_drop_db: number;
  echo_window_ms: number;
  echo_drop_db: number;
  echo_freq_pct: number;
  blip_max_ms: number;
  blip_band_pct: number;
  fragment_gap_pct: number;
  fragment_gap_max_ms: number;
  low_edge_reject: number;
}

export const CALL_RULE_DEFAULTS: CallRuleParams = {
  end_drop_db: 20,
  echo_window_ms: 30,
  echo_drop_db: 6,
  echo_freq_pct: 15,
  blip_max_ms: 5,
  blip_band_pct: 65,
  fragment_gap_pct: 35,
  fragment_gap_max_ms: 5,
  low_edge_reject: 1,
};

/** Every rule switched off: the spectral detector as it was before them (its characterisation tests use this). */
export const CALL_RULES_OFF: Record<keyof CallRuleParams | "burst_rescan", number> = {
  end_drop_db: 0,
  echo_window_ms: 0,
  echo_drop_db: CALL_RULE_DEFAULTS.echo_drop_db,
  echo_freq_pct: CALL_RULE_DEFAULTS.echo_freq_pct,
  blip_max_ms: 0,
  blip_band_pct: CALL_RULE_DEFAULTS.blip_band_pct,
  fragment_gap_pct: 0,
  fragment_gap_max_ms: CALL_RULE_DEFAULTS.fragment_gap_max_ms,
  burst_rescan: 0,
  low_edge_reject: 0,
};

/** A detection with what the rules need to know about it. */
export interface Detection extends Segment {
  /** Peak score: dB above the noise floor in the loudest frame. */
  peakDb: number;
  /** Frequency of the loudest bin in the loudest frame, Hz. */
  peakHz: number;
  /** Loudest bin's frequency in the first and last frames, Hz. */
  startHz: number;
  endHz: number;
  /** Fraction of the analysed band within 20 dB of the peak (and above the release level) in the loudest frame. */
  bandFraction: number;
  /** Bins in the analysed band (the resolution of bandFraction). */
  bandBins: number;
  /** The loudest bin is the band's lowest: the energy continues below the band. */
  lowEdge: boolean;
}

/** Joins b into a (b starts after a): the union in time, the louder one's peak. */
function join(a: Detection, b: Detection): Detection {
  const louder = b.peakDb > a.peakDb ? b : a;
  return {
    onset: a.onset,
    offset: Math.max(a.offset, b.offset),
    peakDb: louder.peakDb,
    peakHz: louder.peakHz,
    startHz: a.startHz,
    endHz: b.offset >= a.offset ? b.endHz : a.endHz,
    bandFraction: louder.bandFraction,
    bandBins: louder.bandBins,
    lowEdge: louder.lowEdge,
  };
}

/** Detections closer than `gapMs` are merged (the detector's plain merge_gap_ms). */
export function mergeGaps(dets: Detection[], gapMs: number): Detection[] {
  const out: Detection[] = [];
  const gap = gapMs / 1000;
  for (const d of dets) {
    const last = out[out.length - 1];
    if (last && d.onset - last.offset < gap) out[out.length - 1] = join(last, d);
    else out.push({ ...d });
  }
  return out;
}

const lowHz = (d: Detection) => Math.min(d.startHz, d.endHz, d.peakHz);
const highHz = (d: Detection) => Math.max(d.startHz, d.endHz, d.peakHz);

/** A faint echo shows only its loudest part (often the end of an FM sweep), so its range is not compared. */
const FAINT_ECHO_DB = 20;

/** b's peak lies within a's frequency range (start, peak, end) widened by echo_freq_pct %. */
function inBand(a: Detection, b: Detection, p: CallRuleParams): boolean {
  const pct = p.echo_freq_pct / 100;
  return b.peakHz >= lowHz(a) * (1 - pct) && b.peakHz <= highHz(a) * (1 + pct);
}

/**
 * b (after a) is a reflection of a: at least echo_drop_db weaker, its peak within a's frequency range (start, peak,
 * end) widened by echo_freq_pct % (an FM echo's loudest bin need not be the call's: air absorbs the high end), and,
 * unless it is FAINT_ECHO_DB weaker, spanning at least a third of a's range (a narrowband call of another bat inside
 * a broadband sweep's range is no copy of it).
 */
function echoOf(a: Detection, b: Detection, p: CallRuleParams): boolean {
  const drop = a.peakDb - b.peakDb;
  if (drop < p.echo_drop_db) return false;
  const pct = p.echo_freq_pct / 100;
  if (!inBand(a, b, p)) return false;
  return drop >= FAINT_ECHO_DB || highHz(b) - lowHz(b) + pct * a.peakHz >= (highHz(a) - lowHz(a)) / 3;
}

/** Merges fragments of one call (see the module comment). */
export function mergeFragments(dets: Detection[], p: CallRuleParams): Detection[] {
  if (!(p.fragment_gap_pct > 0)) return dets;
  const out: Detection[] = [];
  for (const d of dets) {
    const last = out[out.length - 1];
    if (last) {
      const gap = d.onset - last.offset;
      const limit = Math.min(
        p.fragment_gap_max_ms / 1000,
        (p.fragment_gap_pct / 100) * (last.offset - last.onset + d.offset - d.onset),
      );
      // Parts of one call have comparable levels; a much weaker neighbour is something else, and a weaker one in
      // the same band right after a call is more likely its echo than its continuation.
      const comparable = Math.abs(last.peakDb - d.peakDb) < FAINT_ECHO_DB;
      const echoLike = last.peakDb - d.peakDb >= p.echo_drop_db && inBand(last, d, p);
      if (gap < limit && comparable && !echoLike) {
        out[out.length - 1] = join(last, d);
        continue;
      }
    }
    out.push(d);
  }
  return out;
}

/** Drops echoes and reverberation fragments (see the module comment). */
export function dropEchoes(dets: Detection[], p: CallRuleParams): Detection[] {
  if (!(p.echo_window_ms > 0)) return dets;
  const window = p.echo_window_ms / 1000;
  const echo = dets.map(() => false);
  for (let i = 1; i < dets.length; i++) {
    const b = dets[i]!;
    for (let j = i - 1; j >= 0; j--) {
      const a = dets[j]!;
      if (b.onset - a.offset > window) {
        // Earlier ones ended earlier still, except a long call ending after a short one: keep looking a bit.
        if (b.onset - a.offset > 2 * window) break;
        continue;
      }
      if (echoOf(a, b, p)) {
        echo[i] = true;
        break;
      }
    }
  }
  return dets.filter((_, i) => !echo[i]);
}

/** Below this many bins in the band, band coverage is too coarse to tell a click from a short call. */
const BLIP_MIN_BINS = 16;

/** Drops short broadband blips (clicks). */
export function dropBlips(dets: Detection[], p: CallRuleParams): Detection[] {
  if (!(p.blip_max_ms > 0)) return dets;
  const maxD = p.blip_max_ms / 1000;
  // With few bins (16-sample frames at 44.1 kHz: 7 bins) a short sweep or a clipped call lights most of them too:
  // there a blip must light every bin.
  const needed = (d: Detection) => (d.bandBins >= BLIP_MIN_BINS ? p.blip_band_pct / 100 : 1);
  return dets.filter((d) => !(d.offset - d.onset < maxD && d.bandFraction >= needed(d)));
}

/** Drops detections loudest at the band's low edge (wind, handling noise: sounds below the band leaking in). */
export function dropLowEdge(dets: Detection[], p: CallRuleParams): Detection[] {
  return p.low_edge_reject > 0 ? dets.filter((d) => !d.lowEdge) : dets;
}

/** All rules after the plain gap merge, in order: fragments, low edge, blips, echoes. */
export function applyCallRules(dets: Detection[], p: CallRuleParams): Detection[] {
  return dropEchoes(dropBlips(dropLowEdge(mergeFragments(dets, p), p), p), p);
}
