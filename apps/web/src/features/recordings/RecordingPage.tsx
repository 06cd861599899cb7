import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { NotFoundOrOtherGroup } from "../../components/OtherGroupNotice";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import {
  Alert,
  Button,
  Dialog,
  ErrorAlert,
  Loading,
  PageHeader,
  SelectField,
  TextArea,
  TextField,
} from "../../components/ui";
import { fieldErrors } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";
import { formatSeconds, jobEta, ProgressBar, StatusBadge } from "../jobs/progress";
import { PlaybackControls } from "../playback/PlaybackControls";
import { usePlayback } from "../playback/usePlayback";
import {
  type Channel,
  SpectrogramViewer,
  type TimeSelection,
  useSaveColormap,
  type ViewerSegment,
  type ViewRange,
} from "../spectrogram";
import { formatBytes } from "../uploads/transport";
import { formatDuration, formatHz } from "./format";
import { setMediaVersion } from "./media-version";
import { TimeExpansionField } from "./TimeExpansionField";

type Recording = RouterOutputs["recordings"]["get"];

export function RecordingPage() {
  const { recordingId = "" } = useParams();
  const trpc = useTRPC();
  const rec = useQuery(
    trpc.recordings.get.queryOptions(
      { recordingId },
      {
        // Live while the recording is being processed (job progress, then the spectrogram appears).
        refetchInterval: (q) => {
          const r = q.state.data;
          if (!r) return false;
          const busy =
            r.processingStatus === "pending" ||
            r.processingStatus === "processing" ||
            r.jobs.some((j) => j.status === "queued" || j.status === "running") ||
            // a split original: its parts' statuses while their spectrograms are made
            (r.split?.role === "parent" &&
              r.split.parts.some(
                (p) => p.processingStatus === "pending" || p.processingStatus === "processing",
              ));
          return busy ? 1000 : false;
        },
      },
    ),
  );
  const profile = useQuery(trpc.profile.get.queryOptions());
  if (rec.isPending) return <Loading what="Loading recording…" />;
  if (rec.error)
    return <NotFoundOrOtherGroup error={rec.error} kind="recording" id={recordingId} what="recording" />;
  const r = rec.data;
  setMediaVersion(r.id, r.sha256);
  return (
    <div className="stack">
      <PageHeader
        title={
          <>
            {r.name} <StatusBadge status={r.processingStatus} error={r.processingError} />
          </>
        }
        description={
          <>
            <Link to="/recordings">Recordings</Link>
            {r.projectName ? (
              <>
                {" · "}
                <Link to={`/projects/${r.projectId}`}>{r.projectName}</Link>
              </>
            ) : null}
            {r.speciesName ? (
              <>
                {" · "}
                <em>{r.speciesName}</em>
              </>
            ) : null}
          </>
        }
        actions={<RecordingActions recording={r} />}
      />
      {r.split?.role === "part" ? <PartNav recording={r} /> : null}
      {r.truncated ? (
        <Alert kind="warning">
          <span data-testid="truncated-notice">
            Truncated file: the header declares {formatDuration(r.declaredDuration)} of audio but the file
            holds only {formatDuration(r.duration)}. The recording keeps what is there.
          </span>
        </Alert>
      ) : null}
      {r.processingStatus === "failed" ? (
        <Alert kind="error">
          Processing failed: {r.processingError ?? "unknown error"}. The recording is kept; retry the job from
          the <Link to="/jobs?status=failed">Jobs page</Link>.
        </Alert>
      ) : null}
      <JobsPanel recording={r} />
      {isSplitParent(r) ? (
        <SplitParentCard recording={r} />
      ) : (r.hasSpectrogram || r.processingStatus === "pending" || r.processingStatus === "processing") &&
        r.duration &&
        r.sampleRate ? (
        // While the spectrogram job runs the server draws the view straight from the WAV.
        <section className="card" aria-label="Spectrogram viewer">
          {/* A new time base (a time expansion declared) starts a new view. */}
          <Viewer
            key={`${r.sha256}:${r.sampleRate}:${r.duration}`}
            recording={r}
            colormap={profile.data?.spectrogramColormap}
          />
        </section>
      ) : r.processingStatus !== "failed" ? (
        <section className="card" aria-label="Spectrogram viewer">
          <p className="muted">The spectrogram appears here once it has been generated.</p>
        </section>
      ) : null}
      <MetadataCard recording={r} />
    </div>
  );
}

/** The uploaded original of a split recording: file kept, no spectrogram of its own. */
function isSplitParent(r: Recording): boolean {
  return r.split?.role === "parent" || (r.partCount != null && r.partIndex == null && !r.parentRecordingId);
}

