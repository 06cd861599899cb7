// REST v1 for recordings: JSON routes join the REST table (rest/routes.ts); the raw audio and
// upload routes (recording-files.ts, recording-uploads.ts) are described here for the OpenAPI doc.
import {
  getRecording,
  listRecordings,
  ZGetRecordingResponse,
  ZId,
  ZListRecordingsRequest,
  ZListRecordingsResponse,
} from "@battycoda/core";
import { z } from "zod";
import type { RestRoute } from "../rest/routes.ts";
import { FILE_FIELD, METADATA_FIELDS, SEGMENT_FIELD } from "./recording-uploads.ts";

const ZRecordingParams = z.object({ recordingId: ZId });

export const RECORDING_REST_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/api/v1/recordings",
    operationId: "listRecordings",
    summary: "Recordings of the current group: filter, search, sort, paginate (pass nextCursor as cursor)",
    tag: "recordings",
    query: ZListRecordingsRequest.unwrap(),
    response: ZListRecordingsResponse,
    async handler(ctx, { query }) {
      return listRecordings(ctx.deps.db, await ctx.access(), query);
    },
  },
  {
    method: "GET",
    path: "/api/v1/recordings/:recordingId",
    operationId: "getRecording",
    summary: "One recording with its latest jobs",
    tag: "recordings",
    params: ZRecordingParams,
    response: ZGetRecordingResponse,
    async handler(ctx, { params }) {
      return getRecording(ctx.deps.db, await ctx.access(), params.recordingId);
    },
  },
];

const errors = (codes: string[]) =>
  Object.fromEntries(
    codes.map((c) => [
      c,
      { description: c, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  );

/** OpenAPI entries of the non-JSON REST routes. */
export const RECORDING_RAW_OPENAPI_PATHS: Record<string, Record<string, unknown>> = {
  "/api/v1/recordings/{recordingId}/audio": {
    get: {
      operationId: "getRecordingAudio",
      summary:
        "The recording's WAV. Supports Range (206/416). With start/end (seconds) returns a WAV clip in the source's format.",
      tags: ["recordings"],
      parameters: [
        { name: "recordingId", in: "path", required: true, schema: { type: "string" } },
        { name: "start", in: "query", required: false, schema: { type: "number", minimum: 0 } },
        { name: "end", in: "query", required: false, schema: { type: "number", minimum: 0 } },
        { name: "Range", in: "header", required: false, schema: { type: "string", example: "bytes=0-1023" } },
      ],
      responses: {
        "200": {
          description: "WAV",
          content: { "audio/wav": { schema: { type: "string", format: "binary" } } },
        },
        "206": {
          description: "Partial content",
          content: { "audio/wav": { schema: { type: "string", format: "binary" } } },
        },
        "416": { description: "Range not satisfiable" },
        ...errors(["400", "401", "404"]),
      },
    },
  },
  "/api/v1/recordings": {
    post: {
      operationId: "uploadRecording",
      summary: "Upload one WAV (multipart/form-data); queues its processing",
      tags: ["recordings"],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              required: [FILE_FIELD],
              properties: {
                [FILE_FIELD]: { type: "string", format: "binary" },
                [SEGMENT_FIELD]: { type: "string", format: "binary" },
                ...Object.fromEntries(METADATA_FIELDS.map((f) => [f, { type: "string" }])),
              },
            },
          },
        },
      },
      responses: {
        "201": { description: "Created: { recording, jobId, segments }" },
        ...errors(["400", "401", "404", "413", "415"]),
      },
    },
  },
};
