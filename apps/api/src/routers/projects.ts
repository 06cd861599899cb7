import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  previewDeleteProject,
  updateProject,
  ZCreateProjectRequest,
  ZCreateProjectResponse,
  ZDeleteProjectRequest,
  ZDeleteProjectResponse,
  ZGetProjectRequest,
  ZGetProjectResponse,
  ZListProjectsResponse,
  ZPreviewDeleteProjectResponse,
  ZUpdateProjectRequest,
  ZUpdateProjectResponse,
} from "@battycoda/core";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

export const projectsRouter = createTRPCRouter({
  list: groupProcedure.output(ZListProjectsResponse).query(({ ctx }) => listProjects(ctx.db, ctx.access)),

  get: groupProcedure
    .input(ZGetProjectRequest)
    .output(ZGetProjectResponse)
    .query(({ ctx, input }) => getProject(ctx.db, ctx.access, input.projectId)),

  create: groupProcedure
    .input(ZCreateProjectRequest)
    .output(ZCreateProjectResponse)
    .mutation(({ ctx, input }) => createProject(ctx.db, ctx.access, input)),

  update: groupProcedure
    .input(ZUpdateProjectRequest)
    .output(ZUpdateProjectResponse)
    .mutation(({ ctx, input }) => updateProject(ctx.db, ctx.access, input)),

  /** What delete would remove, for the confirmation dialog. */
  previewDelete: groupProcedure
    .input(ZDeleteProjectRequest)
    .output(ZPreviewDeleteProjectResponse)
    .query(({ ctx, input }) => previewDeleteProject(ctx.db, ctx.access, input.projectId)),

  delete: groupProcedure
    .input(ZDeleteProjectRequest)
    .output(ZDeleteProjectResponse)
    .mutation(({ ctx, input }) => deleteProject(ctx.db, ctx.access, input.projectId)),
});
