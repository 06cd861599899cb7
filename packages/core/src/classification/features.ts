// The 27 call features of a page of segments: from Segment.features when the cached values still
// belong to the segment's bounds and the current extractor, else computed from only the audio
// around those segments (never the whole recording) in the worker's pool. The audio is read with
// positional reads, so a recording in S3 costs a few ranged GETs, not a download.
import { open } from "node:fs/promises";
import {
  type CallFeatures,
  decodeFrames,
  extractCallFeatures,
  FEATURE_EXTRACTOR_VERSION,
  FEATURE_NAMES,
  readInto,
  readWavInfoFromHandle,
  type WavInfo,
} from "@battycoda/audio";
import { DomainError } from "../access/errors.ts";
import { assertMediaKey, type MediaStore, type RandomAccessSource } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { FEATURE_CHANNEL } from "./stamp.ts";

/** A recording's audio: a stored object (its key in the media store), or a local file path. */
export type FeatureAudio = string | { media: MediaStore; key: string };

async function openAudio(audio: FeatureAudio): Promise<RandomAccessSource> {
  if (typeof audio === "string") return open(audio, "r");
  try {
    assertMediaKey(audio.key);
  } catch (err) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The recording's audio file cannot be used: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return audio.media.openRandomAccess(audio.key);
}

export interface FeatureSegment {
  id: string;
  onset: number;
  offset: number;
  /** The channel to measure it on (featureChannelOf its segmentation); FEATURE_CHANNEL when absent. */
  channel?: number;
  features: unknown;
}

/**
 * What Segment.features holds. The bounds are part of the value, so an edited segment (or a new
 * extractor version) simply misses the cache: no writer of segments has to remember to clear it.
 * NaN (too short to measure) is stored as null, since JSON has no NaN.
 */
export interface CachedFeatures {
  v: string;
  channel: number;
  onset: number;
  offset: number;
  values: Record<string, number | null>;
}

const channelOf = (s: { channel?: number }) => s.channel ?? FEATURE_CHANNEL;

export function cachedFeatures(s: FeatureSegment): CallFeatures | null {
  const c = s.features as CachedFeatures | null;
  if (!c || typeof c !== "object" || c.v !== FEATURE_EXTRACTOR_VERSION || c.channel !== channelOf(s))
    return null;
  if (c.onset !== s.onset || c.offset !== s.offset || !c.values) return null;
  const out = {} as CallFeatures;
  for (const name of FEATURE_NAMES) {
    const v = c.values[name];
    out[name] = typeof v === "number" ? v : Number.NaN;
  }
  return out;
}

export function toCache(
  s: { onset: number; offset: number; channel?: number },
  f: CallFeatures,
): CachedFeatures {
  const values: Record<string, number | null> = {};
  for (const name of FEATURE_NAMES) values[name] = Number.isFinite(f[name]) ? f[name] : null;
  return { v: FEATURE_EXTRACTOR_VERSION, channel: channelOf(s), onset: s.onset, offset: s.offset, values };
}

export function isComplete(f: CallFeatures): boolean {
  for (const name of FEATURE_NAMES) if (!Number.isFinite(f[name])) return false;
  return true;
}

/** Calls closer than this share one read; a span is cut once it covers this much audio. */
const MERGE_GAP_SECONDS = 0.5;
// Short spans bound memory: each span in flight is held as bytes, samples and the thread's copy
// (10 s of 192 kHz audio was ~20 MB per span, four in flight); calls are ms long, so reads stay few.
const MAX_SPAN_SECONDS = 2;

interface Span {
  startFrame: number;
  endFrame: number;
  members: FeatureSegment[];
}

function spansOf(segments: FeatureSegment[], info: WavInfo): Span[] {
  const sr = info.sampleRate;
  const sorted = [...segments].sort((a, b) => a.onset - b.onset);
  const spans: Span[] = [];
  let cur: Span | null = null;
  for (const s of sorted) {
    // The frames cutSegment takes: [floor(onset*sr), floor(offset*sr)).
    const first = Math.max(0, Math.floor(s.onset * sr));
    const end = Math.max(first, Math.floor(s.offset * sr));
    if (
      cur &&
      first <= cur.endFrame + MERGE_GAP_SECONDS * sr &&
      Math.max(end, cur.endFrame) - cur.startFrame <= MAX_SPAN_SECONDS * sr
    ) {
      cur.endFrame = Math.max(cur.endFrame, end);
      cur.members.push(s);
    } else {
      cur = { startFrame: first, endFrame: end, members: [s] };
      spans.push(cur);
    }
  }
  for (const sp of spans) sp.endFrame = Math.min(info.frames, sp.endFrame);
  return spans;
}

/**
 * Features for `segments` (any order), keyed by segment id, plus the freshly computed ones to cache.
 * Relative times are placed half a sample past the frame boundaries so that cutSegment's floor()
 * picks exactly the frames a whole-file read would: the values equal the whole-file ones bit for bit.
 */
