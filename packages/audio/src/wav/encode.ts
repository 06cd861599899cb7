import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { rangeToFrames } from "./decode.ts";
import { WavError } from "./errors.ts";
import { readWavInfoFromHandle } from "./file.ts";
import { concat, serializeBext, serializeGuano, serializeListInfo } from "./metadata.ts";
import { realTimeGuano } from "./time-expansion.ts";
import type { BextMetadata, GuanoMetadata, SampleFormat, TimeRange, WavInfo } from "./types.ts";

export interface WavFormat {
  sampleRate: number;
  /** Container bits: PCM 8/16/24/32, float 32/64. */
  bitsPerSample: number;
  format: SampleFormat;
  /** Write WAVE_FORMAT_EXTENSIBLE (what the source used, or required by > 2 channels for some readers). */
  extensible?: boolean;
  validBitsPerSample?: number;
  channelMask?: number;
  metadata?: { guano?: GuanoMetadata; info?: Record<string, string>; bext?: BextMetadata };
}

const encoder = new TextEncoder();

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(encoder.encode(id), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function checkFormat(fmt: WavFormat, channels: number): void {
  const ok =
    fmt.format === "pcm" ? [8, 16, 24, 32].includes(fmt.bitsPerSample) : [32, 64].includes(fmt.bitsPerSample);
  if (!ok) throw new WavError("UNSUPPORTED_BIT_DEPTH", `Cannot write ${fmt.bitsPerSample}-bit ${fmt.format}`);
  if (channels < 1) throw new WavError("ZERO_CHANNELS", "Cannot write a WAV with 0 channels");
  if (!(fmt.sampleRate > 0) || !Number.isInteger(fmt.sampleRate) || fmt.sampleRate > 0xffffffff) {
    throw new WavError("BAD_SAMPLE_RATE", `Cannot write sample rate ${fmt.sampleRate}`);
  }
}

/** Everything before the samples: RIFF preamble, fmt, metadata chunks, data chunk header. */
export function buildWavHeader(fmt: WavFormat, channels: number, dataBytes: number): Uint8Array {
  checkFormat(fmt, channels);
  const blockAlign = (fmt.bitsPerSample / 8) * channels;
  const tag = fmt.format === "pcm" ? 1 : 3;
  const fmtBody = new Uint8Array(fmt.extensible ? 40 : 16);
  const v = new DataView(fmtBody.buffer);
  v.setUint16(0, fmt.extensible ? 0xfffe : tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, fmt.sampleRate, true);
  v.setUint32(8, fmt.sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, fmt.bitsPerSample, true);
  if (fmt.extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, fmt.validBitsPerSample ?? fmt.bitsPerSample, true);
    v.setUint32(20, fmt.channelMask ?? 0, true);
    v.setUint16(24, tag, true);
    fmtBody.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const parts = [chunk("fmt ", fmtBody)];
  const meta = fmt.metadata;
  if (meta?.bext) parts.push(chunk("bext", serializeBext(meta.bext)));
  if (meta?.info && Object.keys(meta.info).length > 0)
    parts.push(chunk("LIST", serializeListInfo(meta.info)));
  if (meta?.guano) parts.push(chunk("guan", serializeGuano(meta.guano)));
  const body = concat(parts);
  const header = new Uint8Array(12 + body.length + 8);
  const hv = new DataView(header.buffer);
  header.set(encoder.encode("RIFF"), 0);
  const riffSize = 4 + body.length + 8 + dataBytes + (dataBytes & 1);
  if (riffSize > 0xffffffff)
    throw new WavError("BAD_INPUT", "Audio too long for a RIFF WAV file (4 GiB limit)");
  hv.setUint32(4, riffSize, true);
  header.set(encoder.encode("WAVE"), 8);
  header.set(body, 12);
  header.set(encoder.encode("data"), 12 + body.length);
  hv.setUint32(16 + body.length, dataBytes, true);
  return header;
}

/** Interleaves and quantises samples; PCM rounds to nearest and clips to the integer range. */
export function encodeFrames(
  channels: Float32Array[],
  fmt: Pick<WavFormat, "bitsPerSample" | "format">,
): Uint8Array {
  checkFormat({ sampleRate: 1, ...fmt }, channels.length);
  const frames = channels[0]?.length ?? 0;
  const nch = channels.length;
  const bps = fmt.bitsPerSample / 8;
  const blockAlign = bps * nch;
  const out = new Uint8Array(frames * blockAlign);
  const view = new DataView(out.buffer);
  for (let c = 0; c < nch; c++) {
    const src = channels[c]!;
    if (src.length !== frames) throw new WavError("BAD_INPUT", "All channels must have the same length");
    let p = c * bps;
    if (fmt.format === "float") {
      if (bps === 4) for (let i = 0; i < frames; i++, p += blockAlign) view.setFloat32(p, src[i]!, true);
      else for (let i = 0; i < frames; i++, p += blockAlign) view.setFloat64(p, src[i]!, true);
      continue;
    }
    const scale = 2 ** (fmt.bitsPerSample - 1);
    const max = scale - 1;
    for (let i = 0; i < frames; i++, p += blockAlign) {
      let q = Math.round(src[i]! * scale);
      q = q > max ? max : q < -scale ? -scale : q;
      if (bps === 2) view.setInt16(p, q, true);
      else if (bps === 3) {
        view.setUint8(p, q & 0xff);
        view.setInt16(p + 1, q >> 8, true);
      } else if (bps === 4) view.setInt32(p, q, true);
      else out[p] = q + 128;
    }
  }
  return out;
}

export function encodeWav(channels: Float32Array[], fmt: WavFormat): Uint8Array {
  const data = encodeFrames(channels, fmt);
  const header = buildWavHeader(fmt, channels.length, data.length);
  const out = new Uint8Array(header.length + data.length + (data.length & 1));
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/** Writes to a temporary sibling then renames, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeWavFile(path: string, channels: Float32Array[], fmt: WavFormat): Promise<void> {
  const bytes = encodeWav(channels, fmt);
  await writeFileAtomic(path, async (tmp) => {
    const fh = await open(tmp, "w");
    try {
      await fh.write(bytes);
    } finally {
      await fh.close();
    }
  });
}

/** The format of an existing file, for writing derived files (clips, splits) in the same format. */
export function formatOf(info: WavInfo, withMetadata = true): WavFormat {
  const fmt: WavFormat = {
    sampleRate: info.sampleRate,
    bitsPerSample: info.bitsPerSample,
    format: info.format,
    extensible: info.extensible,
    validBitsPerSample: info.validBitsPerSample,
  };
  if (info.channelMask !== undefined) fmt.channelMask = info.channelMask;
  if (withMetadata) {
    const { guano, info: list, bext } = info.metadata;
    fmt.metadata = {
      // Written at the real rate, so its GUANO must not say "expanded" again.
      ...(guano ? { guano: info.timeExpansion ? realTimeGuano(guano, info.sampleRate) : guano } : {}),
      ...(list ? { info: list } : {}),
      ...(bext ? { bext } : {}),
    };
  }
  return fmt;
}

/**
 * Copies a time range of a WAV into a new file byte for byte (no decode/re-quantise, so 32-bit PCM
 * and float stay exact), keeping the format and the GUANO/INFO/bext metadata. Memory stays bounded.
 */
export async function copyWavRange(src: string, dst: string, range?: TimeRange): Promise<WavInfo> {
  const fh = await open(src, "r");
  try {
    const info = await readWavInfoFromHandle(fh);
    const [s, e] = rangeToFrames(info, range);
    const dataBytes = (e - s) * info.blockAlign;
    const header = buildWavHeader(formatOf(info), info.channels, dataBytes);
    await writeFileAtomic(dst, async (tmp) => {
      const out = await open(tmp, "w");
      try {
        await out.write(header);
        const buf = Buffer.allocUnsafe(1 << 20);
        let done = 0;
        while (done < dataBytes) {
          const want = Math.min(buf.length, dataBytes - done);
          const { bytesRead } = await fh.read(buf, 0, want, info.dataOffset + s * info.blockAlign + done);
          if (bytesRead === 0) throw new WavError("BAD_INPUT", "Source file shrank while copying");
          await out.write(buf.subarray(0, bytesRead));
          done += bytesRead;
        }
        if (dataBytes & 1) await out.write(new Uint8Array(1));
      } finally {
        await out.close();
      }
    });
    return info;
  } finally {
    await fh.close();
  }
}
