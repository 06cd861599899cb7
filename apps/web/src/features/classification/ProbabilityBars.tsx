/** The full probability list of one call as compact horizontal bars, highest first. */
export function ProbabilityBars({
  probabilities,
  predicted,
}: {
  probabilities: { callType: string; probability: number }[];
  predicted: string | null;
}) {
  const sorted = [...probabilities].sort((a, b) => b.probability - a.probability);
  return (
    <ul className="cls-probs" aria-label="Probabilities">
      {sorted.map((p) => (
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
    </ul>
  );
}
