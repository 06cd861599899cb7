// /api/v1 routes whose bodies are not JSON (uploads, audio, downloads), described by zod schemas
// like the procedure routes so the OpenAPI document has one source. The downloads are served
// here (same core functions as the browser's routes); uploads and audio are served by the routes
// in http/ and only described here.
import { Readable } from "node:stream";
import { ZCreateRecordingResponse, ZId, ZRecordingMetadataInput } from "@battycoda/core";
import { featuresCsv, parametersJson, resultsCsv } from "@battycoda/core/classification/index";
import { exportBatchCsv, exportBatchesZip, ZExportRequest } from "@battycoda/core/tasks";
import { taxonomyVersionParam } from "@battycoda/core/taxonomy/index";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { FILE_FIELD, SEGMENT_FIELD } from "../http/recording-uploads.ts";
import { SEGMENT_FILE_FIELD } from "../http/segment-files.ts";
import type { ServerDeps } from "../trpc.ts";
import type { ApiCaller } from "./api-key-auth.ts";
import { sendFailure } from "./procedure-routes.ts";

export interface FileResponse {
  description: string;
  /** e.g. "application/json", "text/csv", "application/zip", "audio/wav". */
  contentType: string;
  schema?: z.ZodType;
}

export interface FileRoute {
  method: "GET" | "POST";
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** multipart/form-data fields; files are z.file(). */
  form?: z.ZodObject;
  responses: Record<number, FileResponse>;
  /** Absent: served by a route in http/ (registered there), described here. */
  serve?: (deps: ServerDeps, who: ApiCaller, req: { params: never; query: never }) => Promise<Download>;
}

interface Download {
  filename: string;
  contentType: string;
  body: AsyncIterable<string | Buffer> | NodeJS.ReadableStream | Buffer | string;
}

const csv = (description: string): FileResponse => ({ description, contentType: "text/csv" });
const runParams = z.object({ runId: ZId });

/** The labels as they were named in an earlier taxonomy version (the browser's downloads take it too). */
const ZTaxonomyVersionQuery = z.object({
  taxonomyVersion: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      "write the call types as they were named in this taxonomy version of the species (default: current)",
    ),
});
const taxonomyVersionOf = (req: { query: never }) =>
  taxonomyVersionParam((req.query as { taxonomyVersion?: unknown } | undefined)?.taxonomyVersion);

