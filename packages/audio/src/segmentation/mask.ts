// Helpers shared by the two original amplitude segmenters (BattyCoda's segmentation.py), kept
// operation-for-operation so existing users get the same segments.
import type { Segment } from "./types.ts";

/** np.convolve(x, ones(w)/w, mode="same") for w <= x.length: the window covers x[i - floor(w/2) .. i + floor((w-1)/2)]. */
export function movingAverageSame(x: Float64Array, w: number): Float64Array {
  const n = x.length;
  if (w <= 1) return x;
  const out = new Float64Array(n);
  const left = Math.floor(w / 2);
  const right = Math.floor((w - 1) / 2);
  let acc = 0;
  for (let j = 0; j <= Math.min(right, n - 1); j++) acc += x[j]!;
  for (let i = 0; i < n; i++) {
    out[i] = acc / w;
    const add = i + right + 1;
    const drop = i - left;
    if (add < n) acc += x[add]!;
    if (drop >= 0) acc -= x[drop]!;
  }
  return out;
}

/** numpy mean and population std (ddof = 0). */
export function meanStd(x: Float64Array): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean;
    v += d * d;
  }
  return { mean, std: Math.sqrt(v / x.length) };
}

/**
 * _find_segments_from_mask: runs of x > threshold. Onsets are the first sample above, offsets the first sample
 * below (or the last sample if the run reaches the end); runs shorter than int(min_ms/1000*sr) are dropped.
 */
export function runsAbove(
  x: Float64Array,
  threshold: number,
  sampleRate: number,
  minDurationMs: number,
): Segment[] {
  const n = x.length;
  const minSamples = Math.trunc((minDurationMs / 1000) * sampleRate);
  const out: Segment[] = [];
  let start = -1;
  for (let i = 0; i < n; i++) {
    const above = x[i]! > threshold;
    if (above && start < 0) start = i;
    else if (!above && start >= 0) {
      if (i - start >= minSamples) out.push({ onset: start / sampleRate, offset: i / sampleRate });
      start = -1;
    }
  }
  if (start >= 0 && n - 1 - start >= minSamples)
    out.push({ onset: start / sampleRate, offset: (n - 1) / sampleRate });
  return out;
}
