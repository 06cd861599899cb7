import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { type AudioTask, type AudioTaskResult, transferListOf } from "./tasks.ts";

export interface AudioPoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Milliseconds an idle worker is kept (default 30 s). */
  idleTimeout?: number;
}

/**
 * Thread pool for CPU-heavy audio work (spectrograms, segmentation, call features). One thread
 * per core by default; audio buffers are transferred to the workers, not copied.
 */
export class AudioPool {
  private readonly pool: Piscina;
  readonly threads: number;

  constructor(options: AudioPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.pool = new Piscina({
      filename: new URL("./worker-entry.mjs", import.meta.url).href,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: options.idleTimeout ?? 30_000,
    });
  }

  /**
   * Runs a task on a worker. The task's audio buffers are moved: they are detached (length 0)
   * in the calling thread afterwards.
   */
  run<T extends AudioTask>(task: T, signal?: AbortSignal): Promise<AudioTaskResult<T>> {
    return this.pool.run(task, { transferList: transferListOf(task), ...(signal ? { signal } : {}) });
  }

  get pending(): number {
    return this.pool.queueSize;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