/** A part's place in its split recording: "Part i of N" of the original, previous / next part. */
function PartNav({ recording: r }: { recording: Recording }) {
  const split = r.split;
  if (!split) return null;
  const at = split.parts.findIndex((p) => p.id === r.id);
  const prev = at > 0 ? split.parts[at - 1] : undefined;
  const next = at >= 0 ? split.parts[at + 1] : undefined;
  return (
    <nav className="card row part-nav" aria-label="Parts of the split recording">
      <strong>
        Part {r.partIndex ?? "?"} of {r.partCount ?? split.parts.length}
      </strong>
      <span className="muted">
        {split.parent ? (
          <>
            of <Link to={`/recordings/${split.parent.id}`}>{split.parent.name}</Link> (the original file)
          </>
        ) : (
          "(the original recording was deleted)"
        )}
      </span>
      <span className="row" style={{ marginLeft: "auto" }}>
        {prev ? (
          <Link className="btn btn-sm" to={`/recordings/${prev.id}`} rel="prev">
            ← Previous part ({prev.partIndex})
          </Link>
        ) : null}
        {next ? (
          <Link className="btn btn-sm" to={`/recordings/${next.id}`} rel="next">
            Next part ({next.partIndex}) →
          </Link>
        ) : null}
      </span>
    </nav>
  );
}

