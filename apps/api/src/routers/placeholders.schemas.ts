// Output schemas of the read procedures that exist before their feature issues land
// (recordings, segmentation, classification, tasks, clustering, jobs, admin). Those issues
// move them into packages/core/src/<domain> with the domain logic.
import { ZId, ZIsoDate } from "@battycoda/core";
import { z } from "zod";

export const ZListRecordingsRequest = z
  .object({
    projectId: ZId.optional(),
    speciesId: ZId.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    cursor: ZId.optional(),
  })
  .default({ limit: 100 });
export const ZRecordingSummary = z.object({
  id: z.string(),
  name: z.string(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  speciesId: z.string().nullable(),
  speciesName: z.string().nullable(),
  duration: z.number().nullable(),
  sampleRate: z.number().int().nullable(),
  processingStatus: z.enum(["pending", "processing", "ready", "failed"]),
  createdAt: ZIsoDate,
});
export const ZListRecordingsResponse = z.object({
  items: z.array(ZRecordingSummary),
  nextCursor: z.string().nullable(),
});

export const ZSegmentationAlgorithm = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  defaultParams: z.unknown(),
  isSystem: z.boolean(),
});
export const ZListSegmentationAlgorithmsResponse = z.array(ZSegmentationAlgorithm);

export const ZClassifierSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(["knn", "lda", "rf", "dummy"]),
  description: z.string(),
  speciesId: z.string().nullable(),
  speciesName: z.string().nullable(),
  isGlobal: z.boolean(),
  createdAt: ZIsoDate,
});
export const ZListClassifiersResponse = z.array(ZClassifierSummary);

const ZRunStatus = z.enum(["pending", "running", "completed", "failed", "cancelled"]);

export const ZTaskBatchSummary = z.object({
  id: z.string(),
  name: z.string(),
  projectName: z.string().nullable(),
  speciesName: z.string().nullable(),
  taskCount: z.number().int(),
  doneCount: z.number().int(),
  createdAt: ZIsoDate,
});
export const ZListTaskBatchesResponse = z.array(ZTaskBatchSummary);

export const ZClusteringRunSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: ZRunStatus,
  progress: z.number(),
  featureSet: z.string(),
  clusterCount: z.number().int(),
  createdAt: ZIsoDate,
});
export const ZListClusteringRunsResponse = z.array(ZClusteringRunSummary);

export const ZAdminStatsResponse = z.object({
  users: z.number().int(),
  groups: z.number().int(),
  projects: z.number().int(),
  species: z.number().int(),
  recordings: z.number().int(),
  segments: z.number().int(),
  jobsByStatus: z.record(z.string(), z.number().int()),
});
