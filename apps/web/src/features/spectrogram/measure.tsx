import {
  decodeBcsg,
  gridFromQuantised,
  measureSelection,
  type SelectionBox,
  type SelectionMeasurements,
} from "@battycoda/audio/browser";
import { useEffect, useState } from "react";
import { httpErrorFrom } from "../../lib/http-errors";
import { mediaVersionParams } from "../recordings/media-version";

/**
 * Measures a box on a recording from the spectrogram data in it: the box's window is fetched at
 * full resolution (one column per STFT frame, one row per bin; the tiles on screen may be pooled),
 * then measured by the audio package (the same code the tests check).
 */
export async function measureBox(
  recordingId: string,
  box: SelectionBox,
  channel: number | "mix",
  signal?: AbortSignal,
): Promise<SelectionMeasurements> {
  const q = new URLSearchParams({
    start: String(Math.max(0, box.start)),
    end: String(box.end),
    fmin: String(Math.max(0, box.fLow)),
    fmax: String(box.fHigh),
    channel: String(channel),
    maxFrames: "20000",
    maxBins: "4096",
    ...mediaVersionParams(recordingId),
  });
  const res = await fetch(`/api/recordings/${encodeURIComponent(recordingId)}/spectrogram?${q}`, {
    credentials: "include",
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw new Error((await httpErrorFrom(res, "Measurement")).message);
  const w = decodeBcsg(await res.arrayBuffer());
  return measureSelection(gridFromQuantised(w), box);
}

/** Measurements of the box, refetched when it changes; null while there is no box. */
export function useBoxMeasurements(recordingId: string, box: SelectionBox | null, channel: number | "mix") {
  const [state, setState] = useState<{
    m: SelectionMeasurements | null;
    error: string | null;
    busy: boolean;
  }>({
    m: null,
    error: null,
    busy: false,
  });
  const key = box ? `${box.start}|${box.end}|${box.fLow}|${box.fHigh}` : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the box
  useEffect(() => {
    if (!box) {
      setState({ m: null, error: null, busy: false });
      return;
    }
    const ac = new AbortController();
    setState((s) => ({ ...s, busy: true, error: null }));
    measureBox(recordingId, box, channel, ac.signal).then(
      (m) => setState({ m, error: null, busy: false }),
      (e: unknown) => {
        if (!ac.signal.aborted)
          setState({ m: null, error: e instanceof Error ? e.message : String(e), busy: false });
      },
    );
    return () => ac.abort();
  }, [recordingId, key, channel]);
  return state;
}

const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
const khz = (hz: number) => `${(hz / 1000).toFixed(2)} kHz`;
const fin = (v: number, f: (x: number) => string) => (Number.isFinite(v) ? f(v) : "—");

/** The measurement table (Raven's names) under a spectrogram. */
export function MeasurementsPanel({
  box,
  state,
  onClear,
  timeOrigin = 0,
  timeLabel = "s",
}: {
  box: SelectionBox;
  state: ReturnType<typeof useBoxMeasurements>;
  onClear: () => void;
  /** Times are shown relative to this (e.g. the call's onset on the annotation screen). */
  timeOrigin?: number;
  timeLabel?: string;
}) {
  const m = state.m;
  const t = (s: number) => (timeOrigin ? ms(s - timeOrigin) : `${s.toFixed(4)} ${timeLabel}`);
  const rows: [string, string, string][] = [
    ["Begin Time", t(box.start), "beginTime"],
    ["End Time", t(box.end), "endTime"],
    ["Delta Time", ms(Math.abs(box.end - box.start)), "deltaTime"],
    ["Low Freq", khz(Math.min(box.fLow, box.fHigh)), "lowFreq"],
    ["High Freq", khz(Math.max(box.fLow, box.fHigh)), "highFreq"],
    ["Delta Freq", khz(Math.abs(box.fHigh - box.fLow)), "deltaFreq"],
  ];
  if (m) {
    rows.push(
      ["Peak Freq", fin(m.peakFreq, khz), "peakFreq"],
      ["Peak Time", fin(m.peakTime, t), "peakTime"],
      ["Max Power", fin(m.maxPowerDb, (v) => `${v.toFixed(1)} dB`), "maxPowerDb"],
      ["Center Freq", fin(m.centerFreq, khz), "centerFreq"],
      ["Freq 5% / 95%", `${fin(m.freq5, khz)} / ${fin(m.freq95, khz)}`, "freq5"],
      ["Dur 90%", fin(m.duration90, ms), "duration90"],
      [`Signal duration (−${m.signal.thresholdDb} dB)`, fin(m.signal.duration, ms), "signalDuration"],
      [
        `Signal band (−${m.signal.thresholdDb} dB)`,
        `${fin(m.signal.lowFreq, khz)} – ${fin(m.signal.highFreq, khz)}`,
        "signalBand",
      ],
    );
  }
  return (
    <section
      className="spectro-measure"
      aria-label="Measurements"
      data-busy={state.busy ? "true" : "false"}
      data-peak-freq={m?.peakFreq}
      data-signal-start={m?.signal.start}
      data-signal-duration={m?.signal.duration}
      data-signal-low={m?.signal.lowFreq}
      data-signal-high={m?.signal.highFreq}
    >
      <div className="row spectro-measure-head">
        <strong className="small">Selection measurements</strong>
        {state.busy ? <span className="small muted">measuring…</span> : null}
        {state.error ? (
          <span className="small field-error" role="alert">
            {state.error}
          </span>
        ) : null}
        <button type="button" className="btn btn-sm btn-ghost" onClick={onClear}>
          Clear
        </button>
      </div>
      <dl className="spectro-measure-list small mono">
        {rows.map(([k, v, id]) => (
          <div key={id} data-measure={id}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {m ? (
        <p className="small muted spectro-measure-note">
          Box values as drawn; peak, centre, 5/95 % and Dur 90 % from the energy in the box; the signal is
          where the spectrogram is within {m.signal.thresholdDb} dB of the box's peak.
        </p>
      ) : null}
    </section>
  );
}
