// Long recordings are segmented a piece at a time, so memory stays that of one piece (about a minute) however long the
// recording: a 10-minute 384 kHz file held whole is 0.9 GB of samples per channel, an hour 5.5 GB. Each piece is read
// with context either side and keeps only the segments that start in its own stretch. The spectral detector's floor,
// screening and rules look at most a few seconds around a frame, and pieces start on its grid of frames and blocks
// (spectralGridSamples), so the segments are those of the whole recording at once (the tests compare them).
import { type ByteSource, readFrames } from "../wav/file.ts";
import type { WavInfo } from "../wav/types.ts";
import { CallChannelPicker, channelFrame } from "./channel.ts";
import { SPECTRAL_DEFAULTS, spectralGridSamples } from "./spectral.ts";
import type { Segment, SegmentParams } from "./types.ts";

export interface SegmentPiece {
  /** Samples read for the piece: [start, end). */
  start: number;
  end: number;
  /** The piece's own stretch: it keeps the segments whose onset falls in [keepFrom, keepTo). */
  keepFrom: number;
  keepTo: number;
}

/** Seconds of audio per piece (its own stretch). */
export const PIECE_SECONDS = 60;
/**
 * Context either side of a piece's own stretch, beyond the longest segment and the local floor: the floor's blocks
 * (+-0.5 s, scored 0.6 s late), a burst's running floor (+-0.2 s), echo and fragment rules (tens of ms).
 */
export const PIECE_CONTEXT_SECONDS = 3;

/**
 * Pieces of `total` samples: own stretches of about `pieceSamples`, each read with `marginSamples` of context either
 * side, all rounded up to multiples of `align` (the detector's grid). One piece when the whole fits in one read.
 */
export function planPieces(
  total: number,
  pieceSamples: number,
  marginSamples: number,
  align: number,
): SegmentPiece[] {
  const up = (v: number) => Math.max(align, Math.ceil(v / align) * align);
  const own = up(pieceSamples);
  const margin = up(marginSamples);
  if (total <= own + 2 * margin) return [{ start: 0, end: total, keepFrom: 0, keepTo: total }];
  const pieces: SegmentPiece[] = [];
  for (let from = 0; from < total; from += own) {
    const to = Math.min(total, from + own);
    pieces.push({
      start: Math.max(0, from - margin),
      end: Math.min(total, to + margin),
      keepFrom: from,
      keepTo: to,
    });
  }
  return pieces;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The pieces the spectral detector reads a recording of `total` samples in, with `params` (its own: the frame sets the
 * grid; the longest segment and the local floor widen the context). Pieces also start on whole frames of the channel
 * choice (callChannel), so it is the whole recording's too.
 */
export function spectralPieces(
  total: number,
  sampleRate: number,
  params: SegmentParams = {},
  pieceSeconds = PIECE_SECONDS,
): SegmentPiece[] {
  const get = (k: "frame_ms" | "max_duration_ms" | "local_floor_ms") => params[k] ?? SPECTRAL_DEFAULTS[k];
  const grid = spectralGridSamples(sampleRate, get("frame_ms"));
  const frame = channelFrame(sampleRate);
  const align = (grid / gcd(grid, frame)) * frame;
  const context = PIECE_CONTEXT_SECONDS + (get("max_duration_ms") + get("local_floor_ms")) / 1000;
  return planPieces(total, pieceSeconds * sampleRate, context * sampleRate, align);
}

/**
 * Segments of a recording read piece by piece: `read(start, end)` gives the samples of a piece, `detect` its segments
 * (seconds from the piece's start); the result is in seconds from the recording's start, in time order.
 */
export async function segmentInPieces(
  pieces: readonly SegmentPiece[],
  sampleRate: number,
  read: (start: number, end: number) => Promise<Float32Array>,
  detect: (samples: Float32Array) => Promise<Segment[]>,
  onProgress?: (fraction: number) => void | Promise<void>,
): Promise<Segment[]> {
  const out: Segment[] = [];
  const total = pieces.reduce((k, p) => k + (p.keepTo - p.keepFrom), 0);
  let done = 0;
  for (const piece of pieces) {
    const found = await detect(await read(piece.start, piece.end));
    const shift = piece.start / sampleRate;
    for (const s of found) {
      const at = piece.start + s.onset * sampleRate;
      if (at < piece.keepFrom - 1e-6 || at >= piece.keepTo - 1e-6) continue;
      out.push({ ...s, onset: s.onset + shift, offset: s.offset + shift });
    }
    done += piece.keepTo - piece.keepFrom;
    await onProgress?.(total > 0 ? done / total : 1);
  }
  return out.sort((a, b) => a.onset - b.onset || a.offset - b.offset);
}

export interface WavPiecesOptions {
  /** 0-based; null: the channel where calls stand out most over the whole recording (callChannel). */
  channel: number | null;
  params?: SegmentParams;
  /** The spectral detector with `params` on a piece (in this thread, or the worker's pool). */
  detect: (samples: Float32Array) => Promise<Segment[]>;
  onProgress?: (fraction: number) => void | Promise<void>;
  pieceSeconds?: number;
}

/**
 * The spectral detector over a WAV read from `source` a piece at a time (positional reads: a file, or an object store's
 * ranged GETs): the segments and the channel they were found in.
 */
export async function segmentWavInPieces(
  source: ByteSource,
  info: WavInfo,
  opts: WavPiecesOptions,
): Promise<{ segments: Segment[]; channel: number }> {
  const sr = info.sampleRate;
  const pieces = spectralPieces(info.frames, sr, opts.params, opts.pieceSeconds);
  let channel = opts.channel ?? 0;
  if (opts.channel === null && info.channels > 1) {
    const picker = new CallChannelPicker(info.channels, sr);
    for (const p of pieces) picker.add(await readFrames(source, info, p.keepFrom, p.keepTo));
    channel = picker.pick();
  }
  const segments = await segmentInPieces(
    pieces,
    sr,
    async (start, end) => (await readFrames(source, info, start, end))[channel] ?? new Float32Array(0),
    (x) => (x.length === 0 ? Promise.resolve([]) : opts.detect(x)),
    opts.onProgress,
  );
  return { segments, channel };
}
