import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { ErrorAlert, Loading, PageHeader, SelectField } from "../../components/ui";
import { WorkActions } from "../../components/WorkActions";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";
import { JobSubject } from "./JobSubject";
import { formatSeconds, jobEta, ProgressBar, StatusBadge } from "./progress";

type ListInput = NonNullable<RouterInputs["jobs"]["list"]>;
type Job = RouterOutputs["jobs"]["list"][number];
const STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
type Status = (typeof STATUSES)[number];
/** Job types the worker runs; the filter also accepts any other type from the URL. */
const KNOWN_TYPES = [
  "recording.ingest",
  "spectrogram.generate",
  "upload.process",
  "segmentation.run",
  "segmentation.bands",
  "classification.run",
  "classifier.train",
  "clustering.run",
  "export",
];

export function JobsPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as Status)
    : undefined;
  const type = params.get("type") ?? "";
  const input: ListInput = { limit: 100, ...(status ? { status } : {}), ...(type ? { type } : {}) };
  const jobs = useQuery(
    trpc.jobs.list.queryOptions(input, {
      placeholderData: keepPreviousData,
      // Fast while something is moving, slow otherwise.
      refetchInterval: (q) =>
        q.state.data?.some((j) => j.status === "queued" || j.status === "running") ? 1000 : 5000,
    }),
  );
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.jobs.pathKey() });
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSuccess: invalidate }));
  const retry = useMutation(trpc.jobs.retry.mutationOptions({ onSuccess: invalidate }));
  const setFilter = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next);
  };
  const types = [
    ...new Set([...KNOWN_TYPES, ...(jobs.data?.map((j) => j.type) ?? []), ...(type ? [type] : [])]),
  ];
  const now = Date.now();
  const rows = jobs.data;
  return (
    <div className="stack">
      <PageHeader
        title="Jobs"
        description="Background work for your group — processing, segmentation, classification, training, exports."
      />
      <section className="card" aria-label="Filters">
        <div className="filters">
          <SelectField
            label="Status"
            value={status ?? ""}
            onChange={(e) => setFilter("status", e.target.value)}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
          <SelectField label="Type" value={type} onChange={(e) => setFilter("type", e.target.value)}>
            <option value="">Any type</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </SelectField>
        </div>
      </section>
      <section className="card table-wrap" aria-label="Jobs">
        {jobs.isPending ? <Loading /> : null}
        <ErrorAlert error={jobs.error} />
        <ErrorAlert error={cancel.error ?? retry.error} />
        {rows && rows.length === 0 ? (
          <p className="muted">
            {status || type
              ? "No jobs match these filters."
              : "No background jobs have run for this group yet."}
          </p>
        ) : null}
        {rows && rows.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>Type</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Subject</th>
                <th>Created</th>
                <th>Finished</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((j) => {
                const active = j.status === "queued" || j.status === "running";
                return (
                  <tr key={j.id} data-job-status={j.status}>
                    <td>
                      <code>{j.type}</code>
                    </td>
                    <td>
                      <StatusBadge status={j.status} error={j.error} />
                    </td>
                    <td style={{ minWidth: 220 }}>
                      {j.status === "failed" ? (
                        <span className="field-error small">{j.error ?? "failed"}</span>
                      ) : j.status === "cancelled" ? (
                        // Not a bar: a full one (work done, then cancelled before it was saved) read as success.
                        <span className="muted small">
                          {j.progress > 0
                            ? `stopped at ${Math.round(Math.min(1, j.progress) * 100)} %`
                            : "cancelled before it started"}
                        </span>
                      ) : (
                        <ProgressBar
                          label={`${j.type} progress`}
                          value={j.status === "queued" ? null : j.status === "completed" ? 1 : j.progress}
                          detail={[
                            j.message,
                            active ? formatSeconds(jobEta(j.startedAt, j.progress, now)) : "",
                          ]
                            .filter(Boolean)
                            .join(" · ")}
                        />
                      )}
                    </td>
                    <td data-testid="job-subject">
                      <JobSubject job={j} empty="—" />
                    </td>
                    <td className="small">{new Date(j.createdAt).toLocaleString()}</td>
                    <td className="small">{j.finishedAt ? new Date(j.finishedAt).toLocaleString() : "—"}</td>
                    <td className="actions">
                      <WorkActions
                        size="sm"
                        canCancel={j.canCancel}
                        canRetry={j.canRetry}
                        cancelling={cancel.isPending && cancel.variables?.jobId === j.id}
                        retrying={retry.isPending && retry.variables?.jobId === j.id}
                        onCancel={() => cancel.mutate({ jobId: j.id })}
                        onRetry={() => retry.mutate({ jobId: j.id })}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
