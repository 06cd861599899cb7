// The original optional pre-filter: order-4 Butterworth, causal sosfilt, from low_hz/high_hz.
import { butterworth, type Sos } from "../filters/butterworth.ts";
import { sosfilt } from "../filters/sosfilt.ts";

/**
 * Like BattyCoda's apply_bandpass_filter: edges are clipped to Nyquist - 1 Hz; both edges give a band-pass
 * (only when low < high, otherwise the signal passes unfiltered, as before), one edge a high- or low-pass.
 * Returns the second-order sections, or null for no filtering.
 */
export function prefilterSos(
  sampleRate: number,
  lowHz: number | null | undefined,
  highHz: number | null | undefined,
): Sos[] | null {
  const nyq = sampleRate / 2;
  const lo = lowHz == null ? null : Math.min(lowHz, nyq - 1);
  const hi = highHz == null ? null : Math.min(highHz, nyq - 1);
  if (lo != null && hi != null) {
    if (!(lo < hi)) return null;
    return butterworth({ order: 4, type: "bandpass", cutoff: [lo, hi], sampleRate });
  }
  if (lo != null) return butterworth({ order: 4, type: "highpass", cutoff: lo, sampleRate });
  if (hi != null) return butterworth({ order: 4, type: "lowpass", cutoff: hi, sampleRate });
  return null;
}

/** The whole filtered signal at once (the segmenters stream it instead, see stream.ts). */
export function prefilter(
  x: Float64Array,
  sampleRate: number,
  lowHz: number | null | undefined,
  highHz: number | null | undefined,
): Float64Array {
  const sos = prefilterSos(sampleRate, lowHz, highHz);
  return sos ? sosfilt(sos, x) : x;
}
