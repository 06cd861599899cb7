import { describe, expect, it } from "vitest";
import {
  callWindow,
  formatReadout,
  freqTicks,
  hzToY,
  readout,
  secondsToX,
  spectrogramPngUrl,
  timeTicks,
  xToSeconds,
  yToHz,
} from "./axes";
import { assignShortcuts, isEditableTarget, resolveKey, UNKNOWN_LABEL } from "./keyboard";
import {
  addHints,
  advance,
  confirmCurrent,
  dropTask,
  emptyQueue,
  goBack,
  LruCache,
  prefetchPlan,
  type QueueState,
} from "./prefetch";

describe("keyboard map", () => {
  const types = ["FMB", "UFM", "LFM", "QCF", "CF"];
  const sc = assignShortcuts(types);

  it("gives digits in species order, Unknown last on U", () => {
    expect(sc.map((s) => `${s.label}:${s.key}`)).toEqual([
      "FMB:1",
      "UFM:2",
      "LFM:3",
      "QCF:4",
      "CF:5",
      "Unknown:u",
    ]);
  });

  it("continues with letters that are not commands after ten call types", () => {
    const many = assignShortcuts(Array.from({ length: 40 }, (_, i) => `t${i}`));
    const keys = many.map((s) => s.key);
    expect(keys.slice(0, 10)).toEqual([..."1234567890"]);
    expect(keys[10]).toBe("q");
    for (const command of ["s", "d", "z"]) expect(keys.filter((k) => k === command)).toHaveLength(0);
    // Only Unknown has u, and every key is used once.
    expect(keys.filter((k) => k === "u")).toHaveLength(1);
    const given = keys.filter((k): k is string => k !== null);
    expect(new Set(given).size).toBe(given.length);
    // More call types than keys: the rest have no key but still a button.
    expect(many.filter((s) => s.key === null).length).toBe(41 - given.length);
  });

  it("never duplicates a species' own Unknown", () => {
    expect(assignShortcuts(["A", UNKNOWN_LABEL, "A"]).map((s) => s.label)).toEqual(["A", UNKNOWN_LABEL]);
  });

  it("resolves keys to actions", () => {
    expect(resolveKey({ key: "3" }, sc)).toEqual({ type: "pick", label: "LFM" });
    expect(resolveKey({ key: "U" }, sc)).toEqual({ type: "pick", label: UNKNOWN_LABEL });
    expect(resolveKey({ key: "9" }, sc)).toBeNull();
    expect(resolveKey({ key: "Enter" }, sc)).toEqual({ type: "save" });
    expect(resolveKey({ key: "s" }, sc)).toEqual({ type: "skip" });
    expect(resolveKey({ key: "S" }, sc)).toEqual({ type: "skip" });
    expect(resolveKey({ key: "ArrowLeft" }, sc)).toEqual({ type: "prev" });
    expect(resolveKey({ key: "ArrowRight" }, sc)).toEqual({ type: "next" });
    expect(resolveKey({ key: " " }, sc)).toEqual({ type: "play" });
    expect(resolveKey({ key: "d" }, sc)).toEqual({ type: "toggleView" });
    expect(resolveKey({ key: "z" }, sc)).toEqual({ type: "undo" });
    expect(resolveKey({ key: "Shift" }, sc)).toBeNull();
  });

  it("leaves typing in the notes field alone (Escape leaves it)", () => {
    for (const key of ["1", "s", "Enter", " ", "z", "ArrowLeft"])
      expect(resolveKey({ key, editable: true }, sc)).toBeNull();
    expect(resolveKey({ key: "Escape", editable: true }, sc)).toEqual({ type: "blur" });
  });

  it("leaves browser shortcuts and held keys alone, except navigation", () => {
    expect(resolveKey({ key: "z", ctrlKey: true }, sc)).toBeNull();
    expect(resolveKey({ key: "r", metaKey: true }, sc)).toBeNull();
    expect(resolveKey({ key: "ArrowLeft", altKey: true }, sc)).toBeNull();
    expect(resolveKey({ key: "Enter", repeat: true }, sc)).toBeNull();
    expect(resolveKey({ key: "1", repeat: true }, sc)).toBeNull();
    expect(resolveKey({ key: "ArrowRight", repeat: true }, sc)).toEqual({ type: "next" });
  });

  it("knows which targets take text", () => {
    expect(isEditableTarget({ tagName: "TEXTAREA" } as unknown as EventTarget)).toBe(true);
    expect(isEditableTarget({ tagName: "INPUT", type: "text" } as unknown as EventTarget)).toBe(true);
    expect(isEditableTarget({ tagName: "INPUT", type: "checkbox" } as unknown as EventTarget)).toBe(false);
    expect(isEditableTarget({ tagName: "BUTTON" } as unknown as EventTarget)).toBe(false);
    expect(isEditableTarget({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(
      true,
    );
    expect(isEditableTarget(null)).toBe(false);
  });
});

type T = { id: string; v?: number };
const t = (id: string, v?: number): T => (v === undefined ? { id } : { id, v });
const ids = (s: QueueState<T>) => ({
  current: s.current?.id ?? null,
  ahead: s.ahead.map((x) => x.id),
  behind: s.behind.map((x) => x.id),
});

describe("prefetch queue", () => {
  it("starts from nextTask(take) and advances at once on save", () => {
    let s = confirmCurrent(emptyQueue<T>(), t("a"));
    s = addHints(s, [t("a"), t("b"), t("c")]);
    expect(ids(s)).toEqual({ current: "a", ahead: ["b", "c"], behind: [] });
    s = advance(s);
    expect(ids(s)).toEqual({ current: "b", ahead: ["c"], behind: ["a"] });
    // The server confirms b: refreshed in place, nothing else moves.
    s = confirmCurrent(s, t("b", 2));
    expect(s.current).toEqual({ id: "b", v: 2 });
    expect(ids(s)).toEqual({ current: "b", ahead: ["c"], behind: ["a"] });
  });

  it("follows the server when the shown call was taken by someone else", () => {
    let s = addHints(confirmCurrent(emptyQueue<T>(), t("a")), [t("b"), t("c"), t("d")]);
    s = advance(s); // shows b optimistically
    s = confirmCurrent(s, t("c")); // b went to another annotator
    expect(ids(s)).toEqual({ current: "c", ahead: ["d"], behind: ["a"] });
    // A task not among the hints becomes current and the hints stay.
    s = confirmCurrent(s, t("x"));
    expect(ids(s)).toEqual({ current: "x", ahead: ["d"], behind: ["a"] });
    // Nothing left.
    expect(ids(confirmCurrent(s, null))).toEqual({ current: null, ahead: [], behind: ["a"] });
  });

  it("shows nothing (waits for the server) when no hint is known", () => {
    const s = advance(confirmCurrent(emptyQueue<T>(), t("a")));
    expect(ids(s)).toEqual({ current: null, ahead: [], behind: ["a"] });
  });

  it("goes back through visited calls and forward again", () => {
    let s = addHints(confirmCurrent(emptyQueue<T>(), t("a")), [t("b"), t("c")]);
    s = advance(advance(s));
    expect(ids(s)).toEqual({ current: "c", ahead: [], behind: ["a", "b"] });
    s = goBack(s);
    expect(ids(s)).toEqual({ current: "b", ahead: ["c"], behind: ["a"] });
    s = goBack(goBack(s));
    expect(ids(s)).toEqual({ current: "a", ahead: ["b", "c"], behind: [] });
    expect(goBack(s)).toBe(s);
  });

  it("merges hints without duplicates or the current call, capped", () => {
    let s = addHints(confirmCurrent(emptyQueue<T>(), t("a")), [t("b"), t("c")]);
    s = addHints(s, [t("a"), t("c", 9), t("d"), t("e")], 3);
    expect(ids(s).ahead).toEqual(["b", "c", "d"]);
    expect(s.ahead[1]).toEqual({ id: "c", v: 9 });
  });

  it("drops a call locked by someone else", () => {
    let s = addHints(confirmCurrent(emptyQueue<T>(), t("a")), [t("b"), t("c")]);
    expect(ids(dropTask(s, "b"))).toEqual({ current: "a", ahead: ["c"], behind: [] });
    s = dropTask(s, "a");
    expect(ids(s)).toEqual({ current: "b", ahead: ["c"], behind: [] });
  });

  it("plans the current call first, then `depth` ahead", () => {
    const s = addHints(confirmCurrent(emptyQueue<T>(), t("a")), [t("b"), t("c"), t("d")]);
    expect(prefetchPlan(s, 2).map((x) => x.id)).toEqual(["a", "b", "c"]);
    expect(prefetchPlan(emptyQueue<T>(), 2)).toEqual([]);
  });

  it("LRU keeps the recently used and reports what it evicts", () => {
    const evicted: string[] = [];
    const c = new LruCache<number>(2, (k) => evicted.push(k));
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("c", 3);
    expect(evicted).toEqual(["b"]);
    expect(c.keys()).toEqual(["a", "c"]);
    c.set("a", 4);
    expect(c.size).toBe(2);
    expect(c.get("a")).toBe(4);
    expect(c.get("b")).toBeUndefined();
  });
});

describe("call spectrogram axes", () => {
  const rec = { duration: 10, sampleRate: 250_000 };

  it("pads the call and clamps to the recording", () => {
    const w = callWindow({ onset: 1, offset: 1.01 }, 8, rec);
    expect(w.start).toBeCloseTo(0.992, 9);
    expect(w.end).toBeCloseTo(1.018, 9);
    expect(w.fMax).toBe(125_000);
    const edge = callWindow({ onset: 0.1, offset: 9.9 }, 500, rec);
    expect(edge.start).toBe(0);
    expect(edge.end).toBe(10);
  });

  it("maps pointer pixels to time from the onset and kHz, and back", () => {
    const w = callWindow({ onset: 2, offset: 2.004 }, 8, rec); // 1.992 … 2.012
    const width = 800;
    const height = 400;
    // Left edge = −8 ms, the onset = 0 ms, the right edge = +12 ms (offset 4 ms + 8 ms padding).
    expect(readout(w, 0, 0, width, height).ms).toBeCloseTo(-8, 6);
    expect(readout(w, secondsToX(w, 2, width), 0, width, height).ms).toBeCloseTo(0, 6);
    expect(readout(w, width, 0, width, height).ms).toBeCloseTo(12, 6);
    // Top = Nyquist, bottom = 0, middle = half.
    expect(readout(w, 0, 0, width, height).kHz).toBeCloseTo(125, 6);
    expect(readout(w, 0, height, width, height).kHz).toBeCloseTo(0, 6);
    expect(readout(w, 0, height / 2, width, height).kHz).toBeCloseTo(62.5, 6);
    // Outside the image clamps to its edges.
    expect(xToSeconds(w, -50, width)).toBeCloseTo(w.start, 9);
    expect(yToHz(w, height + 50, height)).toBe(0);
    // Round trips.
    expect(yToHz(w, hzToY(w, 40_000, height), height)).toBeCloseTo(40_000, 6);
    expect(xToSeconds(w, secondsToX(w, 2.003, width), width)).toBeCloseTo(2.003, 9);
    expect(formatReadout(readout(w, 0, height / 2, width, height))).toBe("−8.0 ms (1.9920 s) · 62.5 kHz");
  });

  it("puts ticks on round ms and kHz values at the right pixels", () => {
    const w = callWindow({ onset: 2, offset: 2.004 }, 8, rec);
    const tt = timeTicks(w, 800, 10);
    expect(tt.map((x) => x.label)).toEqual(["-8", "-6", "-4", "-2", "0", "2", "4", "6", "8", "10", "12"]);
    const zero = tt.find((x) => x.label === "0");
    expect(zero?.pos).toBeCloseTo(secondsToX(w, 2, 800), 6);
    const ft = freqTicks(w, 400, 6);
    expect(ft[0]).toEqual({ pos: 400, label: "0" });
    const k100 = ft.find((x) => x.label === "100");
    expect(k100?.pos).toBeCloseTo(hzToY(w, 100_000, 400), 6);
    expect(ft.every((x) => x.pos >= 0 && x.pos <= 400)).toBe(true);
  });

  it("builds one PNG URL per window, channel and colormap", () => {
    const w = callWindow({ onset: 1, offset: 1.01 }, 8, rec);
    const u = spectrogramPngUrl("rec 1", w, { width: 900, height: 360, colormap: "viridis", channel: 1 });
    expect(u).toBe(
      "/api/recordings/rec%201/spectrogram.png?start=0.992000&end=1.018000&width=900&height=360&colormap=viridis&channel=1",
    );
    expect(spectrogramPngUrl("r", w, { width: 1, height: 1, channel: "mix" })).not.toMatch(
      /channel|colormap/,
    );
  });
});
