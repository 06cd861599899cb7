import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { ErrorAlert, formatDate, Loading, PageHeader, SelectField } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { ProgressBar, StatusBadge } from "../jobs/progress";
import { OutdatedClassifierBadge } from "../taxonomy/TaxonomySection";
import { pct } from "./format";
import { ServiceStatusPill } from "./ServiceStatusPill";
import { withParam } from "./search";
import { TrainForm } from "./TrainForm";
import "./classification.css";
import { SpeciesOptions } from "../../components/SpeciesOptions";

/** `/classification/classifiers`: the group's and global classifiers, training jobs, train form. */
export function ClassifiersPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const speciesId = params.get("species") ?? "";
  const species = useQuery(trpc.species.list.queryOptions());
  const list = useQuery(trpc.classifiers.list.queryOptions(speciesId ? { speciesId } : {}));
  const taxonomy = useQuery(trpc.taxonomy.classifierStatus.queryOptions({}));
  const taxonomyOf = new Map((taxonomy.data ?? []).map((t) => [t.classifierId, t]));
  const jobs = useQuery(
    trpc.classifiers.listTrainingJobs.queryOptions(speciesId ? { speciesId } : {}, {
      refetchInterval: (q) =>
        q.state.data?.some((j) => j.status === "pending" || j.status === "running") ? 1500 : 10_000,
    }),
  );
  return (
    <div className="stack">
      <PageHeader
        title="Classifiers"
        description={
          <>
            <Link to="/classification">Classification</Link> · models that label calls, with their
            cross-validated quality.
          </>
        }
        actions={<ServiceStatusPill />}
      />
      <section className="card" aria-label="Filters">
        <div className="filters">
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => {
              setParams(withParam(window.location.search, "species", e.target.value), { replace: true });
            }}
          >
            <option value="">All species</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
        </div>
      </section>
      <section className="card table-wrap" aria-label="Classifier list">
        {list.isPending ? <Loading /> : null}
        <ErrorAlert error={list.error} />
        {list.data && list.data.length === 0 ? (
          <p className="muted">No classifiers yet — train one below.</p>
        ) : null}
        {list.data && list.data.length > 0 ? (
          <table className="table" aria-label="Classifiers">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Species</th>
                <th>Version</th>
                <th>Balanced accuracy</th>
                <th>Accuracy</th>
                <th>Training rows</th>
                <th>Classes</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/classification/classifiers/${c.id}`}>{c.name}</Link>{" "}
                    {c.isGlobal ? <span className="badge">global</span> : null}{" "}
                    <OutdatedClassifierBadge status={taxonomyOf.get(c.id)} />
                  </td>
                  <td>
                    <code>{c.type}</code>
                  </td>
                  <td>{c.speciesName ? <em>{c.speciesName}</em> : "any"}</td>
                  <td>{c.version}</td>
                  <td className="mono">{pct(c.balancedAccuracy)}</td>
                  <td className="mono">{pct(c.accuracy)}</td>
                  <td className="mono">{c.trainingRows?.toLocaleString() ?? "—"}</td>
                  <td className="small">{c.classes.length}</td>
                  <td className="small">{formatDate(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="card table-wrap" aria-label="Training jobs">
        <h2>Training jobs</h2>
        {jobs.isPending ? <Loading /> : null}
        <ErrorAlert error={jobs.error} />
        {jobs.data && jobs.data.length === 0 ? <p className="muted">Nothing trained here yet.</p> : null}
        {jobs.data && jobs.data.length > 0 ? (
          <table className="table" aria-label="Trainings">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Status</th>
                <th>Classifier</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((j) => (
                <tr key={j.id} data-training-status={j.status}>
                  <td>{j.name}</td>
                  <td>
                    <code>{j.type}</code>
                  </td>
                  <td style={{ minWidth: 240 }}>
                    {j.status === "failed" ? (
                      <>
                        <StatusBadge status={j.status} error={j.error} />{" "}
                        <span className="field-error small">{j.error ?? "failed"}</span>
                      </>
                    ) : j.status === "completed" || j.status === "cancelled" ? (
                      <StatusBadge status={j.status} />
                    ) : (
                      <ProgressBar
                        label={`Training ${j.name}`}
                        value={j.status === "running" ? j.progress : null}
                        detail={j.status}
                      />
                    )}
                  </td>
                  <td>
                    {j.classifierId ? (
                      <Link to={`/classification/classifiers/${j.classifierId}`}>open</Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="small">{formatDate(j.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <TrainForm defaultSpeciesId={speciesId} />
    </div>
  );
}