export async function featuresFor(
  audio: FeatureAudio,
  segments: FeatureSegment[],
  pool: AudioTaskRunner | null | undefined,
): Promise<{ features: Map<string, CallFeatures>; computed: Map<string, CachedFeatures> }> {
  const features = new Map<string, CallFeatures>();
  const computed = new Map<string, CachedFeatures>();
  const missing: FeatureSegment[] = [];
  for (const s of segments) {
    const f = cachedFeatures(s);
    if (f) features.set(s.id, f);
    else missing.push(s);
  }
  if (missing.length === 0) return { features, computed };

  // Segments measured on different channels (of segmentations run on different ones) are read apart.
  const byChannel = new Map<number, FeatureSegment[]>();
  for (const s of missing) {
    const list = byChannel.get(channelOf(s));
    if (list) list.push(s);
    else byChannel.set(channelOf(s), [s]);
  }
  const source = await openAudio(audio);
  try {
    for (const [channel, list] of byChannel)
      await computeMissing(source, list, channel, pool, features, computed);
  } finally {
    await source.close();
  }
  return { features, computed };
}

/** Where a reader packs its spans' calls: grown when a span needs more, never shrunk. */
interface PackBuffer {
  samples: Float32Array;
  /** Other channels of a multi-channel file are decoded here and dropped. */
  other: Float32Array;
  shared: boolean;
}

function ensure(buf: PackBuffer, frames: number): void {
  if (buf.samples.length >= frames) return;
  const n = 2 ** Math.ceil(Math.log2(Math.max(4096, frames)));
  buf.samples = new Float32Array(buf.shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
}

/**
 * Packs the span's calls back to back into the reader's buffer (only what cutSegment will look at)
 * and returns their bounds in it. The gaps between calls are read but never decoded. The buffer
 * is shared with the pool's threads and reused span after span: moving a fresh array to a thread
 * per span left tens of MB of dead buffers in each thread, which an idle thread never collects.
 */
function packCalls(
  bytes: Uint8Array,
  framesRead: number,
  info: WavInfo,
  span: Span,
  buf: PackBuffer,
  wanted: number,
): { samples: Float32Array; segments: { onset: number; offset: number }[] } {
  const sr = info.sampleRate;
  const bounds = span.members.map((s) => {
    const first = Math.max(0, Math.floor(s.onset * sr));
    return { first, end: Math.max(first, Math.floor(s.offset * sr)) };
  });
  let total = 0;
  for (const b of bounds) total += b.end - b.first;
  ensure(buf, total);
  const samples = buf.samples.subarray(0, total);
  const channel = Math.min(wanted, info.channels - 1);
  const readEnd = span.startFrame + framesRead;
  let at = 0;
  const segments = bounds.map(({ first, end }) => {
    // Frames past what was read (end of the recording) are 0, as cutSegment pads them.
    const stop = Math.max(first, Math.min(end, readEnd));
    const n = stop - first;
    if (n > 0) {
      if (buf.other.length < n) buf.other = new Float32Array(n);
      const out = Array.from({ length: info.channels }, (_, c) =>
        c === channel ? samples.subarray(at, at + n) : buf.other,
      );
      const from = (first - span.startFrame) * info.blockAlign;
      decodeFrames(bytes.subarray(from, from + n * info.blockAlign), info, out);
    }
    samples.fill(0, at + n, at + end - first);
    // Half a sample past the boundaries, so that cutSegment's floor() lands exactly on them.
    const seg = { onset: (at + 0.5) / sr, offset: (at + end - first + 0.5) / sr };
    at += end - first;
    return seg;
  });
  return { samples, segments };
}

async function computeMissing(
  source: RandomAccessSource,
  missing: FeatureSegment[],
  channel: number,
  pool: AudioTaskRunner | null | undefined,
  features: Map<string, CallFeatures>,
  computed: Map<string, CachedFeatures>,
): Promise<void> {
  const info = await readWavInfoFromHandle(source);
  const sr = info.sampleRate;
  const spans = spansOf(missing, info);
  // A few spans in flight keep every pool thread busy without reading far ahead.
  const inFlight = Math.max(2, 2 * ((pool as { threads?: number } | null)?.threads ?? 1));
  let next = 0;
  const worker = async () => {
    let bytes = new Uint8Array(0);
    const buf: PackBuffer = { samples: new Float32Array(0), other: new Float32Array(0), shared: !!pool };
    while (next < spans.length) {
      const span = spans[next++] as Span;
      const length = (span.endFrame - span.startFrame) * info.blockAlign;
      if (bytes.length < length) bytes = new Uint8Array(length);
      const got = await readInto(source, bytes, length, info.dataOffset + span.startFrame * info.blockAlign);
      const { samples, segments } = packCalls(
        bytes,
        Math.floor(got / info.blockAlign),
        info,
        span,
        buf,
        channel,
      );
      const rows = pool
        ? await pool.run({ type: "features", samples, sampleRate: sr, segments })
        : extractCallFeatures(samples, sr, segments);
      span.members.forEach((s, i) => {
        const f = rows[i] as CallFeatures;
        features.set(s.id, f);
        computed.set(s.id, toCache(s, f));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, spans.length) }, worker));
}
