import { Readable } from "node:stream";
import {
  buildWavHeader,
  formatOf,
  rangeToFrames,
  readWavInfoFromHandle,
  WavError,
  type WavInfo,
} from "@battycoda/audio";
import { badRequest } from "../access/errors.ts";
import type { ByteRange, MediaStore } from "./store.ts";

/** The header of a stored WAV, read with a few positional reads (ranged GETs on S3). */
export async function readStoredWavInfo(media: MediaStore, key: string): Promise<WavInfo> {
  const source = await media.openRandomAccess(key);
  try {
    return await readWavInfoFromHandle(source);
  } finally {
    await source.close();
  }
}

export interface AudioClip {
  stream: Readable;
  /** exact byte length of the WAV the stream produces */
  length: number;
  sampleRate: number;
  /** seconds actually covered (frames are whole) */
  start: number;
  end: number;
}

/**
 * A WAV of [start, end) seconds of `filePath`, in the source's own format (sample format, bit
 * depth, channels, metadata): a fresh header followed by the sample bytes streamed straight from
 * the store (a ranged read). Nothing is decoded or held in memory, so a clip of a 32-bit float file is exact.
 */
export async function openAudioClip(
  media: MediaStore,
  key: string,
  range: { start?: number; end?: number },
): Promise<AudioClip> {
  const info = await readStoredWavInfo(media, key);
  let s: number;
  let e: number;
  try {
    [s, e] = rangeToFrames(info, range);
  } catch (err) {
    if (err instanceof WavError) throw badRequest(err.message);
    throw err;
  }
  const dataBytes = (e - s) * info.blockAlign;
  const header = buildWavHeader(formatOf(info), info.channels, dataBytes);
  const pad = dataBytes & 1;
  const from = info.dataOffset + s * info.blockAlign;
  async function* body() {
    yield Buffer.from(header);
    if (dataBytes > 0) yield* await media.createReadStream(key, { start: from, end: from + dataBytes - 1 });
    if (pad) yield Buffer.alloc(1);
  }
  return {
    stream: Readable.from(body(), { objectMode: false }),
    length: header.length + dataBytes + pad,
    sampleRate: info.sampleRate,
    start: s / info.sampleRate,
    end: e / info.sampleRate,
  };
}

/**
 * Parses a single `Range: bytes=…` header against a file of `size` bytes (RFC 9110).
 * Returns null to serve the whole file (no header, another unit, several ranges, bad syntax),
 * "unsatisfiable" for a 416, or the inclusive byte range.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== "" && Number(b) < start)) return "unsatisfiable";
  return { start, end };
}
