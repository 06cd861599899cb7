/**
 * Geometry of the confidence histogram (drawn as SVG). The server bins the confidences
 * (`binEdges` 0…1, `counts` per bin); this turns bins into bars and a y axis with round ticks.
 */

/** Round tick values 0 … ≥ max (1, 2, 5 × 10^k steps), at most about `target` + 1 of them. */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  // Counts are integers: a step below 1 would label fractions of a call.
  const s = Math.max(1, step);
  const ticks: number[] = [];
  for (let v = 0; v < max + s; v += s) {
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

export interface HistogramBar {
  from: number;
  to: number;
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface HistogramLayout {
  bars: HistogramBar[];
  yTicks: { value: number; y: number }[];
  xTicks: { value: number; x: number }[];
  plot: { left: number; top: number; width: number; height: number };
  total: number;
}

export const HIST_MARGIN = { left: 44, right: 12, top: 10, bottom: 30 } as const;

/**
 * Bars for `counts` between consecutive `binEdges`, in a `width` × `height` box (margins inside).
 * Throws when edges and counts disagree: a silently shifted histogram would mislead.
 */
export function histogramLayout(
  binEdges: readonly number[],
  counts: readonly number[],
  width: number,
  height: number,
): HistogramLayout {
  if (binEdges.length !== counts.length + 1)
    throw new Error(`histogram: ${binEdges.length} edges for ${counts.length} bins`);
  const m = HIST_MARGIN;
  const plot = {
    left: m.left,
    top: m.top,
    width: Math.max(1, width - m.left - m.right),
    height: Math.max(1, height - m.top - m.bottom),
  };
  const lo = binEdges[0] ?? 0;
  const hi = binEdges[binEdges.length - 1] ?? 1;
  const span = hi - lo || 1;
  const xOf = (v: number) => plot.left + ((v - lo) / span) * plot.width;
  const yTickValues = niceTicks(Math.max(0, ...counts));
  const yMax = yTickValues[yTickValues.length - 1] ?? 1;
  const yOf = (c: number) => plot.top + plot.height - (c / yMax) * plot.height;
  const bars = counts.map((count, i) => {
    const from = binEdges[i] as number;
    const to = binEdges[i + 1] as number;
    const x0 = xOf(from);
    const x1 = xOf(to);
    // 1 px gap between bars when there is room for it.
    const gap = x1 - x0 > 4 ? 1 : 0;
    const y = yOf(count);
    return {
      from,
      to,
      count,
      x: x0 + gap / 2,
      y,
      width: Math.max(0, x1 - x0 - gap),
      height: plot.top + plot.height - y,
    };
  });
  const xTicks = [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map((v) => lo + v * span)
    .map((value) => ({ value, x: xOf(value) }));
  return {
    bars,
    yTicks: yTickValues.map((value) => ({ value, y: yOf(value) })),
    xTicks,
    plot,
    total: counts.reduce((a, b) => a + b, 0),
  };
}
