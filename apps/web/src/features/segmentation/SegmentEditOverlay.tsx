import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from "react";
import { useViewport } from "../spectrogram";
import {
  DRAG_THRESHOLD_PX,
  dragSpan,
  drawSpan,
  hitTest,
  type Keyed,
  nudgeSpan,
  nudgeStep,
  type Part,
  type Span,
  spanEquals,
} from "./geometry";

export interface OverlaySegment extends Keyed {
  /** Shown as the box's title and accessible name. */
  index: number;
  /** Call type, shown on the box's chip. */
  label?: string | null;
  /** The call's band, Hz (measured by the detector or imported): marked inside the box, as in Raven. */
  lowFreq?: number | null;
  highFreq?: number | null;
}

export interface PreviewSegment {
  onset: number;
  offset: number;
  lowFreq?: number;
  highFreq?: number;
}

export interface SegmentEditOverlayProps {
  segments: readonly OverlaySegment[];
  /** Segments of the last preview run, drawn dashed and not editable. */
  preview?: readonly PreviewSegment[] | null;
  /** Whether pointer and keyboard editing is on (off: boxes only). */
  editable: boolean;
  selected: { key: string; part: Part } | null;
  onSelect: (sel: { key: string; part: Part } | null) => void;
  onCreate: (span: Span) => void;
  /** A finished drag or nudge series: `before` is the segment's span when it started. */
  onChange: (key: string, before: Span, after: Span) => void;
  onDelete: (key: string) => void;
  /** A click on empty spectrogram (no drag): the page moves its cursor there. */
  onCursor?: (t: number) => void;
}

type Drag =
  | { mode: "create"; startX: number; anchor: number; span: Span; moved: boolean }
  | { mode: "edit"; startX: number; key: string; part: Part; orig: Span; span: Span; moved: boolean };

const CURSORS: Record<Part | "empty", string> = {
  onset: "ew-resize",
  offset: "ew-resize",
  body: "move",
  empty: "crosshair",
};

const fmtMs = (t: number) => `${(t * 1000).toFixed(1)} ms`;

/** Commit a run of arrow-key nudges as one edit after this long without another press. */
const NUDGE_COMMIT_MS = 600;

/**
 * Manual segment editing on top of `<SpectrogramViewer>` (render it as a child; the viewer should
 * use `dragMode="none"`). Drag on empty area: draw; drag an edge: resize; drag the body: move;
 * Delete/Backspace: delete the selection; ←/→ nudge the selected part (Shift: ×10).
 */
