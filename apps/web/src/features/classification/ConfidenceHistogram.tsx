import { histogramLayout } from "./histogram";

/** Confidence histogram drawn in SVG from the server's bins (counts of calls per confidence band). */
export function ConfidenceHistogram({
  binEdges,
  counts,
  width = 460,
  height = 180,
}: {
  binEdges: number[];
  counts: number[];
  width?: number;
  height?: number;
}) {
  const h = histogramLayout(binEdges, counts, width, height);
  const { plot } = h;
  const bottom = plot.top + plot.height;
  return (
    <svg
      className="cls-hist"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      style={{ maxWidth: width }}
      role="img"
      aria-label={`Confidence histogram of ${h.total} calls`}
    >
      {h.yTicks.map((t) => (
        <g key={t.value}>
          <line x1={plot.left} x2={plot.left + plot.width} y1={t.y} y2={t.y} className="cls-grid" />
          <text x={plot.left - 6} y={t.y + 4} textAnchor="end" className="cls-axis">
            {t.value}
          </text>
        </g>
      ))}
      {h.bars.map((b) => (
        <rect
          key={b.from}
          x={b.x}
          y={b.y}
          width={b.width}
          height={b.height}
          className="cls-bar"
          data-count={b.count}
        >
          <title>{`${(b.from * 100).toFixed(0)}–${(b.to * 100).toFixed(0)}%: ${b.count} calls`}</title>
        </rect>
      ))}
      <line x1={plot.left} x2={plot.left + plot.width} y1={bottom} y2={bottom} className="cls-axis-line" />
      {h.xTicks.map((t) => (
        <text key={t.value} x={t.x} y={bottom + 14} textAnchor="middle" className="cls-axis">
          {`${Math.round(t.value * 100)}%`}
        </text>
      ))}
      <text x={plot.left + plot.width / 2} y={height - 2} textAnchor="middle" className="cls-axis">
        confidence
      </text>
    </svg>
  );
}
