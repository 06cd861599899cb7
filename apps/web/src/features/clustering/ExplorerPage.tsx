import { clusterName } from "@battycoda/core/clustering/names";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import {
  Alert,
  Button,
  ErrorAlert,
  Loading,
  PageHeader,
  SelectField,
  TextArea,
  TextField,
} from "../../components/ui";
import { WorkActions } from "../../components/WorkActions";
import { type RouterOutputs, useTRPC, useTRPCClient } from "../../lib/trpc";
import { CallPreview, spectrogramUrl } from "../classification/CallPreview";
import { usePlayback } from "../playback/usePlayback";
import { Scatter } from "./Scatter";
import { clusterColour, decodePoints, type ScatterData } from "./scatter";
import "./clustering.css";

type Run = RouterOutputs["clustering"]["getRun"];
type Points = RouterOutputs["clustering"]["points"];
type Cluster = Run["clusters"][number];

/** `/clustering/runs/:runId` — progress while it runs, then the explorer. */
export function ExplorerPage() {
  const { runId = "" } = useParams();
  const trpc = useTRPC();
  const run = useQuery(
    trpc.clustering.getRun.queryOptions(
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
        <PageHeader title="Clustering run" />
        <ErrorAlert error={run.error} />
        <Link to="/clustering">Back to clustering</Link>
      </div>
    );
  return <RunView run={run.data} />;
}

function RunView({ run }: { run: Run }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const active = run.status === "pending" || run.status === "running";
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.clustering.pathKey() });
  const cancel = useMutation(trpc.clustering.cancelRun.mutationOptions({ onSuccess: invalidate }));
  const retry = useMutation(trpc.clustering.retryRun.mutationOptions({ onSuccess: invalidate }));
  const m = run.metrics;
  return (
    <div className="stack">
      <PageHeader
        title={run.name}
        description={`${run.algorithm} on ${run.featureSet}${run.band ? ` ${run.band.minHz / 1000}–${run.band.maxHz / 1000} kHz` : ""} · ${run.status}`}
        actions={
          <>
            <WorkActions
              canCancel={active}
              canRetry={run.status === "failed" || run.status === "cancelled"}
              cancelling={cancel.isPending}
              retrying={retry.isPending}
              onCancel={() => cancel.mutate({ runId: run.id })}
              onRetry={() => retry.mutate({ runId: run.id })}
            />
            <Link to="/clustering" className="btn">
              All runs
            </Link>
          </>
        }
      />
      <ErrorAlert error={cancel.error ?? retry.error} />
      {active ? (
        <section className="card" aria-label="Progress">
          <progress max={1} value={run.progress} aria-label="Clustering progress" />{" "}
          <span data-testid="run-progress">{Math.round(run.progress * 100)}%</span>
        </section>
      ) : null}
      {run.error ? <Alert kind="error">{run.error}</Alert> : null}
      {run.status === "completed" && m ? (
        <section className="card cl-metrics" aria-label="Quality">
          <span>
            Silhouette (noise excluded):{" "}
            <strong>{m.silhouette === null ? "n/a" : m.silhouette.toFixed(3)}</strong>
          </span>
          <span>
            Clusters:{" "}
            <strong data-testid="cluster-count">{run.clusters.filter((c) => c.index >= 0).length}</strong>
          </span>
          <span>Clustered calls: {m.clustered.toLocaleString()}</span>
          <span>Noise: {m.noise.toLocaleString()}</span>
          {m.skipped > 0 ? <span>Too short to measure: {m.skipped}</span> : null}
          <span>Embedding: {m.embedding}</span>
          {m.fitSample < m.clustered + m.noise ? <span>Fitted on a sample of {m.fitSample}</span> : null}
          {m.sweep ? (
            <span className="cl-sweep" title="Silhouette per k">
              k sweep:{" "}
              {m.sweep.map((s) => (
                <span key={s.k} className="cl-sweep-k">
                  k={s.k}: {s.silhouette === null ? "–" : s.silhouette.toFixed(2)}
                </span>
              ))}
            </span>
          ) : null}
        </section>
      ) : null}
      {run.status === "completed" ? <Explorer run={run} /> : null}
    </div>
  );
}

