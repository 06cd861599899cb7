// BattyCoda's two original segmenters, reproduced from its segmentation.py:
//  - threshold: |x| -> moving average of smooth_window samples -> threshold mean + threshold_factor * std
//  - energy: mean square of 0.4 ms frames, linearly interpolated back to one value per sample, then the same
//    smoothing and thresholding.
// Both keep runs of at least min_duration_ms. Defaults 10 ms / 3 samples / 0.5 as in the original.
//
// The definitions are the array functions of mask.ts and prefilter.ts; this implementation streams the same
// values through small buffers (stream.ts, smoothed.ts) and gives bit-identical segments without any
// signal-sized allocation.
import { prefilterSos } from "./prefilter.ts";
import { fastSmoothedThresholdRuns, smoothedThresholdRuns } from "./smoothed.ts";
import { InterpolatedStream, SampleStream } from "./stream.ts";
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

const smoothWindow = (p: OriginalParams): number => Math.max(1, Math.trunc(p.smooth_window));

export function thresholdSegment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: OriginalParams,
): Segment[] {
  const sos = prefilterSos(sampleRate, p.low_hz, p.high_hz);
  const values = sos ? new SampleStream(samples, sos) : samples;
  return smoothedThresholdRuns(values, smoothWindow(p), p.threshold_factor, sampleRate, p.min_duration_ms);
}

/** Mean square of frames f0 .. f1-1 of `frame` samples into out[outAt + f - f0]: each sum in sample order. */
function frameEnergyKernel(
  x: Float32Array | Float64Array,
  f0: number,
  f1: number,
  frame: number,
  out: Float64Array,
  outAt: number,
): void {
  let f = f0;
  // Four frames at a time: independent sums, so they overlap in the pipeline.
  for (; f + 4 <= f1; f += 4) {
    const b = f * frame;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = b, end = b + frame; i < end; i++) {
      const a0 = x[i]!;
      const a1 = x[i + frame]!;
      const a2 = x[i + 2 * frame]!;
      const a3 = x[i + 3 * frame]!;
      s0 += a0 * a0;
      s1 += a1 * a1;
      s2 += a2 * a2;
      s3 += a3 * a3;
    }
    out[outAt + f - f0] = s0 / frame;
    out[outAt + f - f0 + 1] = s1 / frame;
    out[outAt + f - f0 + 2] = s2 / frame;
    out[outAt + f - f0 + 3] = s3 / frame;
  }
  for (; f < f1; f++) {
    let s = 0;
    for (let i = f * frame, end = (f + 1) * frame; i < end; i++) s += x[i]! * x[i]!;
    out[outAt + f - f0] = s / frame;
  }
}

export function energySegment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  p: OriginalParams,
): Segment[] {
  const n = samples.length;
  const frame = Math.trunc(0.0004 * sampleRate);
  const nFrames = frame > 0 ? Math.floor(n / frame) : 0;
  if (nFrames === 0) return [];
  const energy = new Float64Array(nFrames);
  const sos = prefilterSos(sampleRate, p.low_hz, p.high_hz);
  if (sos === null) {
    for (let f = 0; f < nFrames; f += 512)
      frameEnergyKernel(samples, f, Math.min(nFrames, f + 512), frame, energy, f);
  } else {
    // Filter a whole number of frames at a time.
    const stream = new SampleStream(samples, sos);
    const perChunk = Math.max(1, Math.floor(65536 / frame));
    const chunk = new Float64Array(perChunk * frame);
    for (let f = 0; f < nFrames; f += perChunk) {
      const m = Math.min(perChunk, nFrames - f);
      stream.next(chunk, 0, m * frame);
      frameEnergyKernel(chunk, 0, m, frame, energy, f);
    }
  }
  const fast = fastSmoothedThresholdRuns(
    new InterpolatedStream(energy, n),
    smoothWindow(p),
    p.threshold_factor,
    sampleRate,
    p.min_duration_ms,
  );
  if (fast) return fast;
  return smoothedThresholdRuns(
    new InterpolatedStream(energy, n),
    smoothWindow(p),
    p.threshold_factor,
    sampleRate,
    p.min_duration_ms,
  );
}
