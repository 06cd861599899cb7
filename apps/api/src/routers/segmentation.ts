// Segmentation procedures (contract for apps/web/src/features/segmentation). All are scoped to the
// caller's current group: another group's recordings/segmentations answer NOT_FOUND.
//
// Runs
//   algorithms()                      → system + group algorithm rows (id, key, name, defaultParams)
//   specs()                           → SEGMENTATION_ALGORITHMS: per algorithm its params (name, label,
//                                       type, default, min, max, unit, help) for building the form
//   defaults({recordingId, algorithmKey}) → { params (defaults overlaid with the species' last used
//                                       values in this group), fromSpecies: names, spec }
//   start({recordingId, algorithmKey, params, name?, channel?, makeActive?}) → { segmentationId, jobId }
//       params: { name: number | null }; unknown names / out-of-range → BAD_REQUEST with
//       error.data.details.issues [{path, message}]. channel: 0-based, null/absent = mix.
//       Progress: poll get()/list() (Segmentation.status/progress) or jobs.* by jobId.
//   preview({recordingId, algorithmKey, params, center, windowSeconds ≤ 5, channel?})
//       → { start, end, segments: [{onset, offset, lowFreq?, highFreq?}] (absolute seconds), channel, elapsedMs }
//   startBatch({projectId | recordingIds, algorithmKey, params, onlyUnsegmented = true, ...})
//       → { queued: [{recordingId, segmentationId, jobId}], skipped: [{recordingId, reason}] }
//   overview({projectId?, speciesId?, search?, status?, page, pageSize})
//       → { items: [{recordingId, name, status, active, latest{status, progress, error}, …}], total }
// Segmentations of a recording
//   createManual({recordingId, name?, makeActive?}) → SegmentationSummary & { recording }: an empty,
//       completed segmentation (source "manual", version 0) to draw into; active when asked or when
//       the recording has no active one.
//   list({recordingId}) → { recording, items: SegmentationSummary[] } (active first)
//   get({segmentationId}) → SegmentationSummary & { recording }
//   setActive / rename / delete
// Segments (editing). Every write carries expectedVersion = the version last read (list/window/get
// return it); the answer carries the new version. A stale version → CONFLICT with
// error.data.details.currentVersion: reload the segments and re-apply. Edits of a pending/running
// segmentation → PRECONDITION_FAILED. Invalid times (onset ≥ offset, outside the recording) → BAD_REQUEST.
//   segments.list({segmentationId, search?, page, pageSize}) → { items, total, version }
//   segments.window({segmentationId, start, end}) → { items, truncated, version }
//   segments.create({segmentationId, expectedVersion, segment}) → { version, segment }
//   segments.update({segmentationId, expectedVersion, segmentId, patch}) → { version, segment }
//   segments.delete({segmentationId, expectedVersion, segmentId}) → { version }
//   segments.batchEdit({segmentationId, expectedVersion, ops: [{op:"create",segment} |
//       {op:"update",segmentId,patch} | {op:"delete",segmentId}]}) → { version, results } (atomic; undo/redo)
// Files (raw HTTP, see http/segment-files.ts): POST /api/segmentations/import (multipart),
//   GET /api/segmentations/:id/export.csv, GET /api/segmentations/:id/export.txt (Raven).

import { SEGMENTATION_ALGORITHMS } from "@battycoda/audio";
import {
  batchEditSegments,
  createManualSegmentation,
  deleteSegmentation,
  type GroupAccess,
  getSegmentation,
  listSegmentations,
  listSegments,
  previewSegmentation,
  renameSegmentation,
  segmentationDefaults,
  segmentationOverview,
  segmentsInWindow,
  setActiveSegmentation,
  startBatchSegmentation,
  startSegmentation,
  type TEditOp,
  ZAlgorithmSpecsResponse,
  ZBatchEditRequest,
  ZBatchEditResponse,
  ZCreateManualRequest,
  ZCreateSegmentRequest,
  ZDefaultsRequest,
  ZDeleteSegmentationResponse,
  ZDeleteSegmentRequest,
  ZListSegmentationsResponse,
  ZListSegmentsRequest,
  ZListSegmentsResponse,
  ZOverviewRequest,
  ZOverviewResponse,
  ZPreviewRequest,
  ZPreviewResult,
  ZRecordingSegmentationsRequest,
  ZRenameSegmentationRequest,
  ZSegmentationDefaults,
  ZSegmentationDetail,
  ZSegmentationIdRequest,
  ZSegmentDeleteResponse,
  ZSegmentEditResponse,
  ZSegmentsInWindowRequest,
  ZSegmentsInWindowResponse,
  ZStartBatchRequest,
  ZStartBatchResult,
  ZStartSegmentationRequest,
  ZStartSegmentationResult,
  ZUpdateSegmentRequest,
} from "@battycoda/core";
import { poolBusyToTRPC } from "../http/heavy-work.ts";
import { type Context, createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListSegmentationAlgorithmsResponse } from "./placeholders.schemas.ts";

/** One edit through the batch path (same validation, versioning and transaction). */
function editOne(
  ctx: Pick<Context, "db" | "media"> & { access: GroupAccess },
  input: { segmentationId: string; expectedVersion: number },
  op: TEditOp,
) {
  return batchEditSegments(
    ctx,
    ctx.access,
    { segmentationId: input.segmentationId, expectedVersion: input.expectedVersion, ops: [op] },
    { media: ctx.media },
  );
}

