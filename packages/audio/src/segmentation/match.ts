// Detection quality: greedy one-to-one matching of detections to reference calls.
import type { Segment } from "./types.ts";

export interface MatchResult {
  truePositives: number;
  recall: number;
  precision: number;
  /** Per matched pair: |onset difference| and |offset difference| in seconds. */
  onsetErrors: number[];
  offsetErrors: number[];
  /** The matched pairs: index into reference (r) and into detected (d). */
  pairs: { r: number; d: number }[];
}

/**
 * A detection matches a reference call when they overlap and their onsets are within `onsetTolerance` s, or
 * when their intersection-over-union is at least `minIou`. Each reference and detection matches at most once
 * (best IoU first).
 */
export function matchSegments(
  reference: Segment[],
  detected: Segment[],
  { minIou = 0.5, onsetTolerance = 0.002 }: { minIou?: number; onsetTolerance?: number } = {},
): MatchResult {
  const pairs: { r: number; d: number; iou: number }[] = [];
  reference.forEach((r, ri) => {
    detected.forEach((d, di) => {
      const inter = Math.min(r.offset, d.offset) - Math.max(r.onset, d.onset);
      if (inter <= 0) return;
      const union = Math.max(r.offset, d.offset) - Math.min(r.onset, d.onset);
      const iou = inter / union;
      if (iou >= minIou || Math.abs(r.onset - d.onset) <= onsetTolerance) pairs.push({ r: ri, d: di, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou);
  const usedR = new Set<number>();
  const usedD = new Set<number>();
  const onsetErrors: number[] = [];
  const offsetErrors: number[] = [];
  const matched: { r: number; d: number }[] = [];
  for (const p of pairs) {
    if (usedR.has(p.r) || usedD.has(p.d)) continue;
    usedR.add(p.r);
    usedD.add(p.d);
    matched.push({ r: p.r, d: p.d });
    onsetErrors.push(Math.abs(reference[p.r]!.onset - detected[p.d]!.onset));
    offsetErrors.push(Math.abs(reference[p.r]!.offset - detected[p.d]!.offset));
  }
  const tp = usedR.size;
  return {
    truePositives: tp,
    recall: reference.length ? tp / reference.length : 1,
    precision: detected.length ? tp / detected.length : 1,
    onsetErrors,
    offsetErrors,
    pairs: matched,
  };
}
