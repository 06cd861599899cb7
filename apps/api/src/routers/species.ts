import {
  addCallType,
  copySpeciesToGroup,
  createSpecies,
  deleteCallType,
  deleteSpecies,
  deleteSpeciesImage,
  getSpecies,
  importCallTypes,
  listSpecies,
  updateCallType,
  updateSpecies,
  ZAddCallTypeRequest,
  ZAddCallTypeResponse,
  ZCreateSpeciesRequest,
  ZCreateSpeciesResponse,
  ZDeleteCallTypeRequest,
  ZDeleteSpeciesRequest,
  ZDeleteSpeciesResponse,
  ZGetSpeciesRequest,
  ZGetSpeciesResponse,
  ZImportCallTypesRequest,
  ZImportCallTypesResponse,
  ZListSpeciesResponse,
  ZOk,
  ZSpeciesIdRequest,
  ZUpdateCallTypeRequest,
  ZUpdateCallTypeResponse,
  ZUpdateSpeciesRequest,
  ZUpdateSpeciesResponse,
} from "@battycoda/core";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

// Repertoire images are uploaded and downloaded through raw HTTP routes (multipart / file
// streaming): POST|GET|DELETE /api/species/:speciesId/image — see http/species-image.ts.
export const speciesRouter = createTRPCRouter({
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/species",
        tag: "species",
        summary: "System species and the group's species",
      },
    })
    .output(ZListSpeciesResponse)
    .query(({ ctx }) => listSpecies(ctx, ctx.access)),

  get: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/species/:speciesId",
        tag: "species",
        summary: "One species with its call types",
      },
    })
    .input(ZGetSpeciesRequest)
    .output(ZGetSpeciesResponse)
    .query(({ ctx, input }) => getSpecies(ctx, ctx.access, input.speciesId)),

  create: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/species",
        tag: "species",
        summary: "Create a species in the group",
        status: 201,
      },
    })
    .input(ZCreateSpeciesRequest)
    .output(ZCreateSpeciesResponse)
    .mutation(({ ctx, input }) => createSpecies(ctx, ctx.access, input)),

  /** An editable copy of a system species for the caller's group (its call types included). */
  copyToGroup: groupProcedure
    .input(ZSpeciesIdRequest)
    .output(ZGetSpeciesResponse)
    .mutation(({ ctx, input }) => copySpeciesToGroup(ctx, ctx.access, input.speciesId)),

  update: groupProcedure
    .input(ZUpdateSpeciesRequest)
    .output(ZUpdateSpeciesResponse)
    .mutation(({ ctx, input }) => updateSpecies(ctx, ctx.access, input)),

  delete: groupProcedure
    .input(ZDeleteSpeciesRequest)
    .output(ZDeleteSpeciesResponse)
    .mutation(({ ctx, input }) => deleteSpecies(ctx, ctx.access, input.speciesId)),

  addCallType: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/species/:speciesId/call-types",
        tag: "species",
        summary: "Add a call type to a species",
        status: 201,
      },
    })
    .input(ZAddCallTypeRequest)
    .output(ZAddCallTypeResponse)
    .mutation(({ ctx, input }) => addCallType(ctx, ctx.access, input)),

  updateCallType: groupProcedure
    .input(ZUpdateCallTypeRequest)
    .output(ZUpdateCallTypeResponse)
    .mutation(({ ctx, input }) => updateCallType(ctx, ctx.access, input)),

  deleteCallType: groupProcedure
    .input(ZDeleteCallTypeRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteCallType(ctx, ctx.access, input.callTypeId);
      return { ok: true as const };
    }),

  /** File contents as text (the SPA reads the chosen file); errors come back line-numbered in data.details. */
  importCallTypes: groupProcedure
    .input(ZImportCallTypesRequest)
    .output(ZImportCallTypesResponse)
    .mutation(({ ctx, input }) => importCallTypes(ctx, ctx.access, input)),

  deleteImage: groupProcedure
    .input(ZSpeciesIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteSpeciesImage(ctx, ctx.access, input.speciesId);
      return { ok: true as const };
    }),
});
