export {
  AudioPool,
  type AudioPoolOptions,
  PoolBusyError,
  SpectrogramCancelledError,
  type SpectrogramRunOptions,
} from "./pool.ts";
export { runTask } from "./run-task.ts";
export {
  type AudioTask,
  type AudioTaskResult,
  type SpectrogramGrid,
  type SpectrogramJobTask,
  transferListOf,
} from "./tasks.ts";