/** In place of the viewer on a split original: what happened, and its parts to open. */
function SplitParentCard({ recording: r }: { recording: Recording }) {
  const parts = r.split?.parts ?? [];
  const count = r.partCount ?? parts.length;
  return (
    <section className="card stack" aria-label="Parts">
      <h2>Split into {count} parts</h2>
      <p className="muted">
        This long recording was split into parts on upload. Its original file is kept here unchanged; it has
        no spectrogram of its own. Open a part to see its spectrogram, listen to it and segment it.
      </p>
      {parts.length === 0 ? (
        <p className="muted small">The parts are being created…</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Parts of this recording">
            <thead>
              <tr>
                <th>Part</th>
                <th>Name</th>
                <th>Duration</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {parts.map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.partIndex ?? "?"} / {count}
                  </td>
                  <td>
                    <Link to={`/recordings/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>{formatDuration(p.duration)}</td>
                  <td>
                    <StatusBadge status={p.processingStatus} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Viewer({ recording: r, colormap }: { recording: Recording; colormap: string | undefined }) {
  const duration = r.duration ?? 0;
  const sampleRate = r.sampleRate ?? 1;
  const [cursor, setCursor] = useState<number | null>(null);
  const [selection, setSelection] = useState<TimeSelection | null>(null);
  const [channel, setChannel] = useState<Channel>("mix");
  const [view, setView] = useState<ViewRange>({
    t0: 0,
    t1: duration <= 30 ? duration : 10,
    fMin: 0,
    fMax: sampleRate / 2,
  });
  const player = usePlayback(r.id, sampleRate);
  const segments = useActiveSegments(r.id, view);
  const saveColormap = useSaveColormap();
  return (
    <div className="stack">
      <SpectrogramViewer
        recordingId={r.id}
        duration={duration}
        sampleRate={sampleRate}
        channels={r.channels ?? 1}
        {...(colormap ? { colormap } : {})}
        onColormapChange={saveColormap}
        cursorTime={cursor}
        onCursorChange={(t) => {
          setCursor(t);
          setSelection(null);
        }}
        selection={selection}
        onSelectionChange={setSelection}
        playheadTime={player.playhead}
        view={view}
        onViewChange={setView}
        channel={channel}
        onChannelChange={setChannel}
        segments={segments.items}
      />
      <PlaybackControls
        player={player}
        sampleRate={sampleRate}
        channel={channel}
        cursorTime={cursor}
        selection={selection}
        viewStart={view.t0}
        viewEnd={view.t1}
        spaceToggles
      />
      <p className="small">
        {segments.active ? (
          <>
            Segments of the active segmentation <strong>{segments.active.name}</strong> (
            {segments.active.segmentCount}){segments.truncated ? " — zoom in to see all of them" : ""}.{" "}
          </>
        ) : (
          "No active segmentation. "
        )}
        <Link to={`/recordings/${r.id}/segmentation`}>Segment this recording</Link>
      </p>
      <p className="small muted">
        Time expansion plays the clip slowed down (pitch divided by the same factor); heterodyne mixes with
        the tuning frequency and plays in real time (a call at f is heard at |f − tuning|). Clips are
        peak-normalised.
        {selection
          ? ` Selection: ${selection.start.toFixed(3)}–${selection.end.toFixed(3)} s.`
          : cursor != null
            ? ` Cursor: ${cursor.toFixed(3)} s.`
            : ""}
      </p>
    </div>
  );
}

/**
 * Segments of the recording's active segmentation inside (a snapped superset of) the view, read
 * only; editing lives on the segmentation editor page. The window is snapped to a power-of-two grid
 * so panning and zooming reuse cached answers instead of asking on every frame.
 */
function useActiveSegments(recordingId: string, view: ViewRange) {
  const trpc = useTRPC();
  const list = useQuery(trpc.segmentation.list.queryOptions({ recordingId }));
  const active = list.data?.items.find((s) => s.isActive && s.status === "completed") ?? null;
  const span = Math.max(1e-3, view.t1 - view.t0);
  const q = 2 ** Math.floor(Math.log2(span));
  const start = Math.max(0, Math.floor(view.t0 / q) * q);
  const end = Math.max(start + q, Math.ceil(view.t1 / q) * q);
  const win = useQuery(
    trpc.segmentation.segments.window.queryOptions(
      { segmentationId: active?.id ?? "", start, end },
      { enabled: !!active, placeholderData: keepPreviousData },
    ),
  );
  const items: ViewerSegment[] = active
    ? (win.data?.items ?? []).map((s) => ({
        id: s.id,
        onset: s.onset,
        offset: s.offset,
        lowFreq: s.lowFreq,
        highFreq: s.highFreq,
        label: s.label,
      }))
    : [];
  return { active, items, truncated: win.data?.truncated ?? false };
}

function JobsPanel({ recording: r }: { recording: Recording }) {
  const active = r.jobs.filter((j) => j.status === "queued" || j.status === "running");
  const recent = r.jobs.filter((j) => j.status === "failed").slice(0, 3);
  if (active.length === 0 && recent.length === 0) return null;
  return (
    <section className="card stack" aria-label="Processing">
      <h2>Processing</h2>
      {active.map((j) => (
        <div key={j.id} className="stack">
          <div className="row">
            <code>{j.type}</code> <StatusBadge status={j.status} />
          </div>
          <ProgressBar
            label={`${j.type} progress`}
            value={j.status === "queued" ? null : j.progress}
            detail={[j.message, formatSeconds(jobEta(j.startedAt, j.progress))].filter(Boolean).join(" · ")}
          />
        </div>
      ))}
      {recent.map((j) => (
        <Alert kind="error" key={j.id}>
          <code>{j.type}</code> failed: {j.error ?? "unknown error"}
        </Alert>
      ))}
    </section>
  );
}

function MetadataCard({ recording: r }: { recording: Recording }) {
  const rows: [string, string][] = [
    ["Duration", formatDuration(r.duration)],
    [
      "Sample rate",
      r.timeExpansion && r.sampleRate
        ? `${formatHz(r.sampleRate)} (time-expanded ×${r.timeExpansion} file: its header says ${formatHz(r.sampleRate / r.timeExpansion)}; times and frequencies here are the bat's)`
        : formatHz(r.sampleRate),
    ],
    ["Channels", r.channels != null ? String(r.channels) : "—"],
    ["Bit depth", r.bitDepth != null ? `${r.bitDepth}-bit ${r.format ?? ""}` : "—"],
    ["File", `${r.originalFilename || "—"} (${formatBytes(r.fileSize)})`],
    ["Recorded", r.recordedDate ? new Date(r.recordedDate).toLocaleDateString() : "—"],
    ["Location", r.location || "—"],
    ["Equipment", r.equipment || "—"],
    ["Conditions", r.environmentalConditions || "—"],
    ["Uploaded", new Date(r.createdAt).toLocaleString()],
  ];
  return (
    <section className="card" aria-label="Metadata">
      <h2>Metadata</h2>
      {r.description ? <p>{r.description}</p> : null}
      <dl className="kv">
        {rows.map(([k, v]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function RecordingActions({ recording: r }: { recording: Recording }) {
  const [open, setOpen] = useState<"edit" | "move" | "delete" | null>(null);
  return (
    <>
      {isSplitParent(r) ? null : (
        <Link className="btn btn-sm btn-primary" to={`/recordings/${r.id}/segmentation`}>
          Segmentation editor
        </Link>
      )}
      <Button size="sm" onClick={() => setOpen("edit")}>
        Edit
      </Button>
      <Button size="sm" onClick={() => setOpen("move")}>
        Move
      </Button>
      <Button size="sm" variant="danger" onClick={() => setOpen("delete")}>
        Delete
      </Button>
      {open === "edit" ? <EditDialog recording={r} onClose={() => setOpen(null)} /> : null}
      {open === "move" ? <MoveDialog recording={r} onClose={() => setOpen(null)} /> : null}
      {open === "delete" ? <DeleteDialog recording={r} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function useInvalidateRecordings() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: trpc.recordings.pathKey() });
}

function EditDialog({ recording: r, onClose }: { recording: Recording; onClose: () => void }) {
  const trpc = useTRPC();
  const species = useQuery(trpc.species.list.queryOptions());
  const invalidate = useInvalidateRecordings();
  const [form, setForm] = useState({
    name: r.name,
    description: r.description,
    recordedDate: r.recordedDate ? new Date(r.recordedDate).toISOString().slice(0, 10) : "",
    location: r.location,
    equipment: r.equipment,
    environmentalConditions: r.environmentalConditions,
    speciesId: r.speciesId ?? "",
    timeExpansion: String(r.timeExpansion ?? 1),
  });
  // A factor can be declared once, on a whole recording: what a file states, or a split's parts, stay as they are.
  const canExpand = r.timeExpansion === null && r.parentRecordingId === null && !isSplitParent(r);
  const update = useMutation(
    trpc.recordings.update.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onClose();
      },
    }),
  );
  const errs = fieldErrors(update.error);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({
      recordingId: r.id,
      name: form.name,
      description: form.description,
      recordedDate: form.recordedDate || null,
      location: form.location,
      equipment: form.equipment,
      environmentalConditions: form.environmentalConditions,
      speciesId: form.speciesId || null,
      ...(canExpand && form.timeExpansion !== "1" ? { timeExpansion: Number(form.timeExpansion) } : {}),
    });
  };
  return (
    <Dialog title="Edit recording" onClose={onClose}>
      <form className="form" onSubmit={onSubmit}>
        <TextField label="Name" value={form.name} onChange={set("name")} error={errs.name} required />
        <SelectField
          label="Species"
          value={form.speciesId}
          onChange={set("speciesId")}
          error={errs.speciesId}
        >
          <option value="">— none —</option>
          <SpeciesOptions species={species.data} />
        </SelectField>
        <TextField
          label="Recorded date"
          type="date"
          value={form.recordedDate}
          onChange={set("recordedDate")}
          error={errs.recordedDate}
        />
        <TextField label="Location" value={form.location} onChange={set("location")} error={errs.location} />
        <TextField
          label="Equipment"
          value={form.equipment}
          onChange={set("equipment")}
          error={errs.equipment}
        />
        <TextField
          label="Environmental conditions"
          value={form.environmentalConditions}
          onChange={set("environmentalConditions")}
          error={errs.environmentalConditions}
        />
        <TextArea label="Description" value={form.description} onChange={set("description")} rows={3} />
        <TimeExpansionField
          value={form.timeExpansion}
          onChange={set("timeExpansion")}
          error={errs.timeExpansion}
          disabled={!canExpand}
          hint={
            canExpand
              ? "A time-expansion detector's file that does not say so (10 for a ×10 file): the recording is read again in real time. Not once it has segmentations."
              : r.timeExpansion
                ? `The file states ×${r.timeExpansion}.`
                : "A split recording keeps the time base it was split on: upload the file again with its factor."
          }
        />
        <ErrorAlert error={Object.keys(errs).length ? null : update.error} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={update.isPending}>
            Save
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

function MoveDialog({ recording: r, onClose }: { recording: Recording; onClose: () => void }) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const invalidate = useInvalidateRecordings();
  const [projectId, setProjectId] = useState(r.projectId ?? "");
  const move = useMutation(
    trpc.recordings.move.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onClose();
      },
    }),
  );
  return (
    <Dialog title="Move to another project" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate({ recordingId: r.id, projectId: projectId || null });
        }}
      >
        <SelectField label="Project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          <option value="">— no project —</option>
          {projects.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <ErrorAlert error={move.error} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={move.isPending}>
            Move
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ recording: r, onClose }: { recording: Recording; onClose: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const invalidate = useInvalidateRecordings();
  const preview = useQuery(trpc.recordings.previewDelete.queryOptions({ recordingId: r.id }));
  const del = useMutation(
    trpc.recordings.delete.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        navigate("/recordings");
      },
    }),
  );
  const p = preview.data;
  return (
    <Dialog title={`Delete “${r.name}”?`} onClose={onClose}>
      {preview.isPending ? <Loading what="Checking what goes with it…" /> : null}
      <ErrorAlert error={preview.error} />
      {p ? (
        <>
          <p>This permanently deletes the recording and everything that depends on it:</p>
          <ul>
            <li>
              {p.segmentations} segmentations with {p.segments} segments
            </li>
            <li>{p.tasks} annotation tasks</li>
            <li>
              {p.classificationRuns} classification runs ({p.classificationResults} results)
            </li>
            <li>
              {p.files.length} files ({formatBytes(p.bytes)}): audio and spectrogram
            </li>
          </ul>
          {isSplitParent(r) ? (
            <p className="small muted">
              Its {r.split?.parts.length ?? r.partCount} parts are separate recordings and are kept.
            </p>
          ) : null}
        </>
      ) : null}
      <ErrorAlert error={del.error} />
      <div className="form-actions">
        <Button
          variant="danger"
          disabled={!p}
          busy={del.isPending}
          onClick={() => del.mutate({ recordingId: r.id })}
        >
          Delete permanently
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </Dialog>
  );
}
