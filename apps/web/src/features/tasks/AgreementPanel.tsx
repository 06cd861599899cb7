import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ErrorAlert, Loading } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { CallPreview } from "../classification/CallPreview";
import { UNKNOWN_LABEL } from "./keyboard";
import type { Agreement, BatchDetail } from "./types";
import { seconds } from "./types";

/** Landis & Koch's words for a kappa, so the number reads without a textbook. */
export function kappaWords(k: number | null): string {
  if (k == null) return "not enough overlap";
  if (k < 0) return "worse than chance";
  if (k <= 0.2) return "slight";
  if (k <= 0.4) return "fair";
  if (k <= 0.6) return "moderate";
  if (k <= 0.8) return "substantial";
  return "almost perfect";
}

const fmt = (k: number | null) => (k == null ? "—" : k.toFixed(2));

/**
 * Blind batches: agreement per pair (Cohen's kappa) and overall (Fleiss' kappa), the calls the
 * annotators disagree on, and the adjudication view where a third person settles each one.
 */
export function AgreementPanel({ batch }: { batch: BatchDetail }) {
  const trpc = useTRPC();
  const agreement = useQuery(trpc.tasks.agreement.queryOptions({ batchId: batch.id }, { staleTime: 0 }));
  const a = agreement.data;
  const name = (id: string) => a?.annotators.find((x) => x.userId === id)?.username ?? id;
  return (
    <>
      <section className="card stack" aria-label="Agreement">
        <h2>Inter-annotator agreement</h2>
        {agreement.isPending ? <Loading /> : null}
        <ErrorAlert error={agreement.error} />
        {a ? (
          <>
            <p>
              Fleiss' kappa over {a.annotators.length} annotators:{" "}
              <strong data-fleiss-kappa={a.fleissKappa ?? ""}>{fmt(a.fleissKappa)}</strong>{" "}
              <span className="muted">({kappaWords(a.fleissKappa)})</span> · {a.n.toLocaleString()} calls
              labelled by everyone
            </p>
            {a.pairs.length ? (
              <table className="table" aria-label="Cohen's kappa per pair">
                <thead>
                  <tr>
                    <th>Annotators</th>
                    <th>Cohen's kappa</th>
                    <th>Calls both labelled</th>
                  </tr>
                </thead>
                <tbody>
                  {a.pairs.map((p) => (
                    <tr key={`${p.a}-${p.b}`}>
                      <td>
                        {name(p.a)} × {name(p.b)}
                      </td>
                      <td>
                        <strong className="mono">{fmt(p.kappa)}</strong>{" "}
                        <span className="muted small">{kappaWords(p.kappa)}</span>
                      </td>
                      <td className="mono">{p.n}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">No pair has labelled the same calls yet.</p>
            )}
          </>
        ) : null}
      </section>
      {a ? <Adjudication batch={batch} agreement={a} /> : null}
    </>
  );
}

function Adjudication({ batch, agreement: a }: { batch: BatchDetail; agreement: Agreement }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [showSettled, setShowSettled] = useState(false);
  const adjudicate = useMutation(
    trpc.tasks.adjudicate.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.tasks.agreement.queryKey({ batchId: batch.id }) });
        void qc.invalidateQueries({ queryKey: trpc.tasks.listTasks.pathKey() });
      },
    }),
  );
  const labels = [...batch.callTypes.map((c) => c.shortName), UNKNOWN_LABEL];
  const open = a.disagreements.filter((d) => d.adjudicatedLabel == null);
  const shown = showSettled ? a.disagreements : open;
  return (
    <section className="card stack" aria-label="Adjudication" id="adjudication">
      <div className="row">
        <h2 style={{ margin: 0 }}>Disagreements and adjudication</h2>
        <span className="muted small">
          {open.length} to settle of {a.disagreements.length}
        </span>
        <span className="header-spacer" />
        <label className="checkbox">
          <input type="checkbox" checked={showSettled} onChange={(e) => setShowSettled(e.target.checked)} />{" "}
          show settled
        </label>
      </div>
      <ErrorAlert error={adjudicate.error} />
      {shown.length === 0 ? (
        <p className="muted">
          {a.disagreements.length ? "Every disagreement is settled." : "No disagreements."}
        </p>
      ) : (
        <table className="table" aria-label="Disagreements">
          <thead>
            <tr>
              <th>Call</th>
              <th>Labels</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.taskId} data-task-id={d.taskId}>
                <td>
                  <div className="small">
                    {d.recordingName} · {seconds(d.onset)}
                  </div>
                  <CallPreviewForTask d={d} />
                </td>
                <td>
                  <ul className="plain-list">
                    {d.labels.map((l) => (
                      <li key={l.userId}>
                        {l.username}: <strong>{l.label}</strong>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <div className="row">
                    {labels.map((l) => (
                      <Button
                        key={l}
                        size="sm"
                        variant={d.adjudicatedLabel === l ? "primary" : "default"}
                        aria-pressed={d.adjudicatedLabel === l}
                        disabled={adjudicate.isPending}
                        onClick={() => adjudicate.mutate({ taskId: d.taskId, label: l })}
                      >
                        {l}
                      </Button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The call's thumbnail and player (its recording comes from getTask, which does not lock). */
function CallPreviewForTask({ d }: { d: Agreement["disagreements"][number] }) {
  const trpc = useTRPC();
  const task = useQuery(trpc.tasks.getTask.queryOptions({ taskId: d.taskId }, { staleTime: 60_000 }));
  if (!task.data) return null;
  return (
    <CallPreview
      recordingId={task.data.recording.id}
      sampleRate={task.data.recording.sampleRate}
      duration={task.data.recording.duration}
      onset={d.onset}
      offset={d.offset}
      label={`call at ${seconds(d.onset)}`}
      width={200}
      height={90}
    />
  );
}
