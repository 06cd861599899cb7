import { WavError } from "./errors.ts";
import { parseWavHeader } from "./header.ts";
import type { DecodedWav, TimeRange, WavInfo } from "./types.ts";

type SampleLayout = Pick<WavInfo, "channels" | "bitsPerSample" | "format" | "blockAlign">;

/**
 * Decodes interleaved frames into one Float32Array per channel (or into `out`, reusing buffers).
 * PCM is scaled by 2^(bits-1) so full scale maps to [-1, 1); 8-bit WAV is unsigned by definition.
 */
export function decodeFrames(bytes: Uint8Array, layout: SampleLayout, out?: Float32Array[]): Float32Array[] {
  const { channels, bitsPerSample: bits, format, blockAlign } = layout;
  const frames = Math.floor(bytes.length / blockAlign);
  const result: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const given = out?.[c];
    result.push(given && given.length >= frames ? given : new Float32Array(frames));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bps = bits / 8;
  for (let c = 0; c < channels; c++) {
    const dst = result[c]!;
    let p = c * bps;
    if (format === "float") {
      if (bits === 32) for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getFloat32(p, true);
      else for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getFloat64(p, true);
    } else if (bits === 16) {
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getInt16(p, true) / 32768;
    } else if (bits === 24) {
      for (let i = 0; i < frames; i++, p += blockAlign) {
        // Low byte unsigned, high 16 bits signed: reassembles the two's-complement 24-bit value.
        dst[i] = (view.getUint8(p) + view.getInt16(p + 1, true) * 256) / 8388608;
      }
    } else if (bits === 32) {
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getInt32(p, true) / 2147483648;
    } else if (bits === 8) {
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = (bytes[p]! - 128) / 128;
    } else {
      throw new WavError("UNSUPPORTED_BIT_DEPTH", `${bits}-bit ${format} cannot be decoded`);
    }
  }
  return result;
}

/** Converts a time range in seconds to a clamped [startFrame, endFrame) pair. */
export function rangeToFrames(
  info: Pick<WavInfo, "sampleRate" | "frames">,
  range?: TimeRange,
): [number, number] {
  const start = range?.start ?? 0;
  const end = range?.end ?? Number.POSITIVE_INFINITY;
  if (!(start >= 0) || Number.isNaN(end) || end < start) {
    throw new WavError("BAD_RANGE", `Invalid time range [${start}, ${end}] s`);
  }
  const s = Math.min(info.frames, Math.round(start * info.sampleRate));
  const e = Math.min(
    info.frames,
    end === Number.POSITIVE_INFINITY ? info.frames : Math.round(end * info.sampleRate),
  );
  return [s, Math.max(s, e)];
}

/** Decodes a complete WAV file held in memory (optionally only a time range of it). */
export function decodeWav(buf: Uint8Array, range?: TimeRange): DecodedWav {
  const info = parseWavHeader(buf);
  const [s, e] = rangeToFrames(info, range);
  const from = info.dataOffset + s * info.blockAlign;
  const channels = decodeFrames(buf.subarray(from, info.dataOffset + e * info.blockAlign), info);
  return { info, channels };
}
