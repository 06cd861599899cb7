// Classification runs: queue, job handler, results, exports, reproducibility stamp, R service state.
export * from "./export.ts";
export {
  type ClassificationHandlerDeps,
  type ClassificationRunResult,
  classificationRunHandler,
  DEFAULT_BATCH_SIZE,
} from "./handler.ts";
export {
  dispatchQueuedRuns,
  PROCESS_QUEUE,
  RUN_SUBJECT,
  startClassificationQueue,
  WAITING_FOR_R,
} from "./queue.ts";
export {
  applyLabels,
  cancelRun,
  cancelRunOfJob,
  classifyUnclassified,
  classifyUnclassifiedPreview,
  deleteRun,
  findRunInGroup,
  getRun,
  listResults,
  listRuns,
  retryRun,
  retryRunOfJob,
  type StartRunOptions,
  startRun,
} from "./runs.ts";
export * from "./schemas.ts";
export { classifierServiceStatus } from "./service.ts";
export { buildStamp, methodsText, type RunStamp } from "./stamp.ts";
