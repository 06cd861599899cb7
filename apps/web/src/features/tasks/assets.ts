import { fetchClip } from "../playback/clips";
import { type CallWindow, spectrogramPngUrl } from "./axes";
import { LruCache } from "./prefetch";

/** Server-rendered size of the annotation spectrogram (CSS scales it; the axes use fractions). */
export const PNG_WIDTH = 960;
export const PNG_HEIGHT = 360;

/**
 * Decoded spectrogram images of the calls ahead. Holding the HTMLImageElement keeps the decoded
 * bitmap alive, so the <img> of the next call paints in the same frame as its data.
 */
const images = new LruCache<HTMLImageElement>(16);

export function pngUrl(
  recordingId: string,
  w: CallWindow,
  colormap: string | undefined,
  channel: number | "mix",
) {
  return spectrogramPngUrl(recordingId, w, { width: PNG_WIDTH, height: PNG_HEIGHT, colormap, channel });
}

export function prefetchImage(url: string): void {
  if (images.has(url) || typeof Image === "undefined") return;
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  images.set(url, img);
  // A failed prefetch costs nothing more: the <img> shows the failure itself.
  img.decode().catch(() => undefined);
}

/** Fetches and parses the call's clip into the playback cache (the same URL usePlayback asks for). */
export function prefetchClip(recordingId: string, start: number, end: number): void {
  fetchClip(recordingId, start, end).catch(() => {
    // Playback will report it if the clip really cannot be had.
  });
}

/**
 * "Save → next call drawn" timing for the benchmark in the e2e journey: the key press marks a
 * start, the next call's image reports when it is on screen. Kept on window so a test can read it.
 */
interface TimingWindow {
  __battycodaAnnotationTimings?: { kind: string; ms: number }[];
}
let pending: { kind: string; t0: number; fromTaskId: string } | null = null;

export function markKey(kind: string, fromTaskId: string): void {
  pending = { kind, t0: performance.now(), fromTaskId };
}

export function markDrawn(taskId: string): void {
  if (!pending || pending.fromTaskId === taskId) return;
  const p = pending;
  pending = null;
  // After the next frame: the image is composited, not just decoded.
  requestAnimationFrame(() => {
    const w = window as unknown as TimingWindow;
    w.__battycodaAnnotationTimings ??= [];
    w.__battycodaAnnotationTimings.push({ kind: p.kind, ms: performance.now() - p.t0 });
  });
}
