import {
  adjudicate,
  agreement,
  batchNameAvailable,
  createBatch,
  createBatchPreview,
  deleteBatch,
  deleteBatchPreview,
  getBatch,
  getTask,
  getTaskRow,
  listBatches,
  listTasks,
  nextTask,
  releaseLock,
  retrainFromBatch,
  saveLabel,
  skipTask,
  undoLabel,
  ZAdjudicateRequest,
  ZAgreement,
  ZAnnotationTask,
  ZBatchDetail,
  ZBatchIdRequest,
  ZBatchNameAvailableRequest,
  ZBatchNameAvailableResponse,
  ZCreateBatchPreviewRequest,
  ZCreateBatchPreviewResponse,
  ZCreateBatchRequest,
  ZCreateBatchResponse,
  ZDeleteBatchPreview,
  ZListBatchesRequest,
  ZListBatchesResponse,
  ZListTasksRequest,
  ZListTasksResponse,
  ZNextTaskRequest,
  ZNextTaskResponse,
  ZRetrainRequest,
  ZRetrainResponse,
  ZSaveLabelRequest,
  ZSaveLabelResponse,
  ZSkipTaskResponse,
  ZTaskIdRequest,
  ZTaskResponse,
} from "@battycoda/core/tasks";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListTaskBatchesResponse } from "./placeholders.schemas.ts";

const ZOk = z.object({ ok: z.literal(true) });

export const tasksRouter = createTRPCRouter({
  batches: groupProcedure.output(ZListTaskBatchesResponse).query(async ({ ctx }) => {
    const { items } = await listBatches(ctx, ctx.access, { limit: 200 });
    return items.map((b) => ({
      id: b.id,
      name: b.name,
      projectName: b.project?.name ?? null,
      speciesName: b.species?.name ?? null,
      taskCount: b.taskCount,
      doneCount: b.doneCount,
      createdAt: b.createdAt,
    }));
  }),

  batchNameAvailable: groupProcedure
    .input(ZBatchNameAvailableRequest)
    .output(ZBatchNameAvailableResponse)
    .query(({ ctx, input }) => batchNameAvailable(ctx, ctx.access, input.name)),
  createBatchPreview: groupProcedure
    .input(ZCreateBatchPreviewRequest)
    .output(ZCreateBatchPreviewResponse)
    .query(({ ctx, input }) => createBatchPreview(ctx, ctx.access, input)),
  createBatch: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/task-batches",
        tag: "tasks",
        summary:
          "Create a task batch from a run, a segmentation or a scope, optionally only calls at or below a confidence",
        status: 201,
      },
    })
    .input(ZCreateBatchRequest)
    .output(ZCreateBatchResponse)
    .mutation(({ ctx, input }) => createBatch(ctx, ctx.access, input)),
  listBatches: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/task-batches",
        tag: "tasks",
        summary: "Task batches, newest first (pass nextCursor as cursor)",
      },
    })
    .input(ZListBatchesRequest)
    .output(ZListBatchesResponse)
    .query(({ ctx, input }) => listBatches(ctx, ctx.access, input)),
  getBatch: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/task-batches/:batchId",
        tag: "tasks",
        summary: "One task batch with its call types",
      },
    })
    .input(ZBatchIdRequest)
    .output(ZBatchDetail)
    .query(({ ctx, input }) => getBatch(ctx, ctx.access, input.batchId)),
  deleteBatchPreview: groupProcedure
    .input(ZBatchIdRequest)
    .output(ZDeleteBatchPreview)
    .query(({ ctx, input }) => deleteBatchPreview(ctx, ctx.access, input.batchId)),
  deleteBatch: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/task-batches/:batchId",
        tag: "tasks",
        summary: "Delete a task batch",
      },
    })
    .input(ZBatchIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => deleteBatch(ctx, ctx.access, input.batchId)),

  listTasks: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/task-batches/:batchId/tasks",
        tag: "tasks",
        summary: "Tasks of a batch: filter by predicted call type, label, status; paginate with cursor",
      },
    })
    .input(ZListTasksRequest)
    .output(ZListTasksResponse)
    .query(({ ctx, input }) => listTasks(ctx, ctx.access, input)),
  // a mutation: it takes a soft lock
  nextTask: groupProcedure
    .input(ZNextTaskRequest)
    .output(ZNextTaskResponse)
    .mutation(({ ctx, input }) => nextTask(ctx, ctx.access, input)),
  getTask: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/tasks/:taskId",
        tag: "tasks",
        summary: "One task with its probabilities",
      },
    })
    .input(ZTaskIdRequest)
    .output(ZAnnotationTask)
    .query(({ ctx, input }) => getTask(ctx, ctx.access, input.taskId)),
  saveLabel: groupProcedure
    .meta({
      rest: { method: "POST", path: "/api/v1/tasks/:taskId/label", tag: "tasks", summary: "Label a task" },
    })
    .input(ZSaveLabelRequest)
    .output(ZSaveLabelResponse)
    .mutation(({ ctx, input }) => saveLabel(ctx, ctx.access, input)),
  skipTask: groupProcedure
    .input(ZTaskIdRequest)
    .output(ZSkipTaskResponse)
    .mutation(({ ctx, input }) => skipTask(ctx, ctx.access, input.taskId)),
  undoLabel: groupProcedure
    .input(ZTaskIdRequest)
    .output(ZTaskResponse)
    .mutation(({ ctx, input }) => undoLabel(ctx, ctx.access, input.taskId)),
  releaseLock: groupProcedure
    .input(ZTaskIdRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => releaseLock(ctx, ctx.access, input.taskId)),

  agreement: groupProcedure
    .input(ZBatchIdRequest)
    .output(ZAgreement)
    .query(({ ctx, input }) => agreement(ctx, ctx.access, input.batchId)),
  adjudicate: groupProcedure
    .input(ZAdjudicateRequest)
    .output(ZTaskResponse)
    .mutation(async ({ ctx, input }) => {
      const taskId = await adjudicate(ctx, ctx.access, input);
      return { task: await getTaskRow(ctx, ctx.access, taskId) };
    }),
  retrainFromBatch: groupProcedure
    .input(ZRetrainRequest)
    .output(ZRetrainResponse)
    .mutation(({ ctx, input }) => retrainFromBatch(ctx, ctx.access, input)),
});
