import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import { Alert, Button, Dialog, ErrorAlert, Loading, SelectField, TextField } from "../../components/ui";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";

type Classifier = RouterOutputs["classifiers"]["list"][number];

/** Classifier choice; "" = automatic (the species' best active classifier, else the dummy). */
function ClassifierPicker({
  value,
  onChange,
  speciesId,
}: {
  value: string;
  onChange: (id: string) => void;
  speciesId?: string | null;
}) {
  const trpc = useTRPC();
  const list = useQuery(trpc.classifiers.list.queryOptions(speciesId ? { speciesId } : {}));
  const label = (c: Classifier) =>
    `${c.name} — ${c.type}${c.speciesName ? `, ${c.speciesName}` : ""}${
      c.balancedAccuracy != null ? `, bal. acc. ${c.balancedAccuracy.toFixed(2)}` : ""
    }${c.isGlobal ? " (global)" : ""}`;
  return (
    <SelectField
      label="Classifier"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      hint="Automatic picks the species' best trained classifier, or the dummy (equal probabilities) when it has none."
    >
      <option value="">Automatic</option>
      {list.data?.map((c) => (
        <option key={c.id} value={c.id}>
          {label(c)}
        </option>
      ))}
    </SelectField>
  );
}

/**
 * Start one run: pick a segmented recording (its active segmentation is classified) and a
 * classifier. `initialSegmentationId` comes from a link elsewhere (?classify=).
 */
export function ClassifyDialog({
  initialSegmentationId,
  onClose,
  onStarted,
}: {
  initialSegmentationId: string | null;
  onClose: () => void;
  onStarted: (runId: string) => void;
}) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [segmentationId, setSegmentationId] = useState(initialSegmentationId ?? "");
  const [classifierId, setClassifierId] = useState("");
  const overview = useQuery(
    trpc.segmentation.overview.queryOptions({
      page: 1,
      pageSize: 50,
      status: "completed",
      ...(search.trim() ? { search: search.trim() } : {}),
    }),
  );
  const items = (overview.data?.items ?? []).filter((i) => i.active);
  const start = useMutation(
    trpc.classification.startRun.mutationOptions({ onSuccess: (r) => onStarted(r.runId) }),
  );
  // A recording uploaded without a species cannot be classified (its call types are unknown): pick the species
  // here, saved on the recording, rather than sending the researcher away to edit it.
  const [speciesId, setSpeciesId] = useState("");
  const setSpecies = useMutation(trpc.recordings.update.mutationOptions());
  const listed = items.find((i) => i.active?.id === segmentationId);
  const known = !!listed;
  // A segmentation from a link may not be among the first recordings listed: its recording is looked up.
  const linked = useQuery(
    trpc.segmentation.get.queryOptions(
      { segmentationId },
      { enabled: !!segmentationId && !known && overview.isSuccess },
    ),
  );
  const linkedRecording = useQuery(
    trpc.recordings.get.queryOptions(
      { recordingId: linked.data?.recording.id ?? "" },
      { enabled: !!linked.data && !known },
    ),
  );
  const chosen = listed
    ? { recordingId: listed.recordingId, speciesName: listed.speciesName }
    : linkedRecording.data
      ? { recordingId: linkedRecording.data.id, speciesName: linkedRecording.data.speciesName }
      : null;
  const needsSpecies = !!chosen && chosen.speciesName === null;
  const species = useQuery(trpc.species.list.queryOptions(undefined, { enabled: needsSpecies }));
  return (
    <Dialog title="Classify a segmentation" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!segmentationId || (needsSpecies && !speciesId)) return;
          void (async () => {
            if (needsSpecies && chosen) {
              const saved = await setSpecies
                .mutateAsync({ recordingId: chosen.recordingId, speciesId })
                .catch(() => null);
              if (!saved) return;
            }
            start.mutate({ segmentationId, ...(classifierId ? { classifierId } : {}) });
          })();
        }}
      >
        <TextField
          label="Find a recording"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {overview.isPending ? <Loading /> : null}
        <ErrorAlert error={overview.error ?? linked.error ?? linkedRecording.error} />
        <SelectField
          label="Segmentation"
          value={segmentationId}
          onChange={(e) => setSegmentationId(e.target.value)}
          required
        >
          <option value="">Choose a segmented recording…</option>
          {segmentationId && !known ? (
            <option value={segmentationId}>
              {linked.data
                ? `${linked.data.recording.name} — ${linked.data.name}${chosen?.speciesName ? ` · ${chosen.speciesName}` : ""}`
                : "The segmentation from the link"}
            </option>
          ) : null}
          {items.map((i) => (
            <option key={i.recordingId} value={i.active?.id}>
              {i.name} — {i.active?.name} ({i.active?.segmentCount} segments)
              {i.speciesName ? ` · ${i.speciesName}` : ""}
            </option>
          ))}
        </SelectField>
        {overview.data && items.length === 0 ? (
          <p className="muted small">No segmented recordings{search ? " match" : " yet"}.</p>
        ) : null}
        {needsSpecies ? (
          <SelectField
            label="Species of this recording"
            value={speciesId}
            onChange={(e) => setSpeciesId(e.target.value)}
            hint="The recording has no species yet; its call types are the classes. Saved on the recording."
            required
          >
            <option value="">Choose a species…</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
        ) : null}
        <ClassifierPicker value={classifierId} onChange={setClassifierId} />
        <ErrorAlert error={setSpecies.error ?? start.error} />
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            busy={setSpecies.isPending || start.isPending}
            disabled={!segmentationId || (needsSpecies && !speciesId)}
          >
            Start classification
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Runs for every active segmentation of a project or species that has none yet, after showing
 * how many recordings / segments that covers.
 */
export function ClassifyUnclassifiedDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: () => void;
}) {
  const trpc = useTRPC();
  const [scope, setScope] = useState<"project" | "species">("species");
  const [projectId, setProjectId] = useState("");
  const [speciesId, setSpeciesId] = useState("");
  const [classifierId, setClassifierId] = useState("");
  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());
  const input = {
    ...(scope === "project" && projectId ? { projectId } : {}),
    ...(scope === "species" && speciesId ? { speciesId } : {}),
    ...(classifierId ? { classifierId } : {}),
  };
  const chosen = scope === "project" ? Boolean(projectId) : Boolean(speciesId);
  const preview = useQuery(
    trpc.classification.classifyUnclassifiedPreview.queryOptions(input, { enabled: chosen, staleTime: 0 }),
  );
  const create = useMutation(
    trpc.classification.classifyUnclassified.mutationOptions({ onSuccess: onCreated }),
  );
  const p = preview.data;
  return (
    <Dialog title="Classify unclassified calls" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) create.mutate(input);
        }}
      >
        <p className="muted small">
          Starts one run for every active segmentation that has not been classified yet.
        </p>
        <SelectField
          label="Scope"
          value={scope}
          onChange={(e) => {
            setScope(e.target.value as "project" | "species");
            create.reset();
          }}
        >
          <option value="species">A species</option>
          <option value="project">A project</option>
        </SelectField>
        {scope === "project" ? (
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
        ) : (
          <SelectField
            label="Species"
            value={speciesId}
            onChange={(e) => setSpeciesId(e.target.value)}
            required
          >
            <option value="">Choose a species…</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
        )}
        <ClassifierPicker
          value={classifierId}
          onChange={setClassifierId}
          speciesId={scope === "species" ? speciesId : null}
        />
        {chosen && preview.isPending ? <Loading what="Counting…" /> : null}
        <ErrorAlert error={preview.error} />
        {p ? (
          <div className="cls-preview" aria-label="Preview" role="status">
            <strong>{p.recordings.toLocaleString()}</strong> recording{p.recordings === 1 ? "" : "s"},{" "}
            <strong>{p.segmentations.toLocaleString()}</strong> segmentation{p.segmentations === 1 ? "" : "s"}
            , <strong>{p.segments.toLocaleString()}</strong> segment{p.segments === 1 ? "" : "s"} to classify
          </div>
        ) : null}
        <ErrorAlert error={create.error} />
        {create.data ? (
          <Alert kind="success">
            Started {create.data.created} run{create.data.created === 1 ? "" : "s"}.
          </Alert>
        ) : null}
        <div className="form-actions">
          <Button onClick={onClose}>{create.data ? "Close" : "Cancel"}</Button>
          {create.data ? null : (
            <Button
              type="submit"
              variant="primary"
              busy={create.isPending}
              disabled={!p || p.segmentations === 0}
            >
              {p ? `Classify ${p.segments.toLocaleString()} segments` : "Classify"}
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
