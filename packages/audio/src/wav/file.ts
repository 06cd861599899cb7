import { open } from "node:fs/promises";
import { decodeFrames, rangeToFrames } from "./decode.ts";
import { type ChunkScan, chunkWalker, interpretScan } from "./header.ts";
import type { DecodedWav, TimeRange, WavInfo } from "./types.ts";

/**
 * Positional reads of a file: an fs FileHandle, or any object store that can serve byte ranges
 * (the app's S3 media store), so WAV windows never need the whole file.
 */
export interface ByteSource {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
}

/** The first read covers the usual header (fmt + metadata chunks) in one system call. */
const HEAD_BYTES = 64 * 1024;

/**
 * Reads `length` bytes at `position` into the start of `into`, however many reads that takes;
 * returns how many arrived (fewer only at the end of the source).
 */
export async function readInto(
  fh: Pick<ByteSource, "read">,
  into: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(into, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

async function readExactly(fh: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const got = await readInto(fh, buf, length, offset);
  return got === length ? buf : buf.subarray(0, got);
}

/** Walks the chunks of an open file, reading only headers and metadata bodies, never the samples. */
export async function scanFile(fh: ByteSource): Promise<ChunkScan> {
  const { size: fileSize } = await fh.stat();
  const head = await readExactly(fh, 0, Math.min(HEAD_BYTES, fileSize));
  const walker = chunkWalker(fileSize);
  let step = walker.next(new Uint8Array(0));
  while (!step.done) {
    const { offset, length } = step.value;
    const reply =
      offset + length <= head.length
        ? head.subarray(offset, offset + length)
        : await readExactly(fh, offset, Math.max(0, Math.min(length, fileSize - offset)));
    step = walker.next(reply);
  }
  return step.value;
}

export async function readWavInfoFromHandle(fh: ByteSource): Promise<WavInfo> {
  return interpretScan(await scanFile(fh));
}

export async function readWavInfo(path: string): Promise<WavInfo> {
  const fh = await open(path, "r");
  try {
    return await readWavInfoFromHandle(fh);
  } finally {
    await fh.close();
  }
}

/** Reads frames [start, end) of an open file; memory is proportional to the range only. */
export async function readFrames(
  fh: ByteSource,
  info: WavInfo,
  start: number,
  end: number,
): Promise<Float32Array[]> {
  const bytes = await readExactly(
    fh,
    info.dataOffset + start * info.blockAlign,
    (end - start) * info.blockAlign,
  );
  return decodeFrames(bytes, info);
}

/** Reads a whole file, or only a time range of it (seconds) without touching the rest. */
export async function readWavFile(path: string, range?: TimeRange): Promise<DecodedWav> {
  const fh = await open(path, "r");
  try {
    const info = await readWavInfoFromHandle(fh);
    const [s, e] = rangeToFrames(info, range);
    return { info, channels: await readFrames(fh, info, s, e) };
  } finally {
    await fh.close();
  }
}

export interface BlockReadOptions extends TimeRange {
  /** Frames per block (the last block may be shorter). */
  blockFrames?: number;
  /**
   * Recycle the byte and sample buffers between blocks (no garbage per block). Each block is then
   * only valid until the iterator is advanced.
   */
  reuse?: boolean;
}

export interface WavBlock {
  /** Index of the block's first frame in the file. */
  frameOffset: number;
  channels: Float32Array[];
}

/**
 * Streams a file as fixed-size blocks of frames. Unless `reuse` is set, each yielded block owns
 * fresh arrays, so consumers may keep or transfer them.
 */
export async function* readWavBlocks(
  path: string,
  options: BlockReadOptions = {},
): AsyncGenerator<WavBlock, void, undefined> {
  const fh = await open(path, "r");
  try {
    const info = await readWavInfoFromHandle(fh);
    yield* blocksFromHandle(fh, info, options);
  } finally {
    await fh.close();
  }
}

export async function* blocksFromHandle(
  fh: ByteSource,
  info: WavInfo,
  options: BlockReadOptions = {},
): AsyncGenerator<WavBlock, void, undefined> {
  const blockFrames = Math.max(1, Math.floor(options.blockFrames ?? 65536));
  const [s, e] = rangeToFrames(info, options);
  if (!options.reuse) {
    for (let f = s; f < e; f += blockFrames) {
      const n = Math.min(blockFrames, e - f);
      yield { frameOffset: f, channels: await readFrames(fh, info, f, f + n) };
    }
    return;
  }
  const bytes = new Uint8Array(Math.min(blockFrames, Math.max(0, e - s)) * info.blockAlign);
  const out = Array.from({ length: info.channels }, () => new Float32Array(bytes.length / info.blockAlign));
  for (let f = s; f < e; f += blockFrames) {
    const n = Math.min(blockFrames, e - f);
    const got = await readInto(fh, bytes, n * info.blockAlign, info.dataOffset + f * info.blockAlign);
    const frames = Math.floor(got / info.blockAlign);
    decodeFrames(bytes.subarray(0, frames * info.blockAlign), info, out);
    yield { frameOffset: f, channels: out.map((c) => (frames === c.length ? c : c.subarray(0, frames))) };
    if (frames < n) return;
  }
}
