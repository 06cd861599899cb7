// The feature matrix of a run: one Float32 row per measurable call, filled page by page from the
// database, so memory is the matrix itself (n x d x 4 bytes) plus one page. Features are measured at
// each recording's own sample rate, from short reads around the page's calls, in the worker's pool.
import {
  type ClusteringFeatures,
  type ClusteringOptions,
  extractClusteringFeatures,
  FEATURE_NAMES,
  type FrequencyBand,
  N_CHROMA,
  N_MELS,
  N_MFCC,
  readWavFile,
  readWavInfo,
} from "@battycoda/audio";
import type { DbContext } from "../access/context.ts";
import { featuresFor } from "../classification/features.ts";
import { featureChannelOf } from "../classification/stamp.ts";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { withRecordingAudio } from "../segmentation/common.ts";
import { afterSegmentCursor, nextSegmentCursor, type SegmentCursor } from "../segmentation/keyset.ts";
import type { TFeatureSet } from "./schemas.ts";

export const FEATURE_DIMS: Record<TFeatureSet, number> = {
  mfcc: N_MFCC,
  mel: N_MELS,
  chroma: N_CHROMA,
  calls: FEATURE_NAMES.length,
};

export interface FeatureMatrix {
  /** Rows filled. */
  n: number;
  d: number;
  /** Row-major n x d (the buffer may be longer than n rows). */
  data: Float32Array;
  /** Row i's segment. */
  segmentIds: string[];
  /** Calls too short to measure (no row). */
  skipped: number;
}

interface PageSegment {
  id: string;
  onset: number;
  offset: number;
  features: unknown;
}

const MERGE_GAP_SECONDS = 0.5;
const MAX_SPAN_SECONDS = 10;

/** MFCC / mel / chroma means of a page's calls on `channel`, read in spans of nearby calls (never the whole file). */
async function spectralFeatures(
  audioPath: string,
  page: PageSegment[],
  channel: number,
  pool: AudioTaskRunner | null | undefined,
  options: ClusteringOptions,
): Promise<Map<string, ClusteringFeatures>> {
  const info = await readWavInfo(audioPath);
  const sr = info.sampleRate;
  const out = new Map<string, ClusteringFeatures>();
  const spans: { start: number; end: number; members: PageSegment[] }[] = [];
  for (const s of [...page].sort((a, b) => a.onset - b.onset)) {
    const first = Math.max(0, Math.floor(s.onset * sr));
    const end = Math.min(info.frames, Math.max(first, Math.floor(s.offset * sr)));
    const cur = spans.at(-1);
    if (
      cur &&
      first <= cur.end + MERGE_GAP_SECONDS * sr &&
      Math.max(end, cur.end) - cur.start <= MAX_SPAN_SECONDS * sr
    ) {
      cur.end = Math.max(cur.end, end);
      cur.members.push(s);
    } else spans.push({ start: first, end, members: [s] });
  }
  const inFlight = Math.max(2, 2 * ((pool as { threads?: number } | null)?.threads ?? 1));
  let next = 0;
  const work = async () => {
    while (next < spans.length) {
      const span = spans[next++] as (typeof spans)[number];
      const wav = await readWavFile(audioPath, { start: span.start / sr, end: span.end / sr });
      const samples = wav.channels[Math.min(channel, wav.channels.length - 1)] ?? new Float32Array(0);
      // half a sample past the frame boundaries, so cutSegment's floor() takes the frames a whole-file read would
      const rel = span.members.map((s) => {
        const first = Math.max(0, Math.floor(s.onset * sr)) - span.start;
        const end = Math.max(first + span.start, Math.floor(s.offset * sr)) - span.start;
        return { onset: (first + 0.5) / sr, offset: (end + 0.5) / sr };
      });
      const rows = pool
        ? await pool.run({ type: "clustering-features", samples, sampleRate: sr, segments: rel, options })
        : extractClusteringFeatures(samples, sr, rel, options);
      span.members.forEach((s, i) => {
        out.set(s.id, rows[i] as ClusteringFeatures);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, spans.length) }, work));
  return out;
}

function vectorOf(featureSet: TFeatureSet, f: ClusteringFeatures): number[] {
  if (featureSet === "mfcc") return f.mfccMean;
  if (featureSet === "mel") return f.melMean;
  return f.chromaMean;
}

export interface BuildMatrixOptions {
  media: MediaStore;
  /** MFCC / mel / chroma: the run's band, the same for every recording (see packages/audio). */
  band?: FrequencyBand;
  pool?: AudioTaskRunner | null;
  pageSize?: number;
  onPage?: (done: number, total: number) => Promise<void> | void;
}

/** Every segment of the segmentations, in (segmentation, onset, id) order, as standardisable rows. */
export async function buildFeatureMatrix(
  { db }: DbContext,
  segmentationIds: string[],
  featureSet: TFeatureSet,
  options: BuildMatrixOptions,
): Promise<FeatureMatrix> {
  const d = FEATURE_DIMS[featureSet];
  const total = await db.segment.count({ where: { segmentationId: { in: segmentationIds } } });
  let data = new Float32Array(Math.max(1, total) * d);
  const segmentIds: string[] = [];
  let n = 0;
  let skipped = 0;
  let seen = 0;
  const pageSize = options.pageSize ?? 500;
  const put = (id: string, v: ArrayLike<number>) => {
    for (let j = 0; j < d; j++) if (!Number.isFinite(v[j] as number)) return void skipped++;
    if ((n + 1) * d > data.length) {
      // segments added while the run reads: grow rather than drop them
      const bigger = new Float32Array(Math.ceil(data.length * 1.25) + d);
      bigger.set(data);
      data = bigger;
    }
    for (let j = 0; j < d; j++) data[n * d + j] = v[j] as number;
    segmentIds.push(id);
    n++;
  };
  for (const segmentationId of segmentationIds) {
    const seg = await db.segmentation.findUnique({
      where: { id: segmentationId },
      select: { parameters: true, recording: { select: { filePath: true } } },
    });
    if (!seg) continue;
    const channel = featureChannelOf(seg.parameters);
    // Local (staged from S3 once per recording): the pool's feature tasks read windows by path.
    await withRecordingAudio(options.media, seg.recording.filePath, async (audioPath) => {
      let cursor: SegmentCursor | null = null;
      for (;;) {
        const page: PageSegment[] = await db.segment.findMany({
          where: {
            segmentationId,
            ...afterSegmentCursor(cursor),
          },
          orderBy: [{ onset: "asc" }, { id: "asc" }],
          take: pageSize,
          select: { id: true, onset: true, offset: true, features: featureSet === "calls" },
        });
        if (page.length === 0) break;
        cursor = nextSegmentCursor(cursor, page);
        if (featureSet === "calls") {
          const { features } = await featuresFor(
            audioPath,
            page.map((x) => ({ ...x, channel })),
            options.pool,
          );
          for (const s of page) {
            const f = features.get(s.id);
            put(s.id, f ? FEATURE_NAMES.map((name) => f[name]) : [Number.NaN]);
          }
        } else {
          const features = await spectralFeatures(
            audioPath,
            page,
            channel,
            options.pool,
            options.band ? { band: options.band } : {},
          );
          for (const s of page) {
            const f = features.get(s.id);
            put(s.id, f ? vectorOf(featureSet, f) : [Number.NaN]);
          }
        }
        seen += page.length;
        await options.onPage?.(seen, total);
      }
    });
  }
  return { n, d, data, segmentIds, skipped };
}
