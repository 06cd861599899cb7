import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { Alert, ErrorAlert, formatDate, Loading, PageHeader } from "../components/ui";
import { JobSubject } from "../features/jobs/JobSubject";
import { useUser } from "../lib/session";
import { useTRPC } from "../lib/trpc";

const quickLinks = [
  { to: "/recordings", title: "Recordings", text: "Upload field recordings and browse their spectrograms." },
  { to: "/segmentation", title: "Segmentation", text: "Find calls automatically, then adjust them by hand." },
  { to: "/classification", title: "Classification", text: "Label calls with a trained classifier." },
  { to: "/tasks", title: "Tasks", text: "Review and correct the classifier's guesses." },
  { to: "/clustering", title: "Clustering", text: "Group unlabelled calls by similarity." },
  { to: "/species", title: "Species", text: "Species and their call-type repertoires." },
];

/** Audio length with the unit that reads best: seconds, minutes or hours. */
function formatHours(h: number): string {
  const seconds = h * 3600;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${h.toFixed(h < 10 ? 2 : 1)} h`;
}

function Stat({ label, value, to }: { label: string; value: string; to?: string }) {
  const body = (
    <>
      <span className="dash-stat-value">{value}</span>
      <span className="dash-stat-label">{label}</span>
    </>
  );
  return to ? (
    <Link to={to} className="card dash-stat" data-testid={`stat-${label}`}>
      {body}
    </Link>
  ) : (
    <div className="card dash-stat" data-testid={`stat-${label}`}>
      {body}
    </div>
  );
}

export function DashboardPage() {
  const user = useUser();
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const joined = params.get("joined");
  const projects = useQuery(trpc.projects.list.queryOptions(undefined, { enabled: !!user.currentGroup }));
  const species = useQuery(trpc.species.list.queryOptions(undefined, { enabled: !!user.currentGroup }));
  const summary = useQuery(trpc.dashboard.summary.queryOptions(undefined, { enabled: !!user.currentGroup }));
  const jobs = useQuery(trpc.jobs.list.queryOptions({ limit: 8 }, { enabled: !!user.currentGroup }));
  const group = user.currentGroup;
  return (
    <div className="stack">
      <PageHeader
        title={`Welcome, ${user.username}`}
        description={
          group ? (
            <>
              Working in <strong>{group.name}</strong>
              {group.isAdmin ? (
                <span className="badge badge-accent" style={{ marginLeft: 6 }}>
                  admin
                </span>
              ) : null}
            </>
          ) : (
            "You are not in a group yet."
          )
        }
      />
      {joined ? <Alert kind="success">You joined {joined}. It is now your current group.</Alert> : null}
      {!group ? (
        <Alert kind="warning">
          Choose or create a group on the <Link to="/groups">Groups</Link> page to start working.
        </Alert>
      ) : (
        <>
          <section aria-label="Group figures" className="dash-stats">
            <ErrorAlert error={summary.error} />
            {summary.data ? (
              <>
                <Stat label="Recordings" value={summary.data.recordings.toLocaleString()} to="/recordings" />
                <Stat label="Audio" value={formatHours(summary.data.audioHours)} />
                <Stat label="Segments" value={summary.data.segments.toLocaleString()} to="/segmentation" />
                <Stat
                  label="Labelled calls"
                  value={summary.data.labelledCalls.toLocaleString()}
                  to="/tasks"
                />
              </>
            ) : (
              <Loading what="Counting…" />
            )}
          </section>
          <div className="grid-2">
            <section className="card" aria-labelledby="dash-recent">
              <div className="page-header" style={{ marginBottom: "0.5rem" }}>
                <h2 id="dash-recent">Recent recordings</h2>
                <Link to="/recordings/upload" className="btn btn-sm">
                  Upload
                </Link>
              </div>
              {summary.data && summary.data.recentRecordings.length === 0 ? (
                <p className="muted">No recordings yet.</p>
              ) : null}
              <ul className="plain-list" data-testid="dashboard-recent-recordings">
                {summary.data?.recentRecordings.map((r) => (
                  <li key={r.id}>
                    <Link to={`/recordings/${r.id}`}>{r.name}</Link>{" "}
                    <span className="muted small">
                      · {r.duration != null ? `${r.duration.toFixed(1)} s` : "—"} · {r.processingStatus}
                      {r.truncated ? " · truncated" : ""} · {formatDate(r.createdAt)}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
            <section className="card" aria-labelledby="dash-activity">
              <div className="page-header" style={{ marginBottom: "0.5rem" }}>
                <h2 id="dash-activity">Recent activity</h2>
                <Link to="/jobs" className="btn btn-sm">
                  All jobs
                </Link>
              </div>
              <ErrorAlert error={jobs.error} />
              {jobs.data && jobs.data.length === 0 ? <p className="muted">Nothing has run yet.</p> : null}
              <ul className="plain-list" data-testid="dashboard-activity">
                {jobs.data?.map((j) => {
                  return (
                    <li key={j.id}>
                      <code className="small">{j.type}</code> <JobSubject job={j} />{" "}
                      <span className="muted small">
                        · {j.status} · {formatDate(j.finishedAt ?? j.createdAt)}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </section>
          </div>
          <div className="grid-2">
            <section className="card" aria-labelledby="dash-projects">
              <div className="page-header" style={{ marginBottom: "0.5rem" }}>
                <h2 id="dash-projects">Projects</h2>
                <Link to="/projects" className="btn btn-sm">
                  Manage
                </Link>
              </div>
              {projects.isPending ? <Loading /> : null}
              <ErrorAlert error={projects.error} />
              {projects.data && projects.data.length === 0 ? <p className="muted">No projects yet.</p> : null}
              {projects.data && projects.data.length > 0 ? (
                <ul className="plain-list" data-testid="dashboard-projects">
                  {projects.data.map((p) => (
                    <li key={p.id}>
                      <Link to={`/projects/${p.id}`}>{p.name}</Link>{" "}
                      <span className="muted small">
                        · {p.recordingCount} recording{p.recordingCount === 1 ? "" : "s"}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </section>
            <section className="card" aria-labelledby="dash-species">
              <div className="page-header" style={{ marginBottom: "0.5rem" }}>
                <h2 id="dash-species">Species</h2>
                <Link to="/species" className="btn btn-sm">
                  Manage
                </Link>
              </div>
              {species.isPending ? <Loading /> : null}
              <ErrorAlert error={species.error} />
              {species.data && species.data.length === 0 ? (
                <p className="muted">
                  No species yet. <Link to="/species/new">Add one</Link>.
                </p>
              ) : null}
              {species.data && species.data.length > 0 ? (
                <ul className="plain-list">
                  {species.data.slice(0, 8).map((s) => (
                    <li key={s.id}>
                      <Link to={`/species/${s.id}`}>
                        <em>{s.name}</em>
                      </Link>{" "}
                      <span className="muted small">
                        · {s.callTypeCount} call type{s.callTypeCount === 1 ? "" : "s"}
                        {s.isSystem ? " · system" : ""}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </section>
          </div>
        </>
      )}
      <section aria-labelledby="dash-workflow">
        <h2 id="dash-workflow">Workflow</h2>
        <div className="grid-3">
          {quickLinks.map((q) => (
            <Link key={q.to} to={q.to} className="card quick-link">
              <h3>{q.title}</h3>
              <p className="muted small" style={{ margin: 0 }}>
                {q.text}
              </p>
            </Link>
          ))}
        </div>
      </section>
    </div>
  );
}
