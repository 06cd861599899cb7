import { TaskBatchStatus, TaskStatus } from "@battycoda/db";
// zod contract of `tasks.*` (see /tmp/bc/tasks-contract.md). Dates leave as ISO strings.
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";

export const ZOrderMode = z.enum(["onset", "confidence", "entropy"]);
export type TOrderMode = z.infer<typeof ZOrderMode>;

export const ZBatchSource = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run"), runId: ZId }),
  z.object({ kind: z.literal("segmentation"), segmentationId: ZId }),
  z.object({
    kind: z.literal("scope"),
    projectId: ZId.optional(),
    speciesId: ZId.optional(),
    recordingId: ZId.optional(),
  }),
  /** The mapped members of a completed clustering run (all clusters, or some), predicted as mapped. */
  z.object({
    kind: z.literal("clustering"),
    runId: ZId,
    clusterIds: z.array(ZId).min(1).max(500).optional(),
  }),
]);
export type TBatchSource = z.infer<typeof ZBatchSource>;

const ZThreshold = z.number().min(0).max(1);

export const ZBatchName = z.string().trim().min(1, { error: "A batch needs a name" }).max(200);

export const ZBatchNameAvailableRequest = z.object({ name: ZBatchName });
export const ZBatchNameAvailableResponse = z.object({ available: z.boolean() });

export const ZCreateBatchPreviewRequest = z.object({
  source: ZBatchSource,
  confidenceThreshold: ZThreshold.optional(),
  orderMode: ZOrderMode.optional(),
});
export type TCreateBatchPreviewRequest = z.input<typeof ZCreateBatchPreviewRequest>;
export const ZCreateBatchPreviewResponse = z.object({
  tasks: z.number().int(),
  recordings: z.number().int(),
  runs: z.number().int(),
});

export const ZCreateBatchRequest = z.object({
  name: ZBatchName,
  description: z.string().max(5000).optional(),
  source: ZBatchSource,
  confidenceThreshold: ZThreshold.optional(),
  orderMode: ZOrderMode.default("onset"),
  /** Two or more → a blind batch (each assignee labels every task). */
  assigneeIds: z.array(ZId).max(20).optional(),
});
export type TCreateBatchRequest = z.input<typeof ZCreateBatchRequest>;
export const ZCreateBatchResponse = z.object({ batchId: z.string(), jobId: z.string().nullable() });

export const ZBatchStatusFilter = z.enum(["open", "done", "creating", "ready", "failed"]);

export const ZListBatchesRequest = z.object({
  projectId: ZId.optional(),
  speciesId: ZId.optional(),
  status: ZBatchStatusFilter.optional(),
  cursor: ZId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TListBatchesRequest = z.input<typeof ZListBatchesRequest>;

const ZNamed = z.object({ id: z.string(), name: z.string() });

export const ZBatchSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(TaskBatchStatus),
  progress: z.number(),
  error: z.string().nullable(),
  taskCount: z.number().int(),
  doneCount: z.number().int(),
  skippedCount: z.number().int(),
  project: ZNamed.nullable(),
  species: ZNamed.nullable(),
  blind: z.boolean(),
  assignees: z.array(z.object({ userId: z.string(), username: z.string() })),
  createdAt: ZIsoDate,
  createdBy: z.string().nullable(),
});
export type TBatchSummary = z.input<typeof ZBatchSummary>;

export const ZListBatchesResponse = z.object({
  items: z.array(ZBatchSummary),
  nextCursor: z.string().nullable(),
});

export const ZBatchIdRequest = z.object({ batchId: ZId });
export const ZTaskIdRequest = z.object({ taskId: ZId });

export const ZBatchDetail = ZBatchSummary.extend({
  description: z.string(),
  orderMode: ZOrderMode,
  confidenceThreshold: z.number().nullable(),
  callTypes: z.array(z.object({ id: z.string(), shortName: z.string(), longName: z.string() })),
  species: z
    .object({
      id: z.string(),
      name: z.string(),
      detailPaddingMs: z.number().int(),
      overviewPaddingMs: z.number().int(),
      imageUrl: z.string().nullable(),
    })
    .nullable(),
  source: z.unknown(),
});

