// Time-expansion detectors (a Pettersson D240x, a Batbox Griffin) write files that say nothing of it: a x10 file has
// a 44.1 kHz header and nothing else. Once the researcher says the factor, it is written into the file as GUANO `TE`,
// the way recorders that know it write it, so every reader (this package's, and other tools') takes the file in real
// time from then on, and nothing else needs to remember a factor beside the file.
import { open } from "node:fs/promises";
import { WavError } from "./errors.ts";
import { readWavInfoFromHandle } from "./file.ts";
import { MAX_SAMPLE_RATE } from "./header.ts";
import { serializeGuano } from "./metadata.ts";
import { MAX_TIME_EXPANSION } from "./time-expansion.ts";
import type { WavInfo } from "./types.ts";

const ascii = new TextEncoder();

/**
 * Records in the WAV at `path`, in place, that it is time-expanded by `factor`: a `guan` chunk with `TE` is appended
 * (holding the file's own GUANO fields too; its old `guan` chunk becomes `JUNK`), and the RIFF size follows. The samples
 * are not touched. Returns the file as read now (in real time). A file that states a factor already keeps it when it
 * is the same and is refused when it differs; RF64 and truncated files are refused (their sizes cannot be extended
 * safely).
 */
export async function writeTimeExpansion(path: string, factor: number): Promise<WavInfo> {
  const fh = await open(path, "r+");
  try {
    const info = await readWavInfoFromHandle(fh);
    const { size } = await fh.stat();
    const refusal = timeExpansionRefusal(info, size, factor);
    if (refusal) throw new WavError("BAD_INPUT", refusal);
    if ((info.timeExpansion ?? 1) === factor || factor === 1) return info;
    const chunks = info.metadata.chunks;
    const end = chunksEnd(info);
    const guano = { ...info.metadata.guano, fields: { ...info.metadata.guano?.fields, TE: String(factor) } };
    const body = serializeGuano(guano);
    // Old guan chunks become padding, so readers that take the first one see the new one only.
    for (const c of chunks) if (c.id === "guan") await fh.write(ascii.encode("JUNK"), 0, 4, c.offset);
    const chunk = new Uint8Array(8 + body.length + (body.length & 1));
    chunk.set(ascii.encode("guan"), 0);
    new DataView(chunk.buffer).setUint32(4, body.length, true);
    chunk.set(body, 8);
    // After the last chunk (bytes past it, if any, are not audio and are dropped).
    await fh.truncate(end);
    await fh.write(chunk, 0, chunk.length, end);
    const riff = new Uint8Array(4);
    new DataView(riff.buffer).setUint32(0, end + chunk.length - 8, true);
    await fh.write(riff, 0, 4, 4);
    await fh.sync();
    return await readWavInfoFromHandle(fh);
  } finally {
    await fh.close();
  }
}

/** Where the file's last chunk ends (its pad byte included). */
function chunksEnd(info: WavInfo): number {
  return Math.max(...info.metadata.chunks.map((c) => c.offset + 8 + c.size + (c.size & 1)));
}

/**
 * Why `factor` cannot be recorded in a file with this header and size (see writeTimeExpansion), or null when it can
 * (or nothing needs writing: the file states it already, or the factor is 1). Lets a caller refuse before it starts.
 */
export function timeExpansionRefusal(info: WavInfo, fileSize: number, factor: number): string | null {
  if (!Number.isInteger(factor) || factor < 1 || factor > MAX_TIME_EXPANSION)
    return `a time-expansion factor is a whole number 1-${MAX_TIME_EXPANSION}, not ${factor}`;
  const stated = info.timeExpansion ?? 1;
  if (stated === factor) return null;
  if (stated !== 1)
    return `the file's own metadata says it is time-expanded x${stated}, not x${factor}: leave the factor out to use the file's`;
  if (factor === 1) return null;
  if (info.container !== "RIFF") return "an RF64 file's time expansion cannot be recorded in it";
  const data = info.metadata.chunks.find((c) => c.id === "data");
  // (A missing pad byte after the last chunk is fine: the write fills it.) A data chunk whose size the reader had to
  // infer (an unfinished recording's 0 or 0xFFFFFFFF) must not have a chunk appended after it.
  if (chunksEnd(info) > fileSize + 1 || !data || data.size < info.dataBytes)
    return "the file is truncated or unfinished (its chunk sizes do not match what it holds): its time expansion cannot be recorded in it";
  if (info.sampleRate * factor > MAX_SAMPLE_RATE)
    return `x${factor} would make ${info.sampleRate * factor} Hz, more than a WAV can mean`;
  return null;
}
