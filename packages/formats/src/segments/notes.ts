/**
 * Columns without a Segment field (Raven measurements, a CSV's extra columns) live in
 * the segment's notes as `key=value; key=value`, readable in the UI and reversible on
 * export. `\`, `;` and `=` inside keys or values are backslash-escaped.
 */

const escapeNote = (s: string) => s.replace(/[\\;=]/g, (c) => `\\${c}`);

export function formatNotes(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${escapeNote(k)}=${escapeNote(v)}`)
    .join("; ");
}

/** The fields back, or null when the notes are free text rather than `key=value; …`. */
export function parseNotes(notes: string): Record<string, string> | null {
  if (notes.trim() === "") return null;
  const out: Record<string, string> = {};
  let key: string | null = null;
  let cur = "";
  const finish = (): boolean => {
    if (key === null || key.trim() === "") return false;
    out[key.trim()] = cur;
    key = null;
    cur = "";
    return true;
  };
  for (let i = 0; i < notes.length; i++) {
    const c = notes[i] as string;
    if (c === "\\" && i + 1 < notes.length) {
      cur += notes[++i];
    } else if (c === "=" && key === null) {
      key = cur;
      cur = "";
    } else if (c === "=") {
      return null;
    } else if (c === ";") {
      if (!finish()) return null;
      if (notes[i + 1] === " ") i++;
    } else {
      cur += c;
    }
  }
  return finish() ? out : null;
}
