// The versioned REST surface: a table of routes, each with zod schemas for params, query, body
// and response. The same table registers the Fastify handlers (rest/register.ts) and generates
// the OpenAPI document (rest/openapi.ts), so the document cannot drift from the code.
import {
  type AuthenticatedUser,
  addCallType,
  createProject,
  deleteProject,
  type GroupAccess,
  getProject,
  getSpecies,
  listMyGroups,
  listProjects,
  listSpecies,
  loadSessionUser,
  updateProject,
  ZAddCallTypeResponse,
  ZCreateProjectRequest,
  ZCreateProjectResponse,
  ZDeleteProjectResponse,
  ZGetProjectResponse,
  ZGetSpeciesResponse,
  ZId,
  ZListGroupsResponse,
  ZListProjectsResponse,
  ZListSpeciesResponse,
  ZNewCallType,
  ZSessionUser,
  ZUpdateProjectRequest,
  ZUpdateProjectResponse,
} from "@battycoda/core";
import { z } from "zod";
import { RECORDING_REST_ROUTES } from "../http/recordings-rest.ts";
import { SEGMENTATION_REST_ROUTES } from "../http/segment-files-rest.ts";
import type { ServerDeps } from "../trpc.ts";

export interface RestContext {
  deps: ServerDeps;
  user: AuthenticatedUser;
  /** Resolved lazily: routes outside a group (e.g. /me) do not need one. */
  access(): Promise<GroupAccess>;
}

export interface RestRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Fastify syntax (`:id`); the OpenAPI document uses `{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  status?: number;
  // biome-ignore lint/suspicious/noExplicitAny: inputs are validated by the schemas above before the call
  handler(ctx: RestContext, input: { params: any; query: any; body: any }): Promise<unknown>;
}

const ZProjectParams = z.object({ projectId: ZId });
const ZSpeciesParams = z.object({ speciesId: ZId });

export const REST_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/api/v1/me",
    operationId: "getMe",
    summary: "The API key's user, with their current group",
    tag: "account",
    response: ZSessionUser,
    async handler(ctx) {
      return loadSessionUser(ctx.deps.db, ctx.user.id);
    },
  },
  {
    method: "GET",
    path: "/api/v1/groups",
    operationId: "listGroups",
    summary: "Groups the user belongs to",
    tag: "groups",
    response: ZListGroupsResponse,
    async handler(ctx) {
      return listMyGroups(ctx.deps.db, { userId: ctx.user.id, isSiteAdmin: ctx.user.isSiteAdmin });
    },
  },
  {
    method: "GET",
    path: "/api/v1/projects",
    operationId: "listProjects",
    summary: "Projects of the current group",
    tag: "projects",
    response: ZListProjectsResponse,
    async handler(ctx) {
      return listProjects(ctx.deps.db, await ctx.access());
    },
  },
  {
    method: "POST",
    path: "/api/v1/projects",
    operationId: "createProject",
    summary: "Create a project in the current group",
    tag: "projects",
    body: ZCreateProjectRequest,
    response: ZCreateProjectResponse,
    status: 201,
    async handler(ctx, { body }) {
      return createProject(ctx.deps.db, await ctx.access(), body);
    },
  },
  {
    method: "GET",
    path: "/api/v1/projects/:projectId",
    operationId: "getProject",
    summary: "One project",
    tag: "projects",
    params: ZProjectParams,
    response: ZGetProjectResponse,
    async handler(ctx, { params }) {
      return getProject(ctx.deps.db, await ctx.access(), params.projectId);
    },
  },
  {
    method: "PATCH",
    path: "/api/v1/projects/:projectId",
    operationId: "updateProject",
    summary: "Rename a project or change its description",
    tag: "projects",
    params: ZProjectParams,
    body: ZUpdateProjectRequest.omit({ projectId: true }),
    response: ZUpdateProjectResponse,
    async handler(ctx, { params, body }) {
      return updateProject(ctx.deps.db, await ctx.access(), { ...body, projectId: params.projectId });
    },
  },
  {
    method: "DELETE",
    path: "/api/v1/projects/:projectId",
    operationId: "deleteProject",
    summary:
      "Delete a project with its recordings, task batches and clustering runs; returns what was removed",
    tag: "projects",
    params: ZProjectParams,
    response: ZDeleteProjectResponse,
    async handler(ctx, { params }) {
      return deleteProject(ctx.deps.db, await ctx.access(), params.projectId);
    },
  },
  {
    method: "GET",
    path: "/api/v1/species",
    operationId: "listSpecies",
    summary: "System species and the current group's species",
    tag: "species",
    response: ZListSpeciesResponse,
    async handler(ctx) {
      return listSpecies(ctx.deps.db, await ctx.access());
    },
  },
  {
    method: "GET",
    path: "/api/v1/species/:speciesId",
    operationId: "getSpecies",
    summary: "One species with its call types",
    tag: "species",
    params: ZSpeciesParams,
    response: ZGetSpeciesResponse,
    async handler(ctx, { params }) {
      return getSpecies(ctx.deps.db, await ctx.access(), params.speciesId);
    },
  },
  {
    method: "POST",
    path: "/api/v1/species/:speciesId/call-types",
    operationId: "addCallType",
    summary: "Add a call type to a species",
    tag: "species",
    params: ZSpeciesParams,
    body: ZNewCallType,
    response: ZAddCallTypeResponse,
    status: 201,
    async handler(ctx, { params, body }) {
      return addCallType(ctx.deps.db, await ctx.access(), { ...body, speciesId: params.speciesId });
    },
  },
  ...RECORDING_REST_ROUTES,
  ...SEGMENTATION_REST_ROUTES,
];