const ZRunFile = (
  file: string,
  summary: string,
  produce: typeof resultsCsv,
  options: { relabels?: boolean } = {},
): FileRoute => ({
  method: "GET",
  path: `/api/v1/classification-runs/:runId/${file}`,
  operationId: `classificationRun${file.replace(/(^|\.)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
  summary,
  tag: "classification",
  params: runParams,
  ...(options.relabels ? { query: ZTaxonomyVersionQuery } : {}),
  responses: {
    200: file.endsWith(".json") ? { description: summary, contentType: "application/json" } : csv(summary),
  },
  serve: async (deps, who, req) =>
    produce(deps, await who.access(), (req.params as { runId: string }).runId, {
      ...(options.relabels ? { taxonomyVersion: taxonomyVersionOf(req) } : {}),
    }),
});

export const FILE_ROUTES: FileRoute[] = [
  {
    method: "POST",
    path: "/api/v1/recordings",
    operationId: "uploadRecording",
    summary:
      "Upload one WAV (multipart/form-data), optionally with a segment file; queues its processing. " +
      "Recordings longer than the split length become several recordings when processed.",
    tag: "recordings",
    form: ZRecordingMetadataInput.extend({
      [FILE_FIELD]: z.file().describe("the WAV file"),
      [SEGMENT_FIELD]: z.file().optional().describe("segments: pickle, CSV or Raven selection table"),
    }),
    responses: {
      201: { description: "Created", contentType: "application/json", schema: ZCreateRecordingResponse },
      413: { description: "File too large", contentType: "application/json" },
      415: { description: "Not multipart/form-data", contentType: "application/json" },
    },
  },
  {
    method: "GET",
    path: "/api/v1/recordings/:recordingId/audio",
    operationId: "getRecordingAudio",
    summary:
      "The recording's WAV. Supports Range (206/416). With start/end (seconds) returns a WAV clip in the source's format.",
    tag: "recordings",
    params: z.object({ recordingId: ZId }),
    query: z.object({ start: z.number().min(0).optional(), end: z.number().min(0).optional() }),
    responses: {
      200: { description: "WAV", contentType: "audio/wav" },
      206: { description: "Partial content (Range)", contentType: "audio/wav" },
      416: { description: "Range not satisfiable", contentType: "application/json" },
    },
  },
  {
    method: "POST",
    path: "/api/v1/recordings/:recordingId/segmentations/import",
    operationId: "importSegmentation",
    summary:
      "Import a segment file (original pickle, CSV, Raven selection table) as a new segmentation or into an " +
      "existing one. Rows outside the recording are not imported and are listed in `outside`. Segments the file " +
      "gives no frequency box get one measured on the audio by a background job (`bandsQueued` of them; " +
      "`bandsJobId` is that job).",
    tag: "segmentation",
    params: z.object({ recordingId: ZId }),
    form: z.object({
      [SEGMENT_FILE_FIELD]: z.file().describe(".pickle/.pkl, .csv/.tsv or .txt (Raven)"),
      mode: z.string().optional().describe('"new" (default) or the id of a segmentation to append to'),
      name: z.string().optional(),
      makeActive: z.enum(["true", "false"]).optional(),
      expectedVersion: z
        .string()
        .optional()
        .describe("for appends: fail with 409 if the segmentation changed"),
    }),
    responses: {
      201: {
        description:
          "Imported: { segmentationId, format, imported, outside, warnings, version, bandsQueued, bandsJobId }",
        contentType: "application/json",
      },
      409: {
        description: "The segmentation changed (expectedVersion is stale)",
        contentType: "application/json",
      },
      413: { description: "File too large", contentType: "application/json" },
    },
  },
  ZRunFile("results.csv", "Per-call results with every call type's probability (CSV)", resultsCsv, {
    relabels: true,
  }),
  ZRunFile("features.csv", "The call features the classifier saw (CSV)", featuresCsv),
  ZRunFile("parameters.json", "The run's reproducibility stamp and methods text", parametersJson),
  {
    method: "GET",
    path: "/api/v1/task-batches/:batchId/export.csv",
    operationId: "exportTaskBatchCsv",
    summary: "One task batch as CSV (labels, predictions, confidence, annotator)",
    tag: "tasks",
    params: z.object({ batchId: ZId }),
    query: ZTaxonomyVersionQuery,
    responses: { 200: csv("CSV") },
    serve: async (deps, who, req) =>
      exportBatchCsv(deps, await who.access(), (req.params as { batchId: string }).batchId, {
        taxonomyVersion: taxonomyVersionOf(req),
      }),
  },
  {
    method: "GET",
    path: "/api/v1/task-batches/export.zip",
    operationId: "exportTaskBatchesZip",
    summary: "A ZIP with one .xlsx (or .csv) per recording plus summary and parameters sheets",
    tag: "tasks",
    query: ZExportRequest,
    responses: { 200: { description: "ZIP", contentType: "application/zip" } },
    serve: async (deps, who, req) => {
      const q = req.query as { batchIds?: string | string[]; projectId?: string; format?: string };
      const taxonomyVersion = taxonomyVersionOf(req);
      const batchIds = [q.batchIds ?? []]
        .flat()
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter(Boolean);
      return exportBatchesZip(deps, await who.access(), {
        ...(batchIds.length ? { batchIds } : {}),
        ...(q.projectId ? { projectId: q.projectId } : {}),
        ...(q.format ? { format: q.format as "xlsx" | "csv" } : {}),
        ...(taxonomyVersion !== undefined ? { taxonomyVersion } : {}),
      });
    },
  },
];

function sendDownload(reply: FastifyReply, d: Download) {
  const body =
    typeof d.body === "string" || Buffer.isBuffer(d.body) || "pipe" in (d.body as object)
      ? d.body
      : Readable.from(d.body as AsyncIterable<string | Buffer>);
  return reply
    .header("content-type", d.contentType)
    .header("cache-control", "private, no-store")
    .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(d.filename)}`)
    .send(body);
}

export function registerFileRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  authenticate: (req: import("fastify").FastifyRequest) => Promise<ApiCaller>,
) {
  for (const route of FILE_ROUTES) {
    const serve = route.serve;
    if (!serve) continue;
    app.route({
      method: route.method,
      url: route.path,
      async handler(req, reply) {
        try {
          const who = await authenticate(req);
          return sendDownload(reply, await serve(deps, who, req as never));
        } catch (err) {
          return sendFailure(reply, req, err);
        }
      },
    });
  }
}
