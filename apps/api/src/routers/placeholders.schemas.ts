// Output schemas of the read procedures that exist before their feature issues land
// (classification, tasks, clustering, admin; and segmentation.algorithms). Those issues move them
// into packages/core/src/<domain> with the domain logic (recordings and jobs already did).
import { ZIsoDate } from "@battycoda/core";
import { ClassifierType, RunStatus } from "@battycoda/db";
import { z } from "zod";

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
  type: z.enum(ClassifierType),
  description: z.string(),
  speciesId: z.string().nullable(),
  speciesName: z.string().nullable(),
  isGlobal: z.boolean(),
  createdAt: ZIsoDate,
});
export const ZListClassifiersResponse = z.array(ZClassifierSummary);

const ZRunStatus = z.enum(RunStatus);

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
