import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Button, ErrorAlert, Loading, PageHeader } from "../../components/ui";
import { errorMessage } from "../../lib/errors";
import { useUser } from "../../lib/session";
import { useTRPC, useTRPCClient } from "../../lib/trpc";
import { pct } from "../classification/format";
import { SPEED_FACTORS, usePlayback } from "../playback/usePlayback";
import { markDrawn, markKey, pngUrl, prefetchClip, prefetchImage } from "./assets";
import { type CallWindow, callWindow, type ViewMode } from "./axes";
import { CallSpectrogram } from "./CallSpectrogram";
import {
  type Action,
  assignShortcuts,
  isEditableTarget,
  LEGEND,
  resolveKey,
  UNKNOWN_LABEL,
} from "./keyboard";
import {
  addHints,
  advance,
  confirmCurrent,
  emptyQueue,
  goBack,
  prefetchPlan,
  type QueueState,
} from "./prefetch";
import { type AnnotationTask, type BatchDetail, seconds } from "./types";
import "./tasks.css";

/** Calls asked for up front and kept warm ahead of the current one. */
const TAKE = 8;
const PREFETCH_DEPTH = 3;
const REFILL_BELOW = 5;

function useStored<T extends string | number | boolean>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? initial : (JSON.parse(raw) as T);
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (x: T) => {
      setV(x);
      try {
        localStorage.setItem(key, JSON.stringify(x));
      } catch {
        /* private mode: the choice lasts for this page */
      }
    },
    [key],
  );
  return [v, set];
}

/** `/tasks/batches/:batchId/annotate` — the keyboard-driven annotation screen. */
export function AnnotatePage() {
  const { batchId = "" } = useParams();
  const trpc = useTRPC();
  const batch = useQuery(trpc.tasks.getBatch.queryOptions({ batchId }));
  if (batch.isPending) return <Loading />;
  if (batch.error || !batch.data)
    return (
      <div className="stack">
        <PageHeader title="Annotate" />
        <ErrorAlert error={batch.error} />
        <Link to="/tasks">Back to the task batches</Link>
      </div>
    );
  return <Annotator key={batch.data.id} batch={batch.data} />;
}

function windowFor(t: AnnotationTask, mode: ViewMode, batch: BatchDetail): CallWindow {
  const pad =
    mode === "detail" ? (batch.species?.detailPaddingMs ?? 8) : (batch.species?.overviewPaddingMs ?? 500);
  return callWindow(t, pad, t.recording);
}

/** The chosen channel when the call's recording has it, else the mix. */
function chanFor(t: AnnotationTask, channel: number | "mix"): number | "mix" {
  return channel !== "mix" && (t.recording.channels ?? 1) > channel ? channel : "mix";
}

/** The label a call starts with: the caller's own (blind) or the saved one, else the prediction. */
function initialLabel(t: AnnotationTask, blind: boolean): string | null {
  return (blind ? t.myLabel : t.label) ?? t.predictedLabel ?? null;
}

