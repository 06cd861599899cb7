/** Coordinate maths of the viewer: pure functions, unit-tested. */

export type Channel = number | "mix";

export interface ViewRange {
  t0: number;
  t1: number;
  fMin: number;
  fMax: number;
}

export interface Viewport extends ViewRange {
  /** Plot area in CSS pixels (the overlay layer's size). */
  width: number;
  height: number;
  timeToX(t: number): number;
  xToTime(x: number): number;
  freqToY(f: number): number;
  yToFreq(y: number): number;
  setView(t0: number, t1: number): void;
  setFreqView(fMin: number, fMax: number): void;
  duration: number;
  sampleRate: number;
  /** The channel shown: a 0-based index, or "mix" (the average of all channels). */
  channel: Channel;
}

/** A segment drawn on the spectrogram (seconds, Hz). */
export interface ViewerSegment {
  id: string;
  onset: number;
  offset: number;
  lowFreq?: number | null;
  highFreq?: number | null;
  label?: string | null;
  color?: string;
}

export interface TimeSelection {
  start: number;
  end: number;
}

/** Smallest visible time span: a few samples' worth, but never below 1 ms. */
export function minSpan(sampleRate: number): number {
  return Math.max(0.001, 64 / Math.max(1, sampleRate));
}

/** Clamps a time range to [0, duration] keeping its span (shrunk to fit) and a minimum span. */
export function clampTime(t0: number, t1: number, duration: number, sampleRate: number): [number, number] {
  const min = Math.min(duration, minSpan(sampleRate));
  let span = Math.max(min, Math.min(duration, t1 - t0));
  if (!Number.isFinite(span) || span <= 0) span = duration;
  let a = Number.isFinite(t0) ? t0 : 0;
  if (a < 0) a = 0;
  if (a + span > duration) a = Math.max(0, duration - span);
  return [a, a + span];
}

/** Clamps a frequency range to [0, nyquist] with a minimum span of 1% of nyquist (≥ 100 Hz). */
export function clampFreq(fMin: number, fMax: number, nyquist: number): [number, number] {
  const min = Math.min(nyquist, Math.max(100, nyquist / 100));
  let span = Math.max(min, Math.min(nyquist, fMax - fMin));
  if (!Number.isFinite(span) || span <= 0) span = nyquist;
  let a = Number.isFinite(fMin) ? Math.max(0, fMin) : 0;
  if (a + span > nyquist) a = Math.max(0, nyquist - span);
  return [a, a + span];
}

/** Zooms [t0, t1] by `factor` (< 1 zooms in) keeping time `at` under the same pixel. */
export function zoomAround(t0: number, t1: number, at: number, factor: number): [number, number] {
  const a = at - (at - t0) * factor;
  return [a, a + (t1 - t0) * factor];
}

export function makeMapping(v: ViewRange, width: number, height: number) {
  const tSpan = v.t1 - v.t0 || 1;
  const fSpan = v.fMax - v.fMin || 1;
  return {
    timeToX: (t: number) => ((t - v.t0) / tSpan) * width,
    xToTime: (x: number) => v.t0 + (x / (width || 1)) * tSpan,
    freqToY: (f: number) => (1 - (f - v.fMin) / fSpan) * height,
    yToFreq: (y: number) => v.fMin + (1 - y / (height || 1)) * fSpan,
  };
}
