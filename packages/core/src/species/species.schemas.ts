import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

export const ZCallTypeShortName = z
  .string()
  .trim()
  .min(1, { error: "Short name is required" })
  .max(50, { error: "Short name must be at most 50 characters" });
export const ZCallTypeLongName = z
  .string()
  .trim()
  .max(200, { error: "Long name must be at most 200 characters" });
const ZSpeciesName = z
  .string()
  .trim()
  .min(1, { error: "Name is required" })
  .max(200, { error: "Name must be at most 200 characters" });
const ZText = z.string().trim().max(5000, { error: "Description must be at most 5000 characters" });
const ZPaddingMs = z.number().int().min(0).max(60_000);

export const ZCallType = z.object({
  id: z.string(),
  shortName: z.string(),
  longName: z.string(),
  description: z.string(),
});

export const ZSpecies = z.object({
  id: z.string(),
  name: z.string(),
  commonName: z.string(),
  description: z.string(),
  isSystem: z.boolean(),
  /** Who the row belongs to, for pickers: "System" or the group's name. */
  owner: z.string(),
  /** For a group's species named like a system species: that system species' id (the group's copy of it). */
  systemCopyOf: z.string().nullable(),
  /** Whether the caller may edit it (group species: members; system species: site admins). */
  editable: z.boolean(),
  /** Access-checked URL of the repertoire image, or null. */
  imageUrl: z.string().nullable(),
  detailPaddingMs: z.number().int(),
  overviewPaddingMs: z.number().int(),
  callTypeCount: z.number().int(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export const ZSpeciesDetail = ZSpecies.extend({ callTypes: z.array(ZCallType) });
export const ZListSpeciesResponse = z.array(ZSpecies);

export const ZSpeciesIdRequest = z.object({ speciesId: ZId });
export type TSpeciesIdRequest = z.infer<typeof ZSpeciesIdRequest>;
export const ZGetSpeciesRequest = ZSpeciesIdRequest;
export const ZGetSpeciesResponse = ZSpeciesDetail;

export const ZNewCallType = z.object({
  shortName: ZCallTypeShortName,
  longName: ZCallTypeLongName.default(""),
  description: ZText.default(""),
});

export const ZCreateSpeciesRequest = z.object({
  name: ZSpeciesName,
  commonName: z.string().trim().max(200).default(""),
  description: ZText.default(""),
  detailPaddingMs: ZPaddingMs.optional(),
  overviewPaddingMs: ZPaddingMs.optional(),
  callTypes: z.array(ZNewCallType).max(500).default([]),
});
export type TCreateSpeciesRequest = z.input<typeof ZCreateSpeciesRequest>;
export const ZCreateSpeciesResponse = ZSpeciesDetail;

export const ZUpdateSpeciesRequest = z.object({
  speciesId: ZId,
  name: ZSpeciesName.optional(),
  commonName: z.string().trim().max(200).optional(),
  description: ZText.optional(),
  detailPaddingMs: ZPaddingMs.optional(),
  overviewPaddingMs: ZPaddingMs.optional(),
});
export type TUpdateSpeciesRequest = z.infer<typeof ZUpdateSpeciesRequest>;
export const ZUpdateSpeciesResponse = ZSpeciesDetail;

export const ZDeleteSpeciesRequest = ZSpeciesIdRequest;
export const ZDeleteSpeciesResponse = z.object({
  speciesId: z.string(),
  name: z.string(),
  callTypes: z.number().int(),
  /** Recordings keep existing; they just lose their species. */
  recordingsUnlinked: z.number().int(),
  classifiers: z.number().int(),
});

export const ZAddCallTypeRequest = ZNewCallType.extend({ speciesId: ZId });
export type TAddCallTypeRequest = z.input<typeof ZAddCallTypeRequest>;
export const ZAddCallTypeResponse = ZCallType;

export const ZUpdateCallTypeRequest = z.object({
  callTypeId: ZId,
  shortName: ZCallTypeShortName.optional(),
  longName: ZCallTypeLongName.optional(),
  description: ZText.optional(),
});
export type TUpdateCallTypeRequest = z.infer<typeof ZUpdateCallTypeRequest>;
export const ZUpdateCallTypeResponse = ZCallType;

export const ZDeleteCallTypeRequest = z.object({ callTypeId: ZId });

export const ZImportCallTypesRequest = z.object({
  speciesId: ZId,
  /** File contents: one `short,long` or `short|long` per line; blank lines and `#` comments ignored. */
  text: z.string().max(200_000, { error: "File is too large (at most 200 000 characters)" }),
  /** merge: add new and update long names of existing; replace: also delete call types not in the file. */
  mode: z.enum(["merge", "replace"]).default("merge"),
});
export type TImportCallTypesRequest = z.input<typeof ZImportCallTypesRequest>;
export const ZImportCallTypesResponse = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  /** Lines that only changed a short name's case renamed the call type (labels follow): said, not left implied. */
  renamed: z.array(z.object({ from: z.string(), to: z.string() })),
  callTypes: z.array(ZCallType),
});

/** `details` of the BAD_REQUEST thrown for an unparsable import file. */
export const ZCallTypeImportError = z.object({ line: z.number().int(), message: z.string() });
export type TCallTypeImportError = z.infer<typeof ZCallTypeImportError>;
