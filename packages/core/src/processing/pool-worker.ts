import type { MessagePort } from "node:worker_threads";
import { type AudioTask, runTask, writeSpectrogramFile } from "@battycoda/audio";
import { Piscina } from "piscina";

/** Streams a WAV into an HDF5 spectrogram, reporting progress and honouring a cancel flag. */
export interface SpectrogramJobTask {
  type: "spectrogram-job";
  wavPath: string;
  outPath: string;
  /** Receives { done, total } (frames) at most every PROGRESS_MS. */
  progress: MessagePort;
  /** Int32 slot 0 set to 1 by the caller to stop between blocks. */
  control: SharedArrayBuffer;
}

export type PoolTask = AudioTask | SpectrogramJobTask;

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

export default async function handle(task: PoolTask): Promise<unknown> {
  if (task.type === "spectrogram-job") return spectrogramJob(task);
  const result = await runTask(task);
  // as the audio pool's worker does: move big result buffers back instead of copying them
  if (result && typeof result === "object" && "data" in result && result.data instanceof Float32Array) {
    return Piscina.move({
      [Piscina.transferableSymbol]: [result.data.buffer],
      [Piscina.valueSymbol]: result,
    } as unknown as ArrayBuffer);
  }
  return result;
}
