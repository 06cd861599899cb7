// Recordings: thin procedures over packages/core/src/recordings and uploads. Uploads and file
// downloads are raw HTTP routes (src/http/recording-*.ts, src/http/tus.ts); the contract for the
// SPA is apps/api/README-recordings.md.
import {
  deleteRecording,
  findDuplicateRecordings,
  getRecording,
  getUploadReport,
  listRecordings,
  moveRecording,
  previewDeleteRecording,
  removeDuplicateRecordings,
  updateRecording,
  ZDuplicatesResponse,
  ZGetRecordingResponse,
  ZListRecordingsRequest,
  ZListRecordingsResponse,
  ZMoveRecordingRequest,
  ZRecordingDeletionSummary,
  ZRecordingDetail,
  ZRecordingIdRequest,
  ZRemoveDuplicatesRequest,
  ZRemoveDuplicatesResponse,
  ZUpdateRecordingRequest,
  ZUploadReportRequest,
  ZUploadView,
} from "@battycoda/core";
import { z } from "zod";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";

export const recordingsRouter = createTRPCRouter({
  /** Filter by project/species/status, search by name, sort, paginate (`cursor` = previous `nextCursor`). */
  list: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/recordings",
        tag: "recordings",
        summary: "Recordings of the group: filter, search, sort, paginate (pass nextCursor as cursor)",
      },
    })
    .input(ZListRecordingsRequest)
    .output(ZListRecordingsResponse)
    .query(({ ctx, input }) => listRecordings(ctx, ctx.access, input)),

  /** One recording with its latest jobs (ingest, spectrogram, …), newest first. */
  get: groupProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/recordings/:recordingId",
        tag: "recordings",
        summary: "One recording with its latest jobs",
      },
    })
    .input(ZRecordingIdRequest)
    .output(ZGetRecordingResponse)
    .query(({ ctx, input }) => getRecording(ctx, ctx.access, input.recordingId)),

  /** Edit metadata; only the fields given change (null clears date/species/project). */
  update: groupProcedure
    .meta({
      rest: {
        method: "PATCH",
        path: "/api/v1/recordings/:recordingId",
        tag: "recordings",
        summary:
          "Edit a recording's metadata (only the fields given change); timeExpansion declares a factor its file does not state, and the recording is read again in real time",
      },
    })
    .input(ZUpdateRecordingRequest)
    .output(ZRecordingDetail)
    .mutation(({ ctx, input }) => {
      const { recordingId, ...fields } = input;
      return updateRecording(ctx, ctx.access, recordingId, fields);
    }),

  /** Move to another project of the group (null: none). */
  move: groupProcedure
    .input(ZMoveRecordingRequest)
    .output(ZRecordingDetail)
    .mutation(({ ctx, input }) => moveRecording(ctx, ctx.access, input.recordingId, input.projectId)),

  /** What deleting would remove, for the confirmation dialog. */
  previewDelete: groupProcedure
    .input(ZRecordingIdRequest)
    .output(ZRecordingDeletionSummary)
    .query(({ ctx, input }) => previewDeleteRecording(ctx, ctx.access, input.recordingId)),

  /** Deletes the recording, everything hanging off it and its files; returns what was removed. */
  delete: groupProcedure
    .meta({
      rest: {
        method: "DELETE",
        path: "/api/v1/recordings/:recordingId",
        tag: "recordings",
        summary: "Delete a recording and everything derived from it",
      },
    })
    .input(ZRecordingIdRequest)
    .output(ZRecordingDeletionSummary)
    .mutation(({ ctx, input }) => deleteRecording(ctx, ctx.access, input.recordingId)),

  /** Sets of recordings with the same name and duration in the group. */
  duplicates: groupProcedure
    .input(z.object({}).optional())
    .output(ZDuplicatesResponse)
    .query(({ ctx }) => findDuplicateRecordings(ctx, ctx.access)),

  /** Keeps one recording per duplicate set (the oldest by default) and deletes the rest. */
  removeDuplicates: groupProcedure
    .input(ZRemoveDuplicatesRequest)
    .output(ZRemoveDuplicatesResponse)
    .mutation(({ ctx, input }) =>
      removeDuplicateRecordings(ctx, ctx.access, {
        keep: input.keep,
        ...(input.names ? { names: input.names } : {}),
      }),
    ),

  /** An upload (batch ZIP, tus) with its per-file report and job progress. */
  uploadReport: groupProcedure
    .input(ZUploadReportRequest)
    .output(ZUploadView)
    .query(({ ctx, input }) => getUploadReport(ctx, ctx.access, input.uploadId)),
});
