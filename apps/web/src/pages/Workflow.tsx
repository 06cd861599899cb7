import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorAlert, formatDate, Loading, PageHeader } from "../components/ui";
import { AuditLog } from "../features/admin/AuditLog";
import { CspReports } from "../features/admin/CspReports";
import { Backups, Maintenance, Schedules } from "../features/admin/Maintenance";
import { Groups, JobQueues, SystemStatus, Users } from "../features/admin/SystemAdmin";
import { StatusBadge } from "../features/jobs/progress";
import { GroupQuotas } from "../features/storage/GroupQuotas";
import { useTRPC } from "../lib/trpc";

/** Step 4 lives in features/tasks; this name stays for the route table. */
export { BatchesPage as TasksPage } from "../features/tasks";

/**
 * The later workflow sections. Each is a real route: it says plainly what is coming and shows
 * whatever real data the API already serves for it (never invented rows).
 */
function Coming({ items }: { items: string[] }) {
  return (
    <section className="card coming-soon" aria-label="Coming next">
      <h2>Coming next</h2>
      <ul>
        {items.map((i) => (
          <li key={i}>{i}</li>
        ))}
      </ul>
    </section>
  );
}

function DataCard<T>({
  title,
  query,
  empty,
  children,
}: {
  title: string;
  query: { isPending: boolean; error: unknown; data: T[] | undefined };
  empty: ReactNode;
  children: (rows: T[]) => ReactNode;
}) {
  return (
    <section className="card table-wrap" aria-label={title}>
      <h2>{title}</h2>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {query.data && query.data.length === 0 ? <p className="muted">{empty}</p> : null}
      {query.data && query.data.length > 0 ? children(query.data) : null}
    </section>
  );
}

export function ClusteringPage() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.clustering.runs.queryOptions());
  return (
    <div className="stack">
      <PageHeader title="Clustering" description="Step 5 — group unlabelled calls by acoustic similarity." />
      <Coming
        items={[
          "Cluster segments by acoustic features (k-means, DBSCAN and more)",
          "Explore clusters in 2-D and listen to representative calls",
          "Map clusters to call types and export the results",
        ]}
      />
      <DataCard title="Clustering runs" query={runs} empty="No clustering runs yet.">
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Features</th>
                <th>Clusters</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>
                    <StatusBadge status={r.status} />{" "}
                    {r.status === "running" ? `${Math.round(r.progress)}%` : null}
                  </td>
                  <td>{r.featureSet}</td>
                  <td>{r.clusterCount}</td>
                  <td className="small">{formatDate(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </DataCard>
    </div>
  );
}

export function AdminPage() {
  const trpc = useTRPC();
  const stats = useQuery(trpc.admin.stats.queryOptions());
  return (
    <div className="stack">
      <PageHeader title="Admin" description="Site administration." />
      {stats.isPending ? <Loading /> : null}
      <ErrorAlert error={stats.error} />
      {stats.data ? (
        <>
          <div className="grid-3">
            {(
              [
                ["Users", stats.data.users],
                ["Groups", stats.data.groups],
                ["Projects", stats.data.projects],
                ["Species", stats.data.species],
                ["Recordings", stats.data.recordings],
                ["Segments", stats.data.segments],
              ] as const
            ).map(([label, n]) => (
              <div className="card" key={label}>
                <div className="muted small">{label}</div>
                <div className="stat">{n}</div>
              </div>
            ))}
          </div>
          <section className="card">
            <h2>Jobs by status</h2>
            {Object.keys(stats.data.jobsByStatus).length === 0 ? (
              <p className="muted">No jobs recorded.</p>
            ) : (
              <div className="row">
                {Object.entries(stats.data.jobsByStatus).map(([s, n]) => (
                  <span key={s}>
                    <StatusBadge status={s} /> {n}
                  </span>
                ))}
              </div>
            )}
          </section>
        </>
      ) : null}
      <SystemStatus />
      <Maintenance />
      <Schedules />
      <Backups />
      <JobQueues />
      <Users />
      <Groups />
      <GroupQuotas />
      <AuditLog />
      <CspReports />
    </div>
  );
}
