import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { SpeciesOptions } from "../../components/SpeciesOptions";
import { Alert, Button, PageHeader, SelectField, TextArea, TextField } from "../../components/ui";
import { useUser } from "../../lib/session";
import { type RouterOutputs, useTRPC } from "../../lib/trpc";
import { ProgressBar, StatusBadge } from "../jobs/progress";
import { TimeExpansionField } from "../recordings/TimeExpansionField";
import {
  formatBytes,
  formatEta,
  TUS_THRESHOLD_BYTES,
  tusUpload,
  type UploadProgress,
  xhrUpload,
} from "./transport";

type Mode = "single" | "zip";
type Meta = {
  name: string;
  description: string;
  recordedDate: string;
  location: string;
  equipment: string;
  environmentalConditions: string;
  speciesId: string;
  projectId: string;
  timeExpansion: string;
};
const emptyMeta: Meta = {
  name: "",
  description: "",
  recordedDate: "",
  location: "",
  equipment: "",
  environmentalConditions: "",
  speciesId: "",
  projectId: "",
  timeExpansion: "",
};
type CreatedRecording = { recording: { id: string; name: string }; jobId: string | null };
type ZipAccepted = { uploadId: string; jobId: string };

function metaEntries(meta: Meta, mode: Mode): [string, string][] {
  return Object.entries(meta).filter(([k, v]) => v.trim() !== "" && !(mode === "zip" && k === "name")) as [
    string,
    string,
  ][];
}