const segmentsRouter = createTRPCRouter({
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/segmentations/:segmentationId/segments",
        tag: "segmentation",
        summary:
          "Segments of a segmentation in time order (seconds, Hz), paginated; search in notes and labels",
      },
    })
    .input(ZListSegmentsRequest)
    .output(ZListSegmentsResponse)
    .query(({ ctx, input }) => listSegments(ctx, ctx.access, input)),
  window: groupProcedure
    .input(ZSegmentsInWindowRequest)
    .output(ZSegmentsInWindowResponse)
    .query(({ ctx, input }) => segmentsInWindow(ctx, ctx.access, input)),
  create: groupProcedure
    .input(ZCreateSegmentRequest)
    .output(ZSegmentEditResponse)
    .mutation(async ({ ctx, input }) => {
      const r = await editOne(ctx, input, { op: "create", segment: input.segment });
      return { version: r.version, segment: r.results[0] ?? null };
    }),
  update: groupProcedure
    .input(ZUpdateSegmentRequest)
    .output(ZSegmentEditResponse)
    .mutation(async ({ ctx, input }) => {
      const r = await editOne(ctx, input, { op: "update", segmentId: input.segmentId, patch: input.patch });
      return { version: r.version, segment: r.results[0] ?? null };
    }),
  delete: groupProcedure
    .input(ZDeleteSegmentRequest)
    .output(ZSegmentDeleteResponse)
    .mutation(async ({ ctx, input }) => {
      const r = await editOne(ctx, input, { op: "delete", segmentId: input.segmentId });
      return { version: r.version };
    }),
  batchEdit: groupProcedure
    .input(ZBatchEditRequest)
    .output(ZBatchEditResponse)
    .mutation(({ ctx, input }) => batchEditSegments(ctx, ctx.access, input, { media: ctx.media })),
});

export const segmentationRouter = createTRPCRouter({
  algorithms: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/algorithms",
        tag: "segmentation",
        summary: "Segmentation algorithms (system and the group's)",
      },
    })
    .output(ZListSegmentationAlgorithmsResponse)
    .query(async ({ ctx }) => {
      const rows = await ctx.db.segmentationAlgorithm.findMany({
        where: { isActive: true, OR: [{ groupId: null }, { groupId: ctx.access.groupId }] },
        orderBy: { name: "asc" },
      });
      return rows.map((a) => ({
        id: a.id,
        key: a.key,
        name: a.name,
        description: a.description,
        defaultParams: a.defaultParams,
        isSystem: a.groupId === null,
      }));
    }),
  specs: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/algorithms/specs",
        tag: "segmentation",
        summary: "Each algorithm's parameters: name, type, default, range, unit",
      },
    })
    .output(ZAlgorithmSpecsResponse)
    .query(() => [...SEGMENTATION_ALGORITHMS]),
  defaults: groupProcedure
    .input(ZDefaultsRequest)
    .output(ZSegmentationDefaults)
    .query(({ ctx, input }) => segmentationDefaults(ctx, ctx.access, input)),
  start: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/recordings/:recordingId/segmentations",
        tag: "segmentation",
        summary: "Segment one recording (queued; poll the segmentation or its job)",
        status: 202,
      },
    })
    .input(ZStartSegmentationRequest)
    .output(ZStartSegmentationResult)
    .mutation(({ ctx, input }) => startSegmentation(ctx, ctx.access, input)),
  // A mutation although it changes nothing: its input is large and it costs CPU, so no GET caching.
  preview: groupProcedure
    .input(ZPreviewRequest)
    .output(ZPreviewResult)
    .mutation(({ ctx, input }) =>
      // On the API's pool, off the event loop; a full pool is SERVICE_UNAVAILABLE (+ Retry-After).
      previewSegmentation(ctx, ctx.access, { media: ctx.media, pool: ctx.pool ?? null }, input).catch(
        poolBusyToTRPC,
      ),
    ),
  startBatch: groupProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/segmentations/batch",
        tag: "segmentation",
        summary: "Segment a project's recordings or a list of recordings",
        status: 202,
      },
    })
    .input(ZStartBatchRequest)
    .output(ZStartBatchResult)
    .mutation(({ ctx, input }) => startBatchSegmentation(ctx, ctx.access, input)),
  createManual: groupProcedure
    .input(ZCreateManualRequest)
    .output(ZSegmentationDetail)
    .mutation(({ ctx, input }) => createManualSegmentation(ctx, ctx.access, input)),
  overview: groupProcedure
    .input(ZOverviewRequest)
    .output(ZOverviewResponse)
    .query(({ ctx, input }) => segmentationOverview(ctx, ctx.access, input)),
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/recordings/:recordingId/segmentations",
        tag: "segmentation",
        summary: "Segmentations of a recording (active first), with status and segment counts",
      },
    })
    .input(ZRecordingSegmentationsRequest)
    .output(ZListSegmentationsResponse)
    .query(({ ctx, input }) => listSegmentations(ctx, ctx.access, input.recordingId)),
  get: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/segmentations/:segmentationId",
        tag: "segmentation",
        summary: "One segmentation with its status and progress",
      },
    })
    .input(ZSegmentationIdRequest)
    .output(ZSegmentationDetail)
    .query(({ ctx, input }) => getSegmentation(ctx, ctx.access, input.segmentationId)),
  setActive: groupProcedure
    .input(ZSegmentationIdRequest)
    .output(ZSegmentationDetail)
    .mutation(({ ctx, input }) => setActiveSegmentation(ctx, ctx.access, input.segmentationId)),
  rename: groupProcedure
    .input(ZRenameSegmentationRequest)
    .output(ZSegmentationDetail)
    .mutation(({ ctx, input }) => renameSegmentation(ctx, ctx.access, input.segmentationId, input.name)),
  delete: groupProcedure
    .input(ZSegmentationIdRequest)
    .output(ZDeleteSegmentationResponse)
    .mutation(({ ctx, input }) => deleteSegmentation(ctx, ctx.access, input.segmentationId)),
  segments: segmentsRouter,
});
