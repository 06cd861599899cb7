// Request and response shapes of clustering (runs, explorer, mapping); tRPC declares them as its
// .input()/.output(), and the web app infers its types from them.
import { RunStatus } from "@battycoda/db";
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZBatchName } from "../tasks/schemas.ts";

const ZId = z.string().min(1).max(64);

export const FEATURE_SETS = ["mfcc", "mel", "chroma", "calls"] as const;
export const ZFeatureSet = z.enum(FEATURE_SETS);
export type TFeatureSet = z.infer<typeof ZFeatureSet>;

export const ALGORITHMS = [
  "kmeans",
  "gmm",
  "spectral",
  "dbscan",
  "hdbscan",
  "meanshift",
  "optics",
  "ap",
  "autodbscan",
] as const;
export const ZAlgorithm = z.enum(ALGORITHMS);
export type TAlgorithm = z.infer<typeof ZAlgorithm>;
export const K_BASED: readonly TAlgorithm[] = ["kmeans", "gmm", "spectral"];

/** Every parameter any algorithm takes; each algorithm reads its own (see ALGORITHM_INFO). */
export const ZAlgorithmParams = z
  .object({
    k: z.number().int().min(2).max(100).optional(),
    eps: z.number().positive().max(1e6).optional(),
    minPts: z.number().int().min(2).max(1000).optional(),
    xi: z.number().gt(0).lt(1).optional(),
    q: z.number().min(0).max(1).optional(),
    bandwidth: z.number().positive().max(1e6).optional(),
  })
  .strict();
export type TAlgorithmParams = z.infer<typeof ZAlgorithmParams>;

export const ZEmbedding = z.enum(["auto", "umap", "tsne", "pca"]);

/**
 * The band (Hz) the MFCC / mel / chroma features look at, the same for every recording of the run, so
 * recordings at 250, 384 or 500 kHz give the same vector for the same call. Default 10–120 kHz.
 */
export const ZFrequencyBand = z
  .object({
    minHz: z.number().min(0).max(1_000_000),
    maxHz: z.number().positive().max(1_000_000),
  })
  .strict()
  .refine((b) => b.maxHz > b.minHz, { error: "The band's upper edge must be above its lower edge" });
export type TFrequencyBand = z.infer<typeof ZFrequencyBand>;

export const ZClusteringScope = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("segmentation"), segmentationId: ZId }),
  /** The active, completed segmentation of each recording of the project and/or species. */
  z.object({ kind: z.literal("collection"), projectId: ZId.optional(), speciesId: ZId.optional() }),
]);
export type TClusteringScope = z.infer<typeof ZClusteringScope>;

export const ZScopePreview = z.object({
  recordings: z.number().int(),
  segmentations: z.number().int(),
  segments: z.number().int(),
});

export const ZCreateRunRequest = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  scope: ZClusteringScope,
  featureSet: ZFeatureSet.default("mfcc"),
  algorithm: ZAlgorithm.default("kmeans"),
  params: ZAlgorithmParams.default({}),
  embedding: ZEmbedding.default("auto"),
  /** MFCC / mel / chroma only; default DEFAULT_CLUSTERING_BAND. */
  band: ZFrequencyBand.optional(),
});
export type TCreateRunRequest = z.input<typeof ZCreateRunRequest>;
export const ZCreateRunResponse = z.object({ runId: z.string(), jobId: z.string() });

export const ZRunIdRequest = z.object({ runId: ZId });
export const ZClusterIdRequest = z.object({ clusterId: ZId });

export const ZClusteringMetrics = z.object({
  silhouette: z.number().nullable(),
  noise: z.number().int(),
  clustered: z.number().int(),
  skipped: z.number().int(),
  sweep: z.array(z.object({ k: z.number().int(), silhouette: z.number().nullable() })).nullable(),
  embedding: z.string(),
  usedFeatures: z.number().int(),
  fitSample: z.number().int(),
  chosen: z.record(z.string(), z.number().nullable()),
  rVersion: z.string(),
  packages: z.record(z.string(), z.string()),
  seconds: z.number().optional(),
});
export type TClusteringMetrics = z.infer<typeof ZClusteringMetrics>;

export const ZClusteringRunSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(RunStatus),
  progress: z.number(),
  error: z.string().nullable(),
  featureSet: z.string(),
  algorithm: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** The features' band; null for the 27 call features (they measure the whole call). */
  band: ZFrequencyBand.nullable(),
  scope: z.unknown(),
  speciesId: z.string().nullable(),
  clusterCount: z.number().int(),
  jobId: z.string().nullable(),
  createdAt: ZIsoDate,
});
export type TClusteringRunSummary = z.input<typeof ZClusteringRunSummary>;

