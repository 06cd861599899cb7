import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { Alert, Button, Dialog, ErrorAlert, Loading, PageHeader } from "../../components/ui";
import { useUser } from "../../lib/session";
import { useTRPC, useTRPCClient } from "../../lib/trpc";
import { SpectrogramViewer, useSaveColormap, useViewport, type Viewport } from "../spectrogram";
import type { Part } from "./geometry";
import { ImportExport } from "./ImportExport";
import { type PreviewResult, RunPanel } from "./RunPanel";
import { SegmentEditOverlay } from "./SegmentEditOverlay";
import { SegmentList } from "./SegmentList";
import { type EditorApi, type ServerSegment, useSegmentEditor } from "./useSegmentEditor";
import "./segmentation.css";
import { setMediaVersion } from "../recordings/media-version";

/** Hands the viewer's current viewport to the page (for centring and the preview window). */
function ViewportBridge({
  target,
  onReady,
}: {
  target: { current: Viewport | null };
  onReady?: (ready: boolean) => void;
}) {
  const vp = useViewport();
  target.current = vp;
  useEffect(() => {
    onReady?.(true);
    return () => onReady?.(false);
  }, [onReady]);
  return null;
}

const PAGE = 1000;

function isEditable(el: EventTarget | null) {
  const t = el as HTMLElement | null;
  return !!t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

/**
 * `/recordings/:recordingId/segmentation`: the recording's spectrogram with the segments of the
 * open segmentation (editable), the segment list beside it, the run panel (preview, run, list of
 * segmentations with the active one) and import/export.
 */
export function SegmentationEditorPage() {
  const { recordingId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const qc = useQueryClient();

  const rec = useQuery(
    trpc.recordings.get.queryOptions(
      { recordingId },
      {
        refetchInterval: (q) =>
          q.state.data && !q.state.data.hasSpectrogram && q.state.data.split?.role !== "parent"
            ? 2000
            : false,
      },
    ),
  );
  const list = useQuery(trpc.segmentation.list.queryOptions({ recordingId }));
  const items = list.data?.items ?? [];
  const explicit = params.get("s");
  const openId =
    (explicit && items.some((s) => s.id === explicit) ? explicit : null) ??
    items.find((s) => s.isActive && s.status === "completed")?.id ??
    items.find((s) => s.status === "completed")?.id ??
    null;
  const open = items.find((s) => s.id === openId) ?? null;

  const api = useMemo<EditorApi>(
    () => ({
      async load(segmentationId) {
        for (let attempt = 0; attempt < 3; attempt++) {
          const first = await client.segmentation.segments.list.query({
            segmentationId,
            page: 1,
            pageSize: PAGE,
          });
          const segments: ServerSegment[] = [...first.items];
          let consistent = true;
          for (let page = 2; segments.length < first.total; page++) {
            const next = await client.segmentation.segments.list.query({
              segmentationId,
              page,
              pageSize: PAGE,
            });
            if (next.version !== first.version) {
              consistent = false;
              break;
            }
            if (next.items.length === 0) break;
            segments.push(...next.items);
          }
          if (consistent) return { version: first.version, segments };
        }
        throw new Error("The segments kept changing while loading; try again.");
      },
      batchEdit: (input) => client.segmentation.segments.batchEdit.mutate(input),
    }),
    [client],
  );
  const editor = useSegmentEditor(openId, api);

  // Keep the segmentation list's counts and "edited" marks current after saves.
  useEffect(() => {
    if (editor.save === "saved")
      void qc.invalidateQueries({ queryKey: trpc.segmentation.list.queryKey({ recordingId }) });
  }, [editor.save, qc, trpc, recordingId]);

  const [cursor, setCursor] = useState<number | null>(null);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [selected, setSelected] = useState<{ key: string; part: Part } | null>(null);
  const [editMode, setEditMode] = useState(true);
  const vpRef = useRef<Viewport | null>(null);
  const viewerRef = useRef<HTMLDivElement>(null);
  const me = useUser();
  const saveColormap = useSaveColormap();

  // A preview is drawn on the spectrogram, usually scrolled out of sight above the run panel:
  // bring the spectrogram into view, showing the previewed stretch.
  const showPreview = useCallback((r: PreviewResult | null) => {
    setPreview(r);
    if (!r) return;
    const vp = vpRef.current;
    if (vp && (r.start < vp.t0 || r.end > vp.t1)) {
      const span = Math.max(vp.t1 - vp.t0, r.end - r.start);
      const c = (r.start + r.end) / 2;
      vp.setView(c - span / 2, c + span / 2);
    }
    viewerRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, []);

  // An empty segmentation to draw into by hand; opened at once.
  const createManual = useMutation(
    trpc.segmentation.createManual.mutationOptions({
      onSuccess: async (created) => {
        await qc.invalidateQueries({ queryKey: trpc.segmentation.list.queryKey({ recordingId }) });
        setSelected(null);
        setEditMode(true);
        setParams({ s: created.id });
      },
    }),
  );

  const { undo, redo } = editor;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isEditable(e.target)) return;
      const k = e.key.toLowerCase();
      if (k === "z" && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((k === "z" && e.shiftKey) || k === "y") {
        e.preventDefault();
        redo();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [undo, redo]);

  const centreOn = useCallback((onset: number, offset: number) => {
    const vp = vpRef.current;
    if (!vp) return;
    const span = Math.max(vp.t1 - vp.t0, (offset - onset) * 1.5);
    const c = (onset + offset) / 2;
    vp.setView(c - span / 2, c + span / 2);
  }, []);

  // A link to one segment (?seg=, from the annotation screen or a classification run): once its segmentation's
  // segments and the viewer are there, it is selected and centred, once.
  const focusId = params.get("seg");
  const focused = useRef<string | null>(null);
  const [viewerReady, setViewerReady] = useState(false);
  useEffect(() => {
    if (!focusId || focused.current === focusId || !viewerReady) return;
    const row = editor.segments.find((x) => x.key === focusId);
    if (!row) return;
    focused.current = focusId;
    setSelected({ key: row.key, part: "body" });
    centreOn(row.onset, row.offset);
  }, [focusId, editor.segments, viewerReady, centreOn]);

  if (rec.isPending) return <Loading what="Loading the recording…" />;
  if (rec.error) return <ErrorAlert error={rec.error} />;
  const r = rec.data;
  setMediaVersion(r.id, r.sha256);
  // While the spectrogram job runs the server draws windows straight from the WAV.
  const ready =
    (r.hasSpectrogram || r.processingStatus === "pending" || r.processingStatus === "processing") &&
    r.duration != null &&
    r.sampleRate != null &&
    r.split?.role !== "parent";
  const selectedKey = selected?.key ?? null;
  const editable = editMode && !!openId && !editor.conflict && !editor.loading;

  return (
    <div className="stack seg-page">
      <PageHeader
        title={`Segmentation — ${r.name}`}
        description={
          <>
            <Link to="/segmentation">All recordings</Link> ·{" "}
            <Link to={`/recordings/${r.id}`}>Recording page</Link>
            {open ? (
              <>
                {" "}
                · editing <strong>{open.name}</strong>
                {open.isActive ? " (active)" : ""}
              </>
            ) : null}
          </>
        }
        actions={
          r.split?.role === "parent" ? null : (
            <Button
              busy={createManual.isPending}
              onClick={() => createManual.mutate({ recordingId })}
              title="Create an empty segmentation and open it for drawing segments by hand"
            >
              New manual segmentation
            </Button>
          )
        }
      />
      <ErrorAlert error={createManual.error} />
      {!ready && r.split?.role === "parent" ? (
        <Alert kind="info">
          This recording was split into {r.partCount ?? r.split.parts.length} parts and has no spectrogram of
          its own: segment its parts (listed on the <Link to={`/recordings/${r.id}`}>recording page</Link>).
        </Alert>
      ) : !ready ? (
        <Alert kind={r.processingStatus === "failed" ? "error" : "info"}>
          {r.processingStatus === "failed"
            ? `Processing failed: ${r.processingError ?? "unknown error"}`
            : `The spectrogram is being prepared (${r.processingStatus})…`}
        </Alert>
      ) : (
        <div className="seg-layout">
          <div className="stack" ref={viewerRef}>
            <SpectrogramViewer
              recordingId={r.id}
              colormap={me.spectrogramColormap}
              onColormapChange={saveColormap}
              duration={r.duration ?? 0}
              sampleRate={r.sampleRate ?? 0}
              channels={r.channels ?? 1}
              dragMode={editable ? "none" : "pan"}
              cursorTime={cursor}
              onCursorChange={setCursor}
              toolbarExtra={
                <div className="seg-toolbar">
                  <label className="checkbox small">
                    <input
                      type="checkbox"
                      checked={editMode}
                      onChange={(e) => setEditMode(e.target.checked)}
                    />{" "}
                    Edit segments
                  </label>
                  <Button
                    size="sm"
                    onClick={undo}
                    disabled={!editor.canUndo || !!editor.conflict}
                    title="Ctrl+Z"
                  >
                    Undo
                  </Button>
                  <Button
                    size="sm"
                    onClick={redo}
                    disabled={!editor.canRedo || !!editor.conflict}
                    title="Ctrl+Shift+Z"
                  >
                    Redo
                  </Button>
                  <SaveStatus editor={editor} />
                </div>
              }
            >
              <ViewportBridge target={vpRef} onReady={setViewerReady} />
              <SegmentEditOverlay
                segments={editor.segments}
                preview={preview?.segments ?? null}
                editable={editable}
                selected={selected}
                onSelect={setSelected}
                onCreate={(span) => setSelected({ key: editor.create(span), part: "body" })}
                onChange={(key, before, after) => editor.change(key, before, after)}
                onDelete={editor.remove}
                onCursor={setCursor}
              />
            </SpectrogramViewer>
            {!openId && list.data ? (
              <p className="muted small">
                No completed segmentation to edit yet: run one below, import a file, or start with “New manual
                segmentation” (top right) and draw segments here.
              </p>
            ) : (
              <p className="muted small">
                Drag on empty spectrogram to draw a segment, drag its edges to resize, its body to move. Click
                a segment then Delete to remove it; ←/→ nudge (Shift: ×10), Tab picks onset / offset / body;
                Ctrl+Z / Ctrl+Shift+Z undo and redo. Untick “Edit segments” to pan by dragging.
              </p>
            )}
            <RunPanel
              recordingId={r.id}
              channels={r.channels ?? 1}
              previewCenter={() => cursor ?? (vpRef.current ? (vpRef.current.t0 + vpRef.current.t1) / 2 : 0)}
              onPreview={showPreview}
              openId={openId}
              onOpen={(id) => {
                setSelected(null);
                setParams({ s: id });
              }}
            />
            <ImportExport
              recordingId={r.id}
              segmentation={open ? { id: open.id, name: open.name, version: editor.version() } : null}
              onImported={(res) => {
                void qc.invalidateQueries({ queryKey: trpc.segmentation.list.queryKey({ recordingId }) });
                if (res.segmentationId === openId) void editor.reload();
                else setParams({ s: res.segmentationId });
              }}
              onBandsMeasured={(id) => {
                if (id === openId) void editor.refreshBands();
              }}
            />
          </div>
          <div className="stack">
            {editor.loadError ? <Alert kind="error">{editor.loadError}</Alert> : null}
            {editor.mergeNotes.length > 0 ? (
              <Alert kind="warning">
                <strong>Merged with the other editor's changes.</strong>
                <ul className="seg-issues">
                  {editor.mergeNotes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
                <Button size="sm" onClick={editor.dismissMergeNotes}>
                  OK
                </Button>
              </Alert>
            ) : null}
            <SegmentList
              rows={editor.segments}
              selectedKey={selectedKey}
              onPick={(row) => {
                setSelected({ key: row.key, part: "body" });
                centreOn(row.onset, row.offset);
              }}
              onNotes={(row, notes) => editor.setNotes(row.key, notes)}
              onDelete={(row) => {
                if (selectedKey === row.key) setSelected(null);
                editor.remove(row.key);
              }}
            />
          </div>
        </div>
      )}
      {editor.conflict ? (
        <Dialog title="Someone else edited this segmentation" onClose={() => {}}>
          <p>
            Your last {editor.conflict.pending.length} change
            {editor.conflict.pending.length === 1 ? " was" : "s were"} not saved because the segments were
            changed by someone else in the meantime.
          </p>
          <p className="small muted">{editor.conflict.message}</p>
          <p>Nothing is lost yet. Choose how to go on:</p>
          <div className="form-actions">
            <Button variant="primary" onClick={() => void editor.resolve("merge")}>
              Merge: apply my changes on top of theirs
            </Button>
            <Button variant="danger" onClick={() => void editor.resolve("reload")}>
              Reload theirs and discard my changes
            </Button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}

/**
 * The save state, in a slot that keeps its width from the first render: text appearing after the first edit must not
 * wrap the toolbar and move the spectrogram under the pointer.
 */
function SaveStatus({ editor }: { editor: ReturnType<typeof useSegmentEditor> }) {
  return (
    <span className="seg-save-status small" aria-live="polite">
      <SaveState editor={editor} />
    </span>
  );
}

function SaveState({ editor }: { editor: ReturnType<typeof useSegmentEditor> }) {
  switch (editor.save) {
    case "saving":
      return <span className="muted">Saving…</span>;
    case "saved":
      return <span className="muted">All changes saved</span>;
    case "conflict":
      return <span className="field-error">Not saved: edited elsewhere</span>;
    case "error":
      return (
        <span className="field-error">
          Not saved: {editor.saveError}{" "}
          <Button size="sm" onClick={editor.retry}>
            Retry
          </Button>{" "}
          <Button size="sm" variant="ghost" onClick={() => void editor.reload()}>
            Discard and reload
          </Button>
        </span>
      );
    default:
      return null;
  }
}
