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
  list: groupProcedure
    .meta({
      rest: { method: "GET", path: "/api/v1/projects", tag: "projects", summary: "Projects of the group" },
    })
    .output(ZListProjectsResponse)
    .query(({ ctx }) => listProjects(ctx, ctx.access)),

  get: groupProcedure
    .meta({
      rest: { method: "GET", path: "/api/v1/projects/:projectId", tag: "projects", summary: "One project" },
    })
    .input(ZGetProjectRequest)
    .output(ZGetProjectResponse)
    .query(({ ctx, input }) => getProject(ctx, ctx.access, input.projectId)),

  create: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/projects",
        tag: "projects",
        summary: "Create a project",
        status: 201,
      },
    })
    .input(ZCreateProjectRequest)
    .output(ZCreateProjectResponse)
    .mutation(({ ctx, input }) => createProject(ctx, ctx.access, input)),

  update: groupProcedure
    .meta({
      rest: {
        method: "PATCH",
        path: "/api/v1/projects/:projectId",
        tag: "projects",
        summary: "Rename a project or change its description",
      },
    })
    .input(ZUpdateProjectRequest)
    .output(ZUpdateProjectResponse)
    .mutation(({ ctx, input }) => updateProject(ctx, ctx.access, input)),

  /** What delete would remove, for the confirmation dialog. */
  previewDelete: groupProcedure
    .input(ZDeleteProjectRequest)
    .output(ZPreviewDeleteProjectResponse)
    .query(({ ctx, input }) => previewDeleteProject(ctx, ctx.access, input.projectId)),

  delete: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/projects/:projectId",
        tag: "projects",
        summary:
          "Delete a project with its recordings, task batches and clustering runs; returns what was removed",
      },
    })
    .input(ZDeleteProjectRequest)
    .output(ZDeleteProjectResponse)
    .mutation(({ ctx, input }) => deleteProject(ctx, ctx.access, input.projectId)),
});