export function SegmentEditOverlay(props: SegmentEditOverlayProps) {
  const vp = useViewport();
  const layer = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [hover, setHover] = useState<Part | "empty">("empty");
  // Nudges show at once but are committed as one change when the key presses stop.
  const [nudge, setNudge] = useState<{ key: string; part: Part; orig: Span; span: Span } | null>(null);
  const nudgeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const propsRef = useRef(props);
  propsRef.current = props;

  const bounds = { duration: vp.duration };
  const xOf = (e: { clientX: number }) => e.clientX - (layer.current?.getBoundingClientRect().left ?? 0);

  const commitNudge = (n: typeof nudge) => {
    clearTimeout(nudgeTimer.current);
    if (n && !spanEquals(n.orig, n.span)) propsRef.current.onChange(n.key, n.orig, n.span);
    setNudge(null);
  };
  // A pending nudge is committed on unmount, never lost.
  const nudgeRef = useRef(nudge);
  nudgeRef.current = nudge;
  useEffect(
    () => () => {
      const n = nudgeRef.current;
      clearTimeout(nudgeTimer.current);
      if (n && !spanEquals(n.orig, n.span)) propsRef.current.onChange(n.key, n.orig, n.span);
    },
    [],
  );

  const spanOf = (s: OverlaySegment): Span => {
    if (drag?.mode === "edit" && drag.key === s.key) return drag.span;
    if (nudge && nudge.key === s.key) return nudge.span;
    return s;
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!props.editable || e.button !== 0) return;
    if (nudge) commitNudge(nudge);
    layer.current?.focus({ preventScroll: true });
    const x = xOf(e);
    const hit = hitTest(props.segments, x, vp.timeToX, { preferKey: props.selected?.key ?? null });
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
    e.stopPropagation();
    if (hit.kind === "segment") {
      const seg = props.segments.find((s) => s.key === hit.key);
      if (!seg) return;
      props.onSelect({ key: hit.key, part: hit.part });
      const orig = { onset: seg.onset, offset: seg.offset };
      setDrag({ mode: "edit", startX: x, key: hit.key, part: hit.part, orig, span: orig, moved: false });
    } else {
      const t = vp.xToTime(x);
      setDrag({ mode: "create", startX: x, anchor: t, span: drawSpan(t, t, bounds), moved: false });
    }
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const x = xOf(e);
    if (!drag) {
      if (!props.editable) return;
      const hit = hitTest(props.segments, x, vp.timeToX, { preferKey: props.selected?.key ?? null });
      setHover(hit.kind === "segment" ? hit.part : "empty");
      return;
    }
    const moved = drag.moved || Math.abs(x - drag.startX) >= DRAG_THRESHOLD_PX;
    if (drag.mode === "create") {
      setDrag({ ...drag, moved, span: drawSpan(drag.anchor, vp.xToTime(x), bounds) });
    } else {
      const dt = vp.xToTime(x) - vp.xToTime(drag.startX);
      setDrag({ ...drag, moved, span: moved ? dragSpan(drag.orig, drag.part, dt, bounds) : drag.orig });
    }
  };

  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    e.currentTarget.releasePointerCapture?.(e.pointerId);
    const d = drag;
    setDrag(null);
    if (d.mode === "create") {
      if (d.moved) props.onCreate(d.span);
      else {
        props.onSelect(null);
        props.onCursor?.(d.anchor);
      }
    } else if (d.moved && !spanEquals(d.orig, d.span)) {
      props.onChange(d.key, d.orig, d.span);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const sel = props.selected;
    if (!props.editable || !sel) return;
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      e.stopPropagation();
      if (nudge) commitNudge(nudge);
      props.onDelete(sel.key);
      props.onSelect(null);
      return;
    }
    if (e.key === "Escape") {
      props.onSelect(null);
      return;
    }
    if (e.key === "Tab" && !e.ctrlKey && !e.altKey) {
      // Cycles the part the arrows act on: body → onset → offset.
      e.preventDefault();
      const order: Part[] = ["body", "onset", "offset"];
      const part = order[(order.indexOf(sel.part) + (e.shiftKey ? 2 : 1)) % 3] ?? "body";
      if (nudge) commitNudge(nudge);
      props.onSelect({ key: sel.key, part });
      return;
    }
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    e.stopPropagation();
    const seg = props.segments.find((s) => s.key === sel.key);
    if (!seg) return;
    const secondsPerPixel = (vp.t1 - vp.t0) / Math.max(1, vp.width);
    const step = nudgeStep(secondsPerPixel, e.shiftKey);
    const base = nudge && nudge.key === sel.key && nudge.part === sel.part ? nudge : null;
    if (nudge && !base) commitNudge(nudge);
    const orig = base?.orig ?? { onset: seg.onset, offset: seg.offset };
    const from = base?.span ?? orig;
    const span = nudgeSpan(from, sel.part, e.key === "ArrowLeft" ? -1 : 1, step, bounds);
    const next = { key: sel.key, part: sel.part, orig, span };
    setNudge(next);
    clearTimeout(nudgeTimer.current);
    nudgeTimer.current = setTimeout(() => commitNudge(next), NUDGE_COMMIT_MS);
  };

  const visible = (s: Span) => s.offset >= vp.t0 && s.onset <= vp.t1;
  const boxStyle = (s: Span) => {
    const left = vp.timeToX(s.onset);
    const right = vp.timeToX(s.offset);
    return { left: `${left}px`, width: `${Math.max(1, right - left)}px` };
  };
  // The band within the box (its edges kept inside the plot when the view is zoomed into part of it).
  const bandStyle = (low: number, high: number) => {
    const top = Math.max(0, Math.min(vp.height, vp.freqToY(high)));
    const bottom = Math.max(0, Math.min(vp.height, vp.freqToY(low)));
    return { top: `${top}px`, height: `${Math.max(1, bottom - top)}px` };
  };
  const cursor = drag ? (drag.mode === "create" ? "crosshair" : CURSORS[drag.part]) : CURSORS[hover];

  return (
    <div
      ref={layer}
      className={`seg-overlay${props.editable ? " seg-overlay-editable" : ""}`}
      style={{ cursor: props.editable ? cursor : undefined }}
      tabIndex={props.editable ? 0 : -1}
      role="application"
      aria-label="Segment editor"
      aria-description="Drag to draw a segment; drag its edges to resize or its body to move. Delete removes the selected segment; arrow keys nudge it (Shift: larger steps), Tab picks onset, offset or body."
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDrag(null)}
      onPointerLeave={() => !drag && setHover("empty")}
      onKeyDown={onKeyDown}
    >
      {props.preview?.filter(visible).map((s, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: preview segments have no identity
          key={`p${i}`}
          className="seg-box seg-box-preview"
          style={boxStyle(s)}
          role="img"
          aria-label={`Preview segment ${fmtMs(s.onset)} to ${fmtMs(s.offset)}`}
        >
          {s.lowFreq !== undefined && s.highFreq !== undefined ? (
            <span className="seg-band" style={bandStyle(s.lowFreq, s.highFreq)} data-band />
          ) : null}
        </div>
      ))}
      {props.segments.map((s) => {
        const span = spanOf(s);
        if (!visible(span)) return null;
        const isSel = props.selected?.key === s.key;
        return (
          <div
            key={s.key}
            className={`seg-box${isSel ? ` seg-box-selected seg-part-${props.selected?.part}` : ""}`}
            style={boxStyle(span)}
            role="img"
            aria-label={`Segment ${s.index}: ${fmtMs(span.onset)} to ${fmtMs(span.offset)}`}
            data-segment-key={s.key}
            title={`#${s.index} ${fmtMs(span.onset)}–${fmtMs(span.offset)} (${((span.offset - span.onset) * 1000).toFixed(1)} ms)`}
          >
            <span className="seg-chip">
              {s.index}
              {s.label ? ` ${s.label}` : ""}
            </span>
            {s.lowFreq != null && s.highFreq != null ? (
              <span className="seg-band" style={bandStyle(s.lowFreq, s.highFreq)} data-band />
            ) : null}
            <span className="seg-edge seg-edge-onset" />
            <span className="seg-edge seg-edge-offset" />
          </div>
        );
      })}
      {drag?.mode === "create" && drag.moved ? (
        <div className="seg-box seg-box-drawing" style={boxStyle(drag.span)} aria-hidden="true" />
      ) : null}
    </div>
  );
}
