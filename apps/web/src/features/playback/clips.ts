import { httpErrorFrom } from "../../lib/http-errors";
import { mediaVersionParams } from "../recordings/media-version";
import { type PcmClip, parseWav } from "./wav";

/** Largest clip fetched for the waveform strip or playback (samples per channel). */
export const MAX_CLIP_SAMPLES = 6_000_000;

export function clipUrl(recordingId: string, start: number, end: number): string {
  const q = new URLSearchParams({
    start: start.toFixed(6),
    end: end.toFixed(6),
    ...mediaVersionParams(recordingId),
  });
  return `/api/recordings/${encodeURIComponent(recordingId)}/audio?${q}`;
}

const cache = new Map<string, Promise<PcmClip>>();

/** Fetches and parses a WAV clip of [start, end] seconds (a few recent clips are kept). */
export function fetchClip(recordingId: string, start: number, end: number): Promise<PcmClip> {
  const url = clipUrl(recordingId, start, end);
  const hit = cache.get(url);
  if (hit) return hit;
  const p = fetch(url, { credentials: "include" }).then(async (res) => {
    if (!res.ok) throw await httpErrorFrom(res, "Audio clip");
    return parseWav(await res.arrayBuffer());
  });
  p.catch(() => cache.delete(url));
  cache.set(url, p);
  while (cache.size > 6) cache.delete(cache.keys().next().value as string);
  return p;
}
