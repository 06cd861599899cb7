import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Button, ErrorAlert, formatDate, Loading, PageHeader } from "../../components/ui";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";
import { CallPreview } from "./CallPreview";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { pct } from "./format";
import "./classification.css";

type Classifier = RouterOutputs["classifiers"]["get"];
type Cell = { trueLabel: string; predictedLabel: string; count: number };

/** `/classification/classifiers/:classifierId`: CV metrics, confusion matrix, the calls behind a cell. */
export function ClassifierPage() {
  const { classifierId = "" } = useParams();
  const trpc = useTRPC();
  const q = useQuery(trpc.classifiers.get.queryOptions({ classifierId }));
  if (q.isPending) return <Loading />;
  if (q.error || !q.data)
    return (
      <div className="stack">
        <PageHeader title="Classifier" />
        <ErrorAlert error={q.error} />
        <Link to="/classification/classifiers">All classifiers</Link>
      </div>
    );
  return <ClassifierView c={q.data} />;
}

function ClassifierView({ c }: { c: Classifier }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [cell, setCell] = useState<Cell | null>(null);
  const del = useMutation(
    trpc.classifiers.delete.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.classifiers.pathKey() });
        navigate("/classification/classifiers");
      },
    }),
  );
  const m = c.metrics;
  return (
    <div className="stack">
      <PageHeader
        title={
          <>
            {c.name} {c.isGlobal ? <span className="badge">global</span> : null}
          </>
        }
        description={
          <>
            <Link to="/classification/classifiers">Classifiers</Link> · <code>{c.type}</code>
            {c.speciesName ? (
              <>
                {" "}
                for <em>{c.speciesName}</em>
              </>
            ) : null}{" "}
            · version {c.version}
          </>
        }
        actions={
          c.isGlobal ? null : (
            <Button
              variant="danger"
              busy={del.isPending}
              onClick={() => {
                if (window.confirm(`Delete the classifier "${c.name}"?`)) del.mutate({ classifierId: c.id });
              }}
            >
              Delete
            </Button>
          )
        }
      />
      <ErrorAlert error={del.error} />
      {c.description ? <p>{c.description}</p> : null}
      {m ? (
        <>
          <section className="grid-3" aria-label="Cross-validated metrics">
            {(
              [
                ["Balanced accuracy", pct(m.balancedAccuracy)],
                ["Accuracy", pct(m.accuracy)],
                ["Macro F1", m.macroF1 == null ? "—" : m.macroF1.toFixed(3)],
              ] as const
            ).map(([label, v]) => (
              <div className="card" key={label}>
                <div className="muted small">{label}</div>
                <div className="stat">{v}</div>
              </div>
            ))}
          </section>
          <p className="small muted">
            Stratified {m.folds}-fold cross-validation (seed {m.seed}) over {m.n.toLocaleString()} calls.
          </p>
          <section className="card stack" aria-label="Confusion">
            <h2>Confusion matrix</h2>
            <p className="small muted">
              Rows are the true call types, columns the out-of-fold predictions; colour is the share of the
              row. Click a cell to list the calls behind it.
            </p>
            <ConfusionMatrix
              labels={m.confusionMatrix.labels}
              matrix={m.confusionMatrix.matrix}
              selected={cell}
              onSelect={setCell}
            />
            {cell ? <CellCalls classifierId={c.id} cell={cell} onClose={() => setCell(null)} /> : null}
          </section>
          <section className="card table-wrap" aria-label="Per class">
            <h2>Per call type</h2>
            <table className="table" aria-label="Per-class metrics">
              <thead>
                <tr>
                  <th>Call type</th>
                  <th>Precision</th>
                  <th>Recall</th>
                  <th>F1</th>
                  <th>Support</th>
                </tr>
              </thead>
              <tbody>
                {m.perClass.map((p) => (
                  <tr key={p.label}>
                    <td>{p.label}</td>
                    <td className="mono">{pct(p.precision)}</td>
                    <td className="mono">{pct(p.recall)}</td>
                    <td className="mono">{p.f1 == null ? "—" : p.f1.toFixed(3)}</td>
                    <td className="mono">{p.support}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : (
        <section className="card">
          <p className="muted">
            {c.type === "dummy"
              ? "The dummy classifier gives every call type the same probability; it has no metrics."
              : "No cross-validation metrics recorded for this classifier."}
          </p>
        </section>
      )}
      <section className="card" aria-label="Details">
        <h2>Details</h2>
        <dl className="kv">
          <dt>Created</dt>
          <dd>{formatDate(c.createdAt)}</dd>
          <dt>Training rows</dt>
          <dd>{c.trainingRows?.toLocaleString() ?? "—"}</dd>
          <dt>Classes</dt>
          <dd>{c.classes.join(", ") || "—"}</dd>
          <dt>Source</dt>
          <dd>{c.source ? c.source.kind : "—"}</dd>
          <dt>Training-data hash</dt>
          <dd className="mono small">{c.trainingDataHash ?? "—"}</dd>
          <dt>Features</dt>
          <dd className="small">{c.featureNames.length > 0 ? c.featureNames.join(", ") : "—"}</dd>
        </dl>
        <details className="cls-stamp">
          <summary>Parameters and R environment</summary>
          <pre className="mono small">
            {JSON.stringify({ parameters: c.parameters, rInfo: c.rInfo }, null, 2)}
          </pre>
        </details>
      </section>
    </div>
  );
}

function CellCalls({
  classifierId,
  cell,
  onClose,
}: {
  classifierId: string;
  cell: Cell;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const q = useQuery(
    trpc.classifiers.confusionCell.queryOptions({
      classifierId,
      trueLabel: cell.trueLabel,
      predictedLabel: cell.predictedLabel,
      limit: 50,
    }),
  );
  return (
    <section className="cls-cellcalls stack" aria-label="Calls in the cell">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3>
          True <strong>{cell.trueLabel}</strong>, predicted <strong>{cell.predictedLabel}</strong>
          {q.data ? (
            <span className="muted small">
              {" "}
              — {q.data.total.toLocaleString()} call{q.data.total === 1 ? "" : "s"}
            </span>
          ) : null}
        </h3>
        <Button size="sm" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      {q.isPending ? <Loading /> : null}
      <ErrorAlert error={q.error} />
      {q.data && q.data.items.length === 0 ? <p className="muted small">No calls in this cell.</p> : null}
      {q.data && q.data.items.length > 0 ? (
        <ul className="cls-callgrid">
          {q.data.items.map((it) => (
            <li key={it.row} className="card">
              {it.segmentId && it.recordingId && it.onset != null && it.offset != null ? (
                <>
                  <CallPreview
                    recordingId={it.recordingId}
                    sampleRate={null}
                    onset={it.onset}
                    offset={it.offset}
                    label={`call ${it.row} of ${it.recordingName ?? "recording"}`}
                    width={200}
                    height={100}
                  />
                  <div className="small">
                    <Link to={`/recordings/${it.recordingId}`}>{it.recordingName ?? "recording"}</Link>{" "}
                    <span className="mono muted">{it.onset.toFixed(3)} s</span>
                  </div>
                </>
              ) : (
                <div className="small muted">
                  Training row {it.row} <br />
                  (from a features table — no audio)
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {q.data && q.data.total > q.data.items.length ? (
        <p className="small muted">
          Showing {q.data.items.length} of {q.data.total}.
        </p>
      ) : null}
    </section>
  );
}
