import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { errorCode, errorMessage } from "../../lib/errors";
import type { RouterInputs, RouterOutputs } from "../../lib/trpc";
import type { Span } from "./geometry";
import {
  applyChanges,
  type Change,
  type Entry,
  emptyHistory,
  type History,
  KeyMap,
  newKey,
  type PlainOp,
  push,
  rebase,
  redo as redoHistory,
  type SegValues,
  toOps,
  undo as undoHistory,
} from "./history";

type BatchEditInput = RouterInputs["segmentation"]["segments"]["batchEdit"];
type BatchEditOutput = RouterOutputs["segmentation"]["segments"]["batchEdit"];
type WireOp = BatchEditInput["ops"][number];
export type ServerSegment = RouterOutputs["segmentation"]["segments"]["list"]["items"][number];

export interface EditorApi {
  /** Every segment of the segmentation with its current version. */
  load(segmentationId: string): Promise<{ version: number; segments: ServerSegment[] }>;
  batchEdit(input: BatchEditInput): Promise<BatchEditOutput>;
}

export type SaveState = "idle" | "saving" | "saved" | "error" | "conflict";

export interface Conflict {
  /** My edits the server has not accepted (sent and unsent), oldest first. */
  pending: Change[];
  message: string;
}

function toWire(op: PlainOp): WireOp {
  if (op.type === "create")
    return { op: "create", segment: { onset: op.onset, offset: op.offset, notes: op.notes } };
  if (op.type === "delete") return { op: "delete", segmentId: op.id };
  const patch: { onset?: number; offset?: number; notes?: string } = {};
  if (op.onset !== undefined) patch.onset = op.onset;
  if (op.offset !== undefined) patch.offset = op.offset;
  if (op.notes !== undefined) patch.notes = op.notes;
  return { op: "update", segmentId: op.id, patch };
}

const valuesOf = (s: ServerSegment): SegValues => ({ onset: s.onset, offset: s.offset, notes: s.notes });

type SegmentExtras = Pick<ServerSegment, "label" | "lowFreq" | "highFreq">;
const extrasOf = (s: ServerSegment): SegmentExtras => ({
  label: s.label,
  lowFreq: s.lowFreq,
  highFreq: s.highFreq,
});
const NO_EXTRAS: SegmentExtras = { label: null, lowFreq: null, highFreq: null };

/**
 * The working copy of one segmentation under manual editing. Every gesture is applied locally at
 * once (optimistic), recorded for undo/redo, and sent as `batchEdit` ops with `expectedVersion`,
 * one request at a time so versions chain. A CONFLICT (someone else saved first) stops sending and
 * keeps every unsaved edit until the user picks "reload" (discard mine, explicitly) or "merge"
 * (replay mine on top of theirs).
 */
