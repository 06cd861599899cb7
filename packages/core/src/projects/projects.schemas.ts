import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

const ZProjectName = z
  .string()
  .trim()
  .min(1, { error: "Name is required" })
  .max(200, { error: "Name must be at most 200 characters" });
const ZProjectDescription = z
  .string()
  .trim()
  .max(5000, { error: "Description must be at most 5000 characters" });

export const ZProject = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  createdBy: z.string().nullable(),
  recordingCount: z.number().int(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export const ZListProjectsResponse = z.array(ZProject);

export const ZProjectIdRequest = z.object({ projectId: ZId });
export type TProjectIdRequest = z.infer<typeof ZProjectIdRequest>;
export const ZGetProjectRequest = ZProjectIdRequest;
export const ZGetProjectResponse = ZProject;

export const ZCreateProjectRequest = z.object({
  name: ZProjectName,
  description: ZProjectDescription.default(""),
});
export type TCreateProjectRequest = z.input<typeof ZCreateProjectRequest>;
export const ZCreateProjectResponse = ZProject;

export const ZUpdateProjectRequest = z.object({
  projectId: ZId,
  name: ZProjectName.optional(),
  description: ZProjectDescription.optional(),
});
export type TUpdateProjectRequest = z.infer<typeof ZUpdateProjectRequest>;
export const ZUpdateProjectResponse = ZProject;

/** What deleting a project removes (preview) or removed (delete). */
export const ZProjectDeletionSummary = z.object({
  projectId: z.string(),
  name: z.string(),
  recordings: z.number().int(),
  segmentations: z.number().int(),
  segments: z.number().int(),
  classificationRuns: z.number().int(),
  taskBatches: z.number().int(),
  tasks: z.number().int(),
  clusteringRuns: z.number().int(),
});
export type TProjectDeletionSummary = z.infer<typeof ZProjectDeletionSummary>;
export const ZDeleteProjectRequest = ZProjectIdRequest;
export const ZPreviewDeleteProjectResponse = ZProjectDeletionSummary;
export const ZDeleteProjectResponse = ZProjectDeletionSummary;
