import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Button, ErrorAlert, formatDate, Loading } from "../../components/ui";
import { useUser } from "../../lib/session";
import { type RouterInputs, useTRPC } from "../../lib/trpc";
import { pct } from "../classification/format";
import { StatusBadge } from "../jobs/progress";
import { usePlayback } from "../playback/usePlayback";
import { callWindow, spectrogramPngUrl } from "./axes";
import { assignShortcuts, isEditableTarget, resolveKey, UNKNOWN_LABEL } from "./keyboard";
import { type BatchDetail, seconds, type TaskRow } from "./types";

type Filters = Omit<RouterInputs["tasks"]["listTasks"], "batchId" | "cursor" | "limit">;
type Status = NonNullable<Filters["status"]>;
const STATUSES: Status[] = ["pending", "in_progress", "done", "skipped"];
const REVIEW_FACTOR = 10;

/**
 * The batch's tasks with filters (status, human label, annotator, prediction). "Review" plays the
 * filtered calls one after another (time-expanded) and relabels in place — with the same keys as
 * the annotation screen.
 */
export function TasksTable({ batch, hideLabels }: { batch: BatchDetail; hideLabels: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useUser();
  const [status, setStatus] = useState<Status | "">("");
  const [label, setLabel] = useState<string | null>(null);
  const [annotatorId, setAnnotatorId] = useState("");
  const [callType, setCallType] = useState("");
  const [reviewAt, setReviewAt] = useState<number | null>(null);
  const members = useQuery(trpc.groups.members.queryOptions());
  const labels = useMemo(
    () => [...batch.callTypes.map((c) => c.shortName), UNKNOWN_LABEL],
    [batch.callTypes],
  );
  const filters: Filters = {
    ...(status ? { status } : {}),
    ...(label !== null ? { label } : {}),
    ...(annotatorId ? { annotatorId } : {}),
    ...(callType ? { callType } : {}),
  };
  const list = useInfiniteQuery(
    trpc.tasks.listTasks.infiniteQueryOptions(
      { batchId: batch.id, ...filters, limit: 200 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.tasks.listTasks.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.tasks.getBatch.queryKey({ batchId: batch.id }) });
  };
  const release = useMutation(trpc.tasks.releaseLock.mutationOptions());
  const relabel = useMutation(
    trpc.tasks.saveLabel.mutationOptions({
      onSuccess: (r) => {
        // saveLabel hands out (and locks) the next call for the annotation screen; here we only
        // relabel, so that lock is given back at once.
        if (r.next) release.mutate({ taskId: r.next.id });
        refresh();
      },
    }),
  );
  const reviewRow = reviewAt !== null ? rows[reviewAt] : undefined;
  // A blind batch's result is the assignees' agreement or an adjudication, never an edit here.
  const canRelabel = !batch.blind;

  return (
    <section className="card stack" aria-label="Tasks">
      <div className="row">
        <h2 style={{ margin: 0 }}>Tasks</h2>
        <span className="muted small">{total.toLocaleString()} matching</span>
        <span className="header-spacer" />
        <Button
          variant="primary"
          disabled={rows.length === 0}
          onClick={() => setReviewAt(reviewAt === null ? 0 : null)}
        >
          {reviewAt === null ? "Review (play in sequence)" : "Stop review"}
        </Button>
      </div>
      <fieldset className="row tasks-bare" aria-label="Task filters">
        <label className="spectro-ctl">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        {hideLabels ? null : (
          <>
            <label className="spectro-ctl">
              Label
              <select
                value={label === null ? "*" : label}
                onChange={(e) => setLabel(e.target.value === "*" ? null : e.target.value)}
              >
                <option value="*">Any</option>
                <option value="">No label yet</option>
                {labels.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label className="spectro-ctl">
              Annotator
              <select value={annotatorId} onChange={(e) => setAnnotatorId(e.target.value)}>
                <option value="">Anyone</option>
                {members.data?.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.username}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <label className="spectro-ctl">
          Predicted
          <select value={callType} onChange={(e) => setCallType(e.target.value)}>
            <option value="">Any</option>
            {batch.callTypes.map((c) => (
              <option key={c.id} value={c.shortName}>
                {c.shortName}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {reviewRow && reviewAt !== null ? (
        <ReviewPlayer
          key={reviewRow.id}
          batch={batch}
          row={reviewRow}
          index={reviewAt}
          count={rows.length}
          labels={labels}
          hideLabels={hideLabels || !canRelabel}
          busy={relabel.isPending}
          onLabel={(l) => relabel.mutate({ taskId: reviewRow.id, label: l })}
          onMove={(d) => {
            const n = reviewAt + d;
            if (n >= rows.length && list.hasNextPage) void list.fetchNextPage();
            setReviewAt(n < 0 ? 0 : n >= rows.length ? null : n);
          }}
          onStop={() => setReviewAt(null)}
        />
      ) : null}
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error ?? relabel.error} />
      {list.data && rows.length === 0 ? <p className="muted">No tasks match.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Task list">
            <thead>
              <tr>
                <th>#</th>
                <th>Recording</th>
                <th>Onset</th>
                <th>Status</th>
                <th>Predicted</th>
                <th>Confidence</th>
                {hideLabels ? null : (
                  <>
                    <th>Human label</th>
                    <th>Annotator</th>
                  </>
                )}
                <th>Notes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t, i) => (
                <tr
                  key={t.id}
                  data-task-id={t.id}
                  data-status={t.status}
                  className={i === reviewAt ? "tasks-row-current" : undefined}
                >
                  <td className="mono">{t.position}</td>
                  <td>{t.recording.name}</td>
                  <td className="mono">{seconds(t.onset)}</td>
                  <td>
                    <StatusBadge status={t.status} />
                    {t.lockedBy && t.lockedBy !== me.username && t.status !== "done" ? (
                      <span className="small muted"> taken by {t.lockedBy}</span>
                    ) : null}
                  </td>
                  <td>{t.predictedLabel ?? "—"}</td>
                  <td className="mono">{pct(t.confidence)}</td>
                  {hideLabels ? null : (
                    <>
                      <td>
                        {canRelabel ? (
                          <select
                            aria-label={`Label of call ${t.position}`}
                            className="select-compact"
                            value={t.label ?? ""}
                            disabled={relabel.isPending}
                            onChange={(e) => {
                              if (e.target.value) relabel.mutate({ taskId: t.id, label: e.target.value });
                            }}
                          >
                            <option value="">—</option>
                            {labels.map((l) => (
                              <option key={l} value={l}>
                                {l}
                              </option>
                            ))}
                          </select>
                        ) : (
                          (t.label ?? "—")
                        )}
                      </td>
                      <td className="small">
                        {t.annotatedBy ?? "—"}
                        {t.annotatedAt ? <div className="muted">{formatDate(t.annotatedAt)}</div> : null}
                      </td>
                    </>
                  )}
                  <td className="small">{t.notes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.hasNextPage ? (
        <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </section>
  );
}

/** One call of the review sequence: plays at once, moves on when it has been heard. */
function ReviewPlayer({
  batch,
  row,
  index,
  count,
  labels,
  hideLabels,
  busy,
  onLabel,
  onMove,
  onStop,
}: {
  batch: BatchDetail;
  row: TaskRow;
  index: number;
  count: number;
  labels: string[];
  hideLabels: boolean;
  busy: boolean;
  onLabel: (label: string) => void;
  onMove: (delta: number) => void;
  onStop: () => void;
}) {
  const me = useUser();
  const player = usePlayback(row.recording.id, 250_000);
  const [paused, setPaused] = useState(false);
  const shortcuts = useMemo(() => assignShortcuts(labels), [labels]);
  const win = callWindow(row, batch.species?.detailPaddingMs ?? 8, { duration: null, sampleRate: null });
  const wasPlaying = useRef(false);
  const onMoveRef = useRef(onMove);
  onMoveRef.current = onMove;

  // biome-ignore lint/correctness/useExhaustiveDependencies: plays once per call (the component is keyed by it)
  useEffect(() => {
    void player.play(
      { start: row.onset, end: row.offset, channel: "mix" },
      { mode: "expand", factor: REVIEW_FACTOR, tuneHz: 0 },
    );
  }, []);
  useEffect(() => {
    if (player.state === "playing") wasPlaying.current = true;
    if (player.state === "idle" && wasPlaying.current && !paused && !player.error) {
      const id = setTimeout(() => onMoveRef.current(1), 350);
      return () => clearTimeout(id);
    }
    return undefined;
  }, [player.state, player.error, paused]);
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
        shortcuts,
      );
      if (!a) return;
      e.preventDefault();
      if (a.type === "pick" && !hideLabels) {
        setPaused(true);
        onLabel(a.label);
      } else if (a.type === "next" || a.type === "save" || a.type === "skip") onMoveRef.current(1);
      else if (a.type === "prev") onMoveRef.current(-1);
      else if (a.type === "play") {
        setPaused(true);
        void player.play(
          { start: row.onset, end: row.offset, channel: "mix" },
          { mode: "expand", factor: REVIEW_FACTOR, tuneHz: 0 },
        );
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shortcuts, hideLabels, onLabel, player, row.onset, row.offset]);

  return (
    <section
      className="tasks-review"
      aria-label="Review"
      data-review-task={row.id}
      data-playing={player.state}
    >
      <img
        src={spectrogramPngUrl(row.recording.id, win, {
          width: 480,
          height: 200,
          colormap: me.spectrogramColormap,
          channel: "mix",
        })}
        width={480}
        height={200}
        alt={`Spectrogram of call ${row.position}`}
      />
      <div className="stack">
        <div>
          <strong>
            Call {index + 1} of {count}
          </strong>{" "}
          · {row.recording.name} · {seconds(row.onset)} · predicted {row.predictedLabel ?? "—"} (
          {pct(row.confidence)})
          {hideLabels ? null : (
            <>
              {" "}
              · label <strong data-review-label>{row.label ?? "—"}</strong>
            </>
          )}
        </div>
        {hideLabels ? null : (
          <div className="row">
            {shortcuts.map((s) => (
              <Button key={s.label} size="sm" disabled={busy} onClick={() => onLabel(s.label)}>
                {s.key ? <kbd>{s.key.toUpperCase()}</kbd> : null} {s.label}
              </Button>
            ))}
          </div>
        )}
        <div className="row">
          <Button size="sm" onClick={() => onMove(-1)}>
            ← Previous
          </Button>
          <Button
            size="sm"
            onClick={() => {
              setPaused(true);
              void player.play(
                { start: row.onset, end: row.offset, channel: "mix" },
                { mode: "expand", factor: REVIEW_FACTOR, tuneHz: 0 },
              );
            }}
          >
            ▶ Play again (1/{REVIEW_FACTOR})
          </Button>
          <Button size="sm" onClick={() => onMove(1)}>
            Next →
          </Button>
          <Button size="sm" variant="ghost" onClick={onStop}>
            Stop review
          </Button>
          {paused ? <span className="small muted">paused — → continues</span> : null}
          {player.error ? <span className="small field-error">Playback failed: {player.error}</span> : null}
        </div>
      </div>
    </section>
  );
}
