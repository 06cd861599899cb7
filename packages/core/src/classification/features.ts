// The 27 call features of a page of segments: from Segment.features when the cached values still
// belong to the segment's bounds and the current extractor, else computed from only the audio
// around those segments (never the whole recording) in the worker's pool. The audio is read with
// positional reads, so a recording in S3 costs a few ranged GETs, not a download.
import { open } from "node:fs/promises";
import {
  type CallFeatures,
  extractCallFeatures,
  FEATURE_EXTRACTOR_VERSION,
  FEATURE_NAMES,
  readFrames,
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

export function cachedFeatures(s: FeatureSegment): CallFeatures | null {
  const c = s.features as CachedFeatures | null;
  if (!c || typeof c !== "object" || c.v !== FEATURE_EXTRACTOR_VERSION || c.channel !== FEATURE_CHANNEL)
    return null;
  if (c.onset !== s.onset || c.offset !== s.offset || !c.values) return null;
  const out = {} as CallFeatures;
  for (const name of FEATURE_NAMES) {
    const v = c.values[name];
    out[name] = typeof v === "number" ? v : Number.NaN;
  }
  return out;
}

export function toCache(s: { onset: number; offset: number }, f: CallFeatures): CachedFeatures {
  const values: Record<string, number | null> = {};
  for (const name of FEATURE_NAMES) values[name] = Number.isFinite(f[name]) ? f[name] : null;
  return { v: FEATURE_EXTRACTOR_VERSION, channel: FEATURE_CHANNEL, onset: s.onset, offset: s.offset, values };
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

  const source = await openAudio(audio);
  try {
    await computeMissing(source, missing, pool, features, computed);
  } finally {
    await source.close();
  }
  return { features, computed };
}

async function computeMissing(
  source: RandomAccessSource,
  missing: FeatureSegment[],
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
    while (next < spans.length) {
      const span = spans[next++] as Span;
      const channels = await readFrames(source, info, span.startFrame, span.endFrame);
      const samples = channels[Math.min(FEATURE_CHANNEL, channels.length - 1)] ?? new Float32Array(0);
      const rel = span.members.map((s) => {
        const first = Math.max(0, Math.floor(s.onset * sr)) - span.startFrame;
        const end = Math.max(first + span.startFrame, Math.floor(s.offset * sr)) - span.startFrame;
        return { onset: (first + 0.5) / sr, offset: (end + 0.5) / sr };
      });
      const rows = pool
        ? await pool.run({ type: "features", samples, sampleRate: sr, segments: rel })
        : extractCallFeatures(samples, sr, rel);
      span.members.forEach((s, i) => {
        const f = rows[i] as CallFeatures;
        features.set(s.id, f);
        computed.set(s.id, toCache(s, f));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, spans.length) }, worker));
}
