/**
 * The probability list of one call as compact horizontal bars, highest first. `top` shows only
 * the first few (table rows) with the rest summed up in a "+N more" line whose tooltip lists them.
 */
export function ProbabilityBars({
  probabilities,
  predicted,
  top,
}: {
  probabilities: { callType: string; probability: number }[];
  predicted: string | null;
  top?: number;
}) {
  const sorted = [...probabilities].sort((a, b) => b.probability - a.probability);
  const shown = top ? sorted.slice(0, top) : sorted;
  const rest = sorted.slice(shown.length);
  return (
    <ul className="cls-probs" aria-label="Probabilities">
      {shown.map((p) => (
        <li key={p.callType} title={`${p.callType}: ${(p.probability * 100).toFixed(1)}%`}>
          <span className="cls-probs-label">{p.callType}</span>
          <span className="cls-probs-track">
            <span
              className={`cls-probs-fill${p.callType === predicted ? " top" : ""}`}
              style={{ width: `${Math.max(0, Math.min(1, p.probability)) * 100}%` }}
            />
          </span>
          <span className="cls-probs-value mono">{(p.probability * 100).toFixed(0)}%</span>
        </li>
      ))}
      {rest.length > 0 ? (
        <li
          className="cls-probs-more muted"
          title={rest.map((p) => `${p.callType}: ${(p.probability * 100).toFixed(1)}%`).join("\n")}
        >
          +{rest.length} more ({(rest.reduce((a, p) => a + p.probability, 0) * 100).toFixed(0)}%)
        </li>
      ) : null}
    </ul>
  );
}