function Explorer({ run }: { run: Run }) {
  const trpc = useTRPC();
  const points = useQuery(trpc.clustering.points.queryOptions({ runId: run.id }, { staleTime: 60_000 }));
  if (points.isPending) return <Loading what="Loading the scatter…" />;
  if (points.error || !points.data) return <ErrorAlert error={points.error} />;
  return <ExplorerView run={run} points={points.data} />;
}

function ExplorerView({ run, points }: { run: Run; points: Points }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const data: ScatterData = useMemo(() => decodePoints(points), [points]);
  const clusterIndexes = useMemo(() => points.clusters.map((c) => c.index), [points.clusters]);
  const [focusId, setFocusId] = useState<string | null>(null);
  const [selection, setSelection] = useState<Uint8Array | null>(null);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const [checked, setChecked] = useState<string[]>([]);
  const focusPos = focusId ? points.clusters.findIndex((c) => c.id === focusId) : -1;
  const selectedCount = useMemo(() => (selection ? selection.reduce((s, v) => s + v, 0) : 0), [selection]);
  const refresh = async () => {
    setSelection(null);
    await qc.invalidateQueries({ queryKey: trpc.clustering.pathKey() });
  };
  const split = useMutation(trpc.clustering.splitCluster.mutationOptions({ onSuccess: refresh }));
  const merge = useMutation(
    trpc.clustering.mergeClusters.mutationOptions({
      onSuccess: async () => {
        setChecked([]);
        await refresh();
      },
    }),
  );
  const rec = (i: number) => points.recordings[data.recording[i] as number];
  const focusCluster = run.clusters.find((c) => c.id === focusId) ?? null;

  return (
    <div className="cl-explorer">
      <section className="card cl-plot" aria-label="Scatter">
        <Scatter
          data={data}
          clusterIndexes={clusterIndexes}
          focus={focusPos >= 0 ? focusPos : null}
          selection={selection}
          onSelect={setSelection}
          onHover={(i, at) => setHover(i === null || !at ? null : { i, x: at.x, y: at.y })}
          onPick={(i) => {
            setPicked(i);
            const pos = data.cluster[i] as number;
            setFocusId(points.clusters[pos]?.id ?? null);
          }}
        />
        {hover ? <HoverCard data={data} points={points} i={hover.i} x={hover.x} y={hover.y} /> : null}
        {picked !== null && rec(picked) ? (
          <PickedCall
            key={`${picked}`}
            recording={rec(picked) as Points["recordings"][number]}
            onset={data.onset[picked] as number}
            offset={data.offset[picked] as number}
          />
        ) : null}
        <div className="cl-selection" aria-live="polite">
          {selection ? (
            <>
              <span data-testid="selection-count">{selectedCount} calls selected</span>
              <Button
                size="sm"
                busy={split.isPending}
                onClick={() =>
                  split.mutate({
                    runId: run.id,
                    segmentIds: data.segmentIds.filter((_, i) => selection[i] === 1),
                  })
                }
              >
                Make the selection a new cluster
              </Button>
            </>
          ) : (
            <span className="muted small">Lasso calls to split them off into a new cluster.</span>
          )}
          <ErrorAlert error={split.error} />
        </div>
      </section>
      <aside className="card cl-side" aria-label="Clusters">
        <h2>Clusters</h2>
        <ul className="cl-legend">
          {run.clusters.map((c) => (
            <li key={c.id} data-selected={c.id === focusId ? "true" : "false"}>
              <input
                type="checkbox"
                aria-label={`Choose ${clusterName(c)} for merging`}
                checked={checked.includes(c.id)}
                onChange={(e) =>
                  setChecked(e.target.checked ? [...checked, c.id] : checked.filter((x) => x !== c.id))
                }
              />
              <button
                type="button"
                className="cl-legend-item"
                onClick={() => setFocusId(c.id === focusId ? null : c.id)}
              >
                <span className="cl-swatch" style={{ background: clusterColour(c.index) }} />
                {clusterName(c)} <span className="muted">({c.size})</span>
                {c.mappings[0] ? <span className="cl-map-tag">→ {c.mappings[0].shortName}</span> : null}
              </button>
            </li>
          ))}
        </ul>
        {checked.length >= 2 ? (
          <Button
            size="sm"
            busy={merge.isPending}
            onClick={() => merge.mutate({ runId: run.id, clusterIds: checked })}
          >
            Merge {checked.length} clusters
          </Button>
        ) : null}
        <ErrorAlert error={merge.error} />
        {focusCluster ? <ClusterPanel key={focusCluster.id} run={run} cluster={focusCluster} /> : null}
        <MappingActions run={run} />
      </aside>
    </div>
  );
}

