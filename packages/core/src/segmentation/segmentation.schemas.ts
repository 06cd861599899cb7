// Request and response schemas shared by tRPC procedures and REST routes. Responses carry ISO-8601
// date strings built in the domain functions, so no output transform is needed.
import { RunStatus } from "@battycoda/db";
import { z } from "zod";
import { ZId } from "../groups/groups.schemas.ts";
import { ZAlgorithmKey, ZParamValues } from "./params.ts";

const ZName = z.string().trim().min(1).max(200);
const ZSeconds = z.number().finite();
/** 0-based channel, or null/undefined for the one where calls stand out most (a mean of spaced microphones holds every call twice). */
const ZChannel = z.number().int().min(0).max(255).nullable().optional();

export const ZStartSegmentationRequest = z.object({
  recordingId: ZId,
  algorithmKey: ZAlgorithmKey,
  params: ZParamValues,
  name: ZName.optional(),
  channel: ZChannel,
  /** Make the result the recording's active segmentation even if another one is active. */
  makeActive: z.boolean().default(false),
});
export type TStartSegmentationRequest = z.output<typeof ZStartSegmentationRequest>;

export const ZDefaultsRequest = z.object({ recordingId: ZId, algorithmKey: ZAlgorithmKey });

export const MAX_PREVIEW_SECONDS = 5;
export const ZPreviewRequest = z.object({
  recordingId: ZId,
  algorithmKey: ZAlgorithmKey,
  params: ZParamValues,
  channel: ZChannel,
  /** Seconds: the window is centred here (shifted to stay inside the recording). */
  center: ZSeconds.min(0),
  windowSeconds: z.number().gt(0).max(MAX_PREVIEW_SECONDS).default(3),
});
export type TPreviewRequest = z.output<typeof ZPreviewRequest>;

export const ZStartBatchRequest = z
  .object({
    projectId: ZId.optional(),
    recordingIds: z.array(ZId).min(1).max(5000).optional(),
    algorithmKey: ZAlgorithmKey,
    params: ZParamValues,
    name: ZName.optional(),
    channel: ZChannel,
    /** Skip recordings that have a completed, pending or running segmentation. */
    onlyUnsegmented: z.boolean().default(true),
    makeActive: z.boolean().default(false),
  })
  .refine((v) => (v.projectId === undefined) !== (v.recordingIds === undefined), {
    error: "Give either projectId or recordingIds",
  });
export type TStartBatchRequest = z.output<typeof ZStartBatchRequest>;

export const ZOverviewStatus = z.enum(["unsegmented", "active", "completed", "failed"]);
export const ZOverviewRequest = z.object({
  projectId: ZId.optional(),
  speciesId: ZId.optional(),
  search: z.string().trim().max(200).optional(),
  /** unsegmented = nothing completed or in progress; active = a run pending or running. */
  status: ZOverviewStatus.optional(),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type TOverviewRequest = z.output<typeof ZOverviewRequest>;

/** An empty, completed segmentation to draw segments into by hand. */
export const ZCreateManualRequest = z.object({
  recordingId: ZId,
  name: ZName.optional(),
  /** Make it the recording's active segmentation; by default only when it has none. */
  makeActive: z.boolean().optional(),
});
export type TCreateManualRequest = z.output<typeof ZCreateManualRequest>;

export const ZRecordingSegmentationsRequest = z.object({ recordingId: ZId });
export const ZSegmentationIdRequest = z.object({ segmentationId: ZId });
export const ZRenameSegmentationRequest = z.object({ segmentationId: ZId, name: ZName });

// ─── segments ───

const ZFreq = z.number().finite().min(0).nullable();
export const ZSegmentFields = z.object({
  onset: ZSeconds,
  offset: ZSeconds,
  lowFreq: ZFreq.optional(),
  highFreq: ZFreq.optional(),
  label: z.string().trim().max(200).nullable().optional(),
  notes: z.string().max(10_000).optional(),
});
export type TSegmentFields = z.output<typeof ZSegmentFields>;
export const ZSegmentPatch = ZSegmentFields.partial();
export type TSegmentPatch = z.output<typeof ZSegmentPatch>;

export const ZEditOp = z.discriminatedUnion("op", [
  z.object({ op: z.literal("create"), segment: ZSegmentFields }),
  z.object({ op: z.literal("update"), segmentId: ZId, patch: ZSegmentPatch }),
  z.object({ op: z.literal("delete"), segmentId: ZId }),
]);
export type TEditOp = z.output<typeof ZEditOp>;

const ZVersioned = z.object({ segmentationId: ZId, expectedVersion: z.number().int().min(0) });
export const ZBatchEditRequest = ZVersioned.extend({ ops: z.array(ZEditOp).min(1).max(2000) });
export type TBatchEditRequest = z.output<typeof ZBatchEditRequest>;
export const ZCreateSegmentRequest = ZVersioned.extend({ segment: ZSegmentFields });
export const ZUpdateSegmentRequest = ZVersioned.extend({ segmentId: ZId, patch: ZSegmentPatch });
export const ZDeleteSegmentRequest = ZVersioned.extend({ segmentId: ZId });

export const ZListSegmentsRequest = z.object({
  segmentationId: ZId,
  /** Case-insensitive substring of notes or label. */
  search: z.string().trim().max(200).optional(),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(1000).default(100),
});
export type TListSegmentsRequest = z.output<typeof ZListSegmentsRequest>;

export const MAX_WINDOW_SEGMENTS = 10_000;
export const ZSegmentsInWindowRequest = z
  .object({ segmentationId: ZId, start: ZSeconds, end: ZSeconds })
  .refine((v) => v.end > v.start, { error: "end must be after start", path: ["end"] });

// ─── responses: every procedure declares one, so the SPA's types come from here ───

const ZRunStatus = z.enum(RunStatus);

export const ZParamSpec = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(["number", "integer"]),
  default: z.number().nullable(),
  min: z.number().optional(),
  max: z.number().optional(),
  unit: z.enum(["ms", "Hz", "dB", "samples", ""]).optional(),
  help: z.string(),
  group: z.string().optional(),
});
export const ZAlgorithmSpec = z.object({
  name: z.string(),
  label: z.string(),
  description: z.string(),
  params: z.array(ZParamSpec),
});
export const ZAlgorithmSpecsResponse = z.array(ZAlgorithmSpec);

