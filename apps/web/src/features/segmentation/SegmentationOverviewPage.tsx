import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { Alert, Button, ErrorAlert, Loading, PageHeader, SelectField, TextField } from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";
import { StatusBadge } from "../jobs/progress";
import { type AlgorithmKey, AlgorithmParams, type ParamValues } from "./ParamForm";
import { Progress } from "./RunPanel";
import "./segmentation.css";

type OverviewStatus = NonNullable<RouterInputs["segmentation"]["overview"]["status"]>;
type OverviewItem = RouterOutputs["segmentation"]["overview"]["items"][number];
type BatchResult = RouterOutputs["segmentation"]["startBatch"];

const PAGE_SIZE = 50;
const STATUSES: { value: OverviewStatus | ""; label: string }[] = [
  { value: "", label: "All" },
  { value: "unsegmented", label: "Unsegmented" },
  { value: "active", label: "Running or queued" },
  { value: "completed", label: "Segmented" },
  { value: "failed", label: "Failed" },
];

const inProgress = (i: OverviewItem) => i.status === "pending" || i.status === "running";

/**
 * `/segmentation`: the group's recordings with their segmentation status and live progress;
 * select some (or all unsegmented of a project) and run one parameter set over them as a batch.
 */
export function SegmentationOverviewPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [projectId, setProjectId] = useState("");
  const [status, setStatus] = useState<OverviewStatus | "">("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [batchOpen, setBatchOpen] = useState(false);
  const [form, setForm] = useState<{
    algorithmKey: AlgorithmKey;
    values: ParamValues;
    valid: boolean;
  } | null>(null);
  const [result, setResult] = useState<BatchResult | null>(null);

  const projects = useQuery(trpc.projects.list.queryOptions());
  const input = {
    page,
    pageSize: PAGE_SIZE,
    ...(projectId ? { projectId } : {}),
    ...(status ? { status } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
  };
  const overview = useQuery(
    trpc.segmentation.overview.queryOptions(input, {
      // Live progress while anything on the page runs; a slow poll otherwise (runs started elsewhere).
      refetchInterval: (q) => (q.state.data?.items.some(inProgress) ? 1500 : 10_000),
    }),
  );
  const items = overview.data?.items ?? [];
  const total = overview.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const unsegmented = items.filter((i) => i.status === "unsegmented" || i.status === "failed");
  // Defaults (incl. the species' last values) come from the first selected recording.
  const sourceId = [...selected][0] ?? unsegmented[0]?.recordingId ?? items[0]?.recordingId ?? null;

  const startBatch = useMutation(
    trpc.segmentation.startBatch.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        setSelected(new Set());
        void qc.invalidateQueries({ queryKey: trpc.segmentation.overview.pathKey() });
      },
    }),
  );

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const run = (scope: "selected" | "project") => {
    if (!form?.valid) return;
    setResult(null);
    startBatch.mutate({
      algorithmKey: form.algorithmKey,
      params: form.values,
      onlyUnsegmented: true,
      ...(scope === "project" && projectId ? { projectId } : { recordingIds: [...selected] }),
    });
  };

  return (
    <div className="stack">
      <PageHeader
        title="Segmentation"
        description="Step 2 — find the calls in each recording. Open a recording to preview parameters and edit segments by hand."
      />
      <section className="card stack" aria-label="Filters">
        <div className="row" style={{ alignItems: "flex-end" }}>
          <SelectField
            label="Project"
            value={projectId}
            onChange={(e) => {
              setProjectId(e.target.value);
              setPage(1);
              setSelected(new Set());
            }}
          >
            <option value="">All projects</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as OverviewStatus | "");
              setPage(1);
            }}
          >
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Search recordings"
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </div>
        <div className="seg-toolbar">
          <Button size="sm" onClick={() => setSelected(new Set(unsegmented.map((i) => i.recordingId)))}>
            Select unsegmented on this page ({unsegmented.length})
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={selected.size === 0}
            onClick={() => setSelected(new Set())}
          >
            Clear selection
          </Button>
          <Button variant="primary" disabled={!sourceId} onClick={() => setBatchOpen((o) => !o)}>
            {batchOpen ? "Hide batch run" : "Batch segmentation…"}
          </Button>
        </div>
      </section>

      {batchOpen && sourceId ? (
        <section className="card stack" aria-label="Batch segmentation">
          <h2>Batch segmentation</h2>
          <p className="small muted">
            One parameter set for every chosen recording; recordings that already have a segmentation (or one
            running) are skipped.
          </p>
          <AlgorithmParams recordingId={sourceId} onChange={setForm} />
          <div className="seg-toolbar">
            <Button
              variant="primary"
              busy={startBatch.isPending}
              disabled={!form?.valid || selected.size === 0}
              onClick={() => run("selected")}
            >
              Segment {selected.size} selected
            </Button>
            <Button
              busy={startBatch.isPending}
              disabled={!form?.valid || !projectId}
              onClick={() => run("project")}
            >
              Segment all unsegmented in this project
            </Button>
          </div>
          <ErrorAlert error={startBatch.error} />
          {result ? (
            <Alert kind={result.queued.length ? "success" : "warning"}>
              {result.queued.length} run{result.queued.length === 1 ? "" : "s"} queued
              {result.skipped.length ? `, ${result.skipped.length} skipped` : ""}.
              {result.skipped.length ? (
                <ul className="seg-issues">
                  {result.skipped.map((s) => (
                    <li key={s.recordingId}>
                      {items.find((i) => i.recordingId === s.recordingId)?.name ?? s.recordingId}: {s.reason}
                    </li>
                  ))}
                </ul>
              ) : null}
            </Alert>
          ) : null}
        </section>
      ) : null}

      <section className="card table-wrap" aria-label="Recordings">
        {overview.isPending ? <Loading /> : null}
        <ErrorAlert error={overview.error} />
        {overview.data && items.length === 0 ? (
          <p className="muted">
            No recordings match. Upload recordings on the <Link to="/recordings">Recordings</Link> page.
          </p>
        ) : null}
        {items.length > 0 ? (
          <table className="table" aria-label="Recordings and their segmentation">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={items.length > 0 && items.every((i) => selected.has(i.recordingId))}
                    onChange={(e) =>
                      setSelected(e.target.checked ? new Set(items.map((i) => i.recordingId)) : new Set())
                    }
                  />
                </th>
                <th>Recording</th>
                <th>Project</th>
                <th>Species</th>
                <th>Duration</th>
                <th>Segmentation</th>
                <th>Active</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.recordingId}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${i.name}`}
                      checked={selected.has(i.recordingId)}
                      onChange={() => toggle(i.recordingId)}
                    />
                  </td>
                  <td>
                    <Link to={`/recordings/${i.recordingId}/segmentation`}>{i.name}</Link>
                    {i.processingStatus !== "ready" ? (
                      <div className="small muted">processing: {i.processingStatus}</div>
                    ) : null}
                  </td>
                  <td>{i.projectName ?? "—"}</td>
                  <td>{i.speciesName ? <em>{i.speciesName}</em> : "—"}</td>
                  <td>{i.duration != null ? `${i.duration.toFixed(2)} s` : "—"}</td>
                  <td>
                    {inProgress(i) && i.latest ? (
                      <Progress value={i.latest.progress} label={`Segmentation progress of ${i.name}`} />
                    ) : (
                      <StatusBadge status={i.status} />
                    )}
                    {i.status === "failed" && i.latest?.error ? (
                      <div className="field-error small">{i.latest.error}</div>
                    ) : null}
                  </td>
                  <td className="small">
                    {i.active ? (
                      <>
                        {i.active.name} · {i.active.segmentCount} segments
                        {i.active.manuallyEdited ? " · edited" : ""}
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {pages > 1 ? (
          <nav className="row" aria-label="Pages" style={{ justifyContent: "space-between" }}>
            <Button size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous
            </Button>
            <span className="small muted">
              Page {page} of {pages} · {total} recordings
            </span>
            <Button size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next
            </Button>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
