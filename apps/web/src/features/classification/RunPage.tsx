import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import {
  Alert,
  Button,
  CopyButton,
  ErrorAlert,
  formatDate,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";
import { SPEED_FACTORS } from "../playback/usePlayback";
import { formatBandKHz } from "../recordings/format";
import { CallPreview } from "./CallPreview";
import { ConfidenceHistogram } from "./ConfidenceHistogram";
import { parseConfidence, pct } from "./format";
import { ProbabilityBars } from "./ProbabilityBars";
import { RunProgress } from "./RunStatus";
import { ServiceStatusPill } from "./ServiceStatusPill";
import { withParam } from "./search";
import { useRunEtas } from "./useEta";
import "./classification.css";
import { NotFoundOrOtherGroup } from "../../components/OtherGroupNotice";

type Run = RouterOutputs["classification"]["getRun"];
type Result = RouterOutputs["classification"]["listResults"]["items"][number];
type Order = NonNullable<RouterInputs["classification"]["listResults"]["order"]>;
const ORDERS: { value: Order; label: string }[] = [
  { value: "onset", label: "Time in recording" },
  { value: "confidence_desc", label: "Confidence, highest first" },
  { value: "confidence_asc", label: "Confidence, lowest first" },
];
const PAGE = 100;

/** `/classification/runs/:runId` — one run's header, charts, results, labels, downloads, stamp. */
export function RunPage() {
  const { runId = "" } = useParams();
  const trpc = useTRPC();
  const run = useQuery(
    trpc.classification.getRun.queryOptions(
      { runId },
      {
        refetchInterval: (q) =>
          q.state.data && (q.state.data.status === "pending" || q.state.data.status === "running")
            ? 1500
            : false,
      },
    ),
  );
  if (run.isPending) return <Loading />;
  if (run.error || !run.data)
    return (
      <div className="stack">
        <PageHeader title="Classification run" />
        <NotFoundOrOtherGroup
          error={run.error}
          kind="classificationRun"
          id={runId}
          what="classification run"
        />
        <Link to="/classification">Back to classification</Link>
      </div>
    );
  return <RunView run={run.data} />;
}

function RunView({ run }: { run: Run }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const etaOf = useRunEtas([run]);
  const activeRun = run.status === "pending" || run.status === "running";
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.classification.pathKey() });
  const cancel = useMutation(trpc.classification.cancelRun.mutationOptions({ onSuccess: invalidate }));
  const retry = useMutation(trpc.classification.retryRun.mutationOptions({ onSuccess: invalidate }));
  const del = useMutation(
    trpc.classification.deleteRun.mutationOptions({
      onSuccess: () => {
        void invalidate();
        navigate("/classification");
      },
    }),
  );
  const base = `/api/classification-runs/${encodeURIComponent(run.id)}`;
  return (
    <div className="stack">
      <PageHeader
        title={run.name}
        description={
          <>
            <Link to="/classification">Classification</Link> · recording{" "}
            <Link to={`/recordings/${run.recording.id}`}>{run.recording.name}</Link>
            {run.species ? (
              <>
                {" "}
                · <em>{run.species.name}</em>
              </>
            ) : null}
          </>
        }
        actions={
          <>
            <ServiceStatusPill />
            {run.status === "completed" ? (
              <Link className="btn" to={`/tasks?fromRun=${encodeURIComponent(run.id)}`}>
                Create task batch
              </Link>
            ) : null}
            {activeRun ? (
              <Button busy={cancel.isPending} onClick={() => cancel.mutate({ runId: run.id })}>
                Cancel run
              </Button>
            ) : null}
            {run.status === "failed" || run.status === "cancelled" ? (
              <Button busy={retry.isPending} onClick={() => retry.mutate({ runId: run.id })}>
                Retry run
              </Button>
            ) : null}
            {!activeRun ? (
              <Button
                variant="danger"
                busy={del.isPending}
                onClick={() => {
                  if (window.confirm(`Delete the run "${run.name}" and its results?`))
                    del.mutate({ runId: run.id });
                }}
              >
                Delete
              </Button>
            ) : null}
          </>
        }
      />
      <ErrorAlert error={cancel.error ?? retry.error ?? del.error} />
      {run.isDummy ? (
        <Alert kind="warning">
          Dummy classifier: this species had no trained model, so every call type got the same probability.
          These predictions carry no information — train a classifier and classify again.
        </Alert>
      ) : null}
      <section className="card" aria-label="Run status">
        <div className="grid-2">
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <RunProgress run={run} eta={etaOf(run)} />
            </dd>
            <dt>Classifier</dt>
            <dd>
              {run.classifier ? (
                <Link to={`/classification/classifiers/${run.classifier.id}`}>
                  {run.classifier.name} <code>{run.classifier.type}</code>
                </Link>
              ) : (
                "—"
              )}
            </dd>
            <dt>Project</dt>
            <dd>{run.project?.name ?? "—"}</dd>
          </dl>
          <dl className="kv">
            <dt>Created</dt>
            <dd>{formatDate(run.createdAt)}</dd>
            <dt>Started</dt>
            <dd>{formatDate(run.startedAt)}</dd>
            <dt>Finished</dt>
            <dd>{formatDate(run.finishedAt)}</dd>
          </dl>
        </div>
      </section>
      <div className="grid-2">
        <section className="card" aria-label="Confidence">
          <h2>Confidence</h2>
          <ConfidenceHistogram
            binEdges={run.confidenceHistogram.binEdges}
            counts={run.confidenceHistogram.counts}
          />
        </section>
        <section className="card" aria-label="Calls per type">
          <h2>Calls per predicted type</h2>
          <LabelCounts counts={run.labelCounts} />
        </section>
      </div>
      <ResultsSection run={run} />
      <div className="grid-2">
        <ApplyLabels run={run} />
        <section className="card stack" aria-label="Downloads">
          <h2>Downloads</h2>
          <div className="row">
            <a className="btn" href={`${base}/results.csv`} download>
              Results CSV
            </a>
            <a className="btn" href={`${base}/features.csv`} download>
              Features CSV
            </a>
            <a className="btn" href={`${base}/parameters.json`} download>
              Parameters JSON
            </a>
          </div>
          <p className="small muted">Every export carries the reproducibility stamp below.</p>
        </section>
      </div>
      <section className="card stack" aria-label="Methods text">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2>Methods text</h2>
          <CopyButton text={run.methodsText} label="Copy methods text" />
        </div>
        <p className="cls-methods">{run.methodsText}</p>
        <details className="cls-stamp">
          <summary>Reproducibility stamp</summary>
          <pre className="mono small">{JSON.stringify(run.stamp, null, 2)}</pre>
          <h3 className="small">Parameters</h3>
          <pre className="mono small">{JSON.stringify(run.parameters, null, 2)}</pre>
        </details>
      </section>
    </div>
  );
}

