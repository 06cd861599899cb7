import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import { Alert, Button, Dialog, ErrorAlert, Loading, SelectField, TextField } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { parseConfidence } from "../classification/format";
import { ProgressBar } from "../jobs/progress";
import { type BatchSource, ORDER_MODES, type OrderMode, useDebounced } from "./types";

type Kind = "run" | "segmentation" | "project" | "species";

/**
 * New task batch: a source (one classification run, a segmentation without a run, or every run
 * of a project/species), an optional confidence ceiling, the order, optional blind annotators.
 * The name is checked as it is typed; the task count is previewed before anything is created;
 * a batch the server builds in the background shows its job's progress here.
 */
export function CreateBatchDialog({
  initialRunId,
  onClose,
  onCreated,
}: {
  initialRunId?: string | null;
  onClose: () => void;
  onCreated: (batchId: string) => void;
}) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("run");
  const [runId, setRunId] = useState(initialRunId ?? "");
  const [segmentationId, setSegmentationId] = useState("");
  const [projectId, setProjectId] = useState("");
  const [speciesId, setSpeciesId] = useState("");
  // A name to start from (checked like a typed one), so a batch can be made without inventing one.
  const [name, setName] = useState(defaultBatchName);
  const [description, setDescription] = useState("");
  const [threshold, setThreshold] = useState("");
  const [orderMode, setOrderMode] = useState<OrderMode>("onset");
  const [assignees, setAssignees] = useState<string[]>([]);

  const runs = useQuery(
    trpc.classification.listRuns.queryOptions(
      { status: "completed", limit: 200 },
      { enabled: kind === "run" },
    ),
  );
  const segs = useQuery(
    trpc.segmentation.overview.queryOptions(
      { page: 1, pageSize: 100, status: "completed" },
      { enabled: kind === "segmentation" },
    ),
  );
  const projects = useQuery(trpc.projects.list.queryOptions(undefined, { enabled: kind === "project" }));
  const species = useQuery(trpc.species.list.queryOptions(undefined, { enabled: kind === "species" }));
  const members = useQuery(trpc.groups.members.queryOptions());

  const source: BatchSource | null =
    kind === "run"
      ? runId
        ? { kind: "run", runId }
        : null
      : kind === "segmentation"
        ? segmentationId
          ? { kind: "segmentation", segmentationId }
          : null
        : kind === "project"
          ? projectId
            ? { kind: "scope", projectId }
            : null
          : speciesId
            ? { kind: "scope", speciesId }
            : null;
  const thresholdValue = parseConfidence(threshold);
  const thresholdError =
    threshold.trim() && thresholdValue === undefined ? "A number from 0 to 1 (or 0–100 %)" : undefined;

  const debouncedName = useDebounced(name.trim(), 300);
  const nameCheck = useQuery(
    trpc.tasks.batchNameAvailable.queryOptions(
      { name: debouncedName },
      { enabled: debouncedName.length > 0, staleTime: 0 },
    ),
  );
  const nameSettled = debouncedName === name.trim();
  const nameTaken = nameSettled && nameCheck.data?.available === false;

  const previewInput = {
    source: source ?? { kind: "scope" as const },
    ...(thresholdValue !== undefined ? { confidenceThreshold: thresholdValue } : {}),
    orderMode,
  };
  const preview = useQuery(
    trpc.tasks.createBatchPreview.queryOptions(previewInput, {
      enabled: source !== null && !thresholdError,
      staleTime: 0,
    }),
  );
  const create = useMutation(
    trpc.tasks.createBatch.mutationOptions({
      onSuccess: (r) => {
        if (!r.jobId) onCreated(r.batchId);
      },
    }),
  );
  const jobId = create.data?.jobId ?? null;
  const job = useQuery(
    trpc.jobs.get.queryOptions(
      { jobId: jobId ?? "" },
      {
        enabled: jobId !== null,
        refetchInterval: (q) =>
          q.state.data && (q.state.data.status === "queued" || q.state.data.status === "running")
            ? 700
            : false,
      },
    ),
  );
  const jobDone = job.data?.status === "completed";
  const p = preview.data;
  const blind = assignees.length >= 2;

  return (
    <Dialog title="Create a task batch" onClose={onClose}>
      <form
        className="stack"
        aria-label="Create a task batch"
        onSubmit={(e) => {
          e.preventDefault();
          if (!source || nameTaken || thresholdError || !name.trim()) return;
          create.mutate({
            name: name.trim(),
            ...(description.trim() ? { description: description.trim() } : {}),
            source,
            ...(thresholdValue !== undefined ? { confidenceThreshold: thresholdValue } : {}),
            orderMode,
            ...(assignees.length ? { assigneeIds: assignees } : {}),
          });
        }}
      >
        <TextField
          label="Batch name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          error={nameTaken ? "A batch with this name already exists in your group" : undefined}
          hint={
            name.trim() && nameSettled && nameCheck.data?.available ? (
              <span data-name-state="available">Name available</span>
            ) : name.trim() && (!nameSettled || nameCheck.isFetching) ? (
              "Checking…"
            ) : (
              // the create button stays greyed out until then: say why
              "Name the batch to create it"
            )
          }
        />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <SelectField label="Calls from" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="run">A classification run</option>
          <option value="segmentation">A segmentation (no classification)</option>
          <option value="project">Every run of a project</option>
          <option value="species">Every run of a species</option>
        </SelectField>
        {kind === "run" ? (
          <SelectField label="Run" value={runId} onChange={(e) => setRunId(e.target.value)} required>
            <option value="">Choose a completed run…</option>
            {runId && runs.data && !runs.data.items.some((r) => r.id === runId) ? (
              <option value={runId}>The run from the link</option>
            ) : null}
            {runs.data?.items.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} — {r.recording.name}
                {r.isDummy ? " (dummy)" : ""}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind === "segmentation" ? (
          <SelectField
            label="Segmentation"
            value={segmentationId}
            onChange={(e) => setSegmentationId(e.target.value)}
            required
          >
            <option value="">Choose a segmented recording…</option>
            {segs.data?.items
              .filter((i) => i.active)
              .map((i) => (
                <option key={i.recordingId} value={i.active?.id}>
                  {i.name} — {i.active?.name} ({i.active?.segmentCount} segments)
                </option>
              ))}
          </SelectField>
        ) : null}
        {kind === "project" ? (
          <SelectField
            label="Project"
            value={projectId}
            onChange={(e) => setProjectId(e.target.value)}
            required
          >
            <option value="">Choose a project…</option>
            {projects.data?.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind === "species" ? (
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => setSpeciesId(e.target.value)}
            required
          >
            <option value="">Choose a species…</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
        ) : null}
        <div className="grid-2">
          <TextField
            label="Confidence threshold"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            placeholder="e.g. 0.8 (optional)"
            error={thresholdError}
            hint="Only calls whose top probability is at or below it become tasks."
          />
          <SelectField
            label="Order"
            value={orderMode}
            onChange={(e) => setOrderMode(e.target.value as OrderMode)}
          >
            {ORDER_MODES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </SelectField>
        </div>
        <fieldset className="tasks-assignees">
          <legend>Annotators (optional)</legend>
          <p className="muted small">
            Two or more make a blind batch: each labels every call without seeing the others' labels, and the
            batch page shows their agreement.
          </p>
          <div className="row">
            {members.data?.map((m) => (
              <label key={m.userId} className="checkbox">
                <input
                  type="checkbox"
                  checked={assignees.includes(m.userId)}
                  onChange={(e) =>
                    setAssignees((a) =>
                      e.target.checked ? [...a, m.userId] : a.filter((x) => x !== m.userId),
                    )
                  }
                />
                {m.username}
              </label>
            ))}
          </div>
          {blind ? <span className="badge badge-accent">blind double annotation</span> : null}
        </fieldset>
        {source && preview.isPending ? <Loading what="Counting…" /> : null}
        <ErrorAlert error={preview.error} />
        {p ? (
          <div className="cls-preview" role="status" aria-label="Preview">
            <strong>{p.tasks.toLocaleString()}</strong> task{p.tasks === 1 ? "" : "s"} from{" "}
            <strong>{p.recordings.toLocaleString()}</strong> recording{p.recordings === 1 ? "" : "s"}
            {p.runs ? (
              <>
                {" "}
                (<strong>{p.runs.toLocaleString()}</strong> run{p.runs === 1 ? "" : "s"})
              </>
            ) : null}
          </div>
        ) : null}
        <ErrorAlert error={create.error} />
        {jobId ? (
          <section className="stack" aria-label="Batch job">
            <ProgressBar
              value={job.data ? job.data.progress : null}
              label="Creating the batch"
              detail={job.data?.message || job.data?.status}
            />
            {job.data?.status === "failed" ? (
              <Alert kind="error">{job.data.error ?? "The job failed"}</Alert>
            ) : null}
          </section>
        ) : null}
        <div className="form-actions">
          <Button onClick={onClose}>{create.data ? "Close" : "Cancel"}</Button>
          {create.data && jobId ? (
            <Button variant="primary" disabled={!jobDone} onClick={() => onCreated(create.data.batchId)}>
              Open the batch
            </Button>
          ) : (
            <Button
              type="submit"
              variant="primary"
              busy={create.isPending}
              disabled={!p || p.tasks === 0 || nameTaken || !name.trim() || Boolean(thresholdError)}
            >
              {p ? `Create ${p.tasks.toLocaleString()} tasks` : "Create"}
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

/** "Review 2026-12-08 14:05" in the browser's local time: unique enough to be free, plain enough to keep. */
export function defaultBatchName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `Review ${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
}
