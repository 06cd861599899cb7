import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { Alert, Button, Dialog, ErrorAlert, SelectField } from "../../components/ui";
import { type RouterInputs, useTRPC } from "../../lib/trpc";
import { ProgressBar } from "../jobs/progress";
import type { BatchDetail } from "./types";

type Method = NonNullable<RouterInputs["tasks"]["retrainFromBatch"]["type"]>;
const METHODS: { value: Method | ""; label: string }[] = [
  { value: "", label: "Same method as the previous version" },
  { value: "rf", label: "Random forest" },
  { value: "lda", label: "LDA" },
  { value: "knn", label: "k-nearest neighbours" },
  { value: "ensemble", label: "Ensemble (LDA + RF + KNN)" },
];

/**
 * Active learning: a new classifier version from the batch's confirmed labels plus the previous
 * training data (the server keeps every version), optionally re-classifying the calls still
 * unlabelled. The job's progress shows here; its metrics are on the classifier's page.
 */
export function RetrainDialog({ batch, onClose }: { batch: BatchDetail; onClose: () => void }) {
  const trpc = useTRPC();
  const [method, setMethod] = useState<Method | "">("");
  const [reclassify, setReclassify] = useState(true);
  const start = useMutation(trpc.tasks.retrainFromBatch.mutationOptions());
  const jobId = start.data?.jobId ?? null;
  const job = useQuery(
    trpc.jobs.get.queryOptions(
      { jobId: jobId ?? "" },
      {
        enabled: jobId !== null,
        refetchInterval: (q) =>
          q.state.data && (q.state.data.status === "queued" || q.state.data.status === "running")
            ? 1000
            : false,
      },
    ),
  );
  return (
    <Dialog title="Retrain from confirmed labels" onClose={onClose}>
      <div className="stack">
        <p className="muted small">
          Trains a new version of the classifier behind this batch from the calls confirmed here as one of the
          species' call types ({batch.doneCount} tasks are done; labels that are no call type, such as
          Unknown, and calls too short to measure are left out: the progress below says how many it trains
          on), plus the previous training data. The previous version stays; the new one's metrics show beside
          it.
        </p>
        <SelectField label="Method" value={method} onChange={(e) => setMethod(e.target.value as Method | "")}>
          {METHODS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </SelectField>
        <label className="checkbox">
          <input type="checkbox" checked={reclassify} onChange={(e) => setReclassify(e.target.checked)} />{" "}
          Then re-classify the calls that are still unlabelled
        </label>
        <ErrorAlert error={start.error} />
        {jobId ? (
          <>
            <ProgressBar
              value={job.data ? job.data.progress : null}
              label="Retraining"
              detail={job.data?.message || job.data?.status}
            />
            {job.data?.status === "failed" ? (
              <Alert kind="error">{job.data.error ?? "Training failed"}</Alert>
            ) : null}
            {job.data?.status === "completed" ? (
              <Alert kind="success">
                Trained. Compare the versions on the{" "}
                <Link to="/classification/classifiers">classifiers page</Link>.
              </Alert>
            ) : null}
          </>
        ) : null}
        <div className="form-actions">
          <Button onClick={onClose}>{jobId ? "Close" : "Cancel"}</Button>
          {jobId ? null : (
            <Button
              variant="primary"
              busy={start.isPending}
              onClick={() =>
                start.mutate({ batchId: batch.id, ...(method ? { type: method } : {}), reclassify })
              }
            >
              Retrain
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
