/** The 27 warbleR spectro_analysis features BattyCoda's classifiers use, in the training tables' column order. */
export const FEATURE_NAMES = [
  "dfrange",
  "dfslope",
  "duration",
  "enddom",
  "entropy",
  "freq.IQR",
  "freq.Q25",
  "freq.Q75",
  "freq.median",
  "kurt",
  "maxdom",
  "meandom",
  "meanfreq",
  "meanpeakf",
  "mindom",
  "modindx",
  "peakt",
  "sd",
  "sfm",
  "skew",
  "sp.ent",
  "startdom",
  "time.IQR",
  "time.Q25",
  "time.Q75",
  "time.ent",
  "time.median",
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export type CallFeatures = Record<FeatureName, number>;

/** Bumped whenever a change to the extractor changes any feature value (cached features and run stamps carry it). */
export const FEATURE_EXTRACTOR_VERSION = "1";
