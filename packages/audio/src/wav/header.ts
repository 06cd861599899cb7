import { codecName, WavError } from "./errors.ts";
import { parseBext, parseGuano, parseListInfo } from "./metadata.ts";
import { timeExpansionOf } from "./time-expansion.ts";
import type { ChunkEntry, SampleFormat, WavInfo, WavMetadata } from "./types.ts";
import { parseWamd } from "./wamd.ts";

const latin1 = new TextDecoder("latin1");

/** Chunks whose bodies we read to build WavInfo; everything else is only listed. */
export const INTERESTING_CHUNKS = new Set(["fmt ", "guan", "LIST", "bext", "ds64", "wamd"]);
/** Metadata bigger than this is certainly not metadata: don't pull it into memory. */
export const MAX_METADATA_CHUNK = 16 * 1024 * 1024;
/**
 * Real recorders write a handful of chunks (fmt, data, LIST, guan, bext, junk padding); a file with
 * thousands is crafted, and walking 200 000 empty ones costs seconds of I/O per read.
 */
export const MAX_CHUNKS = 4096;
/**
 * The fastest ultrasonic recorders sample at about 1 MHz; the database stores the rate as a 32-bit
 * signed integer. Anything above this is a corrupt header, not a recording.
 */
export const MAX_SAMPLE_RATE = 10_000_000;

export interface RawChunk extends ChunkEntry {
  body?: Uint8Array;
}

export interface ChunkScan {
  container: "RIFF" | "RF64";
  chunks: RawChunk[];
  warnings: string[];
  /** Bytes of the data chunk actually present in the file (before frame rounding). */
  dataAvailable?: number;
}

export interface ParseOptions {
  /** Full file size when `buf` holds only the beginning of the file. */
  fileSize?: number;
}

const KSDATAFORMAT_SUFFIX = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

