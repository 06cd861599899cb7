// A detection run's reading of its recording: positional reads of the stored WAV (ranged GETs on S3, no staged copy),
// a piece at a time for the spectral detector, so a recording of an hour needs the memory of a minute.
import {
  readFrames,
  readWavInfoFromHandle,
  type Segment,
  segmentWavInPieces,
  type WavInfo,
} from "@battycoda/audio";
import { badRequest, DomainError } from "../access/errors.ts";
import type { MediaStore, RandomAccessSource } from "../media/store.ts";
import { type AudioTaskRunner, pickChannel, runSegment } from "./audio.ts";
import { recordingMediaKey } from "./common.ts";
import type { RunParameters } from "./runs.ts";

/**
 * The original algorithms take the whole recording at once (their threshold is its own mean and spread): up to this
 * many samples per channel (1 GB as float32; 11.7 minutes at 384 kHz).
 */
export const WHOLE_RECORDING_MAX_SAMPLES = 2 ** 28;

export interface DetectedCalls {
  segments: Segment[];
  /** For a multichannel recording, the channel the calls were detected in; null for mono. */
  channelUsed: number | null;
}

/** `onProgress` gets the fraction of the recording done; `pieceSeconds` (tests) shortens the pieces. */
export async function detectCalls(
  media: MediaStore,
  filePath: string,
  run: RunParameters,
  pool: AudioTaskRunner | null | undefined,
  onProgress: (fraction: number) => Promise<void>,
  pieceSeconds?: number,
): Promise<DetectedCalls> {
  const source = await media.openRandomAccess(recordingMediaKey(filePath));
  try {
    const info = await readWavInfoFromHandle(source);
    if (run.channel !== null && run.channel >= info.channels)
      throw badRequest(`Channel ${run.channel} does not exist (the file has ${info.channels})`);
    if (run.algorithm !== "spectral") return await detectWhole(source, info, run, pool);
    const { segments, channel } = await segmentWavInPieces(source, info, {
      channel: run.channel,
      params: run.params,
      detect: (samples) => runSegment(samples, info.sampleRate, "spectral", run.params, pool),
      onProgress,
      ...(pieceSeconds ? { pieceSeconds } : {}),
    });
    return { segments, channelUsed: info.channels > 1 ? channel : null };
  } finally {
    await source.close();
  }
}

async function detectWhole(
  source: RandomAccessSource,
  info: WavInfo,
  run: RunParameters,
  pool: AudioTaskRunner | null | undefined,
): Promise<DetectedCalls> {
  if (info.frames > WHOLE_RECORDING_MAX_SAMPLES) {
    const minutes = (n: number) => (n / info.sampleRate / 60).toFixed(1);
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The ${run.algorithm} algorithm holds the whole recording in memory and takes up to ${minutes(WHOLE_RECORDING_MAX_SAMPLES)} min at ` +
        `${info.sampleRate / 1000} kHz; this one lasts ${minutes(info.frames)} min. The spectral detector reads recordings of any length.`,
    );
  }
  const channels = await readFrames(source, info, 0, info.frames);
  const { samples, channel } = pickChannel(channels, run.channel, info.sampleRate);
  channels.length = 0; // let the other channels go before the detector allocates
  const segments =
    samples.length === 0 ? [] : await runSegment(samples, info.sampleRate, run.algorithm, run.params, pool);
  return { segments, channelUsed: info.channels > 1 ? channel : null };
}
