import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DataTable } from "../../components/DataTable";
import { Button, ErrorAlert, formatDate, Loading, SelectField, TextField } from "../../components/ui";
import { WorkActions } from "../../components/WorkActions";
import { useUser } from "../../lib/session";
import { type RouterInputs, useTRPC } from "../../lib/trpc";

const mb = (b: number | null) => (b === null ? "—" : `${Math.round(b / 1024 / 1024)} MB`);
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

/** Database, R server, workers, disks, memory, queue depths, last backup, recent alerts. */
export function SystemStatus() {
  const trpc = useTRPC();
  const s = useQuery({ ...trpc.admin.systemStatus.queryOptions(), refetchInterval: 15_000 });
  return (
    <section className="card stack" aria-labelledby="status-h">
      <h2 id="status-h">System status</h2>
      {s.isPending ? <Loading /> : null}
      <ErrorAlert error={s.error} />
      {s.data ? (
        <>
          <div className="grid-3">
            <div className="card">
              <div className="muted small">Database</div>
              <div>
                {s.data.database.ok
                  ? `up (${s.data.database.latencyMs} ms)`
                  : `down: ${s.data.database.error}`}
              </div>
            </div>
            <div className="card">
              <div className="muted small">R server</div>
              <div>
                {s.data.rServer.state} <span className="muted small">{s.data.rServer.url}</span>
              </div>
            </div>
            <div className="card">
              <div className="muted small">API memory</div>
              <div>
                RSS {mb(s.data.apiMemory.rssBytes)}, heap {mb(s.data.apiMemory.heapUsedBytes)}
              </div>
            </div>
            {s.data.disks.map((d) => (
              <div className="card" key={d.label}>
                <div className="muted small">{d.label} disk</div>
                <div className={d.usedFraction >= 0.9 ? "field-error" : ""}>
                  {(d.usedFraction * 100).toFixed(1)} % used, {gb(d.availableBytes)} free
                </div>
              </div>
            ))}
            <div className="card">
              <div className="muted small">Last backup</div>
              <div>
                {s.data.lastBackup
                  ? `${s.data.lastBackup.status} ${formatDate(s.data.lastBackup.finishedAt)}`
                  : "never"}
              </div>
            </div>
          </div>
          <h3>Workers</h3>
          {s.data.workers.length === 0 ? (
            <p className="field-error">No worker has sent a heartbeat: background jobs are not running.</p>
          ) : (
            <DataTable
              label="Workers"
              columns={["Worker", "Version", "Last heartbeat", "RSS", "Heap", "Jobs"]}
            >
              {s.data.workers.map((w) => (
                <tr key={w.id}>
                  <td>
                    {w.host}:{w.pid} {w.live ? "" : <span className="field-error">(silent)</span>}
                  </td>
                  <td className="small">{w.version}</td>
                  <td>{formatDate(w.lastSeenAt)}</td>
                  <td>{mb(w.rssBytes)}</td>
                  <td>{mb(w.heapUsedBytes)}</td>
                  <td>{w.activeJobs}</td>
                </tr>
              ))}
            </DataTable>
          )}
          {s.data.alerts.length > 0 ? (
            <>
              <h3>Alerts sent</h3>
              <ul>
                {s.data.alerts.map((a) => (
                  <li key={a.key}>
                    {a.key} — {formatDate(a.lastSentAt)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

type JobStatus = NonNullable<RouterInputs["admin"]["jobs"]["status"]>;

/** Every group's jobs: depth per queue, and the jobs of one status with cancel and retry. */
export function JobQueues() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<JobStatus>("failed");
  const status$ = useQuery(trpc.admin.systemStatus.queryOptions());
  const jobs = useQuery({ ...trpc.admin.jobs.queryOptions({ status, limit: 100 }), refetchInterval: 5000 });
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.admin.jobs.queryFilter());
    void queryClient.invalidateQueries(trpc.admin.systemStatus.queryFilter());
  };
  const cancel = useMutation(trpc.admin.cancelJob.mutationOptions({ onSuccess: refresh }));
  const retry = useMutation(trpc.admin.retryJob.mutationOptions({ onSuccess: refresh }));
  const busyQueues = status$.data?.queues.filter((q) => q.queued + q.running + q.failed > 0) ?? [];
  return (
    <section className="card stack" aria-labelledby="queues-h">
      <h2 id="queues-h">Job queues</h2>
      {busyQueues.length === 0 ? (
        <p className="muted">Nothing queued, running or failed.</p>
      ) : (
        <DataTable label="Queues" columns={["Queue", "Pending", "Active", "Failed"]}>
          {busyQueues.map((q) => (
            <tr key={q.type}>
              <td>{q.type}</td>
              <td>{q.queued}</td>
              <td>{q.running}</td>
              <td>{q.failed}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <SelectField label="Show jobs" value={status} onChange={(e) => setStatus(e.target.value as JobStatus)}>
        <option value="queued">pending</option>
        <option value="running">active</option>
        <option value="failed">failed</option>
        <option value="cancelled">cancelled</option>
        <option value="completed">completed</option>
      </SelectField>
      <ErrorAlert error={jobs.error ?? cancel.error ?? retry.error} />
      {jobs.data && jobs.data.length === 0 ? <p className="muted">No {status} jobs.</p> : null}
      {jobs.data && jobs.data.length > 0 ? (
        <DataTable label="Jobs" actions="Actions" columns={["Type", "Created", "Message"]}>
          {jobs.data.map((j) => (
            <tr key={j.id}>
              <td>{j.type}</td>
              <td>{formatDate(j.createdAt)}</td>
              <td className="small">{j.error ?? j.message}</td>
              <td className="row">
                <WorkActions
                  size="sm"
                  canCancel={j.status === "queued" || j.status === "running"}
                  canRetry={j.status === "failed" || j.status === "cancelled"}
                  cancelling={cancel.isPending && cancel.variables?.jobId === j.id}
                  retrying={retry.isPending && retry.variables?.jobId === j.id}
                  onCancel={() => cancel.mutate({ jobId: j.id })}
                  onRetry={() => retry.mutate({ jobId: j.id })}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}

export function Users() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const users = useQuery(trpc.admin.users.queryOptions({ search: search || undefined, limit: 200 }));
  const refresh = () => queryClient.invalidateQueries(trpc.admin.users.queryFilter());
  const setActive = useMutation(trpc.admin.setUserActive.mutationOptions({ onSuccess: refresh }));
  const setAdmin = useMutation(trpc.admin.setSiteAdmin.mutationOptions({ onSuccess: refresh }));
  const me = useUser();
  const impersonate = useMutation(
    trpc.admin.impersonate.mutationOptions({
      // a full page load: every cached query of the admin's goes, the user's pages load fresh
      onSuccess: () => window.location.assign("/"),
    }),
  );
  return (
    <section className="card stack" aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      <TextField label="Search" value={search} onChange={(e) => setSearch(e.target.value)} />
      <ErrorAlert error={users.error ?? setActive.error ?? setAdmin.error ?? impersonate.error} />
      {users.data ? (
        <DataTable label="Users" actions="Actions" columns={["User", "Email", "Groups", "Last login"]}>
          {users.data.map((u) => (
            <tr key={u.id}>
              <td>
                {u.username}
                {u.isSiteAdmin ? " (site admin)" : ""}
                {u.isActive ? "" : " (deactivated)"}
              </td>
              <td className="small">{u.email}</td>
              <td>{u.groups}</td>
              <td>{formatDate(u.lastLoginAt)}</td>
              <td className="row">
                {/* One's own account cannot be deactivated or demoted here (the server refuses it too). The two
                    changes that take effect at once for someone else ask first: a deactivation signs them out
                    everywhere, and a site admin can see and change every group. */}
                {u.id === me.id ? null : (
                  <>
                    <Button
                      size="sm"
                      onClick={() => {
                        if (
                          !u.isActive ||
                          window.confirm(
                            `Deactivate ${u.username}? They are signed out everywhere and their API key stops working.`,
                          )
                        )
                          setActive.mutate({ userId: u.id, value: !u.isActive });
                      }}
                    >
                      {u.isActive ? "Deactivate" : "Activate"}
                    </Button>
                    <Button
                      size="sm"
                      onClick={() => {
                        if (
                          u.isSiteAdmin ||
                          window.confirm(
                            `Make ${u.username} a site admin? They can then see and change every group's data and run maintenance.`,
                          )
                        )
                          setAdmin.mutate({ userId: u.id, value: !u.isSiteAdmin });
                      }}
                    >
                      {u.isSiteAdmin ? "Revoke admin" : "Make admin"}
                    </Button>
                  </>
                )}
                {u.isActive && !u.isSiteAdmin && u.id !== me.id ? (
                  <Button
                    size="sm"
                    busy={impersonate.isPending && impersonate.variables?.userId === u.id}
                    onClick={() => impersonate.mutate({ userId: u.id })}
                    aria-label={`Act as ${u.username}`}
                    title="See BattyCoda as this user sees it (recorded in the audit log)"
                  >
                    Act as
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <Loading />
      )}
    </section>
  );
}

export function Groups() {
  const trpc = useTRPC();
  const groups = useQuery(trpc.admin.groups.queryOptions());
  return (
    <section className="card" aria-labelledby="agroups-h">
      <h2 id="agroups-h">Groups</h2>
      <ErrorAlert error={groups.error} />
      {groups.data ? (
        <DataTable label="Groups" columns={["Group", "Members", "Recordings", "Created"]}>
          {groups.data.map((g) => (
            <tr key={g.id}>
              <td>
                {g.name}
                {g.isPersonal ? <span className="muted small"> personal</span> : null}
              </td>
              <td>{g.members}</td>
              <td>{g.recordings}</td>
              <td>{formatDate(g.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <Loading />
      )}
    </section>
  );
}
