import { useState } from "react";
import { usePlayback } from "../playback/usePlayback";

/** Seconds of context shown around a call in its spectrogram thumbnail. */
const PAD = 0.02;

export function spectrogramUrl(
  recordingId: string,
  onset: number,
  offset: number,
  opts: { duration?: number | null; width: number; height: number },
): string {
  const start = Math.max(0, onset - PAD);
  const end = opts.duration != null ? Math.min(opts.duration, offset + PAD) : offset + PAD;
  const q = new URLSearchParams({
    start: start.toFixed(6),
    end: Math.max(end, start + 0.001).toFixed(6),
    width: String(opts.width),
    height: String(opts.height),
  });
  return `/api/recordings/${encodeURIComponent(recordingId)}/spectrogram.png?${q}`;
}

/**
 * One call: its spectrogram (server-rendered PNG of the call ± 20 ms) and a button that plays it
 * time-expanded (`factor`× slower, pitch divided by `factor`) with the shared Web Audio player.
 */
export function CallPreview({
  recordingId,
  sampleRate,
  duration,
  onset,
  offset,
  label,
  factor = 10,
  width = 240,
  height = 120,
  showImage = true,
}: {
  recordingId: string;
  sampleRate: number | null;
  duration?: number | null;
  onset: number;
  offset: number;
  label: string;
  factor?: number;
  width?: number;
  height?: number;
  showImage?: boolean;
}) {
  const player = usePlayback(recordingId, sampleRate ?? 250_000);
  const [imgError, setImgError] = useState(false);
  const playing = player.state !== "idle";
  return (
    <div
      className="cls-call"
      data-playing={playing ? "true" : "false"}
      data-audio-state={player.contextState}
    >
      {showImage ? (
        imgError ? (
          <div className="cls-call-img muted small" style={{ width, height }}>
            No spectrogram
          </div>
        ) : (
          <img
            className="cls-call-img"
            src={spectrogramUrl(recordingId, onset, offset, { duration: duration ?? null, width, height })}
            width={width}
            height={height}
            alt={`Spectrogram of ${label}`}
            loading="lazy"
            onError={() => setImgError(true)}
          />
        )
      ) : null}
      <button
        type="button"
        className="btn btn-sm"
        aria-label={`${playing ? "Stop" : "Play"} ${label} at 1/${factor} speed`}
        aria-busy={player.state === "loading" || undefined}
        onClick={() => {
          if (playing) player.stop();
          else
            void player.play(
              { start: onset, end: offset, channel: "mix" },
              { mode: "expand", factor, tuneHz: 0 },
            );
        }}
      >
        {playing ? "■ Stop" : `▶ 1/${factor}`}
      </button>
      {player.error ? (
        <span className="small field-error" role="alert">
          Playback failed: {player.error}
        </span>
      ) : null}
    </div>
  );
}
