// Classifiers: training (jobs, CLI, defaults) on the R server, metrics, and reading/deleting them.
export {
  confusionCell,
  deleteClassifier,
  findClassifierForRead,
  getClassifier,
  listClassifiers,
  listTrainingJobs,
} from "./classifiers.ts";
export * from "./features-csv.ts";
export * from "./model.ts";
export * from "./model-store.ts";
export * from "./predict-table.ts";
export * from "./r-server.ts";
export * from "./schemas.ts";
export * from "./train.ts";
export { buildSegmentTable, type SegmentTable, trainingPreview } from "./training-data.ts";
