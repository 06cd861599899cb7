import { niceStep } from "../spectrogram/ticks";

/**
 * Geometry of the annotation spectrogram: a server-rendered PNG of [start, end] seconds over
 * 0 … sampleRate/2 Hz (the PNG route's default band; the highest bin is the top row). Times on the
 * axis are milliseconds from the call's onset, so the call always spans 0 … its duration.
 */
export interface CallWindow {
  /** Seconds in the recording. */
  start: number;
  end: number;
  /** The call, seconds in the recording. */
  onset: number;
  offset: number;
  /** Hz; the top edge of the image. */
  fMax: number;
}

export type ViewMode = "detail" | "overview";

/** The call ± padding, clamped to the recording (never empty). */
export function callWindow(
  call: { onset: number; offset: number },
  paddingMs: number,
  recording: { duration: number | null; sampleRate: number | null },
): CallWindow {
  const pad = Math.max(0, paddingMs) / 1000;
  const start = Math.max(0, call.onset - pad);
  let end = call.offset + pad;
  if (recording.duration != null && recording.duration > 0) end = Math.min(recording.duration, end);
  if (!(end > start)) end = start + 0.001;
  return { start, end, onset: call.onset, offset: call.offset, fMax: (recording.sampleRate ?? 250_000) / 2 };
}

/** The PNG of a window (same string for prefetch and display, so the browser cache hits). */
export function spectrogramPngUrl(
  recordingId: string,
  w: CallWindow,
  opts: { width: number; height: number; colormap?: string | undefined; channel: number | "mix" },
): string {
  const q = new URLSearchParams({
    start: w.start.toFixed(6),
    end: w.end.toFixed(6),
    width: String(opts.width),
    height: String(opts.height),
  });
  if (opts.colormap) q.set("colormap", opts.colormap);
  if (opts.channel !== "mix") q.set("channel", String(opts.channel));
  return `/api/recordings/${encodeURIComponent(recordingId)}/spectrogram.png?${q}`;
}

/** x (CSS px from the image's left edge, image `width` px wide) → seconds in the recording. */
export function xToSeconds(w: CallWindow, x: number, width: number): number {
  const f = width > 0 ? Math.max(0, Math.min(1, x / width)) : 0;
  return w.start + f * (w.end - w.start);
}

/** y (CSS px from the top, image `height` px high) → Hz. */
export function yToHz(w: CallWindow, y: number, height: number): number {
  const f = height > 0 ? Math.max(0, Math.min(1, y / height)) : 0;
  return (1 - f) * w.fMax;
}

export function secondsToX(w: CallWindow, t: number, width: number): number {
  return ((t - w.start) / (w.end - w.start)) * width;
}

export function hzToY(w: CallWindow, hz: number, height: number): number {
  return (1 - hz / w.fMax) * height;
}

/** Milliseconds relative to the onset. */
export function msFromOnset(w: CallWindow, t: number): number {
  return (t - w.onset) * 1000;
}

export interface Readout {
  /** ms from the call's onset. */
  ms: number;
  /** seconds in the recording. */
  seconds: number;
  kHz: number;
}

/** What the hover line under the spectrogram says for a pointer at (x, y). */
export function readout(w: CallWindow, x: number, y: number, width: number, height: number): Readout {
  const seconds = xToSeconds(w, x, width);
  return { ms: msFromOnset(w, seconds), seconds, kHz: yToHz(w, y, height) / 1000 };
}

export function formatReadout(r: Readout): string {
  const sign = r.ms < 0 ? "−" : "";
  return `${sign}${Math.abs(r.ms).toFixed(1)} ms (${r.seconds.toFixed(4)} s) · ${r.kHz.toFixed(1)} kHz`;
}

export interface Tick {
  /** CSS px along the axis. */
  pos: number;
  label: string;
}

/** Time ticks in ms from the onset, positioned in px across `width`. */
export function timeTicks(w: CallWindow, width: number, maxTicks = 8): Tick[] {
  const a = msFromOnset(w, w.start);
  const b = msFromOnset(w, w.end);
  // Shaved so float noise (20.000000001 ms) does not push the step to the next size.
  const step = niceStep((b - a) * (1 - 1e-9), maxTicks);
  const out: Tick[] = [];
  const digits = step >= 1 ? 0 : Math.ceil(-Math.log10(step) - 1e-9);
  for (let v = Math.ceil(a / step - 1e-9) * step; v <= b + step * 1e-9; v += step) {
    const ms = Math.abs(v) < step * 1e-9 ? 0 : v;
    out.push({ pos: ((ms - a) / (b - a)) * width, label: ms.toFixed(digits) });
    if (out.length > 100) break;
  }
  return out;
}

/** Frequency ticks in kHz, positioned in px from the top across `height`. */
export function freqTicks(w: CallWindow, height: number, maxTicks = 6): Tick[] {
  const top = w.fMax / 1000;
  const step = niceStep(top * (1 - 1e-9), maxTicks);
  const out: Tick[] = [];
  for (let k = 0; k <= top + step * 1e-9; k += step) {
    out.push({ pos: (1 - k / top) * height, label: String(Math.round(k * 1000) / 1000) });
    if (out.length > 100) break;
  }
  return out;
}
