/**
 * Keyboard map of the annotation screen. Call-type keys follow the species' call-type order, not
 * the per-call button order (the prediction comes first there), so a researcher's fingers learn
 * one key per call type for the whole batch.
 */

export const UNKNOWN_LABEL = "Unknown";

/** Letters with a command of their own, never given to a call type. */
export const COMMAND_KEYS: Readonly<Record<string, string>> = {
  s: "Skip",
  d: "Detail / overview",
  z: "Undo last label",
  u: UNKNOWN_LABEL,
};

/** Digits first (1…9, 0), then the letters that are not commands, in keyboard order. */
const CALL_TYPE_KEYS = [..."1234567890", ..."qwertyiopagfhjklxcvbnm"].filter((k) => !(k in COMMAND_KEYS));

export interface Shortcut {
  label: string;
  /** The key shown on the button ("1", "q", …); null when there are more call types than keys. */
  key: string | null;
}

/** One key per call type in the given (species) order; "Unknown" always gets "u". */
export function assignShortcuts(callTypes: readonly string[]): Shortcut[] {
  const seen = new Set<string>();
  const out: Shortcut[] = [];
  let next = 0;
  for (const label of callTypes) {
    if (seen.has(label) || label === UNKNOWN_LABEL) continue;
    seen.add(label);
    out.push({ label, key: CALL_TYPE_KEYS[next++] ?? null });
  }
  out.push({ label: UNKNOWN_LABEL, key: "u" });
  return out;
}

export type Action =
  | { type: "pick"; label: string }
  | { type: "save" }
  | { type: "skip" }
  | { type: "prev" }
  | { type: "next" }
  | { type: "play" }
  | { type: "toggleView" }
  | { type: "undo" }
  | { type: "blur" };

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The event's target is a text field (notes): shortcuts are off, the keys are text. */
  editable?: boolean;
  /** Auto-repeat from a held key: only navigation repeats (a held Enter must not save 20 calls). */
  repeat?: boolean;
}

/** The action for a key press, or null to let the browser handle it. */
export function resolveKey(e: KeyInput, shortcuts: readonly Shortcut[]): Action | null {
  if (e.editable) return e.key === "Escape" ? { type: "blur" } : null;
  // Browser and OS shortcuts (Ctrl+R, Cmd+Z, Alt+←) stay theirs.
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "ArrowLeft") return { type: "prev" };
  if (e.key === "ArrowRight") return { type: "next" };
  if (e.repeat) return null;
  switch (e.key) {
    case "Enter":
      return { type: "save" };
    case " ":
    case "Spacebar":
      return { type: "play" };
  }
  const k = e.key.length === 1 ? e.key.toLowerCase() : "";
  if (!k) return null;
  if (k === "s") return { type: "skip" };
  if (k === "d") return { type: "toggleView" };
  if (k === "z") return { type: "undo" };
  const hit = shortcuts.find((s) => s.key === k);
  return hit ? { type: "pick", label: hit.label } : null;
}

/** Whether a DOM event target takes text (so its keys are not shortcuts). */
export function isEditableTarget(t: EventTarget | null): boolean {
  if (!t || typeof (t as { tagName?: unknown }).tagName !== "string") return false;
  const el = t as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") {
    const type = ((el as HTMLInputElement).type ?? "text").toLowerCase();
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color"].includes(type);
  }
  return el.isContentEditable === true;
}

/** The shortcut legend shown on screen. */
export const LEGEND: readonly { keys: string; what: string }[] = [
  { keys: "1…9, letters", what: "pick a call type" },
  { keys: "U", what: UNKNOWN_LABEL },
  { keys: "Enter", what: "save and next" },
  { keys: "S", what: "skip" },
  { keys: "← / →", what: "previous / next" },
  { keys: "Space", what: "play (time-expanded)" },
  { keys: "D", what: "detail / overview" },
  { keys: "Z", what: "undo last label" },
  { keys: "Esc", what: "leave the notes field" },
];
