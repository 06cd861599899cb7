// The run form's choices: feature sets, algorithms and their parameters with the defaults the
// server uses (packages/core/src/clustering/runs.ts ALGORITHM_DEFAULTS).

export const FEATURE_SETS = [
  { value: "mfcc", label: "MFCC (13)" },
  { value: "mel", label: "Mel spectrum (128)" },
  { value: "chroma", label: "Chroma (12)" },
  { value: "calls", label: "Call features (27, warbleR)" },
] as const;

export type AlgorithmKey =
  | "kmeans"
  | "gmm"
  | "spectral"
  | "dbscan"
  | "hdbscan"
  | "meanshift"
  | "optics"
  | "ap"
  | "autodbscan";

interface ParamSpec {
  name: "k" | "eps" | "minPts" | "xi" | "q" | "bandwidth";
  label: string;
  default?: number;
  integer?: boolean;
  min?: number;
  max?: number;
  hint?: string;
}

export interface AlgorithmSpec {
  key: AlgorithmKey;
  label: string;
  hint: string;
  params: ParamSpec[];
}

const K: ParamSpec = { name: "k", label: "Clusters (k)", default: 5, integer: true, min: 2, max: 100 };
const MIN_PTS: ParamSpec = {
  name: "minPts",
  label: "Minimum points",
  default: 10,
  integer: true,
  min: 2,
  max: 1000,
};

export const ALGORITHMS: AlgorithmSpec[] = [
  { key: "kmeans", label: "k-means", hint: "k groups; silhouette shown for k = 2…10.", params: [K] },
  { key: "gmm", label: "Gaussian mixture", hint: "k Gaussian components (mclust).", params: [K] },
  { key: "spectral", label: "Spectral", hint: "k groups from a similarity graph (kernlab).", params: [K] },
  {
    key: "dbscan",
    label: "DBSCAN",
    hint: "Dense regions; eps in standardised units.",
    params: [
      { name: "eps", label: "eps", default: 1, min: 0 },
      { ...MIN_PTS, default: 5 },
    ],
  },
  {
    key: "hdbscan",
    label: "HDBSCAN (automatic)",
    hint: "Finds the number of groups itself.",
    params: [MIN_PTS],
  },
  {
    key: "meanshift",
    label: "Mean shift (automatic)",
    hint: "Modes of the density; bandwidth estimated when empty.",
    params: [{ name: "bandwidth", label: "Bandwidth", min: 0 }],
  },
  {
    key: "optics",
    label: "OPTICS (automatic)",
    hint: "Clusters from the reachability plot (ξ method).",
    params: [MIN_PTS, { name: "xi", label: "ξ", default: 0.05, min: 0, max: 1 }],
  },
  {
    key: "ap",
    label: "Affinity propagation (automatic)",
    hint: "Exemplar calls; a higher preference quantile gives more clusters.",
    params: [{ name: "q", label: "Preference quantile", default: 0.5, min: 0, max: 1 }],
  },
  {
    key: "autodbscan",
    label: "Auto-DBSCAN (automatic)",
    hint: "DBSCAN with eps at the knee of the k-distance curve.",
    params: [{ ...MIN_PTS, default: undefined, hint: "default: twice the number of features" }],
  },
];

/** The form's text values → the request's numbers, or the first problem. */
export function paramsFor(
  key: AlgorithmKey,
  values: Record<string, string>,
): { params: Record<string, number>; error: string | null } {
  const spec = ALGORITHMS.find((a) => a.key === key);
  const params: Record<string, number> = {};
  for (const p of spec?.params ?? []) {
    const raw = (values[p.name] ?? (p.default !== undefined ? String(p.default) : "")).trim();
    if (raw === "") continue;
    const v = Number(raw);
    if (!Number.isFinite(v)) return { params, error: `${p.label}: not a number` };
    if (p.integer && !Number.isInteger(v)) return { params, error: `${p.label}: a whole number is needed` };
    if (p.min !== undefined && v < p.min) return { params, error: `${p.label}: at least ${p.min}` };
    if (p.max !== undefined && v > p.max) return { params, error: `${p.label}: at most ${p.max}` };
    params[p.name] = v;
  }
  return { params, error: null };
}
