import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, Button, Dialog, ErrorAlert, formatDate, Loading, PageHeader } from "../../components/ui";
import { useUser } from "../../lib/session";
import { useTRPC } from "../../lib/trpc";
import { pct } from "../classification/format";
import { ProgressBar, StatusBadge } from "../jobs/progress";
import { AgreementPanel } from "./AgreementPanel";
import { RetrainDialog } from "./RetrainDialog";
import { TasksTable } from "./TasksTable";
import { type BatchDetail, batchCsvUrl, exportUrl, ORDER_MODES } from "./types";
import "./tasks.css";
import { NotFoundOrOtherGroup } from "../../components/OtherGroupNotice";

/** `/tasks/batches/:batchId` — one batch: progress, tasks, review, agreement, exports, delete. */
export function BatchPage() {
  const { batchId = "" } = useParams();
  const trpc = useTRPC();
  const batch = useQuery(
    trpc.tasks.getBatch.queryOptions(
      { batchId },
      { refetchInterval: (q) => (q.state.data?.status === "creating" ? 1500 : false) },
    ),
  );
  if (batch.isPending) return <Loading />;
  if (batch.error || !batch.data)
    return (
      <div className="stack">
        <PageHeader title="Task batch" />
        <NotFoundOrOtherGroup error={batch.error} kind="taskBatch" id={batchId} what="task batch" />
        <Link to="/tasks">Back to the task batches</Link>
      </div>
    );
  return <BatchView batch={batch.data} />;
}

function BatchView({ batch: b }: { batch: BatchDetail }) {
  const me = useUser();
  const [deleting, setDeleting] = useState(false);
  const [retraining, setRetraining] = useState(false);
  const finished = b.doneCount + b.skippedCount;
  // A blind annotator must not see the others' labels: the table's labels stay hidden for them.
  const blindAnnotator = b.blind && b.assignees.some((a) => a.userId === me.id);
  return (
    <div className="stack">
      <PageHeader
        title={b.name}
        description={
          <>
            <Link to="/tasks">Tasks</Link>
            {b.project ? <> · project {b.project.name}</> : null}
            {b.species ? (
              <>
                {" "}
                · <em>{b.species.name}</em>
              </>
            ) : null}
            {b.blind ? (
              <>
                {" "}
                · <span className="badge badge-accent">blind</span>
              </>
            ) : null}
          </>
        }
        actions={
          <>
            {b.status === "ready" && (!b.blind || blindAnnotator) ? (
              <Link className="btn btn-primary" to={`/tasks/batches/${b.id}/annotate`}>
                {finished < b.taskCount ? "Annotate" : "Open the annotation screen"}
              </Link>
            ) : null}
            <a className="btn" href={exportUrl({ batchIds: [b.id] }, "xlsx")} download>
              Export .xlsx (ZIP)
            </a>
            <a className="btn" href={batchCsvUrl(b.id)} download>
              Export CSV
            </a>
            {b.status === "ready" && b.doneCount > 0 ? (
              <Button onClick={() => setRetraining(true)}>Retrain from confirmed labels</Button>
            ) : null}
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </>
        }
      />
      <section className="card" aria-label="Batch">
        <div className="grid-2">
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={b.status} error={b.error} />
            </dd>
            <dt>Order</dt>
            <dd>{ORDER_MODES.find((o) => o.value === b.orderMode)?.label ?? b.orderMode}</dd>
            <dt>Confidence threshold</dt>
            <dd>{b.confidenceThreshold == null ? "none (every call)" : `≤ ${pct(b.confidenceThreshold)}`}</dd>
            <dt>Annotators</dt>
            <dd>
              {b.assignees.length ? b.assignees.map((a) => a.username).join(", ") : "anyone in the group"}
            </dd>
            <dt>Created</dt>
            <dd>
              {formatDate(b.createdAt)}
              {b.createdBy ? ` by ${b.createdBy}` : ""}
            </dd>
            {b.description ? (
              <>
                <dt>Description</dt>
                <dd>{b.description}</dd>
              </>
            ) : null}
          </dl>
          <div className="stack">
            {b.status === "creating" ? (
              <ProgressBar value={b.progress} label="Creating the batch" />
            ) : (
              <ProgressBar
                value={b.taskCount ? finished / b.taskCount : 0}
                label="Batch progress"
                detail={`${b.doneCount} done, ${b.skippedCount} skipped, ${b.taskCount - finished} left of ${b.taskCount}`}
              />
            )}
            {b.status === "failed" ? (
              <Alert kind="error">{b.error ?? "Creating the batch failed"}</Alert>
            ) : null}
          </div>
        </div>
      </section>
      {b.blind && b.status === "ready" && !blindAnnotator ? <AgreementPanel batch={b} /> : null}
      {b.status === "ready" ? <TasksTable batch={b} hideLabels={blindAnnotator} /> : null}
      {b.blind && blindAnnotator ? (
        <p className="muted small">
          Blind batch: you see only your own labels. Agreement and adjudication are for the other members of
          the group.
        </p>
      ) : null}
      {deleting ? <DeleteDialog batch={b} onClose={() => setDeleting(false)} /> : null}
      {retraining ? <RetrainDialog batch={b} onClose={() => setRetraining(false)} /> : null}
    </div>
  );
}

function DeleteDialog({ batch, onClose }: { batch: BatchDetail; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const preview = useQuery(
    trpc.tasks.deleteBatchPreview.queryOptions({ batchId: batch.id }, { staleTime: 0 }),
  );
  const del = useMutation(
    trpc.tasks.deleteBatch.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.tasks.pathKey() });
        navigate("/tasks");
      },
    }),
  );
  return (
    <Dialog title={`Delete "${batch.name}"?`} onClose={onClose}>
      <div className="stack">
        {preview.isPending ? <Loading what="Counting…" /> : null}
        <ErrorAlert error={preview.error ?? del.error} />
        {preview.data ? (
          <p role="status" aria-label="What goes">
            This deletes <strong>{preview.data.tasks.toLocaleString()}</strong> task
            {preview.data.tasks === 1 ? "" : "s"}, <strong>{preview.data.labelled.toLocaleString()}</strong>{" "}
            of them labelled. Recordings, segments and classification results stay.
          </p>
        ) : null}
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="danger"
            busy={del.isPending}
            disabled={!preview.data}
            onClick={() => del.mutate({ batchId: batch.id })}
          >
            Delete batch
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
