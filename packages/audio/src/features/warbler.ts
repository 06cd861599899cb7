// warbleR::spectro_analysis (1.1.x, harmonicity = FALSE, fast = TRUE, ovlp = 50, wn = "hanning",
// fsmooth = 0.1) for one call that has already been cut out of the recording.
//
// Feature definitions (units as warbleR reports them: kHz, s, kHz/s):
//  - duration: number of samples / sample rate.
//  - meanfreq, sd, freq.median, freq.Q25, freq.Q75, freq.IQR, skew, kurt, sp.ent, sfm: seewave::specprop of
//    the amplitude spectrum of the whole call (one Hann-windowed FFT as long as the call, seewave::spec),
//    restricted to the band. meanfreq/sd are the amplitude-weighted mean/sd of frequency; median and quartiles
//    are where the cumulative amplitude first exceeds 50/25/75 %; skew/kurt are moments of the amplitude
//    values (seewave's definition); sp.ent = seewave::sh (Shannon entropy / log N); sfm = seewave::sfm.
//  - time.median, time.Q25, time.Q75, time.IQR, peakt, time.ent: from the time contour, the per-frame sum of a
//    spectrogram (seewave sspectro, wl, 50 % overlap) over the band rows. Quartiles are where the cumulative
//    contour first exceeds 25/50/75 %, on a time axis of evenly spaced frame times from 0 to duration;
//    peakt is the time of the largest frame; time.ent = seewave::th of cbind(time, contour) (sic: both columns).
//  - entropy: sp.ent * time.ent (seewave::H).
//  - meandom, mindom, maxdom, dfrange, startdom, enddom, modindx, dfslope: dominant frequency per frame
//    (warbleR::track_harmonic with dfrq = TRUE, i.e. seewave::dfreq): samples under threshold% of the peak are
//    zeroed (seewave::afilter), each frame's loudest in-band bin is taken, reported at its bin centre
//    + half a bin ((k + 0.5) * f / wl); silent frames and values outside the band are dropped.
//    modindx = sum |successive differences| / dfrange (1 if no range); dfslope = (enddom - startdom) / duration.
//  - meanpeakf: frequency of the highest bin of the mean spectrum (seewave::meanspec, even wl, 50 % overlap)
//    inside the band widened by 0.2 kHz, reported as k * f / wl + half a bin (warbleR's frd_wrblr_int).
//
// Dominant-frequency features (meandom, mindom, maxdom, dfrange, startdom, enddom, dfslope, modindx) and
// meanpeakf are quantised to FFT bins, and the time features to frame times: they are discrete by definition.
import type { CallFeatures } from "./names.ts";
import { rColon, rRound, rSeqBy, rSeqLength } from "./rsemantics.ts";
import { afilter, meanspec, spec, specprop, sspectro, stdft, th } from "./seewave.ts";
import type { WarblerSettings } from "./settings.ts";

const OVLP = 50;
const FSMOOTH_KHZ = 0.1;

export function spectroAnalysis(x: Float64Array, f: number, settings: WarblerSettings): CallFeatures {
  const n = x.length;
  const { wl, threshold } = settings;
  const nyqKhz = Math.floor(f / 2000);
  const b: [number, number] = [settings.bp[0], Math.min(settings.bp[1], nyqKhz)];
  const duration = n / f;

  const props = specprop(spec(x), f, b);
  const time = timeContour(x, f, wl >= n ? n - 1 : wl, b);
  const dom = dominant(x, f, wl >= n ? n - 2 : wl, threshold, b);
  const meanpeakf = meanPeakFrequency(x, f, wl, b);

  const spEnt = props.sh;
  return {
    duration,
    meanfreq: props.mean / 1000,
    sd: props.sd / 1000,
    "freq.median": props.median / 1000,
    "freq.Q25": props.Q25 / 1000,
    "freq.Q75": props.Q75 / 1000,
    "freq.IQR": props.IQR / 1000,
    "time.median": time.median,
    "time.Q25": time.q25,
    "time.Q75": time.q75,
    "time.IQR": time.q75 - time.q25,
    peakt: time.peakt,
    skew: props.skewness,
    kurt: props.kurtosis,
    "sp.ent": spEnt,
    "time.ent": time.ent,
    entropy: spEnt * time.ent,
    sfm: props.sfm,
    meandom: dom.meandom,
    mindom: dom.mindom,
    maxdom: dom.maxdom,
    dfrange: dom.dfrange,
    modindx: dom.modindx,
    startdom: dom.startdom,
    enddom: dom.enddom,
    dfslope: (dom.enddom - dom.startdom) / duration,
    meanpeakf,
  };
}

interface TimeStats {
  median: number;
  q25: number;
  q75: number;
  peakt: number;
  ent: number;
}

