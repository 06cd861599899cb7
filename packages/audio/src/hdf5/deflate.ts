import { constants, deflateRawSync, deflateSync } from "node:zlib";

/**
 * zlib streams (RFC 1950/1951: what HDF5's deflate filter inflates) for byte-shuffled chunks, without spending
 * Huffman time on byte planes that cannot compress.
 *
 * After the shuffle filter a float32 chunk is four byte planes, least significant first. For spectrogram dB values
 * the two low mantissa planes are noise (Huffman-only deflate leaves them at 100.0 % of their size, measured) while
 * the exponent planes shrink (to ~90 % and ~17 %). zlib still codes every noise byte (~5 ns each), so here the
 * leading noise planes go into "stored" deflate blocks (a plain copy) and only the rest is Huffman coded by zlib; the
 * pieces form one ordinary zlib stream, checked by one Adler-32 (that of the stored part, computed here, combined
 * with zlib's for the rest). A plane counts as noise when the byte entropy of a sample of it is >= 7.9 bits, so
 * Huffman coding could gain at most ~1 % on it; silent or tonal recordings keep their low planes compressed.
 */

const BASE = 65521;
/** Bytes summed before reducing: keeps the Adler sums below 2^31 (int32 arithmetic in V8). */
const ADLER_RUN = 3800;
const MAX_STORED = 65535;
/** Bits per byte at or above which a plane is stored rather than Huffman coded. */
export const NOISE_ENTROPY_BITS = 7.9;
/**
 * The same for the low byte of quantised dB (zlibMixed): at 1/12 dB steps it samples at ~7.75-7.8 bits on noise,
 * where Huffman coding saves ~3 % of the plane for more time than quantising and run-length coding the rest take.
 */
export const MIXED_NOISE_BITS = 7.7;
/** Every SAMPLE_STEP-th byte of a plane is histogrammed. */
const SAMPLE_STEP = 8;

export function adler32(b: Uint8Array, start = 0, end = b.length, adler = 1): number {
  let a = adler & 0xffff;
  let s = adler >>> 16;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + ADLER_RUN);
    for (; i + 8 <= stop; i += 8) {
      a += b[i]!;
      s += a;
      a += b[i + 1]!;
      s += a;
      a += b[i + 2]!;
      s += a;
      a += b[i + 3]!;
      s += a;
      a += b[i + 4]!;
      s += a;
      a += b[i + 5]!;
      s += a;
      a += b[i + 6]!;
      s += a;
      a += b[i + 7]!;
      s += a;
    }
    for (; i < stop; i++) {
      a += b[i]!;
      s += a;
    }
    a %= BASE;
    s %= BASE;
  }
  return ((s << 16) | a) >>> 0;
}

/** Adler-32 of A followed by B from adler(A), adler(B) and B's length (zlib's adler32_combine). */
export function adler32Combine(adler1: number, adler2: number, len2: number): number {
  const rem = len2 % BASE;
  let sum1 = adler1 & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (adler2 & 0xffff) + BASE - 1;
  sum2 += (adler1 >>> 16) + (adler2 >>> 16) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= 2 * BASE) sum2 -= 2 * BASE;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

const histogram = new Uint32Array(256);

/** Estimated bits per byte of b[start .. end), from every SAMPLE_STEP-th byte. */
export function sampledEntropy(b: Uint8Array, start: number, end: number): number {
  histogram.fill(0);
  let n = 0;
  for (let i = start; i < end; i += SAMPLE_STEP, n++) histogram[b[i]!]!++;
  if (n === 0) return 0;
  let h = 0;
  for (let v = 0; v < 256; v++) {
    const c = histogram[v]!;
    if (c > 0) h -= c * Math.log2(c / n);
  }
  return h / n;
}

export interface ZlibOptions {
  level: number;
  /** Bytes per shuffled element (the number of planes). */
  planes: number;
  /**
   * Trailing planes coded with Z_RLE instead of Huffman only (default 0). The high byte plane of quantised dB
   * holds a handful of values in long runs: Huffman alone cannot go below one bit per byte there, runs can.
   */
  rlePlanes?: number;
}