function HoverCard({
  data,
  points,
  i,
  x,
  y,
}: {
  data: ScatterData;
  points: Points;
  i: number;
  x: number;
  y: number;
}) {
  const r = points.recordings[data.recording[i] as number];
  if (!r) return null;
  const onset = data.onset[i] as number;
  const offset = data.offset[i] as number;
  const c = points.clusters[data.cluster[i] as number];
  return (
    <div className="cl-hover" style={{ left: x + 14, top: y + 14 }} data-testid="hover-card">
      <img
        src={spectrogramUrl(r.id, onset, offset, { duration: r.duration, width: 200, height: 100 })}
        width={200}
        height={100}
        alt={`Spectrogram of the call at ${onset.toFixed(3)} s`}
      />
      <div className="small">
        {r.name} · {onset.toFixed(3)} s · {c ? clusterName(c) : ""}
      </div>
    </div>
  );
}

/** Plays the clicked call once (time-expanded 10×); the user's click is the gesture that allows audio. */
function PickedCall({
  recording,
  onset,
  offset,
}: {
  recording: Points["recordings"][number];
  onset: number;
  offset: number;
}) {
  const player = usePlayback(recording.id, recording.sampleRate ?? 250_000);
  const { play } = player;
  useEffect(() => {
    void play({ start: onset, end: offset, channel: "mix" }, { mode: "expand", factor: 10, tuneHz: 0 });
  }, [play, onset, offset]);
  return (
    <div className="small cl-picked" data-testid="picked-call" data-audio-state={player.contextState}>
      Playing {recording.name} at {onset.toFixed(3)} s (1/10 speed)
      {player.error ? <span className="field-error"> — {player.error}</span> : null}
    </div>
  );
}