function LabelCounts({ counts }: { counts: Run["labelCounts"] }) {
  if (counts.length === 0) return <p className="muted">No results yet.</p>;
  const max = Math.max(1, ...counts.map((c) => c.count));
  const total = counts.reduce((a, c) => a + c.count, 0);
  return (
    <ul className="cls-counts" aria-label="Per call type counts">
      {[...counts]
        .sort((a, b) => b.count - a.count)
        .map((c) => (
          <li key={c.label ?? "∅"}>
            <span className="cls-counts-label">{c.label ?? "unlabelled"}</span>
            <span className="cls-counts-track">
              <span className="cls-counts-fill" style={{ width: `${(c.count / max) * 100}%` }} />
            </span>
            <span className="mono small">
              {c.count} ({((c.count / total) * 100).toFixed(0)}%)
            </span>
          </li>
        ))}
    </ul>
  );
}

function ResultsSection({ run }: { run: Run }) {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const callType = params.get("callType") ?? "";
  const minText = params.get("min") ?? "";
  const maxText = params.get("max") ?? "";
  const orderParam = params.get("order") ?? "onset";
  const order = (ORDERS.some((o) => o.value === orderParam) ? orderParam : "onset") as Order;
  const minConfidence = parseConfidence(minText);
  const maxConfidence = parseConfidence(maxText);
  const rangeError =
    minConfidence !== undefined && maxConfidence !== undefined && minConfidence > maxConfidence
      ? "The minimum is above the maximum"
      : undefined;
  const [factor, setFactor] = useState(10);
  const [selected, setSelected] = useState<Result | null>(null);
  const set = (k: string, v: string) => {
    setParams(withParam(window.location.search, k, v), { replace: true });
  };
  const input = {
    runId: run.id,
    order,
    limit: PAGE,
    ...(callType ? { callType } : {}),
    ...(minConfidence !== undefined && !rangeError ? { minConfidence } : {}),
    ...(maxConfidence !== undefined && !rangeError ? { maxConfidence } : {}),
  };
  const results = useInfiniteQuery(
    trpc.classification.listResults.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      placeholderData: keepPreviousData,
    }),
  );
  // Results arrive in batches while the run works: refresh whenever the polled run moved on
  // (more calls processed, or a new status such as completed).
  const qc = useQueryClient();
  const progressKey = `${run.status}:${run.processedCount}`;
  const lastKey = useRef(progressKey);
  useEffect(() => {
    if (lastKey.current === progressKey) return;
    lastKey.current = progressKey;
    void qc.invalidateQueries({ queryKey: trpc.classification.listResults.pathKey() });
  }, [progressKey, qc, trpc]);
  const rows = results.data?.pages.flatMap((p) => p.items) ?? [];
  const total = results.data?.pages[0]?.total ?? 0;
  const labels = [
    ...new Set([
      ...run.callTypes.map((c) => c.shortName),
      ...run.labelCounts.flatMap((c) => (c.label ? [c.label] : [])),
    ]),
  ];
  return (
    <section className="card stack" aria-label="Results">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2>Results</h2>
        <span className="muted small" aria-live="polite">
          {results.data ? `${total.toLocaleString()} call${total === 1 ? "" : "s"}` : ""}
        </span>
      </div>
      <div className="filters">
        <SelectField
          label="Predicted call type"
          value={callType}
          onChange={(e) => set("callType", e.target.value)}
        >
          <option value="">All call types</option>
          {labels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Min confidence"
          inputMode="decimal"
          placeholder="0–1 or %"
          value={minText}
          onChange={(e) => set("min", e.target.value)}
          error={minText && minConfidence === undefined ? "0–1 or a percentage" : rangeError}
          style={{ width: "7rem" }}
        />
        <TextField
          label="Max confidence"
          inputMode="decimal"
          placeholder="0–1 or %"
          value={maxText}
          onChange={(e) => set("max", e.target.value)}
          error={maxText && maxConfidence === undefined ? "0–1 or a percentage" : undefined}
          style={{ width: "7rem" }}
        />
        <SelectField
          label="Order"
          value={order}
          onChange={(e) => set("order", e.target.value === "onset" ? "" : e.target.value)}
        >
          {ORDERS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Playback speed"
          value={factor}
          onChange={(e) => setFactor(Number(e.target.value))}
        >
          {SPEED_FACTORS.map((f) => (
            <option key={f} value={f}>
              1/{f}
            </option>
          ))}
        </SelectField>
      </div>
      <ErrorAlert error={results.error} />
      <div className="cls-results">
        <div className="table-wrap cls-results-table">
          {results.isPending ? <Loading /> : null}
          {results.data && rows.length === 0 ? (
            <p className="muted">
              {run.status === "completed" ? "No results match these filters." : "No results yet."}
            </p>
          ) : null}
          {rows.length > 0 ? (
            <table className="table" aria-label="Classified calls">
              <thead>
                <tr>
                  <th>Onset (s)</th>
                  <th>Length (ms)</th>
                  <th>Predicted</th>
                  <th>Confidence</th>
                  <th>Probabilities</th>
                  <th>
                    <span className="visually-hidden">Play</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.id}
                    className={selected?.id === r.id ? "cls-row selected" : "cls-row"}
                    aria-selected={selected?.id === r.id}
                    onClick={() => setSelected(r)}
                  >
                    <td className="mono">
                      <button
                        type="button"
                        className="btn-link mono"
                        aria-label={`Show call at ${r.onset.toFixed(3)} s`}
                        onClick={(e) => {
                          e.stopPropagation();
                          setSelected(r);
                        }}
                      >
                        {r.onset.toFixed(3)}
                      </button>
                    </td>
                    <td className="mono">{((r.offset - r.onset) * 1000).toFixed(1)}</td>
                    <td>
                      <strong>{r.predictedLabel ?? "—"}</strong>
                    </td>
                    <td className="mono">{pct(r.confidence)}</td>
                    <td style={{ minWidth: 180 }}>
                      <ProbabilityBars probabilities={r.probabilities} predicted={r.predictedLabel} top={3} />
                    </td>
                    {/* biome-ignore lint/a11y/useKeyWithClickEvents: stops the row's click; the button inside is the control */}
                    <td onClick={(e) => e.stopPropagation()}>
                      <CallPreview
                        recordingId={run.recording.id}
                        sampleRate={run.recording.sampleRate}
                        duration={run.recording.duration}
                        onset={r.onset}
                        offset={r.offset}
                        label={`call at ${r.onset.toFixed(3)} s`}
                        factor={factor}
                        showImage={false}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {results.hasNextPage ? (
            <div className="pager">
              <span className="small muted">
                {rows.length.toLocaleString()} of {total.toLocaleString()} shown
              </span>
              <Button busy={results.isFetchingNextPage} onClick={() => void results.fetchNextPage()}>
                Load {PAGE} more
              </Button>
            </div>
          ) : null}
        </div>
        <aside className="cls-detail" aria-label="Selected call">
          {selected ? (
            <div className="stack">
              <h3>
                {selected.predictedLabel ?? "—"}{" "}
                <span className="muted small">{pct(selected.confidence)}</span>
              </h3>
              <p className="small muted mono">
                {selected.onset.toFixed(4)}–{selected.offset.toFixed(4)} s
                {selected.lowFreq != null && selected.highFreq != null
                  ? ` · ${formatBandKHz(selected.lowFreq, selected.highFreq)} kHz`
                  : ""}
              </p>
              <CallPreview
                key={selected.id}
                recordingId={run.recording.id}
                sampleRate={run.recording.sampleRate}
                duration={run.recording.duration}
                onset={selected.onset}
                offset={selected.offset}
                label={`selected call at ${selected.onset.toFixed(3)} s`}
                factor={factor}
                width={320}
                height={180}
              />
              <ProbabilityBars probabilities={selected.probabilities} predicted={selected.predictedLabel} />
              <Link
                className="small"
                to={`/recordings/${run.recording.id}/segmentation${run.segmentationId ? `?s=${run.segmentationId}&seg=${selected.segmentId}` : ""}`}
              >
                Open in the segmentation editor
              </Link>
            </div>
          ) : (
            <p className="muted small">Click a row to see its spectrogram and play it.</p>
          )}
        </aside>
      </div>
    </section>
  );
}

function ApplyLabels({ run }: { run: Run }) {
  const trpc = useTRPC();
  const [minText, setMinText] = useState("0.8");
  const [overwrite, setOverwrite] = useState(false);
  const min = parseConfidence(minText);
  const apply = useMutation(trpc.classification.applyLabels.mutationOptions());
  return (
    <section className="card stack" aria-label="Apply labels">
      <h2>Apply labels to segments</h2>
      <p className="small muted">
        Writes each call's predicted type onto its segment when the confidence reaches the minimum.
      </p>
      <form
        className="row"
        style={{ alignItems: "flex-end" }}
        onSubmit={(e) => {
          e.preventDefault();
          if (min === undefined) return;
          apply.mutate({ runId: run.id, minConfidence: min, overwrite });
        }}
      >
        <TextField
          label="Minimum confidence"
          inputMode="decimal"
          value={minText}
          onChange={(e) => setMinText(e.target.value)}
          error={min === undefined ? "0–1 or a percentage" : undefined}
          style={{ width: "7rem" }}
        />
        <label className="checkbox">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />{" "}
          Overwrite existing labels
        </label>
        <Button
          type="submit"
          variant="primary"
          busy={apply.isPending}
          disabled={min === undefined || run.status !== "completed"}
        >
          Apply labels
        </Button>
      </form>
      {run.isDummy ? <p className="small field-error">This run used the dummy classifier.</p> : null}
      <ErrorAlert error={apply.error} />
      {apply.data ? (
        <Alert kind="success">
          {apply.data.updated.toLocaleString()} segment{apply.data.updated === 1 ? "" : "s"} labelled.
        </Alert>
      ) : null}
    </section>
  );
}
