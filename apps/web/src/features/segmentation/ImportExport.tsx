import type { ImportSegmentsResult } from "@battycoda/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { Alert, Button } from "../../components/ui";
import { httpErrorFrom } from "../../lib/http-errors";
import { useTRPC } from "../../lib/trpc";

/** A failed import as the form shows it: the server's message and its line-numbered details. */
interface RawError {
  code?: string;
  message?: string;
  details?: {
    issues?: { line?: number; index?: number; message: string; path?: string }[];
    outside?: ImportSegmentsResult["outside"];
    unsafePickle?: boolean;
  };
}

type Outcome = { kind: "ok"; result: ImportSegmentsResult } | { kind: "error"; error: RawError } | null;

const ACCEPT = ".pickle,.pkl,.csv,.tsv,.txt";

function OutsideList({ rows }: { rows: ImportSegmentsResult["outside"] }) {
  if (rows.length === 0) return null;
  return (
    <>
      <p className="small" style={{ margin: "0.4rem 0 0" }}>
        {rows.length} row{rows.length === 1 ? "" : "s"} outside the recording (not imported):
      </p>
      <ul className="seg-issues" aria-label="Rows outside the recording">
        {rows.map((o) => (
          <li key={o.index}>
            Row {o.index}: {o.onset}–{o.offset} s — {o.message}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The background measurement of an import's frequency boxes, until it is done. */
function BandsProgress({ jobId, count, onDone }: { jobId: string; count: number; onDone: () => void }) {
  const trpc = useTRPC();
  const job = useQuery(
    trpc.jobs.get.queryOptions(
      { jobId },
      {
        refetchInterval: (q) =>
          !q.state.data || q.state.data.status === "queued" || q.state.data.status === "running"
            ? 1000
            : false,
      },
    ),
  );
  const status = job.data?.status;
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (status === "completed") done.current();
  }, [status]);
  const jobs = <Link to="/jobs?type=segmentation.bands">Jobs</Link>;
  if (status === "completed") {
    const result = job.data?.result as { measured?: number; segments?: number } | null;
    const measured = result?.measured ?? 0;
    const of = result?.segments ?? count;
    return (
      <>
        {" "}
        Frequency boxes measured for {measured} of {of}
        {measured < of ? " (the others hold no call that stands out)" : ""}.
      </>
    );
  }
  if (status === "failed" || status === "cancelled")
    return (
      <>
        {" "}
        Measuring their frequency boxes {status === "failed" ? "failed" : "was cancelled"} ({jobs}).
      </>
    );
  return (
    <>
      {" "}
      The frequency boxes of {count} of them are being measured in the background
      {job.data && job.data.progress > 0 ? ` (${Math.round(100 * job.data.progress)} %)` : ""} ({jobs}).
    </>
  );
}

/**
 * Import a segment file (original pickle, CSV, Raven selection table) as a new segmentation or
 * into the open one, and export the open segmentation as CSV or Raven. Warnings, rows outside the
 * recording and line-numbered parse errors from the API are shown as they come.
 */
export function ImportExport({
  recordingId,
  segmentation,
  onImported,
  onBandsMeasured,
}: {
  recordingId: string;
  /** The segmentation open in the editor (import target and export source), if any. */
  segmentation: { id: string; name: string; version: number } | null;
  onImported: (result: ImportSegmentsResult) => void;
  /** The background job has measured the boxes of an import's segments. */
  onBandsMeasured: (segmentationId: string) => void;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [mode, setMode] = useState<"new" | "into">("new");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const modeName = useId();

  const upload = async () => {
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    const form = new FormData();
    form.set("recordingId", recordingId);
    if (mode === "into" && segmentation) {
      form.set("mode", segmentation.id);
      form.set("expectedVersion", String(segmentation.version));
    } else form.set("mode", "new");
    form.set("file", file, file.name);
    setBusy(true);
    setOutcome(null);
    try {
      const res = await fetch("/api/segmentations/import", {
        method: "POST",
        body: form,
        credentials: "include",
      });
      if (!res.ok) {
        const e = await httpErrorFrom(res, "Import failed");
        const details = e.details as RawError["details"];
        setOutcome({
          kind: "error",
          error: { message: e.message, ...(e.code ? { code: e.code } : {}), details },
        });
      } else {
        const result = (await res.json()) as ImportSegmentsResult;
        setOutcome({ kind: "ok", result });
        onImported(result);
        if (fileRef.current) fileRef.current.value = "";
      }
    } catch (err) {
      setOutcome({ kind: "error", error: { message: err instanceof Error ? err.message : String(err) } });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-label="Import and export">
      <h2>Import and export</h2>
      <div className="field">
        <label htmlFor={`${modeName}-file`}>Segment file</label>
        <input id={`${modeName}-file`} ref={fileRef} type="file" accept={ACCEPT} />
        <span className="hint">
          Original .pickle, CSV (onset, offset in s) or Raven selection table (.txt)
        </span>
      </div>
      <fieldset className="row" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="visually-hidden">Import as</legend>
        <label className="checkbox">
          <input type="radio" name={modeName} checked={mode === "new"} onChange={() => setMode("new")} /> New
          segmentation
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name={modeName}
            checked={mode === "into"}
            disabled={!segmentation}
            onChange={() => setMode("into")}
          />{" "}
          Add to {segmentation ? `“${segmentation.name}”` : "the open segmentation"}
        </label>
      </fieldset>
      <div>
        <Button busy={busy} onClick={upload}>
          Import segments
        </Button>
      </div>
      {outcome?.kind === "ok" ? (
        <Alert kind={outcome.result.outside.length || outcome.result.warnings.length ? "warning" : "success"}>
          Imported {outcome.result.imported} segment{outcome.result.imported === 1 ? "" : "s"} (
          {outcome.result.format}).
          {outcome.result.bandsJobId ? (
            <BandsProgress
              jobId={outcome.result.bandsJobId}
              count={outcome.result.bandsQueued}
              onDone={() => onBandsMeasured(outcome.result.segmentationId)}
            />
          ) : null}
          {outcome.result.warnings.length > 0 ? (
            <ul className="seg-issues" aria-label="Import warnings">
              {outcome.result.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <OutsideList rows={outcome.result.outside} />
        </Alert>
      ) : null}
      {outcome?.kind === "error" ? (
        <Alert kind="error">
          {outcome.error.message ?? "Import failed"}
          {outcome.error.details?.issues?.length ? (
            <ul className="seg-issues" aria-label="Import errors">
              {outcome.error.details.issues.map((i, n) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: issues are a static list
                <li key={n}>
                  {i.line !== undefined
                    ? `Line ${i.line}: `
                    : i.index !== undefined
                      ? `Row ${i.index}: `
                      : ""}
                  {i.message}
                </li>
              ))}
            </ul>
          ) : null}
          {outcome.error.details?.outside ? <OutsideList rows={outcome.error.details.outside} /> : null}
        </Alert>
      ) : null}
      <div className="row">
        <span className="small muted">Export{segmentation ? ` “${segmentation.name}”` : ""}:</span>
        {segmentation ? (
          <>
            <a className="btn btn-sm" href={`/api/segmentations/${segmentation.id}/export.csv`} download>
              CSV
            </a>
            <a className="btn btn-sm" href={`/api/segmentations/${segmentation.id}/export.txt`} download>
              Raven table
            </a>
          </>
        ) : (
          <span className="small muted">open a segmentation first</span>
        )}
      </div>
    </section>
  );
}