export function UploadPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const groupId = useUser().currentGroup?.id ?? null;
  const projects = useQuery(trpc.projects.list.queryOptions());
  const species = useQuery(trpc.species.list.queryOptions());
  const [mode, setMode] = useState<Mode>(params.get("mode") === "zip" ? "zip" : "single");
  const [meta, setMeta] = useState<Meta>({ ...emptyMeta, projectId: params.get("projectId") ?? "" });
  const [file, setFile] = useState<File | null>(null);
  const [segmentFile, setSegmentFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [resumable, setResumable] = useState(false);
  // Resumable (tus) is chosen automatically above the threshold; users can ask for it for any file.
  const [wantTus, setWantTus] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // ?report=<uploadId> (the Jobs page links here) shows that batch's report.
  const [zipUploadId, setZipUploadId] = useState<string | null>(params.get("report"));
  const abortRef = useRef<AbortController | null>(null);
  useEffect(() => () => abortRef.current?.abort(), []);

  const set = (k: keyof Meta) => (e: { target: { value: string } }) =>
    setMeta({ ...meta, [k]: e.target.value });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setError(mode === "zip" ? "Choose a ZIP file" : "Choose a WAV file");
      return;
    }
    setError(null);
    setBusy(true);
    setProgress({ loaded: 0, total: file.size, rate: 0, eta: null });
    setZipUploadId(null);
    const abort = new AbortController();
    abortRef.current = abort;
    const entries = metaEntries(meta, mode);
    try {
      // Large files (and any file the browser could lose half-way) go through tus; segment files
      // only travel with the multipart route, so a single WAV with one stays multipart.
      const useTus = (wantTus || file.size > TUS_THRESHOLD_BYTES) && !(mode === "single" && segmentFile);
      setResumable(useTus);
      if (useTus) {
        const res = await tusUpload(file, Object.fromEntries(entries), setProgress, {
          signal: abort.signal,
          groupId,
        });
        if (mode === "single" && res.recordingId) navigate(`/recordings/${res.recordingId}`);
        else if (res.uploadId) setZipUploadId(res.uploadId);
        else setError("Upload finished, but the server did not say which recording it made");
      } else {
        const form = new FormData();
        for (const [k, v] of entries) form.append(k, v);
        if (mode === "single" && segmentFile) form.append("segmentFile", segmentFile);
        form.append("file", file);
        if (mode === "single") {
          const res = await xhrUpload<CreatedRecording>(
            "/api/recordings/upload",
            form,
            setProgress,
            abort.signal,
            groupId,
            file.size + (segmentFile?.size ?? 0),
          );
          navigate(`/recordings/${res.recording.id}`);
        } else {
          const res = await xhrUpload<ZipAccepted>(
            "/api/recordings/upload-zip",
            form,
            setProgress,
            abort.signal,
            groupId,
            file.size,
          );
          setZipUploadId(res.uploadId);
        }
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      abortRef.current = null;
    }
  };

  return (
    <div className="stack">
      <PageHeader
        title="Upload recordings"
        description="WAV files with their field metadata. Files are processed in the background: header, splitting of long files, spectrogram."
        actions={<Link to="/recordings">Back to recordings</Link>}
      />
      <div className="row" role="tablist" aria-label="Upload type">
        {(
          [
            ["single", "Single recording"],
            ["zip", "Batch (ZIP)"],
          ] as const
        ).map(([m, label]) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={`btn btn-sm ${mode === m ? "btn-primary" : ""}`}
            onClick={() => {
              setMode(m);
              setFile(null);
              setZipUploadId(null);
              setError(null);
            }}
            disabled={busy}
          >
            {label}
          </button>
        ))}
      </div>
      <form
        className="card form"
        onSubmit={onSubmit}
        aria-label={mode === "zip" ? "Batch upload" : "Upload a recording"}
      >
        <div className="field">
          <label htmlFor="upload-file">{mode === "zip" ? "ZIP file" : "WAV file"}</label>
          <input
            id="upload-file"
            type="file"
            accept={mode === "zip" ? ".zip,application/zip" : ".wav,audio/wav,audio/x-wav"}
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f && f.size > TUS_THRESHOLD_BYTES) setWantTus(true);
              if (f && mode === "single" && !meta.name)
                setMeta((m) => ({ ...m, name: f.name.replace(/\.wav$/i, "") }));
            }}
            disabled={busy}
          />
          <span className="hint">
            {mode === "zip"
              ? "WAVs in any folder; segment files (.pickle, .csv, .txt) named after their WAV are imported with them."
              : `Files over ${formatBytes(TUS_THRESHOLD_BYTES)} upload resumably: if the connection drops or the page reloads, choose the same file again to continue.`}
          </span>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={wantTus || (file?.size ?? 0) > TUS_THRESHOLD_BYTES}
            disabled={busy || (file?.size ?? 0) > TUS_THRESHOLD_BYTES}
            onChange={(e) => setWantTus(e.target.checked)}
          />
          Resumable upload (tus)
        </label>
        {mode === "single" ? (
          <>
            <div className="field">
              <label htmlFor="upload-segments">Segment file (optional)</label>
              <input
                id="upload-segments"
                type="file"
                accept=".pickle,.pkl,.csv,.tsv,.txt"
                onChange={(e) => setSegmentFile(e.target.files?.[0] ?? null)}
                disabled={busy}
              />
              {segmentFile && wantTus ? (
                <span className="hint">
                  A segment file travels with a plain upload, so this one is not resumable.
                </span>
              ) : null}
            </div>
            <TextField
              label="Name"
              value={meta.name}
              onChange={set("name")}
              maxLength={255}
              disabled={busy}
            />
          </>
        ) : (
          <p className="small muted">The metadata below applies to every recording in the ZIP.</p>
        )}
        <div className="grid-2">
          <SelectField label="Project" value={meta.projectId} onChange={set("projectId")} disabled={busy}>
            <option value="">— none —</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <SelectField label="Species" value={meta.speciesId} onChange={set("speciesId")} disabled={busy}>
            <option value="">— none —</option>
            <SpeciesOptions species={species.data} />
          </SelectField>
          <TextField
            label="Recorded date"
            type="date"
            value={meta.recordedDate}
            onChange={set("recordedDate")}
            disabled={busy}
          />
          <TextField label="Location" value={meta.location} onChange={set("location")} disabled={busy} />
          <TextField label="Equipment" value={meta.equipment} onChange={set("equipment")} disabled={busy} />
          <TimeExpansionField
            value={meta.timeExpansion}
            onChange={set("timeExpansion")}
            disabled={busy}
            hint="Only for a time-expansion detector's files that do not say so (10 for a ×10 file); empty for real time"
          />
          <TextField
            label="Environmental conditions"
            value={meta.environmentalConditions}
            onChange={set("environmentalConditions")}
            disabled={busy}
          />
        </div>
        <TextArea
          label="Description"
          value={meta.description}
          onChange={set("description")}
          rows={3}
          disabled={busy}
        />
        {progress ? (
          <div className="stack" aria-live="polite">
            <ProgressBar
              label="Upload progress"
              value={progress.total > 0 ? progress.loaded / progress.total : null}
              detail={`${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}${
                progress.rate > 0
                  ? ` · ${formatBytes(progress.rate)}/s · ${formatEta(progress.eta)} left`
                  : ""
              }${resumable ? " · resumable" : ""}`}
            />
          </div>
        ) : null}
        {error ? <Alert kind="error">{error}</Alert> : null}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {mode === "zip" ? "Upload ZIP" : "Upload"}
          </Button>
          {busy ? (
            <Button onClick={() => abortRef.current?.abort()}>{resumable ? "Pause" : "Cancel"}</Button>
          ) : null}
        </div>
      </form>
      {zipUploadId ? <UploadReport uploadId={zipUploadId} /> : null}
    </div>
  );
}

