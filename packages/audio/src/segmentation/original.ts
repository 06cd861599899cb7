// BattyCoda's two original segmenters, reproduced from its segmentation.py:
//  - threshold: |x| -> moving average of smooth_window samples -> threshold mean + threshold_factor * std
//  - energy: mean square of 0.4 ms frames, linearly interpolated back to one value per sample, then the same
//    smoothing and thresholding.
// Both keep runs of at least min_duration_ms. Defaults 10 ms / 3 samples / 0.5 as in the original.
import { meanStd, movingAverageSame, runsAbove } from "./mask.ts";
import { prefilter } from "./prefilter.ts";
import type { Segment } from "./types.ts";

export interface OriginalParams {
  min_duration_ms: number;
  smooth_window: number;
  threshold_factor: number;
  low_hz: number | null;
  high_hz: number | null;
}

export const ORIGINAL_DEFAULTS: OriginalParams = {
  min_duration_ms: 10,
  smooth_window: 3,
  threshold_factor: 0.5,
  low_hz: null,
  high_hz: null,
};

function threshold(x: Float64Array, p: OriginalParams, sampleRate: number): Segment[] {
  const smoothed = movingAverageSame(x, Math.max(1, Math.trunc(p.smooth_window)));
  const { mean, std } = meanStd(smoothed);
  return runsAbove(smoothed, mean + p.threshold_factor * std, sampleRate, p.min_duration_ms);
}

export function thresholdSegment(samples: Float32Array | Float64Array, sampleRate: number, p: OriginalParams): Segment[] {
  const x = prefilter(new Float64Array(samples), sampleRate, p.low_hz, p.high_hz);
  const abs = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) abs[i] = Math.abs(x[i]!);
  return threshold(abs, p, sampleRate);
}

export function energySegment(samples: Float32Array | Float64Array, sampleRate: number, p: OriginalParams): Segment[] {
  const x = prefilter(new Float64Array(samples), sampleRate, p.low_hz, p.high_hz);
  const n = x.length;
  const frame = Math.trunc(0.0004 * sampleRate);
  const nFrames = frame > 0 ? Math.floor(n / frame) : 0;
  if (nFrames === 0) return [];
  const energy = new Float64Array(nFrames);
  for (let f = 0; f < nFrames; f++) {
    let s = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) s += x[i]! * x[i]!;
    energy[f] = s / frame;
  }
  // np.interp(np.linspace(0, nFrames, n), arange(nFrames), energy): positions past the last frame hold its value.
  const full = new Float64Array(n);
  const step = n > 1 ? nFrames / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    const pos = i === n - 1 ? nFrames : i * step;
    const k = Math.floor(pos);
    if (k >= nFrames - 1) full[i] = energy[nFrames - 1]!;
    else full[i] = energy[k]! + (pos - k) * (energy[k + 1]! - energy[k]!);
  }
  return threshold(full, p, sampleRate);
}
