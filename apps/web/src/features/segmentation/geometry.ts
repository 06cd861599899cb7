/**
 * Pure editing geometry for the segment overlay: hit-testing in pixels, pointer drags turned into
 * new onset/offset (clamped to the recording), keyboard nudging. No React, no DOM: unit-tested.
 */

export interface Span {
  onset: number;
  offset: number;
}

/** What part of a segment a pointer or a key acts on. */
export type Part = "onset" | "offset" | "body";

export type Hit = { kind: "segment"; key: string; part: Part } | { kind: "empty" };

export interface Keyed extends Span {
  key: string;
}

/** Edge grab tolerance in CSS pixels. */
export const EDGE_PX = 6;
/** Shortest segment the editor produces (seconds). */
export const MIN_DURATION = 0.0002;
/** Pointer travel (px) below which a press is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 3;

/**
 * Which segment part is under pixel `x`. Edges (within `edgePx`) win over bodies, the nearest edge
 * first; a segment narrower than three edge widths is grabbed by its body in its middle third so it
 * can still be moved. Among overlapping bodies, the `preferKey` (the selected segment) wins, then
 * the shortest.
 */
export function hitTest(
  segments: readonly Keyed[],
  x: number,
  timeToX: (t: number) => number,
  opts: { edgePx?: number; preferKey?: string | null } = {},
): Hit {
  const tol = opts.edgePx ?? EDGE_PX;
  let bestEdge: { key: string; part: Part; dist: number } | null = null;
  let bestBody: { key: string; width: number; preferred: boolean } | null = null;
  for (const s of segments) {
    const x0 = timeToX(s.onset);
    const x1 = timeToX(s.offset);
    const width = x1 - x0;
    const preferred = s.key === opts.preferKey;
    const inBody = x >= x0 && x <= x1;
    const narrow = width < 3 * tol;
    const middle = narrow && inBody && Math.abs(x - (x0 + x1) / 2) <= width / 6;
    if (!middle) {
      const d0 = Math.abs(x - x0);
      const d1 = Math.abs(x - x1);
      // On a narrow segment, split at its centre: left half grabs the onset, right half the offset.
      const part: Part = d0 <= d1 ? "onset" : "offset";
      const d = Math.min(d0, d1);
      if (d <= tol) {
        const better =
          !bestEdge ||
          d < bestEdge.dist - 0.01 ||
          (Math.abs(d - bestEdge.dist) <= 0.01 && preferred && bestEdge.key !== opts.preferKey);
        if (better) bestEdge = { key: s.key, part, dist: d };
        continue;
      }
    }
    if (inBody) {
      const better =
        !bestBody ||
        (preferred && !bestBody.preferred) ||
        (preferred === bestBody.preferred && width < bestBody.width);
      if (better) bestBody = { key: s.key, width, preferred };
    }
  }
  if (bestEdge) return { kind: "segment", key: bestEdge.key, part: bestEdge.part };
  if (bestBody) return { kind: "segment", key: bestBody.key, part: "body" };
  return { kind: "empty" };
}

export interface Bounds {
  /** Recording duration (seconds); segments stay inside [0, duration]. */
  duration: number;
  minDuration?: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Rounds to the microsecond so floating noise from pixel maths never reaches the database. */
export const roundTime = (t: number) => Math.round(t * 1e6) / 1e6;

/** A new segment drawn from `anchor` to `current` (either direction), clamped to the recording. */
export function drawSpan(anchor: number, current: number, bounds: Bounds): Span {
  const min = bounds.minDuration ?? MIN_DURATION;
  let onset = clamp(Math.min(anchor, current), 0, bounds.duration);
  let offset = clamp(Math.max(anchor, current), 0, bounds.duration);
  if (offset - onset < min) {
    offset = Math.min(bounds.duration, onset + min);
    onset = Math.max(0, offset - min);
  }
  return { onset: roundTime(onset), offset: roundTime(offset) };
}

/**
 * The segment after dragging `part` by `dt` seconds from its state at the start of the drag:
 * the body moves rigidly (stopping at the recording's ends), an edge moves alone and never crosses
 * the other edge (keeps `minDuration`).
 */
export function dragSpan(orig: Span, part: Part, dt: number, bounds: Bounds): Span {
  const min = bounds.minDuration ?? MIN_DURATION;
  const len = orig.offset - orig.onset;
  if (part === "body") {
    const onset = clamp(orig.onset + dt, 0, Math.max(0, bounds.duration - len));
    return { onset: roundTime(onset), offset: roundTime(onset + len) };
  }
  if (part === "onset") {
    const onset = clamp(orig.onset + dt, 0, orig.offset - min);
    return { onset: roundTime(onset), offset: orig.offset };
  }
  const offset = clamp(orig.offset + dt, orig.onset + min, bounds.duration);
  return { onset: orig.onset, offset: roundTime(offset) };
}

/**
 * Keyboard nudge: one pixel's worth of time per press, ten with Shift (so the step follows the
 * zoom), never less than 10 µs.
 */
export function nudgeStep(secondsPerPixel: number, large: boolean): number {
  return Math.max(1e-5, secondsPerPixel * (large ? 10 : 1));
}

export function nudgeSpan(orig: Span, part: Part, direction: -1 | 1, step: number, bounds: Bounds): Span {
  return dragSpan(orig, part, direction * step, bounds);
}

export const spanEquals = (a: Span, b: Span) => a.onset === b.onset && a.offset === b.offset;