/**
 * A zlib stream of `data` (planes of equal size, as the shuffle filter lays them out) as a list of pieces to write
 * back to back. Leading noise planes are stored, the rest Huffman-coded (Z_HUFFMAN_ONLY; LZ77 matching finds
 * nothing in float mantissas and costs 4x the time).
 */
export function zlibShuffled(data: Uint8Array, { level, planes, rlePlanes = 0 }: ZlibOptions): Uint8Array[] {
  const opts = { level, strategy: constants.Z_HUFFMAN_ONLY, memLevel: 9 };
  const planeSize = data.length / planes;
  if (rlePlanes > 0 && Number.isInteger(planeSize))
    return zlibMixed(data, planeSize, planes, rlePlanes, level);
  let stored = 0;
  if (Number.isInteger(planeSize) && planeSize >= 4096) {
    while (
      stored < planes &&
      sampledEntropy(data, stored * planeSize, (stored + 1) * planeSize) >= NOISE_ENTROPY_BITS
    )
      stored++;
  }
  if (stored === 0) return [deflateSync(data, opts)];

  const split = stored * planeSize;
  const pieces: Uint8Array[] = [new Uint8Array([0x78, 0x01])]; // deflate, 32 K window, no dictionary
  const last = split === data.length;
  for (let at = 0; at < split; at += MAX_STORED) {
    const len = Math.min(MAX_STORED, split - at);
    const final = last && at + len === split ? 1 : 0;
    pieces.push(new Uint8Array([final, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff]));
    pieces.push(data.subarray(at, at + len));
  }
  let adler = adler32(data, 0, split);
  if (!last) {
    // A complete zlib stream of the rest: its deflate blocks (the final block flag is where it belongs) and its Adler.
    const z = deflateSync(data.subarray(split), opts);
    const tail = z.length - 4;
    pieces.push(z.subarray(2, tail));
    const rest = ((z[tail]! << 24) | (z[tail + 1]! << 16) | (z[tail + 2]! << 8) | z[tail + 3]!) >>> 0;
    adler = adler32Combine(adler, rest, data.length - split);
  }
  pieces.push(new Uint8Array([adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff]));
  return pieces;
}

/**
 * One zlib stream whose leading planes are stored (noise) or Huffman coded and whose last `rlePlanes` planes are
 * run-length coded: raw deflate pieces, all but the last ended by a full flush (non-final blocks), so they
 * concatenate into one valid deflate stream; one Adler-32 over the whole chunk.
 */
function zlibMixed(
  data: Uint8Array,
  planeSize: number,
  planes: number,
  rlePlanes: number,
  level: number,
): Uint8Array[] {
  const huff = { level, strategy: constants.Z_HUFFMAN_ONLY, memLevel: 9 };
  const rle = { level, strategy: constants.Z_RLE, memLevel: 9 };
  const rleStart = Math.max(0, planes - rlePlanes) * planeSize;
  let stored = 0;
  if (planeSize >= 4096) {
    while (
      stored * planeSize < rleStart &&
      sampledEntropy(data, stored * planeSize, (stored + 1) * planeSize) >= MIXED_NOISE_BITS
    )
      stored++;
  }
  const split = stored * planeSize;
  const pieces: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  for (let at = 0; at < split; at += MAX_STORED) {
    const len = Math.min(MAX_STORED, split - at);
    pieces.push(new Uint8Array([0, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff]));
    pieces.push(data.subarray(at, at + len));
  }
  if (rleStart > split)
    pieces.push(
      deflateRawSync(data.subarray(split, rleStart), { ...huff, finishFlush: constants.Z_FULL_FLUSH }),
    );
  pieces.push(deflateRawSync(data.subarray(rleStart), rle));
  const adler = adler32(data);
  pieces.push(new Uint8Array([adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff]));
  return pieces;
}
