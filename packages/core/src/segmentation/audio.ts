import {
  type AudioTask,
  type AudioTaskResult,
  readFrames,
  readWavInfoFromHandle,
  type Segment,
  type SegmentParams,
  segment,
  type WavInfo,
} from "@battycoda/audio";
import { badRequest } from "../access/errors.ts";
import type { MediaStore } from "../media/store.ts";
import type { AlgorithmKey } from "./params.ts";

/** The worker's pool (ProcessingPool) or an AudioPool: anything that runs audio-package tasks. */
export interface AudioTaskRunner {
  run<T extends AudioTask>(task: T): Promise<AudioTaskResult<T>>;
}

/** One channel (0-based) or the mean of all of them; a fresh array the caller owns (transferable). */
export function pickChannel(channels: Float32Array[], channel: number | null): Float32Array {
  if (channels.length === 0) return new Float32Array(0);
  if (channel !== null) {
    const ch = channels[channel];
    if (!ch) throw badRequest(`Channel ${channel} does not exist (the file has ${channels.length})`);
    return ch;
  }
  if (channels.length === 1) return channels[0] as Float32Array;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (ch[i] as number);
  const k = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) * k;
  return out;
}

/**
 * Runs the detector on the pool when there is one (the worker's; keeps its event loop free for
 * pg-boss heartbeats), else in this thread. The samples are moved to the pool: do not reuse them.
 */
export async function runSegment(
  samples: Float32Array,
  sampleRate: number,
  algorithm: AlgorithmKey,
  params: SegmentParams,
  pool?: AudioTaskRunner | null,
): Promise<Segment[]> {
  if (pool) return pool.run({ type: "segment", samples, sampleRate, algorithm, params });
  return segment(samples, sampleRate, { algorithm, params });
}

export interface WindowAudio {
  samples: Float32Array;
  sampleRate: number;
  /** Exact start of the first sample read, seconds (frame / rate). */
  start: number;
  end: number;
  duration: number;
}

/**
 * Reads [center − w/2, center + w/2], shifted to stay inside the file; only that byte range is
 * touched. Frame rounding matches readWavFile's, so `start` is the true time of samples[0].
 */
export async function readWindow(
  media: MediaStore,
  key: string,
  center: number,
  windowSeconds: number,
  channel: number | null,
): Promise<WindowAudio> {
  // Positional reads of the header and the window only (ranged GETs when media live on S3).
  const source = await media.openRandomAccess(key);
  let info: WavInfo;
  let channels: Float32Array[];
  let startFrame: number;
  let endFrame: number;
  try {
    info = await readWavInfoFromHandle(source);
    const w = Math.min(windowSeconds, info.duration);
    let from = Math.max(0, center - w / 2);
    if (from + w > info.duration) from = Math.max(0, info.duration - w);
    startFrame = Math.min(info.frames, Math.round(from * info.sampleRate));
    endFrame = Math.min(info.frames, startFrame + Math.round(w * info.sampleRate));
    channels = await readFrames(source, info, startFrame, endFrame);
  } finally {
    await source.close();
  }
  return {
    samples: pickChannel(channels, channel),
    sampleRate: info.sampleRate,
    start: startFrame / info.sampleRate,
    end: endFrame / info.sampleRate,
    duration: info.duration,
  };
}
