import { RunStatus } from "@battycoda/db";
// zod contract of `classification.*` (see /tmp/bc/contract.md, kept by the lead). Dates are ISO strings.
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

export const ZRunStatus = z.enum(RunStatus);

export const ZListRunsRequest = z.object({
  projectId: ZId.optional(),
  speciesId: ZId.optional(),
  classifierId: ZId.optional(),
  recordingId: ZId.optional(),
  status: ZRunStatus.optional(),
  cursor: ZId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TListRunsRequest = z.input<typeof ZListRunsRequest>;

const ZNamed = z.object({ id: z.string(), name: z.string() });

export const ZRunSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: ZRunStatus,
  progress: z.number(),
  processedCount: z.number().int(),
  totalCount: z.number().int(),
  waitingReason: z.string().nullable(),
  error: z.string().nullable(),
  isDummy: z.boolean(),
  recording: ZNamed,
  project: ZNamed.nullable(),
  species: ZNamed.nullable(),
  classifier: z.object({ id: z.string(), name: z.string(), type: z.string() }).nullable(),
  segmentationId: z.string().nullable(),
  jobId: z.string().nullable(),
  createdAt: ZIsoDate,
  startedAt: ZIsoDate.nullable(),
  finishedAt: ZIsoDate.nullable(),
});
export type TRunSummary = z.input<typeof ZRunSummary>;

export const ZListRunsResponse = z.object({ items: z.array(ZRunSummary), nextCursor: z.string().nullable() });

export const ZRunIdRequest = z.object({ runId: ZId });

export const ZRunDetail = ZRunSummary.extend({
  callTypes: z.array(z.object({ id: z.string(), shortName: z.string(), longName: z.string() })),
  parameters: z.unknown(),
  stamp: z.unknown(),
  methodsText: z.string(),
  confidenceHistogram: z.object({ binEdges: z.array(z.number()), counts: z.array(z.number().int()) }),
  labelCounts: z.array(z.object({ label: z.string().nullable(), count: z.number().int() })),
  recording: z.object({
    id: z.string(),
    name: z.string(),
    sampleRate: z.number().int().nullable(),
    channels: z.number().int().nullable(),
    duration: z.number().nullable(),
  }),
});

export const ZListResultsRequest = z
  .object({
    runId: ZId,
    /** A call type's short name: results predicted as that type. */
    callType: z.string().trim().min(1).max(100).optional(),
    minConfidence: z.number().min(0).max(1).optional(),
    maxConfidence: z.number().min(0).max(1).optional(),
    order: z.enum(["onset", "confidence_asc", "confidence_desc"]).default("onset"),
    /** Opaque: the nextCursor of the previous page. */
    cursor: z.string().regex(/^\d+$/, { error: "invalid cursor" }).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .refine(
    (v) =>
      v.minConfidence === undefined || v.maxConfidence === undefined || v.minConfidence <= v.maxConfidence,
    {
      error: "minConfidence must not exceed maxConfidence",
      path: ["minConfidence"],
    },
  );
export type TListResultsRequest = z.input<typeof ZListResultsRequest>;

export const ZResultItem = z.object({
  id: z.string(),
  segmentId: z.string(),
  onset: z.number(),
  offset: z.number(),
  lowFreq: z.number().nullable(),
  highFreq: z.number().nullable(),
  predictedLabel: z.string().nullable(),
  confidence: z.number().nullable(),
  probabilities: z.array(z.object({ callType: z.string(), probability: z.number() })),
});
export const ZListResultsResponse = z.object({
  items: z.array(ZResultItem),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});

export const ZStartRunRequest = z.object({ segmentationId: ZId, classifierId: ZId.optional() });
export const ZStartRunResponse = z.object({ runId: z.string() });

export const ZClassifyUnclassifiedRequest = z.object({
  projectId: ZId.optional(),
  speciesId: ZId.optional(),
  classifierId: ZId.optional(),
});
export type TClassifyUnclassifiedRequest = z.input<typeof ZClassifyUnclassifiedRequest>;
export const ZClassifyUnclassifiedPreview = z.object({
  recordings: z.number().int(),
  segmentations: z.number().int(),
  segments: z.number().int(),
});
export const ZClassifyUnclassifiedResponse = z.object({
  created: z.number().int(),
  runIds: z.array(z.string()),
});

export const ZApplyLabelsRequest = z.object({
  runId: ZId,
  minConfidence: z.number().min(0).max(1).optional(),
  overwrite: z.boolean().default(false),
});
export const ZApplyLabelsResponse = z.object({ updated: z.number().int() });

export const ZServiceState = z.enum(["up", "down", "busy"]);
export const ZServiceStatus = z.object({
  state: ZServiceState,
  url: z.string(),
  checkedAt: z.string(),
  rVersion: z.string().nullable(),
  training: z.number().int(),
  message: z.string().nullable(),
});
export type TServiceStatus = z.infer<typeof ZServiceStatus>;
