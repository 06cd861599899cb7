import { extractCallFeatures, extractClusteringFeatures } from "../features/index.ts";
import { renderWavWindowBinary, renderWavWindowPng } from "../render/wav-window.ts";
import { renderWindowBinary, renderWindowPng } from "../render/window.ts";
import { measureBands, segment } from "../segmentation/index.ts";
import { writeSpectrogramFile, writeSpectrogramFromSamples } from "../spectrogram/job.ts";
import { stft } from "../spectrogram/stft.ts";
import type { AudioTask, SpectrogramGrid, SpectrogramJobTask } from "./tasks.ts";

/** Thrown inside the job when its control flag is set; AudioPool.spectrogram turns it into SpectrogramCancelledError. */
export const CANCELLED_MESSAGE = "battycoda:spectrogram-cancelled";
const PROGRESS_MS = 250;

async function spectrogramJob(task: SpectrogramJobTask) {
  const flag = new Int32Array(task.control);
  let last = 0;
  try {
    return await writeSpectrogramFile(task.wavPath, task.outPath, {
      onProgress(done, total) {
        // Throwing here unwinds writeSpectrogramFile, which deletes its temp file.
        if (Atomics.load(flag, 0) !== 0) throw new Error(CANCELLED_MESSAGE);
        const now = Date.now();
        if (now - last >= PROGRESS_MS || done === total) {
          last = now;
          task.progress.postMessage({ done, total });
        }
      },
    });
  } finally {
    task.progress.close();
  }
}

function mean(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = out[i]! + ch[i]!;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / channels.length;
  return out;
}

/** Executes one task in the current thread: the worker calls this, and so can tests and callers without a pool. */
export async function runTask(task: AudioTask): Promise<unknown> {
  switch (task.type) {
    case "spectrogram":
      if (task.outPath)
        return writeSpectrogramFromSamples(task.channels, task.sampleRate, task.outPath, task.options);
      return stftGrid(mean(task.channels));
    case "spectrogram-file":
      return writeSpectrogramFile(task.wavPath, task.outPath, task.options);
    case "spectrogram-job":
      return spectrogramJob(task);
    case "segment":
      return segment(task.samples, task.sampleRate, {
        ...(task.algorithm ? { algorithm: task.algorithm } : {}),
        ...(task.params ? { params: task.params } : {}),
      });
    case "bands":
      return measureBands(task.samples, task.sampleRate, task.spans, task.params);
    case "features":
      return extractCallFeatures(task.samples, task.sampleRate, task.segments);
    case "clustering-features":
      return extractClusteringFeatures(task.samples, task.sampleRate, task.segments, task.options);
    case "render-png":
      return renderWindowPng(task.h5Path, task.window, task.options);
    case "render-binary":
      return renderWindowBinary(task.h5Path, task.window, task.options);
    case "render-wav-png":
      return renderWavWindowPng(task.wavPath, task.window, task.options);
    case "render-wav-binary":
      return renderWavWindowBinary(task.wavPath, task.window, task.options);
    default:
      throw new Error(`Unknown audio task type ${(task as { type: string }).type}`);
  }
}

function stftGrid(samples: Float32Array): SpectrogramGrid {
  const s = stft(samples);
  return { frames: s.frames, bins: s.bins, data: s.data };
}