function ClusterPanel({ run, cluster }: { run: Run; cluster: Cluster }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [label, setLabel] = useState(cluster.label);
  const [description, setDescription] = useState(cluster.description);
  const mapped = cluster.mappings[0];
  const [callTypeId, setCallTypeId] = useState(mapped?.callTypeId ?? "");
  const [confidence, setConfidence] = useState(String(mapped?.confidence ?? 1));
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.clustering.pathKey() });
  const update = useMutation(trpc.clustering.updateCluster.mutationOptions({ onSuccess: invalidate }));
  const setMapping = useMutation(trpc.clustering.setMapping.mutationOptions({ onSuccess: invalidate }));
  const members = useInfiniteQuery(
    trpc.clustering.members.infiniteQueryOptions(
      { clusterId: cluster.id, limit: 24 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined, initialCursor: 0 },
    ),
  );
  const conf = Number(confidence);
  return (
    <div className="cl-panel" data-testid="cluster-panel">
      <h3>{clusterName(cluster)}</h3>
      <form
        className="stack-sm"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ clusterId: cluster.id, label, description });
        }}
      >
        <TextField label="Name" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={200} />
        <TextArea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={2}
        />
        <Button type="submit" size="sm" busy={update.isPending}>
          Save name
        </Button>
        <ErrorAlert error={update.error} />
      </form>
      <form
        className="stack-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setMapping.mutate({ clusterId: cluster.id, callTypeId: callTypeId || null, confidence: conf });
        }}
      >
        {run.callTypes.length === 0 ? (
          <p className="muted small">
            The run's recordings have no single species with call types to map to.
          </p>
        ) : (
          <>
            <SelectField label="Call type" value={callTypeId} onChange={(e) => setCallTypeId(e.target.value)}>
              <option value="">Not mapped</option>
              {run.callTypes.map((ct) => (
                <option key={ct.id} value={ct.id}>
                  {ct.shortName}
                  {ct.longName ? ` — ${ct.longName}` : ""}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Mapping confidence (0–1)"
              inputMode="decimal"
              value={confidence}
              onChange={(e) => setConfidence(e.target.value)}
              error={Number.isFinite(conf) && conf >= 0 && conf <= 1 ? undefined : "between 0 and 1"}
            />
            <Button
              type="submit"
              size="sm"
              busy={setMapping.isPending}
              disabled={!(Number.isFinite(conf) && conf >= 0 && conf <= 1)}
            >
              Save mapping
            </Button>
          </>
        )}
        <ErrorAlert error={setMapping.error} />
      </form>
      <h4>Members</h4>
      <ErrorAlert error={members.error} />
      <div className="cl-members">
        {members.data?.pages.flatMap((p) =>
          p.items.map((m) => (
            <CallPreview
              key={m.segmentId}
              recordingId={m.recordingId}
              sampleRate={null}
              onset={m.onset}
              offset={m.offset}
              label={`${m.recordingName} ${m.onset.toFixed(3)} s`}
              width={120}
              height={70}
            />
          )),
        )}
      </div>
      {members.hasNextPage ? (
        <Button size="sm" busy={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()}>
          More
        </Button>
      ) : null}
    </div>
  );
}

function MappingActions({ run }: { run: Run }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const qc = useQueryClient();
  const [overwrite, setOverwrite] = useState(false);
  const [batchName, setBatchName] = useState(`Review ${run.name}`.slice(0, 200));
  const apply = useMutation(
    trpc.clustering.applyMapping.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.clustering.pathKey() }),
    }),
  );
  const batch = useMutation(trpc.clustering.mappingBatch.mutationOptions());
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const mapped = run.clusters.filter((c) => c.mappings.length > 0).length;
  const download = async (which: "clusters" | "mappings") => {
    setDownloadError(null);
    try {
      const r =
        which === "clusters"
          ? await client.clustering.clustersCsv.query({ runId: run.id })
          : await client.clustering.mappingsCsv.query({ runId: run.id });
      const url = URL.createObjectURL(new Blob([r.csv], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = r.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError(err);
    }
  };
  return (
    <div className="cl-actions stack-sm">
      <h3>Mapping</h3>
      <p className="small muted">
        {mapped} of {run.clusters.length} clusters mapped to a call type.
      </p>
      <label className="small">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace
        labels calls already have
      </label>
      <Button
        size="sm"
        variant="primary"
        disabled={mapped === 0}
        busy={apply.isPending}
        onClick={() => apply.mutate({ runId: run.id, overwrite })}
      >
        Apply mapping as labels
      </Button>
      {apply.data ? (
        <p className="small" role="status" data-testid="apply-result">
          {apply.data.updated} calls labelled.
        </p>
      ) : null}
      <ErrorAlert error={apply.error} />
      <TextField label="Review batch name" value={batchName} onChange={(e) => setBatchName(e.target.value)} />
      <Button
        size="sm"
        disabled={mapped === 0 || !batchName.trim()}
        busy={batch.isPending}
        onClick={() => batch.mutate({ runId: run.id, name: batchName.trim() })}
      >
        Create a task batch to review
      </Button>
      {batch.data ? (
        <p className="small" role="status">
          <Link to={`/tasks/batches/${batch.data.batchId}`}>
            {batch.data.tasks} tasks {batch.data.jobId ? "being created (see Jobs)" : "created"}
          </Link>
        </p>
      ) : null}
      <ErrorAlert error={batch.error} />
      <h3>Exports</h3>
      <div className="cl-row">
        <Button size="sm" onClick={() => void download("clusters")}>
          Clusters CSV
        </Button>
        <Button size="sm" onClick={() => void download("mappings")}>
          Mappings CSV
        </Button>
      </div>
      <ErrorAlert error={downloadError} />
    </div>
  );
}
