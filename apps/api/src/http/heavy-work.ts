// CPU-heavy requests (spectrogram images and windows, segmentation preview) run on the API's
// bounded thread pool, so one big render cannot stall /health, logins and every other request
// behind it. Small renders stay inline: a thread hop costs more than they do.
import { AudioPool, type AudioTask, type AudioTaskResult, PoolBusyError, runTask } from "@battycoda/audio";
import type { Config } from "@battycoda/config";
import { TRPCError } from "@trpc/server";
import type { FastifyReply } from "fastify";
import { sendError } from "../errors.ts";

/** Seconds a client is told to wait when the pool is full: about one big render. */
export const POOL_RETRY_AFTER_SECONDS = 2;

/**
 * Spectrogram cells (frames × bins) read below which a window is rendered on the event loop:
 * 50 000 cells (~200 frames at 257 bins, what a call thumbnail or a viewer tile reads) take
 * about a millisecond.
 */
export const INLINE_RENDER_MAX_CELLS = 50_000;

export function createApiPool(config: Config): AudioPool {
  return new AudioPool({ threads: config.apiPool.threads, maxQueue: config.apiPool.maxQueue });
}

/** Runs a render task on the pool when it is big (or always, when `inline` is false), else here. */
export async function runRender<
  T extends Extract<
    AudioTask,
    { type: "render-png" | "render-binary" | "render-wav-png" | "render-wav-binary" }
  >,
>(pool: AudioPool, task: T, cells: number): Promise<Uint8Array> {
  if (cells <= INLINE_RENDER_MAX_CELLS) return (await runTask(task)) as Uint8Array;
  return (await pool.run(task)) as AudioTaskResult<T>;
}

export function sendPoolBusy(reply: FastifyReply, err: PoolBusyError) {
  reply.header("retry-after", String(POOL_RETRY_AFTER_SECONDS));
  return sendError(reply, 503, "SERVICE_UNAVAILABLE", err.message);
}

/** tRPC's word for the same refusal; the server's responseMeta adds Retry-After. */
export function poolBusyToTRPC(err: unknown): never {
  if (err instanceof PoolBusyError)
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: err.message, cause: err });
  throw err;
}

export { PoolBusyError };