function Annotator({ batch }: { batch: BatchDetail }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const qc = useQueryClient();
  const me = useUser();
  const [q, setQ] = useState<QueueState<AnnotationTask>>(emptyQueue);
  const qRef = useRef(q);
  const apply = useCallback((f: (s: QueueState<AnnotationTask>) => QueueState<AnnotationTask>) => {
    qRef.current = f(qRef.current);
    setQ(qRef.current);
  }, []);
  const [started, setStarted] = useState(false);
  const [inFlight, setInFlight] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const [mode, setMode] = useState<ViewMode>("detail");
  const [channel, setChannel] = useState<number | "mix">("mix");
  const [factor, setFactor] = useStored<number>("battycoda.annotate.factor", 10);
  const [autoPlay, setAutoPlay] = useStored<boolean>("battycoda.annotate.autoplay", false);
  const [sessionCount, setSessionCount] = useState(0);
  const undoStack = useRef<AnnotationTask[]>([]);
  const seq = useRef(0);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const refilling = useRef(false);
  const notesRef = useRef<HTMLTextAreaElement>(null);
  const colormap = me.spectrogramColormap;
  const current = q.current;

  const shortcuts = useMemo(
    () => assignShortcuts(batch.callTypes.map((c) => c.shortName)),
    [batch.callTypes],
  );
  const keyOf = useMemo(() => new Map(shortcuts.map((s) => [s.label, s.key])), [shortcuts]);

  /**
   * Server calls run one after another (a save's `next` lock must exist before the next save),
   * while the screen has already moved on. Only the newest call's answer may move the screen.
   */
  const enqueue = useCallback(<T,>(work: () => Promise<T>, onDone: (r: T, latest: boolean) => void) => {
    const my = ++seq.current;
    setInFlight((n) => n + 1);
    chain.current = chain.current
      .then(work)
      .then((r) => {
        setError(null);
        onDone(r, my === seq.current);
      })
      .catch((e: unknown) => setError(errorMessage(e) ?? String(e)))
      .finally(() => setInFlight((n) => n - 1));
  }, []);
  const invalidateBatch = useCallback(() => {
    void qc.invalidateQueries({ queryKey: trpc.tasks.getBatch.queryKey({ batchId: batch.id }) });
  }, [qc, trpc, batch.id]);

  // First call (locked for us) and hints. After a reload this resumes at the call we held.
  useEffect(() => {
    enqueue(
      () => client.tasks.nextTask.mutate({ batchId: batch.id, take: TAKE }),
      (r, latest) => {
        // A stale first answer (the effect ran again, or the annotator already saved and moved
        // on) must not pull the screen back to the call it started on.
        if (latest) apply((s) => addHints(confirmCurrent(s, r.tasks[0] ?? null), r.tasks.slice(1)));
        setStarted(true);
      },
    );
    return () => {
      const held = qRef.current.current;
      if (held && !batch.blind)
        void client.tasks.releaseLock.mutate({ taskId: held.id }).catch(() => undefined);
    };
  }, [client, batch.id, batch.blind, enqueue, apply]);

  // More hints when few are left: the next pending tasks by position (getTask does not lock).
  useEffect(() => {
    if (!current || q.ahead.length >= REFILL_BELOW || refilling.current) return;
    refilling.current = true;
    const last = q.ahead[q.ahead.length - 1] ?? current;
    void (async () => {
      try {
        const page = await client.tasks.listTasks.query({
          batchId: batch.id,
          ...(batch.blind ? {} : { status: "pending" as const }),
          cursor: String(last.position),
          limit: TAKE,
        });
        const rows = page.items.filter((r) => r.status !== "done");
        const tasks = await Promise.all(rows.map((r) => client.tasks.getTask.query({ taskId: r.id })));
        const s = qRef.current;
        const known = new Set([...s.behind.map((t) => t.id)]);
        const fresh = tasks.filter((t) => !known.has(t.id) && (!batch.blind || t.myLabel == null));
        if (fresh.length) apply((st) => addHints(st, [...st.ahead, ...fresh]));
      } catch {
        /* hints are an optimisation: the server's `next` still arrives */
      } finally {
        refilling.current = false;
      }
    })();
  }, [current, q.ahead, client, batch.id, batch.blind, apply]);

  // Warm the images and clips of the current call and the next ones.
  useEffect(() => {
    const plan = prefetchPlan(q, PREFETCH_DEPTH);
    plan.forEach((t, i) => {
      const ch = chanFor(t, channel);
      prefetchImage(pngUrl(t.recording.id, windowFor(t, mode, batch), colormap, ch));
      if (i <= 1) {
        const other: ViewMode = mode === "detail" ? "overview" : "detail";
        prefetchImage(pngUrl(t.recording.id, windowFor(t, other, batch), colormap, ch));
      }
      if (i <= 2) {
        const w = windowFor(t, mode, batch);
        prefetchClip(t.recording.id, w.start, w.end);
      }
    });
  }, [q, mode, channel, colormap, batch]);

  // A new call starts from its own (or predicted) label and notes.
  const currentId = current?.id ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the call changes, not when the server refreshes it
  useEffect(() => {
    if (!current) return;
    setPicked(initialLabel(current, batch.blind));
    setNotes(current.notes ?? "");
  }, [currentId]);

  const chan = current ? chanFor(current, channel) : "mix";
  const win = current ? windowFor(current, mode, batch) : null;
  const url = current && win ? pngUrl(current.recording.id, win, colormap, chan) : null;
  const player = usePlayback(current?.recording.id ?? "", current?.recording.sampleRate ?? 250_000);

  const play = useCallback(() => {
    const s = qRef.current.current;
    if (!s) return;
    const w = windowFor(s, mode, batch);
    if (player.state !== "idle") player.stop();
    else
      void player.play({ start: w.start, end: w.end, channel: chan }, { mode: "expand", factor, tuneHz: 0 });
  }, [mode, batch, player, chan, factor]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: auto-play once per call
  useEffect(() => {
    if (!current || !autoPlay) return;
    const w = windowFor(current, mode, batch);
    void player.play({ start: w.start, end: w.end, channel: chan }, { mode: "expand", factor, tuneHz: 0 });
  }, [currentId, autoPlay]);

  const save = useCallback(() => {
    const cur = qRef.current.current;
    if (!cur) return;
    const label = picked;
    if (!label) {
      setNotice("Pick a call type first (its key is on the button).");
      return;
    }
    setNotice(null);
    markKey("save", cur.id);
    undoStack.current = [...undoStack.current.slice(-49), cur];
    player.stop();
    apply(advance);
    setSessionCount((n) => n + 1);
    const changedNotes = notes !== (cur.notes ?? "");
    enqueue(
      () => client.tasks.saveLabel.mutate({ taskId: cur.id, label, ...(changedNotes ? { notes } : {}) }),
      (r, latest) => {
        if (latest) apply((s) => confirmCurrent(s, r.next));
        invalidateBatch();
      },
    );
  }, [picked, notes, player, apply, enqueue, client, invalidateBatch]);

  const skip = useCallback(() => {
    const cur = qRef.current.current;
    if (!cur) return;
    markKey("skip", cur.id);
    player.stop();
    apply(advance);
    enqueue(
      () => client.tasks.skipTask.mutate({ taskId: cur.id }),
      (r, latest) => {
        if (latest) apply((s) => confirmCurrent(s, r.next));
        invalidateBatch();
      },
    );
  }, [player, apply, enqueue, client, invalidateBatch]);

  const move = useCallback(
    (direction: "next" | "prev") => {
      const cur = qRef.current.current;
      if (!cur) return;
      markKey(direction, cur.id);
      player.stop();
      apply(direction === "next" ? advance : goBack);
      enqueue(
        () => client.tasks.nextTask.mutate({ batchId: batch.id, afterTaskId: cur.id, direction, take: 1 }),
        (r, latest) => {
          if (!latest) return;
          const t = r.tasks[0];
          if (t) apply((s) => confirmCurrent(s, t));
          else {
            setNotice(direction === "prev" ? "This is the first call." : "No further calls.");
            // Back to the call we were on (the server let go of it; it is free to take again).
            apply((s) => confirmCurrent(s, cur));
          }
        },
      );
    },
    [player, apply, enqueue, client, batch.id],
  );

  const undo = useCallback(() => {
    const last = undoStack.current[undoStack.current.length - 1];
    if (!last) {
      setNotice("Nothing to undo in this session.");
      return;
    }
    undoStack.current = undoStack.current.slice(0, -1);
    const cur = qRef.current.current;
    player.stop();
    const cleared = { ...last, label: batch.blind ? last.label : null, myLabel: null };
    apply((s) => ({
      current: cleared,
      ahead: cur && cur.id !== last.id ? [cur, ...s.ahead.filter((t) => t.id !== last.id)] : s.ahead,
      behind: s.behind.filter((t) => t.id !== last.id),
    }));
    setSessionCount((n) => Math.max(0, n - 1));
    setNotice(`Undid the label of call ${last.position}.`);
    enqueue(
      async () => {
        await client.tasks.undoLabel.mutate({ taskId: last.id });
        if (cur && cur.id !== last.id && !batch.blind)
          await client.tasks.releaseLock.mutate({ taskId: cur.id });
        return client.tasks.getTask.query({ taskId: last.id });
      },
      (t, latest) => {
        if (latest) apply((s) => confirmCurrent(s, t));
        invalidateBatch();
      },
    );
  }, [player, apply, enqueue, client, batch.blind, invalidateBatch]);

  const shortcutsRef = useRef(shortcuts);
  shortcutsRef.current = shortcuts;
  const handlers = useRef<(a: Action) => void>(() => undefined);
  handlers.current = (a: Action) => {
    switch (a.type) {
      case "pick":
        setPicked(a.label);
        return;
      case "save":
        return save();
      case "skip":
        return skip();
      case "next":
        return move("next");
      case "prev":
        return move("prev");
      case "play":
        return play();
      case "toggleView":
        setMode((m) => (m === "detail" ? "overview" : "detail"));
        return;
      case "undo":
        return undo();
      case "blur":
        notesRef.current?.blur();
        return;
    }
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = resolveKey(
        {
          key: e.key,
          ctrlKey: e.ctrlKey,
          metaKey: e.metaKey,
          altKey: e.altKey,
          editable: isEditableTarget(e.target),
          repeat: e.repeat,
        },
        shortcutsRef.current,
      );
      if (!a) return;
      e.preventDefault();
      // A button clicked with the mouse keeps focus; Space/Enter must not also "click" it.
      const el = document.activeElement;
      if (a.type !== "blur" && el instanceof HTMLElement && el !== document.body) el.blur();
      handlers.current(a);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const buttons = useMemo(() => {
    if (!current) return [];
    const probs = new Map(current.probabilities.map((p) => [p.callType, p.probability]));
    const names = [
      ...current.probabilities.map((p) => p.callType),
      ...batch.callTypes.map((c) => c.shortName).filter((n) => !probs.has(n)),
    ].filter((n) => n !== UNKNOWN_LABEL);
    return [...names, UNKNOWN_LABEL].map((label) => ({
      label,
      key: keyOf.get(label) ?? null,
      probability: probs.get(label) ?? null,
      predicted: label === current.predictedLabel,
      longName: batch.callTypes.find((c) => c.shortName === label)?.longName ?? null,
    }));
  }, [current, batch.callTypes, keyOf]);

  const takenBy =
    current?.lockedBy && current.lockedBy !== me.username && !batch.blind ? current.lockedBy : null;
  const finished = batch.doneCount + batch.skippedCount;
  const done = started && !current && inFlight === 0 && !error;
  const existing = current ? (batch.blind ? current.myLabel : current.label) : null;

  return (
    <div
      className="stack tasks-annotate"
      data-current-task={current?.id ?? ""}
      data-in-flight={inFlight}
      data-audio-state={player.contextState}
      data-playing={player.state}
    >
      <PageHeader
        title={`Annotate: ${batch.name}`}
        description={
          <>
            <Link to={`/tasks/batches/${batch.id}`}>Back to the batch</Link> · {finished} of {batch.taskCount}{" "}
            done or skipped · {sessionCount} labelled in this session
            {batch.blind ? " · blind: you see only your own labels" : ""}
          </>
        }
      />
      <ErrorAlert error={error ? new Error(error) : null} />
      {notice ? <Alert kind="info">{notice}</Alert> : null}
      {takenBy ? (
        <Alert kind="warning">
          Taken by {takenBy}: they are annotating this call. Move on with → (saving would be refused).
        </Alert>
      ) : null}
      {!started ? <Loading what="Finding your next call…" /> : null}
      {done ? (
        <section className="card stack" aria-label="Batch finished">
          <h2>No calls left for you in this batch</h2>
          <p className="muted">Every call is labelled, skipped, or being annotated by someone else.</p>
          <div className="row">
            <Link className="btn btn-primary" to={`/tasks/batches/${batch.id}`}>
              Open the batch
            </Link>
            {undoStack.current.length ? <Button onClick={undo}>Undo the last label (Z)</Button> : null}
          </div>
        </section>
      ) : null}
      {started && !current && !done ? <Loading what="Loading the next call…" /> : null}
      {current && win && url ? (
        <div className="tasks-annotate-grid">
          <div className="stack">
            <section className="card stack" aria-label="Call">
              <div className="row tasks-toolbar">
                <fieldset className="tasks-mode tasks-bare" aria-label="View">
                  <Button
                    size="sm"
                    variant={mode === "detail" ? "primary" : "default"}
                    aria-pressed={mode === "detail"}
                    onClick={() => setMode("detail")}
                  >
                    Detail ±{batch.species?.detailPaddingMs ?? 8} ms
                  </Button>
                  <Button
                    size="sm"
                    variant={mode === "overview" ? "primary" : "default"}
                    aria-pressed={mode === "overview"}
                    onClick={() => setMode("overview")}
                  >
                    Overview ±{batch.species?.overviewPaddingMs ?? 500} ms
                  </Button>
                  <kbd>D</kbd>
                </fieldset>
                {(current.recording.channels ?? 1) > 1 ? (
                  <label className="spectro-ctl">
                    Channel
                    <select
                      value={String(chan)}
                      onChange={(e) => setChannel(e.target.value === "mix" ? "mix" : Number(e.target.value))}
                    >
                      <option value="mix">mix</option>
                      {Array.from({ length: current.recording.channels ?? 1 }, (_, i) => i).map((c) => (
                        <option key={c} value={c}>
                          {c + 1}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : null}
                <span className="header-spacer" />
                <Button
                  size="sm"
                  variant="primary"
                  onClick={play}
                  aria-busy={player.state === "loading" || undefined}
                  data-playing={player.state}
                >
                  {player.state === "idle" ? `▶ Play 1/${factor}` : "■ Stop"} <kbd>Space</kbd>
                </Button>
                <label className="spectro-ctl">
                  Speed
                  <select value={factor} onChange={(e) => setFactor(Number(e.target.value))}>
                    {SPEED_FACTORS.map((f) => (
                      <option key={f} value={f}>
                        1/{f}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="checkbox">
                  <input type="checkbox" checked={autoPlay} onChange={(e) => setAutoPlay(e.target.checked)} />{" "}
                  Auto-play
                </label>
              </div>
              <CallSpectrogram
                taskId={current.id}
                recordingId={current.recording.id}
                channel={chan}
                url={url}
                ahead={q.ahead.slice(0, PREFETCH_DEPTH).map((t) => ({
                  taskId: t.id,
                  url: pngUrl(t.recording.id, windowFor(t, mode, batch), colormap, chanFor(t, channel)),
                }))}
                win={win}
                mode={mode}
                playhead={player.playhead}
                onDrawn={() => markDrawn(current.id)}
              />
              {player.error ? (
                <span className="small field-error">Playback failed: {player.error}</span>
              ) : null}
            </section>
            <section className="card stack" aria-label="Label">
              <fieldset className="tasks-labels tasks-bare" aria-label="Call types">
                {buttons.map((b) => (
                  <button
                    key={b.label}
                    type="button"
                    className={`tasks-label-btn${b.predicted ? " predicted" : ""}`}
                    aria-pressed={picked === b.label}
                    title={b.longName ?? undefined}
                    onClick={() => setPicked(b.label)}
                  >
                    {b.key ? <kbd>{b.key.toUpperCase()}</kbd> : <span />}
                    <span className="tasks-label-name">{b.label}</span>
                    <span className="tasks-label-prob mono">
                      {b.probability == null ? "" : pct(b.probability, 0)}
                    </span>
                    {b.probability != null ? (
                      <span className="tasks-label-bar" style={{ width: `${b.probability * 100}%` }} />
                    ) : null}
                  </button>
                ))}
              </fieldset>
              <label className="field">
                Notes
                <textarea
                  ref={notesRef}
                  rows={2}
                  value={notes}
                  onChange={(e) => setNotes(e.target.value)}
                  placeholder="Optional — shortcuts pause while you type; Esc leaves the field"
                />
              </label>
              <div className="row">
                <Button variant="primary" onClick={save} disabled={!picked}>
                  Save {picked ? `"${picked}"` : ""} and next <kbd>Enter</kbd>
                </Button>
                <Button onClick={skip}>
                  Skip <kbd>S</kbd>
                </Button>
                <Button onClick={() => move("prev")}>← Previous</Button>
                <Button onClick={() => move("next")}>Next →</Button>
                <Button onClick={undo} disabled={undoStack.current.length === 0}>
                  Undo <kbd>Z</kbd>
                </Button>
                {existing ? (
                  <span className="small muted" data-existing-label={existing}>
                    saved label: <strong>{existing}</strong>
                  </span>
                ) : null}
              </div>
            </section>
          </div>
          <aside className="stack">
            <section className="card" aria-label="Call info">
              <dl className="kv small">
                <dt>Call</dt>
                <dd data-position={current.position}>
                  #{current.position} of {batch.taskCount}
                </dd>
                <dt>Predicted</dt>
                <dd>
                  <strong>{current.predictedLabel ?? "—"}</strong> ({pct(current.confidence)})
                </dd>
                <dt>Time</dt>
                <dd className="mono">
                  {seconds(current.onset)} – {seconds(current.offset)} (
                  {((current.offset - current.onset) * 1000).toFixed(1)} ms)
                </dd>
                <dt>Recording</dt>
                <dd>
                  <Link to={`/recordings/${current.recording.id}`}>{current.recording.name}</Link>
                  <div className="muted">
                    {current.recording.sampleRate
                      ? `${(current.recording.sampleRate / 1000).toFixed(0)} kHz`
                      : ""}
                    {current.recording.channels && current.recording.channels > 1
                      ? ` · ${current.recording.channels} channels`
                      : ""}
                  </div>
                </dd>
                <dt>Segment</dt>
                <dd>
                  {/* its edges are fixed where they are drawn, not here; an id meant nothing to a researcher */}
                  {current.segmentId && current.segmentationId ? (
                    <Link
                      to={`/recordings/${current.recording.id}/segmentation?s=${current.segmentationId}&seg=${current.segmentId}`}
                    >
                      in the segmentation editor
                    </Link>
                  ) : (
                    <span className="muted">deleted since the batch was made</span>
                  )}
                </dd>
                <dt>Batch</dt>
                <dd>{batch.name}</dd>
                <dt>Project</dt>
                <dd>{current.project?.name ?? batch.project?.name ?? "—"}</dd>
                {batch.species ? (
                  <>
                    <dt>Species</dt>
                    <dd>
                      <em>{batch.species.name}</em>
                    </dd>
                  </>
                ) : null}
              </dl>
            </section>
            {batch.species?.imageUrl ? (
              <section className="card" aria-label="Repertoire">
                <img
                  className="tasks-repertoire"
                  src={batch.species.imageUrl}
                  alt={`Call repertoire of ${batch.species.name}`}
                />
              </section>
            ) : null}
            <section className="card" aria-label="Keyboard shortcuts">
              <h3>Keyboard</h3>
              <dl className="kv small tasks-legend">
                {LEGEND.map((l) => (
                  <div key={l.keys} style={{ display: "contents" }}>
                    <dt>
                      <kbd>{l.keys}</kbd>
                    </dt>
                    <dd>{l.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          </aside>
        </div>
      ) : null}
    </div>
  );
}
