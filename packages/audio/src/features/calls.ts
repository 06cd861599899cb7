import type { Segment } from "../segmentation/types.ts";
import { type CallFeatures, FEATURE_NAMES } from "./names.ts";
import { type WarblerSettings, warblerSettings } from "./settings.ts";
import { spectroAnalysis } from "./warbler.ts";

export interface CallFeatureOptions {
  /** Override the per-call settings (default: the original BattyCoda rules, see settings.ts). */
  settings?: (sampleRate: number, nSamples: number) => WarblerSettings;
}

/** Calls shorter than this are skipped by the original extractor; they get a row of NaN here. */
export const MIN_CALL_SAMPLES = 10;

/**
 * Samples [floor(onset*sr), floor(offset*sr)) as the original cut them (Python int(t*sr)), zero-padded past
 * the end of the recording.
 */
export function cutSegment(samples: Float32Array, sampleRate: number, seg: Segment): Float64Array {
  const first = Math.floor(seg.onset * sampleRate);
  const end = Math.floor(seg.offset * sampleRate);
  const out = new Float64Array(Math.max(0, end - first));
  for (let i = 0; i < out.length; i++) {
    const j = first + i;
    out[i] = j >= 0 && j < samples.length ? samples[j]! : 0;
  }
  return out;
}

function nanRow(): CallFeatures {
  const row = {} as CallFeatures;
  for (const name of FEATURE_NAMES) row[name] = Number.NaN;
  return row;
}

/**
 * The 27 warbleR features for each segment of one channel (warbleR analyses channel 1 of a stereo file:
 * pass channels[0] to reproduce the original). Pure and synchronous, so it can run in a worker thread.
 */
export function extractCallFeatures(
  samples: Float32Array,
  sampleRate: number,
  segments: Segment[],
  opts: CallFeatureOptions = {},
): CallFeatures[] {
  const pick = opts.settings ?? warblerSettings;
  return segments.map((seg) => {
    const x = cutSegment(samples, sampleRate, seg);
    if (x.length < MIN_CALL_SAMPLES) return nanRow();
    return spectroAnalysis(x, sampleRate, pick(sampleRate, x.length));
  });
}
