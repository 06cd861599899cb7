// The original optional pre-filter: order-4 Butterworth, causal sosfilt, from low_hz/high_hz.
import { butterworth } from "../filters/butterworth.ts";
import { sosfilt } from "../filters/sosfilt.ts";

/**
 * Like BattyCoda's apply_bandpass_filter: edges are clipped to Nyquist - 1 Hz; both edges give a band-pass
 * (only when low < high, otherwise the signal passes unfiltered, as before), one edge a high- or low-pass.
 */
export function prefilter(
  x: Float64Array,
  sampleRate: number,
  lowHz: number | null | undefined,
  highHz: number | null | undefined,
): Float64Array {
  const nyq = sampleRate / 2;
  const lo = lowHz == null ? null : Math.min(lowHz, nyq - 1);
  const hi = highHz == null ? null : Math.min(highHz, nyq - 1);
  if (lo != null && hi != null) {
    if (!(lo < hi)) return x;
    return sosfilt(butterworth({ order: 4, type: "bandpass", cutoff: [lo, hi], sampleRate }), x);
  }
  if (lo != null) return sosfilt(butterworth({ order: 4, type: "highpass", cutoff: lo, sampleRate }), x);
  if (hi != null) return sosfilt(butterworth({ order: 4, type: "lowpass", cutoff: hi, sampleRate }), x);
  return x;
}