export const ZTaskStatus = z.enum(TaskStatus);

export const ZListTasksRequest = z.object({
  batchId: ZId,
  status: ZTaskStatus.optional(),
  /** The human label; "" = tasks without one. */
  label: z.string().trim().max(100).optional(),
  annotatorId: ZId.optional(),
  /** The predicted call type's short name. */
  callType: z.string().trim().min(1).max(100).optional(),
  /** Opaque: the nextCursor of the previous page. */
  cursor: z.string().regex(/^\d+$/, { error: "invalid cursor" }).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type TListTasksRequest = z.input<typeof ZListTasksRequest>;

export const ZTaskRow = z.object({
  id: z.string(),
  position: z.number().int(),
  onset: z.number(),
  offset: z.number(),
  status: ZTaskStatus,
  predictedLabel: z.string().nullable(),
  confidence: z.number().nullable(),
  label: z.string().nullable(),
  notes: z.string(),
  annotatedBy: z.string().nullable(),
  annotatedAt: ZIsoDate.nullable(),
  lockedBy: z.string().nullable(),
  recording: ZNamed,
  segmentId: z.string().nullable(),
});
export type TTaskRow = z.input<typeof ZTaskRow>;

export const ZListTasksResponse = z.object({
  items: z.array(ZTaskRow),
  nextCursor: z.string().nullable(),
  total: z.number().int(),
});

export const ZAnnotationTask = ZTaskRow.extend({
  probabilities: z.array(z.object({ callType: z.string(), probability: z.number() })),
  recording: z.object({
    id: z.string(),
    name: z.string(),
    sampleRate: z.number().int().nullable(),
    channels: z.number().int().nullable(),
    duration: z.number().nullable(),
  }),
  project: ZNamed.nullable(),
  myLabel: z.string().nullable(),
  /** The segmentation the task's segment is in (null once the segment is deleted): the editor link opens it. */
  segmentationId: z.string().nullable(),
});
export type TAnnotationTask = z.input<typeof ZAnnotationTask>;

export const ZNextTaskRequest = z.object({
  batchId: ZId,
  afterTaskId: ZId.optional(),
  direction: z.enum(["next", "prev"]).default("next"),
  take: z.number().int().min(1).max(10).default(1),
});
export type TNextTaskRequest = z.input<typeof ZNextTaskRequest>;
export const ZNextTaskResponse = z.object({ tasks: z.array(ZAnnotationTask) });

export const ZLabel = z.string().trim().min(1, { error: "A label is required" }).max(100);

export const ZSaveLabelRequest = z.object({
  taskId: ZId,
  label: ZLabel,
  notes: z.string().max(5000).optional(),
});
export const ZSaveLabelResponse = z.object({ task: ZTaskRow, next: ZAnnotationTask.nullable() });
export const ZSkipTaskResponse = z.object({ next: ZAnnotationTask.nullable() });
export const ZTaskResponse = z.object({ task: ZTaskRow });

export const ZDeleteBatchPreview = z.object({ tasks: z.number().int(), labelled: z.number().int() });

const ZUserRef = z.object({ userId: z.string(), username: z.string() });
export const ZAgreement = z.object({
  annotators: z.array(ZUserRef),
  pairs: z.array(
    z.object({ a: z.string(), b: z.string(), kappa: z.number().nullable(), n: z.number().int() }),
  ),
  fleissKappa: z.number().nullable(),
  n: z.number().int(),
  disagreements: z.array(
    z.object({
      taskId: z.string(),
      onset: z.number(),
      offset: z.number(),
      recordingName: z.string(),
      adjudicatedLabel: z.string().nullable(),
      labels: z.array(ZUserRef.extend({ label: z.string() })),
    }),
  ),
});

export const ZAdjudicateRequest = z.object({ taskId: ZId, label: ZLabel });

export const ZRetrainRequest = z.object({
  batchId: ZId,
  type: z.enum(["knn", "lda", "rf", "ensemble"]).optional(),
  reclassify: z.boolean().default(false),
});
export type TRetrainRequest = z.input<typeof ZRetrainRequest>;
export const ZRetrainResponse = z.object({ trainingJobId: z.string(), jobId: z.string() });
