import { useState } from "react";
import { PNG_HEIGHT, PNG_WIDTH } from "./assets";
import {
  type CallWindow,
  formatReadout,
  freqTicks,
  readout,
  secondsToX,
  timeTicks,
  type ViewMode,
} from "./axes";

/**
 * The call's spectrogram (a server PNG of the window) with ms / kHz axes, the call's bounds, the
 * playhead and a hover readout of time and frequency.
 */
export function CallSpectrogram({
  taskId,
  url,
  win,
  mode,
  playhead,
  onDrawn,
}: {
  taskId: string;
  url: string;
  win: CallWindow;
  mode: ViewMode;
  playhead: number | null;
  onDrawn: () => void;
}) {
  const [hover, setHover] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
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
        >
          {failed === url ? (
            <div className="tasks-plot-error muted small">No spectrogram for this call</div>
          ) : (
            <img
              key={url}
              src={url}
              width={PNG_WIDTH}
              height={PNG_HEIGHT}
              alt="Spectrogram of the call"
              data-task-id={taskId}
              draggable={false}
              onLoad={onDrawn}
              onError={() => setFailed(url)}
            />
          )}
          <div
            className="tasks-call-bounds"
            style={{ left: onsetX, width: `calc(${offsetX} - ${onsetX})` }}
          />
          {playhead != null ? <div className="tasks-playhead" style={{ left: xPct(playhead) }} /> : null}
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
        {hover ?? "Point at the spectrogram for time and frequency"}
      </figcaption>
    </figure>
  );
}