export function useSegmentEditor(segmentationId: string | null, api: EditorApi) {
  const [working, setWorking] = useState<Map<string, SegValues>>(new Map());
  // What the server knows of each segment beyond its editable values: its label and measured frequency band.
  const [extras, setExtras] = useState<Map<string, SegmentExtras>>(new Map());
  const [history, setHistory] = useState<History>(emptyHistory);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>("idle");
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [mergeNotes, setMergeNotes] = useState<string[]>([]);

  // Mutable session state that the send loop reads without re-rendering.
  const s = useRef({
    version: 0,
    queue: [] as Change[],
    inFlight: null as Change[] | null,
    conflict: false,
    keys: new KeyMap(),
    segmentationId: null as string | null,
  });
  const apiRef = useRef(api);
  apiRef.current = api;

  const load = useCallback(async (id: string) => {
    setLoading(true);
    setLoadError(null);
    try {
      const res = await apiRef.current.load(id);
      if (s.current.segmentationId !== id) return null;
      return res;
    } catch (err) {
      setLoadError(errorMessage(err));
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  const reset = useCallback(
    async (id: string | null) => {
      const st = s.current;
      st.segmentationId = id;
      st.queue = [];
      st.inFlight = null;
      st.conflict = false;
      st.keys.clear();
      setHistory(emptyHistory());
      setConflict(null);
      setMergeNotes([]);
      setSave("idle");
      setSaveError(null);
      if (!id) {
        setWorking(new Map());
        return;
      }
      const res = await load(id);
      if (!res) return;
      st.version = res.version;
      setWorking(new Map(res.segments.map((x) => [x.id, valuesOf(x)])));
      setExtras(new Map(res.segments.map((x) => [x.id, extrasOf(x)])));
    },
    [load],
  );

  useEffect(() => {
    void reset(segmentationId);
  }, [segmentationId, reset]);

  // Boxes measured in the background (an import's), as stored: every unsaved edit, the undo history and the labels
  // stay as they are here (a segment moved here gets the box of its new edges when that move is saved).
  const refreshBands = useCallback(async () => {
    const st = s.current;
    const id = st.segmentationId;
    if (!id) return;
    const res = await apiRef.current.load(id).catch(() => null);
    if (!res || st.segmentationId !== id) return;
    setExtras((e) => {
      const next = new Map(e);
      for (const x of res.segments) {
        const key = st.keys.key(x.id);
        const have = next.get(key);
        if (have) next.set(key, { ...have, lowFreq: x.lowFreq, highFreq: x.highFreq });
      }
      return next;
    });
  }, []);

  const flush = useCallback(async () => {
    const st = s.current;
    const id = st.segmentationId;
    if (!id || st.inFlight || st.conflict || st.queue.length === 0) return;
    const { ops, taken } = toOps(st.queue, (k) => st.keys.id(k) || undefined);
    const batch = st.queue.splice(0, Math.max(1, taken));
    if (ops.length === 0) {
      void flush();
      return;
    }
    st.inFlight = batch;
    setSave("saving");
    try {
      const res = await apiRef.current.batchEdit({
        segmentationId: id,
        expectedVersion: st.version,
        ops: ops.map(toWire),
      });
      if (st.segmentationId !== id) return;
      st.version = res.version;
      const measured = new Map<string, SegmentExtras>();
      ops.forEach((op, i) => {
        const stored = res.results[i];
        if (op.type === "create" && stored) st.keys.bind(op.key, stored.id);
        else if (op.type === "delete") st.keys.unbind(op.key);
        // The server measures a drawn or moved segment's band: show the box for its new edges.
        if (stored) measured.set(st.keys.key(stored.id), extrasOf(stored));
      });
      if (measured.size > 0) setExtras((e) => new Map([...e, ...measured]));
      st.inFlight = null;
      setSaveError(null);
      if (st.queue.length > 0) void flush();
      else setSave("saved");
    } catch (err) {
      if (st.segmentationId !== id) return;
      st.inFlight = null;
      if (errorCode(err) === "CONFLICT") {
        st.conflict = true;
        const pending = [...batch, ...st.queue];
        st.queue = [];
        setConflict({ pending, message: errorMessage(err) ?? "Someone else edited this segmentation." });
        setSave("conflict");
      } else {
        st.queue.unshift(...batch);
        setSaveError(errorMessage(err));
        setSave("error");
      }
    }
  }, []);

  const apply = useCallback(
    (entry: Entry, record: "push" | { history: History }) => {
      if (entry.changes.length === 0) return;
      setWorking((w) => applyChanges(w, entry.changes));
      setHistory((h) => (record === "push" ? push(h, entry) : record.history));
      s.current.queue.push(...entry.changes);
      void flush();
    },
    [flush],
  );

  const create = useCallback(
    (span: Span) => {
      const key = newKey();
      apply({ label: "draw", changes: [{ kind: "create", key, values: { ...span, notes: "" } }] }, "push");
      return key;
    },
    [apply],
  );

  const workingRef = useRef(working);
  workingRef.current = working;

  const change = useCallback(
    (key: string, before: Span, after: Span) => {
      const cur = workingRef.current.get(key);
      if (!cur) return;
      apply(
        {
          label: "move",
          changes: [{ kind: "update", key, before: { ...cur, ...before }, after: { ...cur, ...after } }],
        },
        "push",
      );
    },
    [apply],
  );

  const setNotes = useCallback(
    (key: string, notes: string) => {
      const cur = workingRef.current.get(key);
      if (!cur || cur.notes === notes) return;
      apply(
        { label: "notes", changes: [{ kind: "update", key, before: cur, after: { ...cur, notes } }] },
        "push",
      );
    },
    [apply],
  );

  const remove = useCallback(
    (key: string) => {
      const cur = workingRef.current.get(key);
      if (!cur) return;
      apply({ label: "delete", changes: [{ kind: "delete", key, values: cur }] }, "push");
    },
    [apply],
  );

  const historyRef = useRef(history);
  historyRef.current = history;
  const undo = useCallback(() => {
    if (s.current.conflict) return;
    const r = undoHistory(historyRef.current);
    if (r) apply(r.entry, { history: r.history });
  }, [apply]);
  const redo = useCallback(() => {
    if (s.current.conflict) return;
    const r = redoHistory(historyRef.current);
    if (r) apply(r.entry, { history: r.history });
  }, [apply]);

  /** Conflict resolution: "reload" discards my unsaved edits; "merge" replays them on top of theirs. */
  const resolve = useCallback(
    async (choice: "reload" | "merge") => {
      const st = s.current;
      const id = st.segmentationId;
      if (!id || !conflict) return;
      if (choice === "reload") {
        await reset(id);
        return;
      }
      const res = await load(id);
      if (!res) return;
      const server = new Map(res.segments.map((x) => [st.keys.key(x.id), valuesOf(x)]));
      // Keys whose segments the server no longer has must get new ids when re-created.
      for (const k of [...working.keys()]) if (!server.has(k) && st.keys.id(k)) st.keys.unbind(k);
      const { changes, notes } = rebase(conflict.pending, server);
      st.version = res.version;
      st.conflict = false;
      st.queue = changes;
      setExtras(new Map(res.segments.map((x) => [st.keys.key(x.id), extrasOf(x)])));
      setWorking(applyChanges(server, changes));
      // Undo entries were relative to the state before the merge: start a fresh history.
      setHistory(emptyHistory());
      setConflict(null);
      setMergeNotes([...notes, "Undo history was cleared by the merge."]);
      setSave(changes.length ? "saving" : "saved");
      void flush();
    },
    [conflict, flush, load, reset, working],
  );

  const retry = useCallback(() => {
    setSaveError(null);
    void flush();
  }, [flush]);

  const segments = useMemo(
    () =>
      [...working.entries()]
        .map(([key, v]) => ({ key, ...v, ...(extras.get(key) ?? NO_EXTRAS) }))
        .sort((a, b) => a.onset - b.onset || a.offset - b.offset)
        .map((x, i) => ({ ...x, index: i + 1 })),
    [working, extras],
  );

  return {
    segments,
    loading,
    loadError,
    save,
    saveError,
    conflict,
    mergeNotes,
    dismissMergeNotes: () => setMergeNotes([]),
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    create,
    change,
    setNotes,
    remove,
    undo,
    redo,
    resolve,
    retry,
    reload: () => reset(s.current.segmentationId),
    refreshBands,
    /** The version edits are based on (for imports into this segmentation). */
    version: () => s.current.version,
  };
}
