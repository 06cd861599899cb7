import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let cached: (() => void) | null | undefined;

/**
 * A function that forces a full V8 garbage collection, or null if unavailable.
 *
 * Why: a streamed spectrogram job turns every 512-frame chunk into short-lived native buffers
 * (zlib output, ~0.4 MB each, ~50 MB per minute of 384 kHz audio). V8 only collects them under
 * heap pressure, so peak RSS drifts to ~200 MB on a busy machine although the live data is a few
 * MB. Collecting every few seconds of audio keeps a 10-minute job under ~100 MB (measured) for
 * well under 1 % CPU. Uses the exposed `gc` when Node runs with --expose-gc, otherwise enables it
 * at runtime (a documented V8 flag) and fetches it from a fresh context.
 */
export function forceGc(): (() => void) | null {
  if (cached !== undefined) return cached;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    cached = exposed;
    return cached;
  }
  try {
    setFlagsFromString("--expose-gc");
    const fn = runInNewContext("gc") as unknown;
    cached = typeof fn === "function" ? (fn as () => void) : null;
  } catch {
    cached = null;
  }
  return cached;
}
