import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, type ResourceLimits } from "node:worker_threads";
import { Piscina } from "piscina";
import { freshBundle } from "../../../../scripts/build-fresh.mjs";
import type { SpectrogramFileSummary } from "../spectrogram/job.ts";
import { CANCELLED_MESSAGE } from "./run-task.ts";
import { type AudioTask, type AudioTaskResult, type SpectrogramJobTask, transferListOf } from "./tasks.ts";

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
  /** Per-thread V8 limits (the worker caps the young generation to keep its RSS down). */
  resourceLimits?: ResourceLimits;
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

/** Loader flags (`--import tsx` …) a thread running the prebuilt bundle does not need. */
const LOADER_FLAGS = new Set(["--import", "--loader", "--experimental-loader", "--require", "-r"]);

/**
 * V8's per-process heap and GC flags (`--max-semi-space-size=4`, `--expose-gc`): a worker thread
 * refuses them in its execArgv (ERR_WORKER_INVALID_EXEC_ARGV: every task would fail). A thread's
 * heap is set by resourceLimits instead.
 */
const V8_PROCESS_FLAG =
  /^--(expose[-_]gc|stack[-_]size|heap[-_]growing[-_]percent|(max|min|initial)[-_][a-z_-]*(space|generation)[-_]size)(=|$)/;

/** The parent's execArgv a thread can take: without heap sizes, and without the loader if asked. */
export function threadExecArgv(execArgv: readonly string[], dropLoader: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? "";
    if (V8_PROCESS_FLAG.test(arg)) {
      if (!arg.includes("=") && /^\d+$/.test(execArgv[i + 1] ?? "")) i++;
    } else if (dropLoader && LOADER_FLAGS.has(arg)) i++;
    else if (!dropLoader || ![...LOADER_FLAGS].some((f) => arg.startsWith(`${f}=`))) out.push(arg);
  }
  return out;
}

/**
 * The threads' entry: the prebuilt bundle (packages/audio/dist/pool-worker.mjs, `pnpm build`)
 * while it is current, else the TypeScript worker through tsx. Each thread that loads tsx pays
 * for its loader hooks (~75 MB per thread measured by the classification bench), so the bundle
 * also drops the parent's loader flags, which worker threads would otherwise inherit.
 * BATTYCODA_POOL_BUNDLE=0 forces the sources.
 */
export function poolWorkerEntry(): { filename: string; bundled: boolean; execArgv: string[] } {
  const bundle =
    process.env.BATTYCODA_POOL_BUNDLE === "0"
      ? null
      : freshBundle(new URL("../../dist/pool-worker.mjs", import.meta.url));
  if (bundle) return { filename: bundle, bundled: true, execArgv: threadExecArgv(process.execArgv, true) };
  return {
    filename: new URL("./worker-entry.mjs", import.meta.url).href,
    bundled: false,
    execArgv: threadExecArgv(process.execArgv, false),
  };
}

/**
 * Thread pool for CPU-heavy audio work (spectrograms, segmentation, call features, rendering).
 * One thread per core by default; audio buffers are transferred to the workers, not copied.
 */
export class AudioPool {
  private readonly pool: Piscina;
  readonly threads: number;
  readonly maxQueue: number;
  /** Whether the threads run the prebuilt bundle (see poolWorkerEntry). */
  readonly bundled: boolean;
  /** Tasks accepted and not yet settled (running + waiting), counted here rather than asked of
   * piscina, whose queue also holds tasks that merely wait for a thread to start. */
  private outstanding = 0;

  constructor(options: AudioPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? Number.POSITIVE_INFINITY);
    const entry = poolWorkerEntry();
    this.bundled = entry.bundled;
    this.pool = new Piscina({
      filename: entry.filename,
      execArgv: entry.execArgv,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: options.idleTimeout ?? 30_000,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
  }

  /**
   * Runs a task on a worker. The task's audio buffers are moved: they are detached (length 0)
   * in the calling thread afterwards. Rejects with PoolBusyError (nothing moved) when full.
   */
  async run<T extends AudioTask>(task: T, signal?: AbortSignal): Promise<AudioTaskResult<T>> {
    return this.submit(task, transferListOf(task), signal) as Promise<AudioTaskResult<T>>;
  }

  /**
   * WAV → HDF5 (temp file + rename inside the audio package), streamed in a worker thread, with
   * progress over a MessagePort and cancellation through a shared flag checked between blocks
   * (aborting a piscina task would terminate the thread mid-write and leave its temp file behind).
   */
  async spectrogram(
    wavPath: string,
    outPath: string,
    options: SpectrogramRunOptions = {},
  ): Promise<SpectrogramFileSummary> {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const cancel = () => Atomics.store(flag, 0, 1);
    if (options.signal?.aborted) throw new SpectrogramCancelledError();
    options.signal?.addEventListener("abort", cancel, { once: true });
    port1.on("message", (m: { done: number; total: number }) => options.onProgress?.(m.done, m.total));
    const task: SpectrogramJobTask = {
      type: "spectrogram-job",
      wavPath,
      outPath,
      progress: port2,
      control: flag.buffer as SharedArrayBuffer,
    };
    try {
      return (await this.submit(task, [port2])) as SpectrogramFileSummary;
    } catch (err) {
      if (Atomics.load(flag, 0) !== 0 || (err instanceof Error && err.message === CANCELLED_MESSAGE))
        throw new SpectrogramCancelledError();
      throw err;
    } finally {
      options.signal?.removeEventListener("abort", cancel);
      port1.close();
    }
  }

  private async submit(
    task: AudioTask,
    transferList: (ArrayBuffer | MessagePort)[],
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.outstanding >= this.threads + this.maxQueue)
      throw new PoolBusyError(this.threads, this.maxQueue);
    this.outstanding++;
    try {
      return await this.pool.run(task, { transferList, ...(signal ? { signal } : {}) });
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
