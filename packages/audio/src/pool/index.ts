export { AudioPool, type AudioPoolOptions, PoolBusyError } from "./pool.ts";
export { runTask } from "./run-task.ts";
export { type AudioTask, type AudioTaskResult, type SpectrogramGrid, transferListOf } from "./tasks.ts";
