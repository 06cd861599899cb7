import { useQuery } from "@tanstack/react-query";
import { ErrorAlert, Loading } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { formatBytes } from "../uploads/transport";

/** The current group's stored media against its quota (profile page). */
export function StorageUsage() {
  const trpc = useTRPC();
  const storage = useQuery(trpc.profile.storage.queryOptions());
  const s = storage.data;
  return (
    <section className="card" aria-labelledby="storage-h">
      <h2 id="storage-h">Storage</h2>
      {storage.isPending ? <Loading what="Loading storage…" /> : null}
      <ErrorAlert error={storage.error} />
      {s ? (
        <>
          <p data-testid="storage-usage">
            {s.groupName}: {formatBytes(s.usedBytes)} used
            {s.quotaBytes === null ? " (no quota)" : ` of ${formatBytes(s.quotaBytes)}`}
          </p>
          {s.quotaBytes !== null ? (
            <meter
              min={0}
              max={s.quotaBytes}
              value={Math.min(s.usedBytes, s.quotaBytes)}
              high={s.quotaBytes * 0.9}
              aria-label="Storage used"
            />
          ) : null}
          <p className="muted small">
            Counts the group's recording files
            {s.pendingUploadBytes > 0
              ? ` and ${formatBytes(s.pendingUploadBytes)} of unfinished uploads`
              : ""}
            .
            {s.quotaIsSiteDefault
              ? " The quota is the site default."
              : " A site admin set this group's quota."}{" "}
            Uploads that would go over it are refused.
          </p>
        </>
      ) : null}
    </section>
  );
}
