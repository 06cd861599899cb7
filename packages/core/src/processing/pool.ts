import { availableParallelism } from "node:os";
import { MessageChannel } from "node:worker_threads";
import {
  type AudioTask,
  type AudioTaskResult,
  type SpectrogramFileSummary,
  transferListOf,
} from "@battycoda/audio";
import { Piscina } from "piscina";
import { CANCELLED_MESSAGE, type SpectrogramJobTask } from "./pool-worker.ts";

export interface ProcessingPoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Milliseconds an idle thread is kept (default 30 s). */
  idleTimeout?: number;
}

export interface SpectrogramRunOptions {
  onProgress?: (framesDone: number, framesTotal: number) => void;
  /** Aborting stops the job between STFT blocks (its temp file is removed); the promise rejects with SpectrogramCancelledError. */
  signal?: AbortSignal;
}

export class SpectrogramCancelledError extends Error {
  override name = "SpectrogramCancelledError";
  constructor() {
    super("Spectrogram generation was cancelled");
  }
}

/**
 * The worker process's one piscina pool. It runs every audio-package task (`run`, same contract
 * as AudioPool) and the spectrogram file job with progress and cooperative cancellation, which
 * AudioPool's "spectrogram-file" task cannot report: progress comes back over a MessagePort and
 * cancellation is a shared flag checked between blocks (aborting a piscina task would terminate
 * the thread mid-write and leave its temp file behind).
 */
export class ProcessingPool {
  private readonly pool: Piscina;
  readonly threads: number;

  constructor(options: ProcessingPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.pool = new Piscina({
      filename: new URL("./pool-worker-entry.mjs", import.meta.url).href,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: options.idleTimeout ?? 30_000,
      // Each thread's default young generation grew to tens of MB under the classification bench's
      // short-lived feature arrays; capping it cut the worker's peak RSS from ~480 to ~390 MB at the
      // same speed (pnpm bench classification).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
  }

  /** Runs an audio-package task; its audio buffers are moved (detached here afterwards). */
  run<T extends AudioTask>(task: T): Promise<AudioTaskResult<T>> {
    return this.pool.run(task, { transferList: transferListOf(task) });
  }

  /** WAV → HDF5 (temp file + rename inside the audio package), streamed in a worker thread. */
  async spectrogram(
    wavPath: string,
    outPath: string,
    options: SpectrogramRunOptions = {},
  ): Promise<SpectrogramFileSummary> {
    const { port1, port2 } = new MessageChannel();
    const control = new SharedArrayBuffer(4);
    const flag = new Int32Array(control);
    const cancel = () => Atomics.store(flag, 0, 1);
    if (options.signal?.aborted) throw new SpectrogramCancelledError();
    options.signal?.addEventListener("abort", cancel, { once: true });
    port1.on("message", (m: { done: number; total: number }) => options.onProgress?.(m.done, m.total));
    const task: SpectrogramJobTask = { type: "spectrogram-job", wavPath, outPath, progress: port2, control };
    try {
      return (await this.pool.run(task, { transferList: [port2] })) as SpectrogramFileSummary;
    } catch (err) {
      if (Atomics.load(flag, 0) !== 0 || (err instanceof Error && err.message === CANCELLED_MESSAGE))
        throw new SpectrogramCancelledError();
      throw err;
    } finally {
      options.signal?.removeEventListener("abort", cancel);
      port1.close();
    }
  }

  get pending(): number {
    return this.pool.queueSize;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
