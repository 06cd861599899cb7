import "./jobs.css";

/** Accessible progress bar (value 0…1); `label` names it for screen readers and tests. */
export function ProgressBar({
  value,
  label,
  detail,
}: {
  value: number | null;
  label: string;
  detail?: string;
}) {
  const pct = value == null ? null : Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress-wrap">
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct == null ? "working" : `${pct}%${detail ? `, ${detail}` : ""}`}
      >
        <div
          className={`progress-fill${pct == null ? " indeterminate" : ""}`}
          style={{ width: `${pct ?? 30}%` }}
        />
      </div>
      <span className="small muted progress-text">
        {pct == null ? "…" : `${pct}%`}
        {detail ? ` · ${detail}` : ""}
      </span>
    </div>
  );
}

export function StatusBadge({ status, error }: { status: string; error?: string | null }) {
  return (
    <span
      className={`badge status-${status}`}
      title={error ?? undefined}
      aria-description={error ?? undefined}
    >
      {status.replace("_", " ")}
    </span>
  );
}

/** Seconds left from a job's start time and progress (null when it cannot be estimated yet). */
export function jobEta(startedAt: string | Date | null, progress: number, now = Date.now()): number | null {
  if (!startedAt || progress <= 0.02 || progress >= 1) return null;
  const elapsed = (now - new Date(startedAt).getTime()) / 1000;
  if (!(elapsed > 0)) return null;
  return (elapsed / progress) * (1 - progress);
}

export function formatSeconds(s: number | null): string {
  if (s == null || !Number.isFinite(s)) return "";
  if (s < 60) return `${Math.ceil(s)} s left`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s left`;
}
