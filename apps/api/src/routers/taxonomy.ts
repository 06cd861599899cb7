// Call-type taxonomy of a species (logic in @battycoda/core/taxonomy): rename, merge, split, a
// preview of what a change rewrites (the change run and rolled back), the history, classifier
// status and re-expression of labels in an earlier version. Changes need write access to the
// species (any member for the group's species, site admins for system species); another group's
// species, call types, segments, tasks and clusters answer NOT_FOUND.
import {
  applyTaxonomyChange,
  classifierTaxonomyStatuses,
  mergeCallTypes,
  previewTaxonomyChange,
  reexpressLabels,
  renameCallType,
  splitCallType,
  taxonomyHistory,
  ZClassifierTaxonomyStatuses,
  ZMergeCallTypesRequest,
  ZReexpressRequest,
  ZReexpressResponse,
  ZRenameCallTypeRequest,
  ZSpeciesIdInput,
  ZSplitCallTypeRequest,
  ZTaxonomyChangeRequest,
  ZTaxonomyChangeResult,
  ZTaxonomyHistory,
  ZTaxonomyPreview,
} from "@battycoda/core/taxonomy/index";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

export const taxonomyRouter = createTRPCRouter({
  rename: groupProcedure
    .input(ZRenameCallTypeRequest)
    .output(ZTaxonomyChangeResult)
    .mutation(({ ctx, input }) => renameCallType(ctx, ctx.access, input)),

  merge: groupProcedure
    .input(ZMergeCallTypesRequest)
    .output(ZTaxonomyChangeResult)
    .mutation(({ ctx, input }) => mergeCallTypes(ctx, ctx.access, input)),

  split: groupProcedure
    .input(ZSplitCallTypeRequest)
    .output(ZTaxonomyChangeResult)
    .mutation(({ ctx, input }) => splitCallType(ctx, ctx.access, input)),

  /** Any of the three by `kind` (what the preview dialog confirms). */
  change: groupProcedure
    .input(ZTaxonomyChangeRequest)
    .output(ZTaxonomyChangeResult)
    .mutation(({ ctx, input }) => applyTaxonomyChange(ctx, ctx.access, input)),

  // A mutation, not a query: a split's selection can hold many ids (too long for a GET), and the
  // preview writes inside a transaction it rolls back.
  preview: groupProcedure
    .input(ZTaxonomyChangeRequest)
    .output(ZTaxonomyPreview)
    .mutation(({ ctx, input }) => previewTaxonomyChange(ctx, ctx.access, input)),

  history: groupProcedure
    .input(ZSpeciesIdInput)
    .output(ZTaxonomyHistory)
    .query(({ ctx, input }) => taxonomyHistory(ctx, ctx.access, input.speciesId)),

  classifierStatus: groupProcedure
    .input(z.object({ speciesId: z.string().trim().min(1).max(64).optional() }))
    .output(ZClassifierTaxonomyStatuses)
    .query(({ ctx, input }) => classifierTaxonomyStatuses(ctx, ctx.access, input)),

  reexpress: groupProcedure
    .input(ZReexpressRequest)
    .output(ZReexpressResponse)
    .query(({ ctx, input }) => reexpressLabels(ctx, ctx.access, input)),
});
