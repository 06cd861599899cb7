import type { SelectionBox } from "@battycoda/audio/browser";
import { useLayoutEffect, useRef, useState } from "react";
import { MeasurementsPanel, useBoxMeasurements } from "../spectrogram";
import { PNG_HEIGHT, PNG_WIDTH } from "./assets";
import {
  type CallWindow,
  formatReadout,
  freqTicks,
  readout,
  secondsToX,
  timeTicks,
  type ViewMode,
  xToSeconds,
  yToHz,
} from "./axes";

/**
 * The call's spectrogram (a server PNG of the window) with ms / kHz axes, the call's bounds, the
 * playhead, a hover readout of time and frequency, and the measure tool (drag a box: Raven-style
 * measurements from the spectrogram data in it, as in the recording viewer).
 */
export function CallSpectrogram({
  taskId,
  recordingId,
  channel,
  url,
  ahead,
  win,
  mode,
  playhead,
  onDrawn,
}: {
  taskId: string;
  recordingId: string;
  channel: number | "mix";
  url: string;
  /**
   * The next calls' images, laid under the current one and transparent: already decoded and
   * rasterised, the next call shows in the frame after the key press instead of after a load.
   */
  ahead: { taskId: string; url: string }[];
  win: CallWindow;
  mode: ViewMode;
  playhead: number | null;
  onDrawn: () => void;
}) {
  const [hover, setHover] = useState<string | null>(null);
  const [measuring, setMeasuring] = useState(false);
  const [box, setBox] = useState<{ taskId: string; box: SelectionBox } | null>(null);
  const [draft, setDraft] = useState<SelectionBox | null>(null);
  const anchor = useRef<{ t: number; f: number } | null>(null);
  // A box belongs to the call it was drawn on.
  const shown = box && box.taskId === taskId ? box.box : null;
  const measured = useBoxMeasurements(recordingId, shown, channel);
  const at = (e: { clientX: number; clientY: number; currentTarget: Element }) => {
    const r = e.currentTarget.getBoundingClientRect();
    return {
      t: xToSeconds(win, e.clientX - r.left, r.width),
      f: yToHz(win, e.clientY - r.top, r.height),
    };
  };
  const boxPct = (b: SelectionBox) => ({
    left: xPct(b.start),
    width: `calc(${xPct(b.end)} - ${xPct(b.start)})`,
    top: `${(1 - b.fHigh / win.fMax) * 100}%`,
    height: `${((b.fHigh - b.fLow) / win.fMax) * 100}%`,
  });
  const [failed, setFailed] = useState<string | null>(null);
  const currentImg = useRef<HTMLImageElement>(null);
  const onDrawnRef = useRef(onDrawn);
  onDrawnRef.current = onDrawn;
  // A layer that was already loaded fires no load event when it becomes the current one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per image shown
  useLayoutEffect(() => {
    const img = currentImg.current;
    if (img?.complete && img.naturalWidth > 0) onDrawnRef.current();
  }, [url]);
  const layers = [{ taskId, url }, ...ahead.filter((a) => a.url !== url)];
  const xPct = (t: number) => `${(secondsToX(win, t, PNG_WIDTH) / PNG_WIDTH) * 100}%`;
  const onsetX = xPct(win.onset);
  const offsetX = xPct(win.offset);
  return (
    <figure className="tasks-spectro" aria-label={`Spectrogram, ${mode} view`} data-mode={mode}>
      <div className="tasks-spectro-grid">
        <div className="tasks-axis-y" aria-hidden="true">
          {freqTicks(win, PNG_HEIGHT, 6).map((t) => (
            <span key={t.label} style={{ top: `${(t.pos / PNG_HEIGHT) * 100}%` }}>
              {t.label}
            </span>
          ))}
          <span className="tasks-axis-title-y">kHz</span>
        </div>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: the hover readout only adds to the axes, which carry the same scale */}
        <div
          className="tasks-plot"
          onMouseMove={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            setHover(formatReadout(readout(win, e.clientX - r.left, e.clientY - r.top, r.width, r.height)));
          }}
          onMouseLeave={() => setHover(null)}
          onPointerDown={(e) => {
            if (!measuring || e.button !== 0) return;
            e.currentTarget.setPointerCapture?.(e.pointerId);
            anchor.current = at(e);
            setDraft(null);
          }}
          onPointerMove={(e) => {
            const a = anchor.current;
            if (!a) return;
            const b = at(e);
            setDraft({
              start: Math.min(a.t, b.t),
              end: Math.max(a.t, b.t),
              fLow: Math.min(a.f, b.f),
              fHigh: Math.max(a.f, b.f),
            });
          }}
          onPointerUp={() => {
            anchor.current = null;
            if (draft && draft.end > draft.start && draft.fHigh > draft.fLow) setBox({ taskId, box: draft });
            setDraft(null);
          }}
          data-measuring={measuring ? "true" : undefined}
        >
          {failed === url ? (
            <div className="tasks-plot-error muted small">No spectrogram for this call</div>
          ) : null}
          {layers.map((l) => {
            const isCurrent = l.url === url;
            return (
              <img
                key={l.url}
                ref={isCurrent ? currentImg : undefined}
                className={isCurrent ? undefined : "tasks-plot-ahead"}
                src={l.url}
                width={PNG_WIDTH}
                height={PNG_HEIGHT}
                alt={isCurrent ? "Spectrogram of the call" : ""}
                aria-hidden={isCurrent ? undefined : true}
                data-task-id={l.taskId}
                data-current={isCurrent ? "true" : undefined}
                draggable={false}
                onLoad={isCurrent ? () => onDrawnRef.current() : undefined}
                onError={isCurrent ? () => setFailed(url) : undefined}
              />
            );
          })}
          <div
            className="tasks-call-bounds"
            style={{ left: onsetX, width: `calc(${offsetX} - ${onsetX})` }}
          />
          {playhead != null ? <div className="tasks-playhead" style={{ left: xPct(playhead) }} /> : null}
          {draft || shown ? (
            <div
              className="spectro-measure-box"
              data-testid="measure-box"
              style={boxPct((draft ?? shown) as SelectionBox)}
            />
          ) : null}
        </div>
        <span />
        <div className="tasks-axis-x" aria-hidden="true">
          {timeTicks(win, PNG_WIDTH, 10).map((t) => (
            <span key={t.label} style={{ left: `${(t.pos / PNG_WIDTH) * 100}%` }}>
              {t.label}
            </span>
          ))}
        </div>
        <span />
        <div className="tasks-axis-title-x small muted">ms from the call's onset</div>
      </div>
      <figcaption className="small mono tasks-readout" aria-live="off" data-readout>
        {hover ?? "Point at the spectrogram for time and frequency"}{" "}
        <button
          type="button"
          className={`btn btn-sm${measuring ? " btn-primary" : ""}`}
          aria-pressed={measuring}
          onClick={() => setMeasuring((m) => !m)}
          title="Drag a box on the spectrogram: start, end, duration, low/high and peak frequency"
        >
          Measure
        </button>
      </figcaption>
      {shown ? (
        <MeasurementsPanel box={shown} state={measured} onClear={() => setBox(null)} timeOrigin={win.onset} />
      ) : null}
    </figure>
  );
}
