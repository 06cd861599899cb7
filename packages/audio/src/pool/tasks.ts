import type { MessagePort } from "node:worker_threads";
import type { CallFeatures, ClusteringFeatures, ClusteringOptions } from "../features/index.ts";
import type { BinaryOptions } from "../render/binary.ts";
import type { RenderOptions } from "../render/png.ts";
import type { WavWindowRequest } from "../render/wav-window.ts";
import type { Segment, SegmentParams } from "../segmentation/index.ts";
import type { FrequencyBox } from "../segmentation/types.ts";
import type { SpectrogramFileSummary, SpectrogramJobOptions } from "../spectrogram/job.ts";
import type { SpectrogramWindowRequest } from "../spectrogram/read.ts";

/**
 * Messages between the pool and its worker threads. Audio travels as Float32Arrays whose buffers are
 * transferred (moved, not copied): the caller must not use them after submitting a task.
 */
export type AudioTask =
  /** STFT of in-memory audio. With outPath: written to HDF5; without: the dB grid (channel mean) is returned. */
  | {
      type: "spectrogram";
      channels: Float32Array[];
      sampleRate: number;
      outPath?: string;
      options?: Omit<SpectrogramJobOptions, "onProgress">;
    }
  /** WAV file → HDF5, streamed inside the worker (memory independent of the file's length). */
  | {
      type: "spectrogram-file";
      wavPath: string;
      outPath: string;
      options?: Omit<SpectrogramJobOptions, "onProgress">;
    }
  | {
      type: "segment";
      samples: Float32Array;
      sampleRate: number;
      algorithm?: "spectral" | "threshold" | "energy";
      params?: SegmentParams;
    }
  /** The frequency box of each span, measured on its surroundings as the detector measures its calls (measureBands). */
  | { type: "bands"; samples: Float32Array; sampleRate: number; spans: Segment[]; params?: SegmentParams }
  | { type: "features"; samples: Float32Array; sampleRate: number; segments: Segment[] }
  /** MFCC / mel / chroma summaries per segment (clustering). */
  | {
      type: "clustering-features";
      samples: Float32Array;
      sampleRate: number;
      segments: Segment[];
      options?: ClusteringOptions;
    }
  /** HDF5 window → PNG bytes (the window is read inside the worker, so its float grid never reaches the caller). */
  | { type: "render-png"; h5Path: string; window: SpectrogramWindowRequest; options?: RenderOptions }
  /** HDF5 window → BCSG bytes for the browser canvas. */
  | { type: "render-binary"; h5Path: string; window: SpectrogramWindowRequest; options?: BinaryOptions }
  /**
   * WAV window → PNG / BCSG, computed from the audio while the recording's HDF5 file is being made, and for
   * close-ups that need every frame (the file keeps the maximum of each group of frames).
   */
  | { type: "render-wav-png"; wavPath: string; window: WavWindowRequest; options?: RenderOptions }
  | { type: "render-wav-binary"; wavPath: string; window: WavWindowRequest; options?: BinaryOptions }
  | SpectrogramJobTask;

export interface SpectrogramGrid {
  frames: number;
  bins: number;
  /** dB, frequency-major (data[bin * frames + frame]). */
  data: Float32Array;
}

/**
 * WAV → HDF5 with progress and cooperative cancellation (the worker's spectrogram job): progress
 * `{ done, total }` frames goes out on `progress`, and setting Int32 slot 0 of `control` to 1 stops
 * it between blocks (its temp file is removed). Submitted through AudioPool.spectrogram().
 */
export interface SpectrogramJobTask {
  type: "spectrogram-job";
  wavPath: string;
  outPath: string;
  progress: MessagePort;
  control: SharedArrayBuffer;
}

export type AudioTaskResult<T extends AudioTask> = T extends { type: "spectrogram" }
  ? SpectrogramFileSummary | SpectrogramGrid
  : T extends { type: "spectrogram-file" | "spectrogram-job" }
    ? SpectrogramFileSummary
    : T extends { type: "segment" }
      ? Segment[]
      : T extends { type: "bands" }
        ? (FrequencyBox | null)[]
        : T extends { type: "features" }
          ? CallFeatures[]
          : T extends { type: "clustering-features" }
            ? ClusteringFeatures[]
            : T extends { type: "render-png" | "render-binary" | "render-wav-png" | "render-wav-binary" }
              ? Uint8Array
              : never;

/** The buffers of a task that can be moved to the worker. */
export function transferListOf(task: AudioTask): ArrayBuffer[] {
  const views: Float32Array[] =
    task.type === "spectrogram"
      ? task.channels
      : task.type === "segment" ||
          task.type === "bands" ||
          task.type === "features" ||
          task.type === "clustering-features"
        ? [task.samples]
        : [];
  const seen = new Set<ArrayBuffer>();
  for (const v of views) {
    // Only whole, non-shared buffers can be transferred; views into something bigger are copied.
    if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength)
      seen.add(v.buffer);
  }
  return [...seen];
}
