import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { type AudioTask, type AudioTaskResult, transferListOf } from "./tasks.ts";

export interface AudioPoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Milliseconds an idle worker is kept (default 30 s). */
  idleTimeout?: number;
  /**
   * Tasks allowed to wait for a free thread; one more is refused with PoolBusyError instead of
   * queueing (default: unbounded). A server sets it so a burst of heavy requests cannot pile up
   * unbounded memory and latency behind the threads.
   */
  maxQueue?: number;
}

/** The pool already has `threads` tasks running and `maxQueue` waiting. */
export class PoolBusyError extends Error {
  override name = "PoolBusyError";
  constructor(
    readonly threads: number,
    readonly maxQueue: number,
  ) {
    super(`The processing pool is busy (${threads} running, ${maxQueue} waiting): try again shortly`);
  }
}

/**
 * Thread pool for CPU-heavy audio work (spectrograms, segmentation, call features, rendering).
 * One thread per core by default; audio buffers are transferred to the workers, not copied.
 */
export class AudioPool {
  private readonly pool: Piscina;
  readonly threads: number;
  readonly maxQueue: number;
  /** Tasks accepted and not yet settled (running + waiting), counted here rather than asked of
   * piscina, whose queue also holds tasks that merely wait for a thread to start. */
  private outstanding = 0;

  constructor(options: AudioPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? Number.POSITIVE_INFINITY);
    this.pool = new Piscina({
      filename: new URL("./worker-entry.mjs", import.meta.url).href,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: options.idleTimeout ?? 30_000,
    });
  }

  /**
   * Runs a task on a worker. The task's audio buffers are moved: they are detached (length 0)
   * in the calling thread afterwards. Rejects with PoolBusyError (nothing moved) when full.
   */
  async run<T extends AudioTask>(task: T, signal?: AbortSignal): Promise<AudioTaskResult<T>> {
    if (this.outstanding >= this.threads + this.maxQueue)
      throw new PoolBusyError(this.threads, this.maxQueue);
    this.outstanding++;
    try {
      return await this.pool.run(task, { transferList: transferListOf(task), ...(signal ? { signal } : {}) });
    } finally {
      this.outstanding--;
    }
  }

  /** Tasks accepted and not finished (running or waiting). */
  get busy(): number {
    return this.outstanding;
  }

  get pending(): number {
    return this.pool.queueSize;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
