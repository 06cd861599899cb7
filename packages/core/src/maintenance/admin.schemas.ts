// Shapes of the admin panel's procedures (apps/api/src/routers/admin.ts).
import { JobStatus } from "@battycoda/db";
import { z } from "zod";
import { ZIsoDate } from "../auth/auth.schemas.ts";
import { PROCEDURE_NAMES } from "./procedures.ts";

// Dates leave the API as ISO strings (no tRPC transformer).
const ZDate = ZIsoDate;

export const ZProcedureRun = z.object({
  id: z.string(),
  procedure: z.string(),
  status: z.enum(JobStatus),
  progress: z.number(),
  message: z.string(),
  error: z.string().nullable(),
  log: z.string(),
  options: z.unknown(),
  result: z.unknown(),
  userId: z.string().nullable(),
  createdAt: ZDate,
  startedAt: ZDate.nullable(),
  finishedAt: ZDate.nullable(),
});
export const ZListProcedureRunsRequest = z.object({
  procedure: z.enum(PROCEDURE_NAMES).optional(),
  limit: z.number().int().min(1).max(200).default(30),
});
export const ZRunIdRequest = z.object({ jobId: z.string().min(1).max(64) });

export const ZSchedule = z.object({
  name: z.string(),
  cadence: z.string(),
  lastRunAt: ZDate.nullable(),
  lastStatus: z.string().nullable(),
  lastError: z.string().nullable(),
  lastJobId: z.string().nullable(),
});

export const ZBackupList = z.object({
  bucket: z.string(),
  prefix: z.string(),
  items: z.array(
    z.object({
      key: z.string(),
      kind: z.enum(["database", "media"]),
      format: z.string(),
      size: z.number(),
      lastModified: ZDate,
      ageSeconds: z.number(),
    }),
  ),
  /** Why the store could not be listed (not configured, unreachable). */
  error: z.string().nullable(),
});

export const ZAdminUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  isSiteAdmin: z.boolean(),
  isActive: z.boolean(),
  createdAt: ZDate,
  lastLoginAt: ZDate.nullable(),
  groups: z.number().int(),
});
export const ZListAdminUsersRequest = z.object({
  search: z.string().trim().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export const ZSetUserFlagRequest = z.object({ userId: z.string().min(1).max(64), value: z.boolean() });

export const ZAdminGroup = z.object({
  id: z.string(),
  name: z.string(),
  isPersonal: z.boolean(),
  members: z.number().int(),
  recordings: z.number().int(),
  createdAt: ZDate,
});

export const ZQueueDepth = z.object({
  type: z.string(),
  queued: z.number().int(),
  running: z.number().int(),
  failed: z.number().int(),
});

export const ZAdminJob = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(JobStatus),
  progress: z.number(),
  message: z.string(),
  error: z.string().nullable(),
  groupId: z.string().nullable(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: ZDate,
  updatedAt: ZDate,
});
export const ZListAdminJobsRequest = z.object({
  status: z.enum(JobStatus).optional(),
  type: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export const ZJobIdRequest = z.object({ jobId: z.string().min(1).max(64) });

export const ZSystemStatus = z.object({
  database: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().nullable() }),
  rServer: z.object({ state: z.string(), url: z.string() }),
  workers: z.array(
    z.object({
      id: z.string(),
      host: z.string(),
      pid: z.number().int(),
      version: z.string(),
      lastSeenAt: ZDate,
      rssBytes: z.number().nullable(),
      heapUsedBytes: z.number().nullable(),
      activeJobs: z.number().int(),
      live: z.boolean(),
    }),
  ),
  disks: z.array(
    z.object({
      label: z.string(),
      path: z.string(),
      usedFraction: z.number(),
      availableBytes: z.number(),
      totalBytes: z.number(),
    }),
  ),
  apiMemory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number() }),
  queues: z.array(ZQueueDepth),
  lastBackup: z
    .object({
      jobId: z.string(),
      finishedAt: ZDate.nullable(),
      status: z.string(),
      key: z.string().nullable(),
    })
    .nullable(),
  alerts: z.array(z.object({ key: z.string(), lastSentAt: ZDate })),
});

export const ZAuditEntry = z.object({
  id: z.string(),
  action: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.unknown(),
  ip: z.string().nullable(),
  createdAt: ZDate,
});
export const ZListAuditRequest = z.object({
  /** A prefix: "impersonation." lists starts and stops. */
  action: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(64).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
