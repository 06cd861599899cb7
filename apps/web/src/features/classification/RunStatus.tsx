import { ProgressBar, StatusBadge } from "../jobs/progress";
import { formatEta } from "./eta";

type RunLike = {
  status: string;
  progress: number;
  processedCount: number;
  totalCount: number;
  waitingReason: string | null;
  error: string | null;
  name: string;
};

/** Badge + bar (processed/total, ETA) + why a queued run is waiting / why it failed. */
export function RunProgress({ run, eta }: { run: RunLike; eta: number | null }) {
  const fraction =
    run.status === "completed"
      ? 1
      : run.totalCount > 0
        ? run.processedCount / run.totalCount
        : run.status === "running"
          ? run.progress
          : 0;
  const counts = `${run.processedCount.toLocaleString()} / ${run.totalCount.toLocaleString()} calls`;
  const left = formatEta(eta);
  return (
    <div className="cls-runprogress">
      <StatusBadge status={run.status} error={run.error} />
      {run.status === "failed" ? (
        <span className="field-error small">{run.error ?? "failed"}</span>
      ) : run.status === "cancelled" ? (
        <span className="small muted">{counts}</span>
      ) : (
        <ProgressBar
          label={`${run.name} progress`}
          value={run.status === "pending" && run.processedCount === 0 ? null : fraction}
          detail={[counts, left ? `${left} left` : ""].filter(Boolean).join(" · ")}
        />
      )}
      {run.waitingReason && (run.status === "pending" || run.status === "running") ? (
        <span className="cls-waiting small" role="status">
          {run.waitingReason}
        </span>
      ) : null}
    </div>
  );
}
