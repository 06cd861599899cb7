import { JobStatus } from "@battycoda/db";
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { ZId } from "../groups/groups.schemas.ts";
import { ZSegmentImportResult } from "../recordings/recordings.schemas.ts";

export const ZUploadReportEntry = z.object({
  /** the entry's path inside the ZIP, or the uploaded file name */
  path: z.string(),
  status: z.enum(["created", "rejected", "skipped"]),
  reason: z.string().optional(),
  /** Kept, but worth a look (a truncated WAV: declared and actual lengths; a time-expanded one: read in real time). */
  warning: z.string().optional(),
  recordingId: z.string().optional(),
  segments: ZSegmentImportResult.optional(),
});
export type TUploadReportEntry = z.infer<typeof ZUploadReportEntry>;

export const ZUploadReport = z.object({
  entries: z.array(ZUploadReportEntry),
  /** segment files that matched no WAV, or matched ambiguously */
  unmatchedSegmentFiles: z.array(z.string()).default([]),
  ambiguousSegmentFiles: z.array(z.object({ wav: z.string(), candidates: z.array(z.string()) })).default([]),
  /** directories and OS junk passed over (`__MACOSX/`, `._*`) */
  skipped: z.number().int().default(0),
  summary: z.object({ created: z.number().int(), rejected: z.number().int(), segmented: z.number().int() }),
});
export type TUploadReport = z.infer<typeof ZUploadReport>;

export const ZUploadStatus = z.enum([
  "receiving",
  "received",
  "processing",
  "completed",
  "failed",
  "expired",
]);
export const ZUploadView = z.object({
  id: z.string(),
  kind: z.string(),
  filename: z.string(),
  size: z.number(),
  receivedBytes: z.number(),
  status: ZUploadStatus,
  error: z.string().nullable(),
  report: ZUploadReport.nullable(),
  /** the upload.process job, when there is one */
  job: z
    .object({
      id: z.string(),
      status: z.enum(JobStatus),
      progress: z.number(),
      message: z.string(),
    })
    .nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export const ZUploadReportRequest = z.object({ uploadId: ZId });

export const ZZipUploadResponse = z.object({ uploadId: z.string(), jobId: z.string() });
