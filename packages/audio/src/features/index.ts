export { type CallFeatureOptions, cutSegment, extractCallFeatures, MIN_CALL_SAMPLES } from "./calls.ts";
export {
  type ClusteringFeatures,
  type ClusteringOptions,
  checkBand,
  clusteringFeaturesOf,
  DEFAULT_CLUSTERING_BAND,
  DEFAULT_WINDOW_SECONDS,
  extractClusteringFeatures,
  type FrequencyBand,
  melEdges,
  melFilterbank,
  N_CHROMA,
  N_MELS,
  N_MFCC,
} from "./clustering.ts";
export { type CallFeatures, FEATURE_EXTRACTOR_VERSION, FEATURE_NAMES, type FeatureName } from "./names.ts";
export { type WarblerSettings, warblerSettings } from "./settings.ts";
export { spectroAnalysis } from "./warbler.ts";
