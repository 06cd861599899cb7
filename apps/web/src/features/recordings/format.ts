export function formatDuration(s: number | null | undefined): string {
  if (s == null) return "—";
  if (s < 60) return `${s.toFixed(2)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

export function formatHz(hz: number | null | undefined): string {
  if (hz == null) return "—";
  return hz >= 1000 ? `${(hz / 1000).toFixed(hz % 1000 === 0 ? 0 : 1)} kHz` : `${hz} Hz`;
}

/** A call's band as "low–high" in kHz (one decimal), "" when it has none. */
export function formatBandKHz(low: number | null | undefined, high: number | null | undefined): string {
  return low == null || high == null ? "" : `${(low / 1000).toFixed(1)}–${(high / 1000).toFixed(1)}`;
}
