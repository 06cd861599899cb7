import { MAX_TIME_EXPANSION } from "@battycoda/audio/browser";
import { JobStatus, ProcessingStatus } from "@battycoda/db";
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

export const ZProcessingStatus = z.enum(ProcessingStatus);

const text = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label} must be at most ${max} characters` });
export const ZRecordingName = z
  .string()
  .trim()
  .min(1, { error: "Name is required" })
  .max(255, { error: "Name must be at most 255 characters" });
/** ISO date (2024-06-01) or date-time; empty/null clears it. */
export const ZRecordedDate = z.preprocess(
  // already-parsed input (a Date) passes through again: domain functions re-validate
  (v) => (v === "" ? null : v instanceof Date ? v.toISOString() : v),
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), { error: "Recorded date must be an ISO date" })
    .transform((s) => new Date(s))
    .nullable(),
);

/** Metadata a researcher supplies with an upload (also the shared metadata of a batch). */
export const ZRecordingMetadataInput = z.object({
  name: ZRecordingName.optional(),
  description: text(5000, "Description").optional(),
  recordedDate: ZRecordedDate.optional(),
  location: text(500, "Location").optional(),
  equipment: text(500, "Equipment").optional(),
  environmentalConditions: text(2000, "Environmental conditions").optional(),
  speciesId: ZId.nullable().optional(),
  projectId: ZId.nullable().optional(),
  /**
   * The file is time-expanded by this factor though it does not say so (a time-expansion detector's 44.1 kHz file):
   * written into the stored file as GUANO TE, so it is read in real time everywhere. 1 or absent: as the file says.
   */
  timeExpansion: z.coerce
    .number()
    .int({ error: "Time expansion must be a whole number" })
    .min(1, { error: "Time expansion must be at least 1" })
    .max(MAX_TIME_EXPANSION, { error: `Time expansion must be at most ${MAX_TIME_EXPANSION}` })
    .optional(),
});
export type TRecordingMetadataInput = z.input<typeof ZRecordingMetadataInput>;
export type RecordingMetadata = z.output<typeof ZRecordingMetadataInput>;

export const ZRecordingSummary = z.object({
  id: z.string(),
  name: z.string(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  speciesId: z.string().nullable(),
  speciesName: z.string().nullable(),
  duration: z.number().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  processingStatus: ZProcessingStatus,
  processingError: z.string().nullable(),
  /** The header promised more audio than the file holds: kept, `duration` is what is there. */
  truncated: z.boolean(),
  /** Seconds the header declared (set only when truncated). */
  declaredDuration: z.number().nullable(),
  /** Segments of the active segmentation (0 without one); null where not counted. */
  segmentCount: z.number().int().nullable(),
  parentRecordingId: z.string().nullable(),
  partIndex: z.number().int().nullable(),
  partCount: z.number().int().nullable(),
  recordedDate: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
});
export type TRecordingSummary = z.input<typeof ZRecordingSummary>;

export const ZRecordingDetail = ZRecordingSummary.extend({
  description: z.string(),
  originalFilename: z.string(),
  fileSize: z.number(),
  sha256: z.string().nullable(),
  bitDepth: z.number().int().nullable(),
  format: z.string().nullable(),
  metadata: z.unknown(),
  /**
   * The file is time-expanded by this factor (GUANO TE); `sampleRate` and `duration` are real time, the file's
   * header says sampleRate / timeExpansion. Null for a real-time file.
   */
  timeExpansion: z.number().int().nullable(),
  location: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  equipment: z.string(),
  environmentalConditions: z.string(),
  hasSpectrogram: z.boolean(),
  createdById: z.string().nullable(),
  updatedAt: ZIsoDate,
});
export type TRecordingDetail = z.input<typeof ZRecordingDetail>;

export const ZRecordingSort = z.enum([
  "createdAt",
  "name",
  "duration",
  "recordedDate",
  "sampleRate",
  "channels",
  "segments",
]);
export const ZListRecordingsRequest = z
  .object({
    projectId: ZId.optional(),
    speciesId: ZId.optional(),
    search: z.string().trim().max(200).optional(),
    status: ZProcessingStatus.optional(),
    sort: ZRecordingSort.default("createdAt"),
    order: z.enum(["asc", "desc"]).default("desc"),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Opaque: the `nextCursor` of the previous page. */
    // an offset; bounded so a huge one cannot overflow the query (it answered 500 with the SQL)
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, { error: "Invalid cursor" })
      .optional(),
  })
  .default({ sort: "createdAt", order: "desc", limit: 100 });
export type TListRecordingsRequest = z.input<typeof ZListRecordingsRequest>;
export const ZListRecordingsResponse = z.object({
  items: z.array(ZRecordingSummary),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});

export const ZRecordingIdRequest = z.object({ recordingId: ZId });

export const ZJobSummary = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(JobStatus),
  progress: z.number(),
  message: z.string(),
  error: z.string().nullable(),
  createdAt: ZIsoDate,
  startedAt: ZIsoDate.nullable(),
  finishedAt: ZIsoDate.nullable(),
});
/** One part of a split recording, for the parent's list of parts and a part's previous/next links. */
export const ZRecordingPart = z.object({
  id: z.string(),
  name: z.string(),
  partIndex: z.number().int().nullable(),
  duration: z.number().nullable(),
  processingStatus: ZProcessingStatus,
  hasSpectrogram: z.boolean(),
});
export type TRecordingPart = z.infer<typeof ZRecordingPart>;

/**
 * Links of a split recording (null for an ordinary one). `role: "parent"`: the uploaded original
 * (file kept, no spectrogram of its own); `parts` are its parts. `role: "part"`: `parent` is the
 * original (null if it was deleted) and `parts` all parts of it, this one included, by partIndex.
 */
export const ZRecordingSplit = z.object({
  role: z.enum(["parent", "part"]),
  parent: z.object({ id: z.string(), name: z.string(), partCount: z.number().int().nullable() }).nullable(),
  parts: z.array(ZRecordingPart),
});
export type TRecordingSplit = z.infer<typeof ZRecordingSplit>;

export const ZGetRecordingResponse = ZRecordingDetail.extend({
  jobs: z.array(ZJobSummary),
  split: ZRecordingSplit.nullable(),
});

export const ZUpdateRecordingRequest = ZRecordingMetadataInput.extend({ recordingId: ZId });
export type TUpdateRecordingRequest = z.input<typeof ZUpdateRecordingRequest>;
export const ZMoveRecordingRequest = z.object({ recordingId: ZId, projectId: ZId.nullable() });

export const ZRecordingDeletionSummary = z.object({
  recording: z.object({ id: z.string(), name: z.string() }),
  segmentations: z.number().int(),
  segments: z.number().int(),
  tasks: z.number().int(),
  classificationRuns: z.number().int(),
  classificationResults: z.number().int(),
  /** the media store key (a relative path) */
  files: z.array(z.string()),
  bytes: z.number(),
});
export type TRecordingDeletionSummary = z.infer<typeof ZRecordingDeletionSummary>;

export const ZDuplicateSet = z.object({
  name: z.string(),
  duration: z.number(),
  recordings: z.array(ZRecordingSummary),
});
export const ZDuplicatesResponse = z.object({ sets: z.array(ZDuplicateSet) });
export const ZRemoveDuplicatesRequest = z
  .object({
    keep: z.enum(["oldest", "newest"]).default("oldest"),
    /** Only these duplicate sets (by name); default all. */
    names: z.array(z.string()).max(10_000).optional(),
  })
  .default({ keep: "oldest" });
export const ZRemoveDuplicatesResponse = z.object({
  removed: z.number().int(),
  recordingIds: z.array(z.string()),
});

export const ZSegmentImportResult = z.object({
  status: z.enum(["imported", "pending", "failed"]),
  segmentFile: z.string(),
  count: z.number().int().optional(),
  segmentationId: z.string().optional(),
  reason: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});
export type TSegmentImportResult = z.infer<typeof ZSegmentImportResult>;

export const ZCreateRecordingResponse = z.object({
  recording: ZRecordingDetail,
  jobId: z.string().nullable(),
  segments: ZSegmentImportResult.nullable(),
});
