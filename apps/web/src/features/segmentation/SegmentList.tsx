import { useEffect, useMemo, useState } from "react";
import { Button } from "../../components/ui";
import { formatBandKHz } from "../recordings/format";

export interface SegmentRow {
  key: string;
  index: number;
  onset: number;
  offset: number;
  notes: string;
  label: string | null;
  /** The call's band, Hz, where the detector or an imported table measured one. */
  lowFreq: number | null;
  highFreq: number | null;
}

const PAGE_SIZE = 25;

const ms = (t: number) => (t * 1000).toFixed(1);

/** Matches a segment by its notes, label, number, or a time in ms / s that falls inside it. */
export function matchesSearch(row: SegmentRow, q: string): boolean {
  const s = q.trim().toLowerCase();
  if (!s) return true;
  if (row.notes.toLowerCase().includes(s) || (row.label ?? "").toLowerCase().includes(s)) return true;
  if (s.startsWith("#")) return String(row.index) === s.slice(1);
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(s);
  if (m) {
    const v = Number(m[1]);
    const t = m[2] === "s" ? v : v / 1000;
    return t >= row.onset - 1e-9 && t <= row.offset + 1e-9;
  }
  return false;
}

function NotesCell({ row, onSave }: { row: SegmentRow; onSave: (notes: string) => void }) {
  const [value, setValue] = useState(row.notes);
  useEffect(() => setValue(row.notes), [row.notes]);
  const save = () => {
    if (value !== row.notes) onSave(value);
  };
  return (
    <input
      aria-label={`Notes for segment ${row.index}`}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === "Enter") save();
        if (e.key === "Escape") setValue(row.notes);
      }}
    />
  );
}

/**
 * The segments beside the spectrogram: onset, offset, duration (ms), editable notes; search and
 * pagination over the working copy (so unsaved and undone edits show at once). Clicking a row
 * selects the segment and centres the viewer on it.
 */
export function SegmentList({
  rows,
  selectedKey,
  onPick,
  onNotes,
  onDelete,
}: {
  rows: readonly SegmentRow[];
  selectedKey: string | null;
  onPick: (row: SegmentRow) => void;
  onNotes: (row: SegmentRow, notes: string) => void;
  onDelete: (row: SegmentRow) => void;
}) {
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(0);
  const filtered = useMemo(() => rows.filter((r) => matchesSearch(r, search)), [rows, search]);
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  // Follow the selection to its page (e.g. after clicking a box on the spectrogram).
  useEffect(() => {
    if (!selectedKey) return;
    const i = filtered.findIndex((r) => r.key === selectedKey);
    if (i >= 0) setPage(Math.floor(i / PAGE_SIZE));
  }, [selectedKey, filtered]);
  const shown = filtered.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);

  return (
    <section className="card" aria-label="Segment list">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0 }}>Segments</h2>
        <span className="muted small" aria-live="polite">
          {filtered.length === rows.length
            ? `${rows.length} segment${rows.length === 1 ? "" : "s"}`
            : `${filtered.length} of ${rows.length}`}
        </span>
      </div>
      <div className="field" style={{ marginTop: "0.5rem" }}>
        <label htmlFor="seg-search" className="visually-hidden">
          Search segments
        </label>
        <input
          id="seg-search"
          type="search"
          placeholder="Search notes, #number or a time (120 ms, 1.5 s)"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setPage(0);
          }}
        />
      </div>
      {rows.length === 0 ? (
        <p className="muted small">
          No segments yet: run the algorithm or drag on the spectrogram to draw one.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table seg-list-table" aria-label="Segments">
            <thead>
              <tr>
                <th>#</th>
                <th>Onset (ms)</th>
                <th>Offset (ms)</th>
                <th>Dur. (ms)</th>
                <th title="The call's frequency band: measured by the detector, or from an imported table">
                  Band (kHz)
                </th>
                <th>Notes</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr
                  key={r.key}
                  className={r.key === selectedKey ? "seg-row-selected" : undefined}
                  aria-selected={r.key === selectedKey}
                >
                  <td>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      aria-label={`Show segment ${r.index}`}
                      onClick={() => onPick(r)}
                    >
                      {r.index}
                    </button>
                  </td>
                  <td>{ms(r.onset)}</td>
                  <td>{ms(r.offset)}</td>
                  <td>{ms(r.offset - r.onset)}</td>
                  <td className="muted nowrap">{formatBandKHz(r.lowFreq, r.highFreq)}</td>
                  <td>
                    <NotesCell row={r} onSave={(n) => onNotes(r, n)} />
                  </td>
                  <td>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Delete segment ${r.index}`}
                      onClick={() => onDelete(r)}
                    >
                      ✕
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav className="row" aria-label="Segment pages" style={{ justifyContent: "space-between" }}>
          <Button size="sm" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </Button>
          <span className="small muted">
            Page {current + 1} of {pages}
          </span>
          <Button size="sm" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </Button>
        </nav>
      ) : null}
    </section>
  );
}
