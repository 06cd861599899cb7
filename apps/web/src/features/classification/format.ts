/**
 * A confidence typed by a person: "0.7", "70", "70%" → 0.7. Values above 1 (or with %) are
 * percentages. Empty, negative, non-numeric or above 100 % → undefined.
 */
export function parseConfidence(s: string | null | undefined): number | undefined {
  if (s == null) return undefined;
  const t = s.trim();
  if (t === "") return undefined;
  const percent = t.endsWith("%");
  const n = Number(percent ? t.slice(0, -1).trim() : t);
  if (!Number.isFinite(n) || n < 0) return undefined;
  const v = percent || n > 1 ? n / 100 : n;
  return v <= 1 ? v : undefined;
}

/** 0.8234 → "82.3%"; null → "—". */
export function pct(v: number | null | undefined, digits = 1): string {
  return v == null || !Number.isFinite(v) ? "—" : `${(v * 100).toFixed(digits)}%`;
}
