import { useLayoutEffect, useRef, useState } from "react";
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
  ahead,
  win,
  mode,
  playhead,
  onDrawn,
}: {
  taskId: string;
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