function timeContour(x: Float64Array, f: number, wl: number, b: [number, number]): TimeStats {
  const frames = sspectro(x, wl, OVLP);
  const nrow = frames[0]?.length ?? 0;
  const fl0 = (b[0] * nrow * 2000) / f;
  const fl1 = (b[1] * nrow * 2000) / f;
  // m[(fl0:fl1) + 1, ]: row r (1-based) is bin r; an index past the last row would be NA in R.
  const rows = rColon(fl0, fl1).map((v) => Math.trunc(v + 1));
  const pick = (col: Float64Array, r: number): number => (r >= 1 && r <= nrow ? col[r - 1]! : Number.NaN);
  let cont: Float64Array;
  if (frames.length === 1) {
    // With a single frame R drops the matrix to a vector and transposes it back as one row, so warbleR's
    // "time contour" becomes the band's spectrum, laid out on the time axis. Reproduced for parity.
    cont = Float64Array.from(rows, (r) => pick(frames[0]!, r));
  } else {
    cont = new Float64Array(frames.length);
    for (let c = 0; c < frames.length; c++) {
      let s = 0;
      for (const r of rows) s += pick(frames[c]!, r);
      cont[c] = s;
    }
  }
  const ncol = cont.length;
  let total = 0;
  for (let c = 0; c < ncol; c++) total += cont[c]!;
  for (let c = 0; c < ncol; c++) cont[c] = cont[c]! / total;
  const time = rSeqLength(0, x.length / f, ncol);
  const quant = (p: number): number => {
    let cum = 0;
    let count = 0;
    for (let c = 0; c < ncol; c++) {
      cum += cont[c]!;
      if (cum <= p) count++;
    }
    return count < ncol ? time[count]! : Number.NaN;
  };
  let peak = 0;
  for (let c = 1; c < ncol; c++) if (cont[c]! > cont[peak]!) peak = c;
  // warbleR calls th(cbind(time, t.cont)); seewave's th() does not pick a column out of a matrix, so the
  // frame times themselves enter the entropy alongside the contour. Reproduced for parity.
  const env = new Float64Array(2 * ncol);
  env.set(time, 0);
  env.set(cont, ncol);
  return { median: quant(0.5), q25: quant(0.25), q75: quant(0.75), peakt: time[peak]!, ent: th(env) };
}

interface DominantStats {
  meandom: number;
  mindom: number;
  maxdom: number;
  dfrange: number;
  startdom: number;
  enddom: number;
  modindx: number;
}

function dominant(
  x: Float64Array,
  f: number,
  wl: number,
  threshold: number,
  b: [number, number],
): DominantStats {
  const filtered = afilter(x, threshold);
  const starts = rSeqBy(1, x.length - wl, wl - (OVLP * wl) / 100).map(rRound);
  const cols = stdft(filtered, wl, starts);
  const rows = Math.floor(wl / 2);
  const lo = b[0] * 1000;
  const hi = b[1] * 1000;
  const y: number[] = [];
  for (const col of cols) {
    let best = -1;
    let max = 0;
    for (let r = 0; r < rows; r++) {
      const fv = ((r + 1) * f) / wl - f / (wl * 2);
      if (fv < lo || fv > hi) continue;
      if (col[r]! > max) {
        max = col[r]!;
        best = r;
      }
    }
    if (best < 0) continue;
    const khz = (((best + 1) * f) / wl - f / (wl * 2)) / 1000;
    if (khz >= b[0] && khz <= b[1] && khz !== 0) y.push(khz);
  }
  if (y.length === 0) {
    const nan = Number.NaN;
    return { meandom: nan, mindom: nan, maxdom: nan, dfrange: nan, startdom: nan, enddom: nan, modindx: nan };
  }
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of y) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const dfrange = max - min;
  let modindx = 1;
  if (y.length > 1 && dfrange !== 0) {
    let acc = 0;
    for (let j = 1; j < y.length; j++) acc += Math.abs(y[j]! - y[j - 1]!);
    modindx = acc / dfrange;
  }
  return {
    meandom: sum / y.length,
    mindom: min,
    maxdom: max,
    dfrange,
    startdom: y[0]!,
    enddom: y[y.length - 1]!,
    modindx,
  };
}

function meanPeakFrequency(x: Float64Array, f: number, wlIn: number, b: [number, number]): number {
  const n = x.length;
  let wl = wlIn >= n ? n - 1 : wlIn;
  if (wl % 2 !== 0) wl -= 1;
  const bp: [number, number] = [Math.max(0, b[0] - 0.2), Math.min(b[1] + 0.2, Math.floor(f / 2000))];
  const spc = meanspec(x, wl, OVLP);
  const stepKhz = f / wl / 1000;
  const nb = spc.length;
  // Smoothing over fsmooth kHz: a sum over FWL + 1 bins (a single bin unless bins are narrower than 50 Hz).
  const fwl = FSMOOTH_KHZ / stepKhz - 1;
  const yIdx = rColon(1, nb - fwl);
  const z: number[] = yIdx.map((y) => {
    let s = 0;
    for (const k of rColon(y, y + fwl)) s += spc[Math.trunc(k) - 1]!;
    return s;
  });
  const zf = rSeqLength(0, ((nb - 1) * f) / wl / 1000, z.length);
  let best = -1;
  for (let i = 0; i < z.length; i++) {
    if (zf[i]! > bp[0] && zf[i]! < bp[1] && (best < 0 || z[i]! > z[best]!)) best = i;
  }
  if (best < 0) {
    // No bin strictly inside the band: warbleR falls back to the bins that contain its edges.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < z.length; i++) {
      if (zf[i]! <= bp[0]) lo = i;
      if (zf[i]! <= bp[1]) hi = i;
    }
    best = lo;
    for (let i = lo; i <= hi; i++) if (z[i]! > z[best]!) best = i;
  }
  return zf[best]! + stepKhz / 2;
}
