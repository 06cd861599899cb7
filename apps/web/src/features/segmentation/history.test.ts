import { describe, expect, it } from "vitest";
import {
  applyChanges,
  type Change,
  emptyHistory,
  invertEntry,
  KeyMap,
  newKey,
  push,
  rebase,
  redo,
  type SegValues,
  toOps,
  undo,
} from "./history";

const v = (onset: number, offset: number, notes = ""): SegValues => ({ onset, offset, notes });

describe("history stack", () => {
  it("undo yields the inverse, redo the original, a new edit clears redo", () => {
    let h = emptyHistory();
    const create: Change = { kind: "create", key: "new:x", values: v(0.1, 0.2) };
    const move: Change = { kind: "update", key: "s1", before: v(0.3, 0.4), after: v(0.35, 0.45) };
    h = push(h, { label: "draw", changes: [create] });
    h = push(h, { label: "move", changes: [move] });
    const must = <T>(x: T | null): T => {
      if (x === null) throw new Error("expected a value");
      return x;
    };
    const u1 = must(undo(h));
    expect(u1.entry.changes).toEqual([
      { kind: "update", key: "s1", before: v(0.35, 0.45), after: v(0.3, 0.4) },
    ]);
    const u2 = must(undo(u1.history));
    expect(u2.entry.changes).toEqual([{ kind: "delete", key: "new:x", values: v(0.1, 0.2) }]);
    expect(undo(u2.history)).toBeNull();
    const r1 = must(redo(u2.history));
    expect(r1.entry.changes).toEqual([create]);
    const h2 = push(r1.history, {
      label: "delete",
      changes: [{ kind: "delete", key: "s1", values: v(0.3, 0.4) }],
    });
    expect(redo(h2)).toBeNull();
    expect(h2.past.map((e) => e.label)).toEqual(["draw", "delete"]);
  });
  it("ignores empty entries; inverts multi-change entries in reverse order", () => {
    expect(push(emptyHistory(), { label: "x", changes: [] }).past).toHaveLength(0);
    const e = invertEntry({
      label: "two",
      changes: [
        { kind: "create", key: "a", values: v(0, 1) },
        { kind: "delete", key: "b", values: v(2, 3) },
      ],
    });
    expect(e.changes.map((c) => `${c.kind}:${c.key}`)).toEqual(["create:b", "delete:a"]);
  });
  it("applies changes to a working copy", () => {
    const s0 = new Map([["s1", v(0.3, 0.4)]]);
    const s1 = applyChanges(s0, [
      { kind: "create", key: "new:1", values: v(0.1, 0.2) },
      { kind: "update", key: "s1", before: v(0.3, 0.4), after: v(0.31, 0.4) },
    ]);
    expect([...s1.entries()]).toEqual([
      ["s1", v(0.31, 0.4)],
      ["new:1", v(0.1, 0.2)],
    ]);
    expect(s0.get("s1")).toEqual(v(0.3, 0.4));
    expect(applyChanges(s1, [{ kind: "delete", key: "s1", values: v(0.31, 0.4) }]).has("s1")).toBe(false);
  });
});

describe("toOps", () => {
  it("maps keys to ids and sends only changed fields", () => {
    const km = new KeyMap();
    const { ops, taken } = toOps(
      [
        { kind: "update", key: "s1", before: v(0.3, 0.4, "a"), after: v(0.3, 0.45, "a") },
        { kind: "update", key: "s2", before: v(1, 2, ""), after: v(1, 2, "FM") },
        { kind: "update", key: "s3", before: v(1, 2), after: v(1, 2) },
        { kind: "delete", key: "s4", values: v(3, 4) },
      ],
      (k) => km.id(k),
    );
    expect(taken).toBe(4);
    expect(ops).toEqual([
      { type: "update", key: "s1", id: "s1", offset: 0.45 },
      { type: "update", key: "s2", id: "s2", notes: "FM" },
      { type: "delete", key: "s4", id: "s4" },
    ]);
  });
  it("stops before a change to a segment created in the same batch", () => {
    const km = new KeyMap();
    const k = newKey();
    const changes: Change[] = [
      { kind: "create", key: k, values: v(0.1, 0.2) },
      { kind: "update", key: k, before: v(0.1, 0.2), after: v(0.1, 0.3) },
      { kind: "delete", key: "s9", values: v(1, 2) },
    ];
    const first = toOps(changes, (x) => km.id(x));
    expect(first.taken).toBe(1);
    expect(first.ops).toEqual([{ type: "create", key: k, onset: 0.1, offset: 0.2, notes: "" }]);
    km.bind(k, "srv-1");
    const second = toOps(changes.slice(first.taken), (x) => km.id(x));
    expect(second.taken).toBe(2);
    expect(second.ops).toEqual([
      { type: "update", key: k, id: "srv-1", offset: 0.3 },
      { type: "delete", key: "s9", id: "s9" },
    ]);
  });
  it("undo of a delete re-creates, and the new id is bound to the old key", () => {
    const km = new KeyMap();
    km.unbind("s1");
    expect(km.id("s1")).toBe("");
    km.bind("s1", "srv-2");
    expect(km.id("s1")).toBe("srv-2");
    expect(km.key("srv-2")).toBe("s1");
    expect(km.key("other")).toBe("other");
  });
});

describe("rebase after a conflict", () => {
  it("keeps my changes on top of theirs and reports every overlap", () => {
    // Server now: s1 moved by them, s2 deleted by them, s3 untouched, s4 deleted by them.
    const server = new Map([
      ["s1", v(0.32, 0.4, "theirs")],
      ["s3", v(2, 3)],
    ]);
    const pending: Change[] = [
      { kind: "update", key: "s1", before: v(0.3, 0.4, "theirs"), after: v(0.3, 0.5, "theirs") },
      { kind: "update", key: "s2", before: v(1, 1.1), after: v(1, 1.2) },
      { kind: "delete", key: "s3", values: v(2, 3) },
      { kind: "delete", key: "s4", values: v(4, 5) },
      { kind: "create", key: "new:7", values: v(6, 7) },
    ];
    const r = rebase(pending, server);
    expect(r.changes).toEqual([
      { kind: "update", key: "s1", before: v(0.32, 0.4, "theirs"), after: v(0.32, 0.5, "theirs") },
      { kind: "create", key: "s2", values: v(1, 1.2) },
      { kind: "delete", key: "s3", values: v(2, 3) },
      { kind: "create", key: "new:7", values: v(6, 7) },
    ]);
    expect(r.notes).toHaveLength(3);
    expect(r.notes.join(" ")).toMatch(/both changed/);
    expect(r.notes.join(" ")).toMatch(/re-created/);
    expect(r.notes.join(" ")).toMatch(/already deleted/);
  });
  it("a clean rebase has no notes", () => {
    const r = rebase(
      [{ kind: "update", key: "s1", before: v(0, 1), after: v(0, 2) }],
      new Map([["s1", v(0, 1)]]),
    );
    expect(r.notes).toEqual([]);
    expect(r.changes).toHaveLength(1);
  });
});
