/**
 * Minimal WAV reader for clips from `GET /api/recordings/:id/audio?start=&end=`: PCM 8/16/24/32-bit,
 * IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, RIFF and RF64. We parse in JS rather than with
 * `decodeAudioData`, which resamples to the AudioContext rate and so throws away ultrasound.
 */
export interface PcmClip {
  sampleRate: number;
  /** One Float32Array per channel, −1…1. */
  channels: Float32Array[];
  /** Seconds. */
  duration: number;
}

export function parseWav(input: ArrayBuffer): PcmClip {
  const v = new DataView(input);
  const tag = (o: number) =>
    String.fromCharCode(v.getUint8(o), v.getUint8(o + 1), v.getUint8(o + 2), v.getUint8(o + 3));
  if (input.byteLength < 12 || !["RIFF", "RF64"].includes(tag(0)) || tag(8) !== "WAVE")
    throw new Error("Not a WAV file");
  let fmt: { format: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | null =
    null;
  let dataOffset = -1;
  let dataSize = 0;
  let ds64Data: number | null = null;
  let o = 12;
  while (o + 8 <= input.byteLength) {
    const id = tag(o);
    let size = v.getUint32(o + 4, true);
    const body = o + 8;
    if (id === "ds64") {
      ds64Data = v.getUint32(body + 8, true) + v.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === "fmt ") {
      let format = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 40) format = v.getUint16(body + 24, true);
      fmt = {
        format,
        channels: v.getUint16(body + 2, true),
        sampleRate: v.getUint32(body + 4, true),
        blockAlign: v.getUint16(body + 12, true),
        bits,
      };
    } else if (id === "data") {
      if (size === 0xffffffff && ds64Data !== null) size = ds64Data;
      dataOffset = body;
      dataSize = Math.min(size, input.byteLength - body);
      break;
    }
    o = body + size + (size % 2);
  }
  if (!fmt || dataOffset < 0) throw new Error("WAV without fmt or data chunk");
  const { format, bits, blockAlign } = fmt;
  const nch = Math.max(1, fmt.channels);
  const frames = Math.floor(dataSize / blockAlign);
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  const bytes = bits / 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const p = dataOffset + i * blockAlign + c * bytes;
      let s: number;
      if (format === 3) s = bits === 64 ? v.getFloat64(p, true) : v.getFloat32(p, true);
      else if (bits === 16) s = v.getInt16(p, true) / 32768;
      else if (bits === 24) {
        const x = v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getInt8(p + 2) << 16);
        s = x / 8388608;
      } else if (bits === 32) s = v.getInt32(p, true) / 2147483648;
      else if (bits === 8) s = (v.getUint8(p) - 128) / 128;
      else throw new Error(`Unsupported WAV sample size ${bits} bits`);
      (channels[c] as Float32Array)[i] = s;
    }
  }
  return { sampleRate: fmt.sampleRate, channels, duration: frames / fmt.sampleRate };
}

/** One channel of a clip, or the average of all channels for "mix". */
export function pickChannel(clip: PcmClip, channel: number | "mix"): Float32Array | undefined {
  if (channel !== "mix") return clip.channels[Math.min(channel, clip.channels.length - 1)];
  if (clip.channels.length === 1) return clip.channels[0];
  const n = clip.channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of clip.channels)
    for (let i = 0; i < n; i++) out[i] = out[i]! + ch[i]! / clip.channels.length;
  return out;
}
