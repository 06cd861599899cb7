import type { WavInfo } from "@battycoda/audio";

export interface Truncation {
  /** Seconds the header promised (data chunk size / block align / rate). */
  declaredDuration: number;
  /** Seconds of whole frames the file actually holds. */
  actualDuration: number;
}

/**
 * A file cut short in a copy (or an interrupted download) still parses: the data chunk says N
 * bytes and fewer follow. The parser reads what is there and keeps the declared size on the
 * chunk entry; this compares the two. "Unfinished recording" headers (size 0 or 0xFFFFFFFF) are
 * already resolved to the bytes present by the parser and so never count as truncated.
 */
export function truncationOf(info: WavInfo): Truncation | null {
  const data = info.metadata.chunks.find((c) => c.id === "data");
  if (!data || info.blockAlign <= 0 || info.sampleRate <= 0) return null;
  const declaredFrames = Math.floor(data.size / info.blockAlign);
  if (declaredFrames <= info.frames) return null;
  return { declaredDuration: declaredFrames / info.sampleRate, actualDuration: info.duration };
}

/** The sentence shown beside a truncated recording (recording page, upload report). */
export function truncationMessage(t: Truncation): string {
  const s = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} s`;
  return `Truncated file: the header declares ${s(t.declaredDuration)} of audio but the file holds only ${s(t.actualDuration)}; the recording keeps what is there`;
}
