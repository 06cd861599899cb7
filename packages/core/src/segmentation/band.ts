// The frequency box of segments a user draws or moves: measured on the audio as the detector measures the calls it
// finds, so exports and the editor never show a box left over from other edges.
import { type FrequencyBox, measureBands, type SegmentParams } from "@battycoda/audio";
import { featureChannelOf } from "../classification/stamp.ts";
import type { MediaStore } from "../media/store.ts";
import { type AudioTaskRunner, readWindow } from "./audio.ts";
import { recordingMediaKey } from "./common.ts";
import { readRunParameters } from "./runs.ts";

/** Seconds of audio either side of a span that its band is measured against (the detector's floor: about a second). */
const CONTEXT_S = 0.5;
/** Spans longer than this hold a sequence, not a call: no band. */
const MAX_SPAN_S = 1;
/** Nearby spans share one read of at most this many seconds. */
const MAX_WINDOW_S = 10;

export type SpanBand = FrequencyBox | null;

interface SegmentationForBands {
  parameters: unknown;
  algorithm?: { key: string } | null;
  recording: { filePath: string };
}

/**
 * The band of each span's main harmonic (Hz), on the channel the segmentation's features are measured on, with a
 * detection run's own detector parameters (its band limits and levels). Null for a span with no call in it or one
 * longer than MAX_SPAN_S; undefined for all when the audio cannot be read (not measured: a band from other edges would
 * be wrong, and a later measurement may still give one).
 */
export async function measureSpanBands(
  media: MediaStore,
  seg: SegmentationForBands,
  spans: readonly { onset: number; offset: number }[],
): Promise<(SpanBand | undefined)[]> {
  try {
    return await measureSpanBandsOrThrow(media, seg, spans);
  } catch {
    return spans.map(() => undefined);
  }
}

/**
 * As measureSpanBands, but a recording that cannot be read is an error (the background job retries and reports it).
 * With a pool, the DSP runs there, one window at a time.
 */
export async function measureSpanBandsOrThrow(
  media: MediaStore,
  seg: SegmentationForBands,
  spans: readonly { onset: number; offset: number }[],
  pool?: AudioTaskRunner | null,
): Promise<SpanBand[]> {
  const out: SpanBand[] = spans.map(() => null);
  const run = readRunParameters(seg.parameters, seg.algorithm?.key ?? null);
  const params: SegmentParams = run.algorithm === "spectral" ? run.params : {};
  const channel = featureChannelOf(seg.parameters);
  const order = spans
    .map((s, i) => ({ ...s, i }))
    .filter((s) => s.offset - s.onset <= MAX_SPAN_S)
    .sort((a, b) => a.onset - b.onset);
  const key = recordingMediaKey(seg.recording.filePath);
  for (let j = 0; j < order.length; ) {
    const group = [order[j]!];
    let end = order[j]!.offset + CONTEXT_S;
    const start = order[j]!.onset - CONTEXT_S;
    for (j++; j < order.length; j++) {
      const next = order[j]!;
      if (next.onset - CONTEXT_S > end || next.offset + CONTEXT_S - start > MAX_WINDOW_S) break;
      group.push(next);
      end = Math.max(end, next.offset + CONTEXT_S);
    }
    const win = await readWindow(media, key, (start + end) / 2, end - start, channel);
    const local = group.map((s) => ({ onset: s.onset - win.start, offset: s.offset - win.start }));
    const bands = pool
      ? await pool.run({
          type: "bands",
          samples: win.samples,
          sampleRate: win.sampleRate,
          spans: local,
          params,
        })
      : measureBands(win.samples, win.sampleRate, local, params);
    group.forEach((s, k) => {
      out[s.i] = bands[k] ?? null;
    });
  }
  return out;
}