type UploadView = RouterOutputs["recordings"]["uploadReport"];

/** Polls the batch upload until its job finishes, then shows the per-file report. */
export function UploadReport({ uploadId }: { uploadId: string }) {
  const trpc = useTRPC();
  const report = useQuery(
    trpc.recordings.uploadReport.queryOptions(
      { uploadId },
      {
        refetchInterval: (q) => {
          const s = (q.state.data as UploadView | undefined)?.status;
          return s === "completed" || s === "failed" || s === "expired" ? false : 1000;
        },
      },
    ),
  );
  const u = report.data;
  return (
    <section className="card stack" aria-label="Batch upload report">
      <h2>Batch upload {u ? <StatusBadge status={u.status} error={u.error} /> : null}</h2>
      {report.error ? <Alert kind="error">{report.error.message}</Alert> : null}
      {u && u.status !== "completed" && u.status !== "failed" ? (
        <ProgressBar
          label="Processing progress"
          value={u.job?.progress ?? null}
          detail={u.job?.message || u.status}
        />
      ) : null}
      {u?.error ? <Alert kind="error">{u.error}</Alert> : null}
      {u?.report ? (
        <>
          <p>
            {u.report.summary.created} created · {u.report.summary.rejected} rejected ·{" "}
            {u.report.summary.segmented} with segments
            {u.report.skipped ? ` · ${u.report.skipped} skipped (folders, OS files)` : ""}
          </p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Result</th>
                  <th>Segments</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {u.report.entries.map((e) => (
                  <tr key={e.path}>
                    <td className="mono small">
                      {e.recordingId ? <Link to={`/recordings/${e.recordingId}`}>{e.path}</Link> : e.path}
                    </td>
                    <td>
                      <StatusBadge status={e.status} />
                    </td>
                    <td className="small">
                      {e.segments
                        ? `${e.segments.status}${e.segments.count != null ? ` (${e.segments.count})` : ""}`
                        : "—"}
                    </td>
                    <td className="small">
                      {e.reason ?? e.segments?.reason ?? ""}
                      {e.warning ? (
                        <span className="badge badge-warning" data-testid="upload-warning">
                          {e.warning}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {u.report.unmatchedSegmentFiles.length > 0 ? (
            <Alert kind="warning">
              Segment files without a matching WAV: {u.report.unmatchedSegmentFiles.join(", ")}
            </Alert>
          ) : null}
          {u.report.ambiguousSegmentFiles.length > 0 ? (
            <Alert kind="warning">
              Ambiguous segment files:{" "}
              {u.report.ambiguousSegmentFiles.map((a) => `${a.wav} (${a.candidates.join(", ")})`).join("; ")}
            </Alert>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
