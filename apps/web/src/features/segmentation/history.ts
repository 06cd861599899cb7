/**
 * Pure edit history for manual segment editing.
 *
 * Segments are addressed by a stable local `key` (a server id for segments loaded from the API, a
 * `new:<n>` key for segments drawn here). The server assigns ids to created segments — and a new
 * id when an undo re-creates a deleted one — so a {@link KeyMap} translates keys to current ids
 * when changes are turned into `batchEdit` operations.
 *
 * Undo/redo work on entries (one user gesture = one entry, possibly several changes); undoing an
 * entry produces its inverse changes, which are sent like any other edit.
 */

export interface SegValues {
  onset: number;
  offset: number;
  notes: string;
}

export type Change =
  | { kind: "create"; key: string; values: SegValues }
  | { kind: "update"; key: string; before: SegValues; after: SegValues }
  | { kind: "delete"; key: string; values: SegValues };

export interface Entry {
  label: string;
  changes: Change[];
}

export interface History {
  past: Entry[];
  future: Entry[];
}

export const emptyHistory = (): History => ({ past: [], future: [] });

/** Most recent entries kept for undo. */
export const HISTORY_LIMIT = 200;

export function push(h: History, entry: Entry): History {
  if (entry.changes.length === 0) return h;
  return { past: [...h.past, entry].slice(-HISTORY_LIMIT), future: [] };
}

export function invert(c: Change): Change {
  switch (c.kind) {
    case "create":
      return { kind: "delete", key: c.key, values: c.values };
    case "delete":
      return { kind: "create", key: c.key, values: c.values };
    case "update":
      return { kind: "update", key: c.key, before: c.after, after: c.before };
  }
}

/** Inverse of a whole entry: inverted changes in reverse order. */
export const invertEntry = (e: Entry): Entry => ({
  label: e.label,
  changes: [...e.changes].reverse().map(invert),
});

/** Undo the last entry: the changes to apply now (already inverted), and the new history. */
export function undo(h: History): { history: History; entry: Entry } | null {
  const last = h.past.at(-1);
  if (!last) return null;
  return { history: { past: h.past.slice(0, -1), future: [...h.future, last] }, entry: invertEntry(last) };
}

export function redo(h: History): { history: History; entry: Entry } | null {
  const next = h.future.at(-1);
  if (!next) return null;
  return { history: { past: [...h.past, next], future: h.future.slice(0, -1) }, entry: next };
}

/** Applies changes to a working copy (keyed by local key); returns a new map. */
export function applyChanges(state: ReadonlyMap<string, SegValues>, changes: readonly Change[]) {
  const next = new Map(state);
  for (const c of changes) {
    if (c.kind === "delete") next.delete(c.key);
    else if (c.kind === "create") next.set(c.key, c.values);
    else next.set(c.key, c.after);
  }
  return next;
}

/** Local key ⇄ server id. Keys of loaded segments are their ids until an undo re-creates them. */
export class KeyMap {
  private toId = new Map<string, string>();
  private toKey = new Map<string, string>();
  id(key: string): string | undefined {
    if (this.toId.has(key)) return this.toId.get(key);
    return key.startsWith("new:") ? undefined : key;
  }
  key(id: string): string {
    return this.toKey.get(id) ?? id;
  }
  bind(key: string, id: string) {
    const old = this.toId.get(key);
    if (old !== undefined) this.toKey.delete(old);
    this.toId.set(key, id);
    this.toKey.set(id, key);
  }
  /** The key's segment is gone on the server (deleted); an undo will bind a new id. */
  unbind(key: string) {
    const old = this.id(key);
    if (old !== undefined) this.toKey.delete(old);
    this.toId.set(key, "");
  }
  clear() {
    this.toId.clear();
    this.toKey.clear();
  }
}

let seq = 0;
export const newKey = () => `new:${++seq}`;

