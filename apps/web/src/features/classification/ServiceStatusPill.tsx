import { useQuery } from "@tanstack/react-query";
import { formatDate } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";

const TEXT = {
  up: "Classifier service up",
  down: "Classifier service down",
  busy: "Classifier service busy",
};

/**
 * The R server's state, polled: a stopped server must be visible here rather than runs silently
 * waiting. Down → red with the reason; busy → amber with what it is doing (training).
 */
export function ServiceStatusPill() {
  const trpc = useTRPC();
  const status = useQuery(
    trpc.classification.serviceStatus.queryOptions(undefined, { refetchInterval: 10_000 }),
  );
  if (status.isPending) return <span className="badge">Classifier service …</span>;
  if (status.error || !status.data)
    return (
      <span className="cls-pill cls-pill-down" role="status">
        Classifier service status unknown
      </span>
    );
  const s = status.data;
  const detail = [
    s.message,
    s.rVersion ? `R ${s.rVersion}` : null,
    s.training > 0 ? `${s.training} training` : null,
    `checked ${formatDate(s.checkedAt)}`,
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <span
      className={`cls-pill cls-pill-${s.state}`}
      role="status"
      data-service-state={s.state}
      title={`${s.url} — ${detail}`}
    >
      <span className="cls-dot" aria-hidden="true" />
      {TEXT[s.state]}
      {s.state !== "up" && s.message ? <span className="small"> — {s.message}</span> : null}
    </span>
  );
}
