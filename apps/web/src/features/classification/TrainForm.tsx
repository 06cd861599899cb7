import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import { Alert, Button, ErrorAlert, SelectField, TextField } from "../../components/ui";
import { errorMessage, fieldErrors } from "../../lib/errors";
import { type RouterInputs, useTRPC } from "../../lib/trpc";

type TrainInput = RouterInputs["classifiers"]["train"];
type ClassifierType = TrainInput["type"];
const TYPES: { value: ClassifierType; label: string }[] = [
  { value: "knn", label: "KNN (k by cross-validation, distance-weighted)" },
  { value: "lda", label: "LDA" },
  { value: "rf", label: "Random forest (class-weighted)" },
  { value: "ensemble", label: "Ensemble" },
];
/** Larger files are refused before reading: the API caps request bodies too. */
const MAX_CSV_BYTES = 50 * 1024 * 1024;

/**
 * Train a classifier from the group's labelled segments (with per-label counts first) or from
 * an uploaded features CSV (read in the browser and sent as text). A CSV the server rejects
 * shows its line/column message next to the file field.
 */
export function TrainForm({ defaultSpeciesId }: { defaultSpeciesId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [speciesId, setSpeciesId] = useState(defaultSpeciesId);
  const [type, setType] = useState<ClassifierType>("rf");
  const [sourceKind, setSourceKind] = useState<"segments" | "csv">("segments");
  const [projectId, setProjectId] = useState("");
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const species = useQuery(trpc.species.list.queryOptions());
  const projects = useQuery(trpc.projects.list.queryOptions());
  const preview = useQuery(
    trpc.classifiers.trainingPreview.queryOptions(
      { speciesId, ...(projectId ? { projectId } : {}) },
      { enabled: sourceKind === "segments" && Boolean(speciesId), staleTime: 0 },
    ),
  );
  const train = useMutation(
    trpc.classifiers.train.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.classifiers.pathKey() });
      },
    }),
  );
  const fe = fieldErrors(train.error);
  const serverMessage = errorMessage(train.error);
  const csvProblem = sourceKind === "csv" && train.error && !fe.name ? serverMessage : null;
  const canSubmit =
    name.trim() !== "" &&
    speciesId !== "" &&
    (sourceKind === "csv" ? csv !== null : (preview.data?.total ?? 0) > 0);

  return (
    <section className="card stack" aria-label="Train a classifier">
      <h2>Train a classifier</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canSubmit) return;
          train.mutate({
            name: name.trim(),
            speciesId,
            type,
            source:
              sourceKind === "csv"
                ? { kind: "csv", csvText: csv?.text ?? "" }
                : { kind: "segments", ...(projectId ? { projectId } : {}) },
          });
        }}
      >
        <div className="grid-2">
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fe.name}
            required
          />
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => setSpeciesId(e.target.value)}
            required
            error={fe.speciesId}
          >
            <option value="">Choose a species…</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
          <SelectField label="Type" value={type} onChange={(e) => setType(e.target.value as ClassifierType)}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Training data"
            value={sourceKind}
            onChange={(e) => {
              setSourceKind(e.target.value as "segments" | "csv");
              train.reset();
            }}
          >
            <option value="segments">Labelled segments</option>
            <option value="csv">Features CSV file</option>
          </SelectField>
        </div>
        {sourceKind === "segments" ? (
          <div className="stack">
            <SelectField label="Project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">All projects</option>
              {projects.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </SelectField>
            {!speciesId ? <p className="muted small">Choose a species to count its labelled calls.</p> : null}
            <ErrorAlert error={preview.error} />
            {preview.data ? (
              <div aria-label="Labelled calls" role="status">
                <p className="small">
                  <strong>{preview.data.total.toLocaleString()}</strong> labelled call
                  {preview.data.total === 1 ? "" : "s"} usable for training
                  {preview.data.fromTasks > 0
                    ? ` (${preview.data.fromTasks.toLocaleString()} of them labelled in task batches)`
                    : ""}
                </p>
                {preview.data.perLabel.length > 0 ? (
                  <ul className="cls-counts">
                    {preview.data.perLabel.map((l) => (
                      <li key={l.label}>
                        <span className="cls-counts-label">{l.label}</span>
                        <span className="cls-counts-track">
                          <span
                            className="cls-counts-fill"
                            style={{
                              width: `${(l.count / Math.max(1, ...preview.data.perLabel.map((x) => x.count))) * 100}%`,
                            }}
                          />
                        </span>
                        <span className="mono small">{l.count}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted small">
                    Label some segments (or import labels) first, or train from a CSV.
                  </p>
                )}
              </div>
            ) : null}
          </div>
        ) : (
          <div className="field">
            <label htmlFor="train-csv">Features CSV</label>
            <input
              id="train-csv"
              type="file"
              accept=".csv,text/csv"
              aria-invalid={csvProblem || fileError ? true : undefined}
              aria-describedby={csvProblem || fileError ? "train-csv-err" : "train-csv-hint"}
              onChange={async (e) => {
                train.reset();
                setFileError(null);
                const f = e.target.files?.[0];
                if (!f) {
                  setCsv(null);
                  return;
                }
                if (f.size > MAX_CSV_BYTES) {
                  setCsv(null);
                  setFileError(`The file is ${(f.size / 1e6).toFixed(0)} MB; the limit is 50 MB.`);
                  return;
                }
                setCsv({ name: f.name, text: await f.text() });
              }}
            />
            {csvProblem || fileError ? (
              <span className="field-error" id="train-csv-err" role="alert">
                {fileError ?? csvProblem}
              </span>
            ) : (
              <span className="hint" id="train-csv-hint">
                One row per call: the 27 feature columns and a call-type column, as in the reference feature
                tables.
              </span>
            )}
            {csv ? (
              <span className="small muted">
                {csv.name}:{" "}
                {Math.max(0, csv.text.split(/\r?\n/).filter((l) => l.trim()).length - 1).toLocaleString()}{" "}
                rows
              </span>
            ) : null}
          </div>
        )}
        {sourceKind === "segments" ? <ErrorAlert error={train.error} /> : null}
        {train.data ? (
          <Alert kind="success">Training started — follow it in the training jobs list above.</Alert>
        ) : null}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={train.isPending} disabled={!canSubmit}>
            Train
          </Button>
        </div>
      </form>
    </section>
  );
}