/** One operation, independent of the wire format (the hook maps it onto `batchEdit`'s ops). */
export type PlainOp =
  | { type: "create"; key: string; onset: number; offset: number; notes: string }
  | { type: "update"; key: string; id: string; onset?: number; offset?: number; notes?: string }
  | { type: "delete"; key: string; id: string };

/**
 * Turns queued changes into operations, as many as can be sent in one request: stops before a
 * change that targets a segment whose server id is not known yet (created earlier in the same
 * batch), which goes in the next request once the ids are back. Updates carry only the fields
 * that changed, so another user's edit of the other fields survives a merge.
 */
export function toOps(changes: readonly Change[], ids: (key: string) => string | undefined) {
  const ops: PlainOp[] = [];
  const creating = new Set<string>();
  let taken = 0;
  for (const c of changes) {
    if (c.kind === "create") {
      ops.push({ type: "create", key: c.key, ...c.values });
      creating.add(c.key);
    } else {
      const id = ids(c.key);
      if (!id || creating.has(c.key)) break;
      if (c.kind === "delete") ops.push({ type: "delete", key: c.key, id });
      else {
        const op: PlainOp = { type: "update", key: c.key, id };
        if (c.before.onset !== c.after.onset) op.onset = c.after.onset;
        if (c.before.offset !== c.after.offset) op.offset = c.after.offset;
        if (c.before.notes !== c.after.notes) op.notes = c.after.notes;
        if (op.onset !== undefined || op.offset !== undefined || op.notes !== undefined) ops.push(op);
      }
    }
    taken++;
  }
  return { ops, taken };
}

export interface RebaseResult {
  changes: Change[];
  /** What the user should know about (never silently dropped). */
  notes: string[];
}

const fmt = (v: SegValues) => `${(v.onset * 1000).toFixed(1)}–${(v.offset * 1000).toFixed(1)} ms`;

/**
 * After a CONFLICT, replays my unsent changes on top of the other user's version (`server`, keyed
 * by local key): updates of segments they deleted become re-creations, deletes of segments they
 * already deleted are no-ops, and updates of segments they also changed keep my fields on top of
 * theirs. Every such case is reported.
 */
export function rebase(pending: readonly Change[], server: ReadonlyMap<string, SegValues>): RebaseResult {
  const out: Change[] = [];
  const notes: string[] = [];
  const state = new Map(server);
  const recreated = new Set<string>();
  for (const c of pending) {
    if (c.kind === "create") {
      out.push(c);
      state.set(c.key, c.values);
      continue;
    }
    const current = state.get(c.key);
    if (c.kind === "delete") {
      if (!current) {
        notes.push(`The segment at ${fmt(c.values)} you deleted was already deleted by the other editor.`);
        continue;
      }
      out.push({ kind: "delete", key: c.key, values: current });
      state.delete(c.key);
      continue;
    }
    if (!current) {
      if (!recreated.has(c.key))
        notes.push(
          `The other editor deleted the segment you changed (${fmt(c.before)}); it is re-created with your times.`,
        );
      recreated.add(c.key);
      out.push({ kind: "create", key: c.key, values: c.after });
      state.set(c.key, c.after);
      continue;
    }
    const merged: SegValues = {
      onset: c.before.onset !== c.after.onset ? c.after.onset : current.onset,
      offset: c.before.offset !== c.after.offset ? c.after.offset : current.offset,
      notes: c.before.notes !== c.after.notes ? c.after.notes : current.notes,
    };
    const theyChanged =
      current.onset !== c.before.onset ||
      current.offset !== c.before.offset ||
      current.notes !== c.before.notes;
    if (theyChanged)
      notes.push(
        `You and the other editor both changed the segment at ${fmt(c.before)}; your changes are applied on top.`,
      );
    out.push({ kind: "update", key: c.key, before: current, after: merged });
    state.set(c.key, merged);
  }
  return { changes: out, notes };
}
