import {
  type AudioTask,
  type AudioTaskResult,
  callChannel,
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

/**
 * The channel calls are detected in: the one asked for (0-based), or, for null, the one where calls stand out most
 * (callChannel: the mean of microphones apart holds every call twice). The array is the caller's (transferable).
 */
export function pickChannel(
  channels: Float32Array[],
  channel: number | null,
  sampleRate: number,
): { samples: Float32Array; channel: number } {
  if (channels.length === 0) return { samples: new Float32Array(0), channel: 0 };
  const used = channel ?? callChannel(channels, sampleRate);
  const ch = channels[used];
  if (!ch) throw badRequest(`Channel ${used} does not exist (the file has ${channels.length})`);
  return { samples: ch, channel: used };
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
  /** The channel read (0-based): the one asked for, else the one where calls stand out most in the window. */
  channel: number;
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
  const picked = pickChannel(channels, channel, info.sampleRate);
  return {
    samples: picked.samples,
    channel: picked.channel,
    sampleRate: info.sampleRate,
    start: startFrame / info.sampleRate,
    end: endFrame / info.sampleRate,
    duration: info.duration,
  };
}
