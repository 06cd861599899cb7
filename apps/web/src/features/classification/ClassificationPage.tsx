import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Alert, Button, ErrorAlert, formatDate, Loading, PageHeader, SelectField } from "../../components/ui";
import { WorkActions } from "../../components/WorkActions";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";
import { ClassifyDialog, ClassifyUnclassifiedDialog } from "./ClassifyDialogs";
import { RunProgress } from "./RunStatus";
import { ServiceStatusPill } from "./ServiceStatusPill";
import { withParam } from "./search";
import { useRunEtas } from "./useEta";
import "./classification.css";
import { SpeciesOptions } from "../../components/SpeciesOptions";

type ListInput = RouterInputs["classification"]["listRuns"];
type Run = RouterOutputs["classification"]["listRuns"]["items"][number];
const STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
type Status = (typeof STATUSES)[number];
const STATUS_LABEL: Record<Status, string> = {
  pending: "queued",
  running: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};
const active = (r: Run) => r.status === "pending" || r.status === "running";

/**
 * `/classification`: the group's runs (one segmentation × one classifier) with live progress and
 * URL filters (?project=&species=&classifier=&status=), the classifier service's state, and the
 * two ways to start runs. `?classify=<segmentationId>` opens the classify dialog for that one.
 */
export function ClassificationPage() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? "";
  const speciesId = params.get("species") ?? "";
  const classifierId = params.get("classifier") ?? "";
  const statusParam = params.get("status") ?? "";
  const status = (STATUSES as readonly string[]).includes(statusParam) ? (statusParam as Status) : undefined;
  const [dialog, setDialog] = useState<"classify" | "unclassified" | null>(
    params.get("classify") ? "classify" : null,
  );

  const input: ListInput = {
    limit: 50,
    ...(projectId ? { projectId } : {}),
    ...(speciesId ? { speciesId } : {}),
    ...(classifierId ? { classifierId } : {}),
    ...(status ? { status } : {}),
  };
  const runs = useInfiniteQuery(
    trpc.classification.listRuns.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
      // Live while anything is queued or running; a slow poll picks up runs started elsewhere.
      refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(active)) ? 1500 : 10_000),
    }),
  );
  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());
  const classifiers = useQuery(trpc.classifiers.list.queryOptions({}));
  const rows = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const etaOf = useRunEtas(rows);

  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.classification.listRuns.pathKey() });
  const cancel = useMutation(trpc.classification.cancelRun.mutationOptions({ onSuccess: invalidate }));
  const retry = useMutation(trpc.classification.retryRun.mutationOptions({ onSuccess: invalidate }));

  const setFilter = (k: string, v: string) => {
    setParams(withParam(window.location.search, k, v), { replace: true });
  };
  const closeDialog = () => {
    setDialog(null);
    if (params.get("classify")) setFilter("classify", "");
  };
  const filtered = Boolean(projectId || speciesId || classifierId || status);

  return (
    <div className="stack">
      <PageHeader
        title="Classification"
        description="Step 3 — label every call with a call type."
        actions={
          <>
            <ServiceStatusPill />
            <Link className="btn" to="/classification/classifiers">
              Classifiers
            </Link>
            <Button onClick={() => setDialog("unclassified")}>Classify unclassified…</Button>
            <Button variant="primary" onClick={() => setDialog("classify")}>
              Classify a segmentation…
            </Button>
          </>
        }
      />
      <section className="card" aria-label="Filters">
        <div className="filters">
          <SelectField
            label="Project"
            value={projectId}
            onChange={(e) => setFilter("project", e.target.value)}
          >
            <option value="">All projects</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => setFilter("species", e.target.value)}
          >
            <option value="">All species</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
          <SelectField
            label="Classifier"
            value={classifierId}
            onChange={(e) => setFilter("classifier", e.target.value)}
          >
            <option value="">All classifiers</option>
            {classifiers.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.type})
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Status"
            value={status ?? ""}
            onChange={(e) => setFilter("status", e.target.value)}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </SelectField>
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              Clear filters
            </Button>
          ) : null}
        </div>
      </section>
      <section className="card table-wrap" aria-label="Classification runs">
        {runs.isPending ? <Loading /> : null}
        <ErrorAlert error={runs.error} />
        <ErrorAlert error={cancel.error ?? retry.error} />
        {runs.data && rows.length === 0 ? (
          <p className="muted">
            {filtered
              ? "No runs match these filters."
              : "No classification runs yet. Classify a segmented recording to see per-call predictions."}
          </p>
        ) : null}
        {rows.length > 0 ? (
          <table className="table" aria-label="Runs">
            <thead>
              <tr>
                <th>Run</th>
                <th>Recording</th>
                <th>Classifier</th>
                <th>Status</th>
                <th>Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-run-status={r.status}>
                  <td>
                    <Link to={`/classification/runs/${r.id}`}>{r.name}</Link>
                    {r.isDummy ? (
                      <>
                        {" "}
                        <span
                          className="badge cls-dummy"
                          title="Equal probabilities: no trained model for this species"
                        >
                          dummy
                        </span>
                      </>
                    ) : null}
                    <div className="small muted">
                      {[r.project?.name, r.species?.name].filter(Boolean).join(" · ") || "—"}
                    </div>
                  </td>
                  <td>
                    <Link to={`/recordings/${r.recording.id}`}>{r.recording.name}</Link>
                  </td>
                  <td>
                    {r.classifier ? (
                      <Link to={`/classification/classifiers/${r.classifier.id}`}>
                        {r.classifier.name} <code>{r.classifier.type}</code>
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td style={{ minWidth: 260 }}>
                    <RunProgress run={r} eta={etaOf(r)} />
                  </td>
                  <td className="small">{formatDate(r.createdAt)}</td>
                  <td className="actions">
                    <WorkActions
                      size="sm"
                      canCancel={active(r)}
                      canRetry={r.status === "failed" || r.status === "cancelled"}
                      cancelling={cancel.isPending && cancel.variables?.runId === r.id}
                      retrying={retry.isPending && retry.variables?.runId === r.id}
                      onCancel={() => cancel.mutate({ runId: r.id })}
                      onRetry={() => retry.mutate({ runId: r.id })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {runs.hasNextPage ? (
          <div className="pager">
            <Button busy={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
              Load more runs
            </Button>
          </div>
        ) : null}
      </section>
      {dialog === "classify" ? (
        <ClassifyDialog
          initialSegmentationId={params.get("classify")}
          onClose={closeDialog}
          onStarted={(runId) => {
            closeDialog();
            void invalidate();
            navigate(`/classification/runs/${runId}`);
          }}
        />
      ) : null}
      {dialog === "unclassified" ? (
        <ClassifyUnclassifiedDialog
          onClose={closeDialog}
          onCreated={() => {
            void invalidate();
          }}
        />
      ) : null}
      {rows.some((r) => r.waitingReason) ? (
        <Alert kind="warning">
          Some runs are waiting for the classifier service; they keep their place and continue when it
          answers.
        </Alert>
      ) : null}
    </div>
  );
}
