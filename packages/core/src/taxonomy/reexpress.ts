// Pure mappings through a species' chain of taxonomy changes. Backward: a current label as it
// would have been written at an earlier version (exports "in taxonomy version N"). Forward: a
// name of an earlier version in today's names (what a classifier trained then predicts).
import type { TaxonomyMapping } from "./schemas.ts";

/** The part of a TaxonomyChange row these functions need. */
export interface ChangeStep {
  version: number;
  kind: "rename" | "merge" | "split";
  mapping: TaxonomyMapping;
}

/** Separates the alternatives of a label that a merge made indistinguishable ("A|B"). */
export const ALTERNATIVES_SEPARATOR = "|";

const targets = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** new name → the old names it came from, for one change. */
function inverse(step: ChangeStep): Map<string, string[]> {
  const back = new Map<string, string[]>();
  for (const [old, to] of Object.entries(step.mapping))
    for (const n of targets(to)) {
      const list = back.get(n) ?? [];
      // the name that survived a merge first ("A|B" for A + B → A): jsonb does not keep key order
      if (old === n) list.unshift(old);
      else if (!list.includes(old)) list.push(old);
      back.set(n, list);
    }
  return back;
}

/**
 * Maps labels of the current version back to `version`: every change newer than it is undone,
 * newest first. A rename or split undoes exactly; a merge cannot know which of its sources a
 * merged call was, so it yields every source joined by "|" (e.g. "A|B"). Labels no change names
 * (free-text labels, "Unknown") pass through. Null stays null.
 */
export function backwardMapper(steps: readonly ChangeStep[], version: number) {
  const undo = steps
    .filter((s) => s.version > version)
    .sort((a, b) => b.version - a.version)
    .map(inverse);
  const cache = new Map<string, string>();
  return (label: string | null): string | null => {
    if (label === null) return null;
    const hit = cache.get(label);
    if (hit !== undefined) return hit;
    let names = [label];
    for (const back of undo) {
      const next: string[] = [];
      for (const n of names) for (const o of back.get(n) ?? [n]) if (!next.includes(o)) next.push(o);
      names = next;
    }
    const out = names.join(ALTERNATIVES_SEPARATOR);
    cache.set(label, out);
    return out;
  };
}

/**
 * Maps names of `version` forward to the current names. A split sends the old name to its first
 * part, the one that kept the call type's row (and so its probabilities and cluster mappings).
 * Returns only names that change.
 */
export function forwardAliases(steps: readonly ChangeStep[], version: number): Map<string, string> {
  const apply = steps.filter((s) => s.version > version).sort((a, b) => a.version - b.version);
  const current = new Map<string, string>(); // original name → its name now
  for (const step of apply) {
    const next = (name: string) => {
      const to = step.mapping[name];
      return to === undefined ? name : (targets(to)[0] as string);
    };
    for (const [orig, now] of current) current.set(orig, next(now));
    for (const name of Object.keys(step.mapping)) if (!current.has(name)) current.set(name, next(name));
  }
  for (const [orig, now] of current) if (orig === now) current.delete(orig);
  return current;
}

/** A merge or split since `version` changes what the model's classes mean; renames do not. */
export function structuralChangesSince(steps: readonly ChangeStep[], version: number): ChangeStep[] {
  return steps.filter((s) => s.version > version && s.kind !== "rename");
}

/** One line per change, for history lists and error messages. */
export function describeChange(step: Pick<ChangeStep, "kind" | "mapping">): string {
  const entries = Object.entries(step.mapping);
  if (step.kind === "rename")
    return entries.map(([o, n]) => `renamed ${o} → ${targets(n).join(", ")}`).join("; ");
  if (step.kind === "merge") {
    const into = targets(entries[0]?.[1] ?? "")[0] ?? "";
    const sources = entries.map(([o]) => o).filter((o) => o !== into);
    return `merged ${[into, ...sources].join(" + ")} → ${into}`;
  }
  return entries.map(([o, n]) => `split ${o} → ${targets(n).join(", ")}`).join("; ");
}
