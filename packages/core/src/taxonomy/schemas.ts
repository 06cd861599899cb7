// Inputs and outputs of the taxonomy operations (rename, merge, split of a species' call types),
// shared by core, tRPC and the web client.
import { z } from "zod";
import { badRequest } from "../access/errors.ts";
import { ZCallTypeLongName, ZCallTypeShortName } from "../species/species.schemas.ts";

const ZId = z.string().trim().min(1).max(64);

/** "|" joins alternatives when a merged label is re-expressed in an earlier version (see reexpress.ts). */
export const ZTaxonomyShortName = ZCallTypeShortName.refine((s) => !s.includes("|"), {
  error: 'A call type name cannot contain "|"',
});

export const ZRenameCallTypeRequest = z.object({
  speciesId: ZId,
  callTypeId: ZId,
  shortName: ZTaxonomyShortName,
  longName: ZCallTypeLongName.optional(),
});
export type TRenameCallTypeRequest = z.input<typeof ZRenameCallTypeRequest>;

export const ZMergeCallTypesRequest = z.object({
  speciesId: ZId,
  /** The call type that stays (A in A + B → A). */
  intoCallTypeId: ZId,
  /** The call types that disappear into it (B, …). */
  fromCallTypeIds: z.array(ZId).min(1, { error: "Choose at least one call type to merge" }).max(50),
});
export type TMergeCallTypesRequest = z.input<typeof ZMergeCallTypesRequest>;

export const ZSplitSelection = z.object({
  segmentIds: z.array(ZId).max(200_000).default([]),
  taskIds: z.array(ZId).max(200_000).default([]),
  /** Every member of this cluster (SegmentCluster) goes to the part. */
  clusterId: ZId.optional(),
});

export const ZSplitPart = z.object({
  shortName: ZTaxonomyShortName,
  longName: ZCallTypeLongName.optional(),
  /** Absent on the first part, which receives every call not selected for another part. */
  selection: ZSplitSelection.optional(),
});

export const ZSplitCallTypeRequest = z.object({
  speciesId: ZId,
  callTypeId: ZId,
  parts: z.array(ZSplitPart).min(2, { error: "A split needs at least two new call types" }).max(20),
});
export type TSplitCallTypeRequest = z.input<typeof ZSplitCallTypeRequest>;

export const ZTaxonomyChangeRequest = z.discriminatedUnion("kind", [
  ZRenameCallTypeRequest.extend({ kind: z.literal("rename") }),
  ZMergeCallTypesRequest.extend({ kind: z.literal("merge") }),
  ZSplitCallTypeRequest.extend({ kind: z.literal("split") }),
]);
export type TTaxonomyChangeRequest = z.input<typeof ZTaxonomyChangeRequest>;

/** Rows one change rewrote (or, for a preview, would rewrite), per table. */
export const ZTaxonomyCounts = z.object({
  segmentLabels: z.number().int(),
  taskLabels: z.number().int(),
  taskPredictions: z.number().int(),
  annotatorLabels: z.number().int(),
  resultPredictions: z.number().int(),
  probabilities: z.number().int(),
  clusterMappings: z.number().int(),
  /** Classifiers of the species this change makes outdated (merge, split). */
  classifiersOutdated: z.number().int(),
});
export type TaxonomyCounts = z.infer<typeof ZTaxonomyCounts>;

/** old short name → new short name(s): a rename or merge maps to one name, a split to several. */
export const ZTaxonomyMapping = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type TaxonomyMapping = z.infer<typeof ZTaxonomyMapping>;

/** What a TaxonomyChange row's `details` hold. `mapping` is what re-expression reads. */
export const ZTaxonomyDetails = z.object({
  mapping: ZTaxonomyMapping,
  /** Call type ids before → after, so a reader can follow a type's history. */
  callTypeIds: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  counts: ZTaxonomyCounts.partial().default({}),
  /** Split only: how each part's calls were chosen. */
  selections: z
    .array(
      z.object({
        shortName: z.string(),
        segments: z.number().int(),
        tasks: z.number().int(),
        clusterId: z.string().nullable(),
      }),
    )
    .optional(),
});
export type TaxonomyDetails = z.infer<typeof ZTaxonomyDetails>;

export const ZTaxonomyChangeResult = z.object({
  changeId: z.string(),
  version: z.number().int(),
  kind: z.enum(["rename", "merge", "split"]),
  mapping: ZTaxonomyMapping,
  counts: ZTaxonomyCounts,
});
export type TTaxonomyChangeResult = z.infer<typeof ZTaxonomyChangeResult>;

export const ZTaxonomyPreview = z.object({
  kind: z.enum(["rename", "merge", "split"]),
  mapping: ZTaxonomyMapping,
  counts: ZTaxonomyCounts,
  /** The version the species would have after the change. */
  version: z.number().int(),
});

export const ZSpeciesIdInput = z.object({ speciesId: ZId });

export const ZTaxonomyHistoryEntry = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.enum(["rename", "merge", "split"]),
  summary: z.string(),
  mapping: ZTaxonomyMapping,
  counts: ZTaxonomyCounts.partial(),
  by: z.string().nullable(),
  createdAt: z.date(),
});
export const ZTaxonomyHistory = z.object({
  speciesId: z.string(),
  currentVersion: z.number().int(),
  changes: z.array(ZTaxonomyHistoryEntry),
});
export type TTaxonomyHistory = z.infer<typeof ZTaxonomyHistory>;

export const ZClassifierTaxonomyStatus = z.object({
  classifierId: z.string(),
  speciesId: z.string(),
  trainedVersion: z.number().int(),
  speciesVersion: z.number().int(),
  /** A merge or split happened since training: the model's classes are not the species' any more. */
  outdated: z.boolean(),
  /** Only renames since training: predictions are translated to the current names. */
  renamed: z.boolean(),
  reason: z.string(),
});
export const ZClassifierTaxonomyStatuses = z.array(ZClassifierTaxonomyStatus);
export type TClassifierTaxonomyStatus = z.infer<typeof ZClassifierTaxonomyStatus>;

export const ZReexpressRequest = z.object({
  speciesId: ZId,
  version: z.number().int().min(0),
  labels: z.array(z.string().max(200)).max(1000),
});
export const ZReexpressResponse = z.object({
  version: z.number().int(),
  labels: z.array(z.string()),
});

/** The `taxonomyVersion` query parameter of the export routes: absent = current labels. */
export function taxonomyVersionParam(value: unknown): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw badRequest(`taxonomyVersion must be a whole number of 0 or more, not ${JSON.stringify(value)}`);
  return n;
}
