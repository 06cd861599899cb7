import { useEffect, useRef, useState } from "react";
import type { TimeSelection } from "../spectrogram";
import { type PlaybackMode, type PlaybackSettings, SPEED_FACTORS, type usePlayback } from "./usePlayback";

/**
 * Play / stop with the playback mode: time expansion (1/5 … 1/20 speed, pitch divided by the same
 * factor) or heterodyne (real time; a call at f is heard at |f − tuning|). Plays the selection when
 * there is one, else from the cursor (or the view's start) to the end of the view.
 */
export function PlaybackControls({
  player,
  sampleRate,
  channel,
  cursorTime,
  selection,
  viewStart,
  viewEnd,
  spaceToggles = false,
}: {
  player: ReturnType<typeof usePlayback>;
  sampleRate: number;
  channel: number | "mix";
  cursorTime: number | null;
  selection: TimeSelection | null;
  viewStart: number;
  viewEnd: number;
  /** Space anywhere on the page (outside form fields and buttons) plays / stops. */
  spaceToggles?: boolean;
}) {
  const [settings, setSettings] = useState<PlaybackSettings>({
    mode: "expand",
    factor: 10,
    tuneHz: Math.min(40_000, Math.round(sampleRate / 4 / 1000) * 1000),
  });
  const playing = player.state !== "idle";
  const range = (): { start: number; end: number } => {
    if (selection && selection.end - selection.start > 0.001) return selection;
    const from =
      cursorTime != null && cursorTime >= viewStart && cursorTime < viewEnd ? cursorTime : viewStart;
    return { start: from, end: viewEnd };
  };
  const what = selection && selection.end - selection.start > 0.001 ? "selection" : "from cursor";
  const toggle = () => {
    if (playing) player.stop();
    else void player.play({ ...range(), channel }, settings);
  };
  const toggleRef = useRef(toggle);
  toggleRef.current = toggle;
  useEffect(() => {
    if (!spaceToggles) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== " " || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      // Space keeps its meaning in fields and on focused buttons, checkboxes and selects.
      if (t?.closest("input, textarea, select, button, [contenteditable=''], [contenteditable='true']"))
        return;
      e.preventDefault();
      toggleRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [spaceToggles]);
  return (
    <fieldset
      className="playback"
      aria-label="Playback"
      data-audio-state={player.contextState}
      data-playing={playing ? "true" : "false"}
    >
      <button
        type="button"
        className="btn btn-sm btn-primary"
        aria-busy={player.state === "loading" || undefined}
        onClick={toggle}
        title={spaceToggles ? "Space plays / stops" : undefined}
      >
        {playing ? "Stop" : `Play ${what}`}
      </button>
      <label className="spectro-ctl">
        Playback mode
        <select
          value={settings.mode}
          onChange={(e) => setSettings({ ...settings, mode: e.target.value as PlaybackMode })}
        >
          <option value="expand">time expansion</option>
          <option value="heterodyne">heterodyne</option>
        </select>
      </label>
      {settings.mode === "expand" ? (
        <label className="spectro-ctl">
          Speed
          <select
            value={settings.factor}
            onChange={(e) => setSettings({ ...settings, factor: Number(e.target.value) })}
          >
            {SPEED_FACTORS.map((f) => (
              <option key={f} value={f}>
                1/{f}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label className="spectro-ctl">
          Tuning (kHz)
          <input
            type="number"
            min={1}
            max={Math.floor(sampleRate / 2000)}
            step={1}
            value={settings.tuneHz / 1000}
            onChange={(e) => setSettings({ ...settings, tuneHz: Math.max(0, Number(e.target.value) * 1000) })}
            style={{ width: "4.5rem" }}
          />
        </label>
      )}
      {player.playhead != null ? (
        <span className="small muted mono" aria-live="off">
          {player.playhead.toFixed(3)} s
        </span>
      ) : null}
      {player.error ? (
        <span className="small field-error" role="alert">
          Playback failed: {player.error}
        </span>
      ) : null}
    </fieldset>
  );
}