export const ZListRunsRequest = z.object({ projectId: ZId.optional() }).default({});
export const ZListRunsResponse = z.array(ZClusteringRunSummary);

export const ZClusterSummary = z.object({
  id: z.string(),
  index: z.number().int(),
  label: z.string(),
  description: z.string(),
  size: z.number().int(),
  representativeSegmentId: z.string().nullable(),
  mappings: z.array(z.object({ callTypeId: z.string(), shortName: z.string(), confidence: z.number() })),
});
export type TClusterSummary = z.infer<typeof ZClusterSummary>;

export const ZRunDetail = ZClusteringRunSummary.extend({
  metrics: ZClusteringMetrics.nullable(),
  clusters: z.array(ZClusterSummary),
  callTypes: z.array(z.object({ id: z.string(), shortName: z.string(), longName: z.string() })),
});

export const ZMembersRequest = z.object({
  clusterId: ZId,
  cursor: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(60),
});
export const ZMember = z.object({
  segmentId: z.string(),
  recordingId: z.string(),
  recordingName: z.string(),
  onset: z.number(),
  offset: z.number(),
  label: z.string().nullable(),
  confidence: z.number().nullable(),
});
export const ZMembersResponse = z.object({
  items: z.array(ZMember),
  total: z.number().int(),
  nextCursor: z.number().int().nullable(),
});

/** The scatter's data, compact: base64 of little-endian typed arrays, one entry per point. */
export const ZPointsResponse = z.object({
  count: z.number().int(),
  /** Float32 x, y interleaved. */
  xy: z.string(),
  /** Int32 cluster position in `clusters` (not the Cluster.index). */
  cluster: z.string(),
  /** Float32 confidence (NaN when unknown). */
  confidence: z.string(),
  /** Int32 position in `recordings`. */
  recording: z.string(),
  /** Float64 onset and offset (s) of each call. */
  onset: z.string(),
  offset: z.string(),
  segmentIds: z.array(z.string()),
  clusters: z.array(z.object({ id: z.string(), index: z.number().int(), label: z.string() })),
  recordings: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      sampleRate: z.number().nullable(),
      duration: z.number().nullable(),
    }),
  ),
});
export type TPointsResponse = z.infer<typeof ZPointsResponse>;

export const ZUpdateClusterRequest = z.object({
  clusterId: ZId,
  label: z.string().trim().max(200).optional(),
  description: z.string().max(5000).optional(),
});

export const ZSplitRequest = z.object({
  runId: ZId,
  segmentIds: z.array(ZId).min(1).max(100_000),
  label: z.string().trim().max(200).optional(),
});
export const ZSplitResponse = z.object({ clusterId: z.string(), moved: z.number().int() });

export const ZMergeRequest = z.object({
  runId: ZId,
  clusterIds: z.array(ZId).min(2).max(500),
  label: z.string().trim().max(200).optional(),
});
export const ZMergeResponse = z.object({ clusterId: z.string(), size: z.number().int() });

export const ZSetMappingRequest = z.object({
  clusterId: ZId,
  /** null removes the cluster's mapping. */
  callTypeId: ZId.nullable(),
  confidence: z.number().min(0).max(1).default(1),
});
export const ZMappingsResponse = z.array(
  z.object({
    clusterId: z.string(),
    clusterIndex: z.number().int(),
    clusterLabel: z.string(),
    callTypeId: z.string(),
    shortName: z.string(),
    confidence: z.number(),
  }),
);

export const ZApplyMappingRequest = z.object({
  runId: ZId,
  /** Only these clusters (default: every mapped one). */
  clusterIds: z.array(ZId).max(500).optional(),
  /** Replace labels segments already have (default: only unlabelled ones get one). */
  overwrite: z.boolean().default(false),
  /** Only members whose assignment confidence is at least this. */
  minConfidence: z.number().min(0).max(1).optional(),
});
export const ZApplyMappingResponse = z.object({ updated: z.number().int() });

export const ZMappingBatchRequest = z.object({
  runId: ZId,
  name: ZBatchName,
  clusterIds: z.array(ZId).max(500).optional(),
});
/** jobId is set when the batch is big enough to be built by the background job (tasks is then the total to come). */
export const ZMappingBatchResponse = z.object({
  batchId: z.string(),
  jobId: z.string().nullable(),
  tasks: z.number().int(),
});

export const ZOk = z.object({ ok: z.literal(true) });
