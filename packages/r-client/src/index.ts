export {
  type CallOptions,
  type CommonTrainOptions,
  type ConnectionOptions,
  defaultRServerUrl,
  type EnsembleOptions,
  type FeatureRow,
  type FeatureTable,
  isModelNotCached,
  type KnnOptions,
  type LdaOptions,
  type ModelSource,
  modelFromBytes,
  type PredictRequest,
  predict,
  RClient,
  type RClientOptions,
  type RfOptions,
  type RServiceStatus,
  sha256Hex,
  type TrainCallOptions,
  type TrainOptionsByMethod,
  type TrainRequest,
  type TrainResult,
  trainClassifier,
} from "./client.ts";
export { type FeatureTableData, parseFeatureCsv, readFeatureCsv } from "./csv.ts";
export {
  RServerError,
  RServerInternalError,
  RServerRequestError,
  RServerResponseError,
  RServerStartError,
  RServerTimeoutError,
  RServerUnavailableError,
} from "./errors.ts";
export { isServerFailure, RServerPool, type RServerPoolOptions } from "./pool.ts";
export * from "./schemas.ts";
export {
  defaultServerScript,
  findFreePort,
  type RServerHandle,
  repoRoot,
  type StartRServerOptions,
  startRServer,
} from "./server.ts";