export const ZSegmentationDefaults = z.object({
  algorithmKey: ZAlgorithmKey,
  params: z.record(z.string(), z.number().nullable()),
  fromSpecies: z.array(z.string()),
  speciesId: z.string().nullable(),
  spec: ZAlgorithmSpec,
});

export const ZStartSegmentationResult = z.object({ segmentationId: z.string(), jobId: z.string() });

export const ZPreviewResult = z.object({
  start: z.number(),
  end: z.number(),
  /** With the call's band (Hz) where the algorithm measures one (the spectral detector does). */
  segments: z.array(
    z.object({
      onset: z.number(),
      offset: z.number(),
      lowFreq: z.number().optional(),
      highFreq: z.number().optional(),
    }),
  ),
  /** The channel analysed (0-based). */
  channel: z.number().int(),
  elapsedMs: z.number(),
});

export const ZStartBatchResult = z.object({
  queued: z.array(z.object({ recordingId: z.string(), segmentationId: z.string(), jobId: z.string() })),
  skipped: z.array(z.object({ recordingId: z.string(), reason: z.string() })),
});

export const ZSegmentationSummary = z.object({
  id: z.string(),
  recordingId: z.string(),
  name: z.string(),
  algorithmKey: z.string().nullable(),
  source: z.string(),
  parameters: z.unknown(),
  status: ZRunStatus,
  progress: z.number(),
  error: z.string().nullable(),
  isActive: z.boolean(),
  manuallyEdited: z.boolean(),
  version: z.number().int(),
  segmentCount: z.number().int(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ZSegmentationDetail = ZSegmentationSummary.extend({
  recording: z.object({
    id: z.string(),
    name: z.string(),
    duration: z.number().nullable(),
    sampleRate: z.number().int().nullable(),
    channels: z.number().int().nullable(),
  }),
});
export const ZListSegmentationsResponse = z.object({
  recording: z.object({
    id: z.string(),
    name: z.string(),
    duration: z.number().nullable(),
    sampleRate: z.number().int().nullable(),
  }),
  items: z.array(ZSegmentationSummary),
});
export const ZDeleteSegmentationResponse = z.object({
  deleted: z.string(),
  segments: z.number().int(),
  newActiveId: z.string().nullable(),
});

export const ZOverviewItem = z.object({
  recordingId: z.string(),
  name: z.string(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  speciesName: z.string().nullable(),
  duration: z.number().nullable(),
  processingStatus: z.string(),
  segmentationCount: z.number().int(),
  active: z
    .object({ id: z.string(), name: z.string(), segmentCount: z.number().int(), manuallyEdited: z.boolean() })
    .nullable(),
  latest: z
    .object({
      id: z.string(),
      name: z.string(),
      status: ZRunStatus,
      progress: z.number(),
      error: z.string().nullable(),
    })
    .nullable(),
  status: z.enum(["unsegmented", "pending", "running", "completed", "failed"]),
});
export const ZOverviewResponse = z.object({
  items: z.array(ZOverviewItem),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const ZSegmentDto = z.object({
  id: z.string(),
  onset: z.number(),
  offset: z.number(),
  lowFreq: z.number().nullable(),
  highFreq: z.number().nullable(),
  label: z.string().nullable(),
  notes: z.string(),
});
export const ZListSegmentsResponse = z.object({
  items: z.array(ZSegmentDto),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  version: z.number().int(),
  status: ZRunStatus,
});
export const ZSegmentsInWindowResponse = z.object({
  items: z.array(ZSegmentDto),
  truncated: z.boolean(),
  version: z.number().int(),
  status: ZRunStatus,
});
export const ZSegmentEditResponse = z.object({ version: z.number().int(), segment: ZSegmentDto.nullable() });
export const ZSegmentDeleteResponse = z.object({ version: z.number().int() });
export const ZBatchEditResponse = z.object({
  version: z.number().int(),
  results: z.array(ZSegmentDto.nullable()),
});
