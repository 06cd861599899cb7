import { AudioPool, type AudioPoolOptions } from "@battycoda/audio";

export { SpectrogramCancelledError, type SpectrogramRunOptions } from "@battycoda/audio";

/**
 * The worker process's one pool: the audio package's AudioPool (the only pool implementation; the
 * API uses it too), with the worker's thread limits.
 */
export class ProcessingPool extends AudioPool {
  constructor(options: AudioPoolOptions = {}) {
    // Each thread's default young generation grew to tens of MB under the classification bench's
    // short-lived feature arrays; capping it cut the worker's peak RSS from ~480 to ~390 MB at the
    // same speed (pnpm bench classification).
    super({ resourceLimits: { maxYoungGenerationSizeMb: 8 }, ...options });
  }
}
