import { useId } from "react";
import { heatColor, matrixLayout, textColorOn } from "./confusion";

/**
 * Confusion-matrix heat map: rows = true call type, columns = predicted, colour = share of the
 * row (so rare classes read as clearly as common ones), the count written in each cell. Cells
 * are buttons: `onSelect` receives the (true, predicted) pair.
 */
export function ConfusionMatrix({
  labels,
  matrix,
  selected,
  onSelect,
  maxWidth = 720,
}: {
  labels: string[];
  matrix: number[][];
  selected?: { trueLabel: string; predictedLabel: string } | null;
  onSelect?: (cell: { trueLabel: string; predictedLabel: string; count: number }) => void;
  maxWidth?: number;
}) {
  const titleId = useId();
  const l = matrixLayout(labels, matrix, maxWidth);
  const fontSize = l.cell >= 36 ? 12 : 10;
  return (
    <figure className="cls-matrix-wrap" aria-label="Confusion matrix">
      <svg
        className="cls-matrix"
        width={l.width}
        height={l.height + 18}
        viewBox={`0 0 ${l.width} ${l.height + 18}`}
        aria-labelledby={titleId}
      >
        <title id={titleId}>Confusion matrix: true call types in rows, predictions in columns</title>
        <text x={l.left + (labels.length * l.cell) / 2} y={12} textAnchor="middle" className="cls-axis-title">
          predicted
        </text>
        <text
          transform={`translate(12 ${l.top + (labels.length * l.cell) / 2}) rotate(-90)`}
          textAnchor="middle"
          className="cls-axis-title"
        >
          true
        </text>
        {labels.map((lab, i) => (
          <text
            key={`c-${lab}`}
            transform={`translate(${l.left + i * l.cell + l.cell / 2} ${l.top - 6}) rotate(-45)`}
            className="cls-axis"
          >
            {lab}
          </text>
        ))}
        {labels.map((lab, i) => (
          <text
            key={`r-${lab}`}
            x={l.left - 6}
            y={l.top + i * l.cell + l.cell / 2 + 4}
            textAnchor="end"
            className="cls-axis"
          >
            {lab}
          </text>
        ))}
        {l.cells.map((c) => {
          const fill = heatColor(c.share);
          const isSel = selected?.trueLabel === c.trueLabel && selected?.predictedLabel === c.predictedLabel;
          const name = `true ${c.trueLabel}, predicted ${c.predictedLabel}: ${c.count} call${c.count === 1 ? "" : "s"} (${(c.share * 100).toFixed(0)}% of ${c.trueLabel})`;
          const select = () =>
            onSelect?.({ trueLabel: c.trueLabel, predictedLabel: c.predictedLabel, count: c.count });
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG cell cannot be a <button>; role + keys make it one
            <g
              key={`${c.row}-${c.col}`}
              role="button"
              tabIndex={0}
              aria-label={name}
              aria-pressed={isSel}
              className={`cls-cell${c.row === c.col ? " diag" : ""}${isSel ? " selected" : ""}`}
              onClick={select}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  select();
                }
              }}
            >
              <title>{name}</title>
              <rect
                x={l.left + c.col * l.cell}
                y={l.top + c.row * l.cell}
                width={l.cell}
                height={l.cell}
                fill={fill}
              />
              {c.count > 0 ? (
                <text
                  x={l.left + c.col * l.cell + l.cell / 2}
                  y={l.top + c.row * l.cell + l.cell / 2 + fontSize / 3}
                  textAnchor="middle"
                  fontSize={fontSize}
                  fill={textColorOn(fill)}
                >
                  {c.count}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <div className="cls-legend small muted" aria-hidden="true">
        <span>0%</span>
        <span
          className="cls-legend-bar"
          style={{ background: `linear-gradient(to right, ${[0, 0.33, 0.67, 1].map(heatColor).join(", ")})` }}
        />
        <span>100% of the true class</span>
      </div>
    </figure>
  );
}
