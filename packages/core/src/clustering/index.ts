export {
  clusterMembers,
  findClusterInGroup,
  mergeClusters,
  runPoints,
  splitCluster,
  updateCluster,
} from "./explore.ts";
export { clustersCsv, mappingsCsv } from "./export.ts";
export { buildFeatureMatrix, FEATURE_DIMS, type FeatureMatrix } from "./features.ts";
export { type ClusteringHandlerDeps, clusteringRunHandler } from "./handler.ts";
export { applyMapping, batchFromMapping, listMappings, setMapping } from "./mapping.ts";
export { CLUSTERING_SCRIPT, ClusteringInputError, runRClustering } from "./r-process.ts";
export {
  ALGORITHM_DEFAULTS,
  cancelRun,
  createRun,
  deleteRun,
  findRunInGroup,
  getRun,
  listRuns,
  RUN_SUBJECT,
  retryRun,
} from "./runs.ts";
export * from "./schemas.ts";
export { previewScope, resolveScope } from "./scope.ts";