export function isChunkId(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

const KNOWN_IDS = new Set([
  "fmt ",
  "data",
  "LIST",
  "guan",
  "bext",
  "JUNK",
  "junk",
  "PAD ",
  "FLLR",
  "id3 ",
  "ID3 ",
  "wamd",
  "fact",
  "cue ",
  "smpl",
  "inst",
  "ds64",
  "iXML",
  "axml",
  "_PMX",
  "acid",
  "plst",
  "DISP",
  "cart",
  "minf",
  "elm1",
]);

/** 0 = not a chunk header, 1 = printable id, 2 = printable id whose size fits, 3 = known id that fits. */
function plausibility(bytes: Uint8Array, at: number, pos: number, end: number): number {
  if (at + 8 > bytes.length || !isChunkId(bytes, at)) return 0;
  const size = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getUint32(4, true);
  const fits = pos + 8 + size <= end + 1;
  const id = latin1.decode(bytes.subarray(at, at + 4));
  return fits ? (KNOWN_IDS.has(id) ? 3 : 2) : 1;
}

/** Validates the 12-byte RIFF/WAVE preamble; returns the container and the end of the RIFF payload. */
export function checkPreamble(head: Uint8Array, fileSize: number, warnings: string[]) {
  if (head.length < 12 || fileSize < 12) {
    throw new WavError(
      "TOO_SHORT",
      `File is ${fileSize} bytes: too short to be a WAV file (needs at least 44)`,
    );
  }
  const magic = latin1.decode(head.subarray(0, 4));
  if (magic === "RIFX") throw new WavError("BIG_ENDIAN", "Big-endian RIFX files are not supported");
  if (magic !== "RIFF" && magic !== "RF64") {
    throw new WavError(
      "NOT_RIFF",
      `Not a RIFF file (starts with ${JSON.stringify(magic)} instead of "RIFF")`,
    );
  }
  const form = latin1.decode(head.subarray(8, 12));
  if (form !== "WAVE") {
    throw new WavError("NOT_WAVE", `RIFF file of type ${JSON.stringify(form)}, not "WAVE"`);
  }
  const riffSize = new DataView(head.buffer, head.byteOffset, 12).getUint32(4, true);
  let end = fileSize;
  if (magic === "RIFF") {
    const declaredEnd = riffSize + 8;
    if (riffSize === 0 || riffSize === 0xffffffff) {
      warnings.push(`RIFF size field is ${riffSize} (unfinished recording?): using the file size`);
    } else if (declaredEnd < fileSize - 1) {
      // Trailing bytes beyond the RIFF chunk are not part of the WAV (but a stray pad byte is harmless).
      end = declaredEnd;
      warnings.push(`${fileSize - declaredEnd} bytes after the end of the RIFF chunk ignored`);
    }
    // declaredEnd > fileSize: a copy cut short; the data check will say how much audio is missing.
  }
  return { container: magic as "RIFF" | "RF64", end };
}

/** A read request from the chunk walker: bytes [offset, offset + length). */
export interface ReadRequest {
  offset: number;
  length: number;
}

/**
 * The chunk walker is written once as a generator that asks for byte ranges, so the same logic
 * serves in-memory buffers (sync) and files read piecewise (async) without loading the audio.
 * A reply shorter than requested means "not available" (end of file or end of a header-only buffer).
 */
export function* chunkWalker(fileSize: number): Generator<ReadRequest, ChunkScan, Uint8Array> {
  const warnings: string[] = [];
  const head = yield { offset: 0, length: 12 };
  const { container, end } = checkPreamble(head, fileSize, warnings);
  const chunks: RawChunk[] = [];
  let ds64DataSize: number | undefined;
  let dataAvailable: number | undefined;
  let pos = 12;
  while (pos + 8 <= end) {
    const hdr = yield { offset: pos, length: 8 };
    if (hdr.length < 8) break; // header-only buffer: the rest is not in memory
    if (!isChunkId(hdr, 0)) {
      // Zero padding at the end of a file is common (SD-card block sizes); anything else is worth a warning.
      if (hdr.some((b) => b !== 0)) {
        warnings.push(`Unreadable bytes at offset ${pos} where a chunk header was expected; stopped there`);
      }
      break;
    }
    if (chunks.length >= MAX_CHUNKS) {
      throw new WavError(
        "TOO_MANY_CHUNKS",
        `More than ${MAX_CHUNKS} chunks before the end of the file: not a recording a recorder wrote`,
      );
    }
    const id = latin1.decode(hdr.subarray(0, 4));
    let size = new DataView(hdr.buffer, hdr.byteOffset, 8).getUint32(4, true);
    const bodyStart = pos + 8;
    if (id === "data") {
      if (container === "RF64" && size === 0xffffffff && ds64DataSize !== undefined) size = ds64DataSize;
      const present = Math.max(0, end - bodyStart);
      let unfinished = size === 0xffffffff;
      if (size === 0 && present >= 4) {
        const peek = yield { offset: bodyStart, length: 4 };
        unfinished = peek.length === 4 && !isChunkId(peek, 0);
      }
      if (unfinished) {
        warnings.push(
          `data chunk size is ${size} (unfinished recording?): using the ${present} bytes present`,
        );
        size = present;
      }
      chunks.push({ id, offset: pos, size });
      if (size > present) {
        warnings.push(
          `data chunk is shorter than its header says (${present} of ${size} bytes present): read what is there`,
        );
        dataAvailable = present;
        break;
      }
      dataAvailable = size;
    } else {
      const chunk: RawChunk = { id, offset: pos, size };
      if (INTERESTING_CHUNKS.has(id) && size <= MAX_METADATA_CHUNK) {
        const body = yield { offset: bodyStart, length: size };
        if (body.length === size) chunk.body = body;
        else if (bodyStart + size > fileSize) {
          warnings.push(`${id.trim()} chunk at offset ${pos} runs past the end of the file`);
          chunk.body = body;
        }
      }
      chunks.push(chunk);
      if (id === "ds64" && chunk.body && chunk.body.length >= 16) {
        const dv = new DataView(chunk.body.buffer, chunk.body.byteOffset, chunk.body.byteLength);
        ds64DataSize = dv.getUint32(12, true) * 2 ** 32 + dv.getUint32(8, true);
      }
    }
    const unpadded = bodyStart + size;
    let next = unpadded + (size & 1);
    // RIFF pads odd-sized chunks to even length, but some writers forget the pad byte. Look at both
    // candidate positions and take the unpadded one only if it is clearly the better chunk header.
    if (size & 1 && unpadded + 8 <= end) {
      const peek = yield { offset: unpadded, length: 9 };
      if (peek.length === 9 && plausibility(peek, 0, unpadded, end) > plausibility(peek, 1, next, end)) {
        warnings.push(`${id.trim()} chunk has an odd size and no pad byte`);
        next = unpadded;
      }
    }
    pos = next;
  }
  return { container, chunks, warnings, ...(dataAvailable !== undefined ? { dataAvailable } : {}) };
}

/** Runs the walker over bytes in memory. */
export function scanChunks(buf: Uint8Array, fileSize: number): ChunkScan {
  const walker = chunkWalker(fileSize);
  let step = walker.next(new Uint8Array(0));
  while (!step.done) {
    const { offset, length } = step.value;
    step = walker.next(buf.subarray(Math.min(offset, buf.length), Math.min(offset + length, buf.length)));
  }
  return step.value;
}

interface FmtInfo {
  format: SampleFormat;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  validBitsPerSample: number;
  blockAlign: number;
  extensible: boolean;
  channelMask?: number;
}

export function parseFmt(body: Uint8Array, warnings: string[]): FmtInfo {
  if (body.length < 16)
    throw new WavError("BAD_FMT_CHUNK", `fmt chunk is ${body.length} bytes, needs at least 16`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  let blockAlign = v.getUint16(12, true);
  const bits = v.getUint16(14, true);
  let formatCode = tag;
  let extensible = false;
  let validBits = bits;
  let channelMask: number | undefined;
  if (tag === 0xfffe) {
    if (body.length < 40) {
      throw new WavError(
        "BAD_FMT_CHUNK",
        `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${body.length} bytes, needs 40`,
      );
    }
    extensible = true;
    validBits = v.getUint16(18, true) || bits;
    channelMask = v.getUint32(20, true);
    formatCode = v.getUint16(24, true);
    const guidOk = KSDATAFORMAT_SUFFIX.every((b, i) => body[26 + i] === b);
    if (!guidOk)
      throw new WavError("UNSUPPORTED_CODEC", "WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
  }
  let format: SampleFormat;
  if (formatCode === 1) format = "pcm";
  else if (formatCode === 3) format = "float";
  else {
    throw new WavError(
      "UNSUPPORTED_CODEC",
      `Compressed or unsupported audio codec (${codecName(formatCode)}): only PCM and IEEE float WAV can be read`,
    );
  }
  if (channels === 0) throw new WavError("ZERO_CHANNELS", "fmt chunk declares 0 channels");
  if (sampleRate === 0) throw new WavError("BAD_SAMPLE_RATE", "fmt chunk declares a sample rate of 0 Hz");
  if (sampleRate > MAX_SAMPLE_RATE) {
    throw new WavError(
      "BAD_SAMPLE_RATE",
      `fmt chunk declares a sample rate of ${sampleRate} Hz (more than ${MAX_SAMPLE_RATE / 1e6} MHz): the header is corrupt`,
    );
  }
  // Container size: trust blockAlign when it is consistent; some writers put valid bits (e.g. 12, 20) in bits.
  let containerBits = Math.ceil(bits / 8) * 8;
  if (blockAlign > 0 && blockAlign % channels === 0 && (blockAlign / channels) * 8 >= bits) {
    containerBits = (blockAlign / channels) * 8;
  }
  const pcmOk = format === "pcm" && [8, 16, 24, 32].includes(containerBits) && bits >= 8;
  const floatOk = format === "float" && (containerBits === 32 || containerBits === 64);
  if (!pcmOk && !floatOk) {
    throw new WavError(
      "UNSUPPORTED_BIT_DEPTH",
      `${bits}-bit ${format === "pcm" ? "PCM" : "float"} is not supported (PCM 8/16/24/32, float 32/64)`,
    );
  }
  if (blockAlign !== (containerBits / 8) * channels) {
    warnings.push(`fmt block align ${blockAlign} is inconsistent; using ${(containerBits / 8) * channels}`);
    blockAlign = (containerBits / 8) * channels;
  }
  if (validBits > containerBits) validBits = containerBits;
  if (!extensible && bits !== containerBits) validBits = bits;
  return {
    format,
    channels,
    sampleRate,
    bitsPerSample: containerBits,
    validBitsPerSample: validBits,
    blockAlign,
    extensible,
    ...(channelMask !== undefined ? { channelMask } : {}),
  };
}

export function buildMetadata(chunks: RawChunk[], warnings: string[]): WavMetadata {
  const metadata: WavMetadata = { chunks: chunks.map(({ id, offset, size }) => ({ id, offset, size })) };
  for (const c of chunks) {
    if (!c.body) continue;
    try {
      if (c.id === "guan") metadata.guano = parseGuano(c.body);
      else if (c.id === "wamd") {
        const wamd = parseWamd(c.body);
        if (wamd) metadata.wamd = wamd;
      } else if (c.id === "bext") {
        const bext = parseBext(c.body);
        if (bext) metadata.bext = bext;
      } else if (c.id === "LIST") {
        const info = parseListInfo(c.body);
        if (info) metadata.info = { ...metadata.info, ...info };
      }
    } catch (err) {
      // Broken metadata must never block reading the audio.
      warnings.push(`Could not parse ${c.id.trim()} chunk: ${(err as Error).message}`);
    }
  }
  return metadata;
}

/** Turns a chunk scan into WavInfo, raising the specific error for whatever is missing. */
export function interpretScan(scan: ChunkScan): WavInfo {
  const warnings = [...scan.warnings];
  const fmtChunk = scan.chunks.find((c) => c.id === "fmt ");
  if (!fmtChunk)
    throw new WavError("NO_FMT_CHUNK", "No fmt chunk: the file does not say how its samples are stored");
  if (!fmtChunk.body) throw new WavError("BAD_FMT_CHUNK", "fmt chunk could not be read");
  const fmt = parseFmt(fmtChunk.body, warnings);
  const dataChunk = scan.chunks.find((c) => c.id === "data");
  if (!dataChunk) throw new WavError("NO_DATA_CHUNK", "No data chunk: the file holds no audio samples");
  const available = scan.dataAvailable ?? dataChunk.size;
  const frames = Math.floor(available / fmt.blockAlign);
  const dataBytes = frames * fmt.blockAlign;
  if (available !== dataBytes) {
    warnings.push(`data ends with ${available - dataBytes} bytes of a partial frame, ignored`);
  }
  const metadata = buildMetadata(scan.chunks, warnings);
  const te = timeExpansionOf(metadata, fmt.sampleRate, MAX_SAMPLE_RATE, warnings);
  const sampleRate = fmt.sampleRate * te;
  return {
    ...fmt,
    sampleRate,
    ...(te > 1 ? { timeExpansion: te } : {}),
    frames,
    duration: frames / sampleRate,
    dataOffset: dataChunk.offset + 8,
    dataBytes,
    container: scan.container,
    metadata,
    warnings,
  };
}

/**
 * Parses the header of a WAV held in memory. `buf` may be only the start of the file (pass the
 * real size as `fileSize`); chunks beyond the buffer are then not seen.
 */
export function parseWavHeader(buf: Uint8Array, options: ParseOptions = {}): WavInfo {
  const fileSize = options.fileSize ?? buf.length;
  if (fileSize < buf.length) throw new WavError("BAD_INPUT", "fileSize is smaller than the buffer");
  return interpretScan(scanChunks(buf, fileSize));
}
