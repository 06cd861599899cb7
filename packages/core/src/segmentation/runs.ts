import type { SEGMENTATION_ALGORITHMS, SegmentParams } from "@battycoda/audio";
import type { Db, DbOrTx, Prisma } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError, notFound } from "../access/errors.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type JobPayloads, QUEUES } from "../jobs/queues.ts";
import {
  activate,
  findRecordingForSegmentation,
  findSegmentationInGroup,
  hasActive,
  lockRecording,
  RECORDING_FIELDS,
  type RecordingForSegmentation,
} from "./common.ts";
import {
  type AlgorithmKey,
  algorithmDefaults,
  algorithmSpec,
  sanitizeStoredParams,
  validateParams,
} from "./params.ts";
import type {
  TCreateManualRequest,
  TOverviewRequest,
  TStartBatchRequest,
  TStartSegmentationRequest,
} from "./segmentation.schemas.ts";

/** The Job payload; `makeActive` rides along (the queue's declared payload only needs the id). */
export interface SegmentationRunPayload {
  segmentationId: string;
  makeActive?: boolean;
}

/** What Segmentation.parameters holds for an algorithm run: the values given, plus the channel choice. */
export interface RunParameters {
  algorithm: AlgorithmKey;
  params: SegmentParams;
  /** 0-based; null = the channel where calls stand out most (callChannel), recorded as `channelUsed` when run. */
  channel: number | null;
}

export function readRunParameters(value: unknown, fallbackAlgorithm: string | null): RunParameters {
  const v = (value ?? {}) as Partial<RunParameters>;
  return {
    algorithm: (v.algorithm ?? fallbackAlgorithm ?? "spectral") as AlgorithmKey,
    params: (v.params ?? {}) as SegmentParams,
    channel: typeof v.channel === "number" ? v.channel : null,
  };
}

function requireBoss(boss: PgBoss | null): PgBoss {
  if (!boss) throw new DomainError("PRECONDITION_FAILED", "Background jobs are not available on this server");
  return boss;
}

async function algorithmRowId({ db }: DbContext, access: GroupAccess, key: string): Promise<string | null> {
  const rows = await db.segmentationAlgorithm.findMany({
    where: { key, OR: [{ groupId: access.groupId }, { groupId: null }] },
    select: { id: true, groupId: true, isActive: true },
  });
  const row = rows.find((r) => r.groupId !== null) ?? rows[0];
  if (row && !row.isActive) throw badRequest(`The segmentation algorithm "${key}" is disabled`);
  return row?.id ?? null;
}

function checkChannel(rec: RecordingForSegmentation, channel: number | null | undefined) {
  if (channel === null || channel === undefined) return;
  if (rec.channels !== null && channel >= rec.channels) {
    throw badRequest(
      `Channel ${channel} does not exist (the recording has ${rec.channels} channel(s); channels count from 0)`,
    );
  }
}

/**
 * Remembers a group's last used parameters on the recording's species:
 * `Species.lastSegmentationParams = { [groupId]: { [algorithmKey]: params } }`. Keyed by group because
 * system species are shared by every group and one group's settings are not another's business.
 * One atomic jsonb update, so two runs started at once cannot drop each other's entry.
 */
async function rememberSpeciesParams(
  { db }: DbContext,
  access: GroupAccess,
  speciesId: string | null,
  key: string,
  params: SegmentParams,
) {
  if (!speciesId) return;
  const clean = JSON.stringify(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)));
  await db.$executeRaw`
    UPDATE "Species"
    SET "lastSegmentationParams" = COALESCE("lastSegmentationParams", '{}'::jsonb)
      || jsonb_build_object(${access.groupId}::text,
           COALESCE("lastSegmentationParams" -> ${access.groupId}::text, '{}'::jsonb)
           || jsonb_build_object(${key}::text, ${clean}::jsonb))
    WHERE id = ${speciesId} AND (("groupId" IS NULL) OR "groupId" = ${access.groupId})`;
}

export interface StartSegmentationResult {
  segmentationId: string;
  jobId: string;
}

async function createRun(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  access: GroupAccess,
  rec: RecordingForSegmentation,
  input: {
    algorithmKey: AlgorithmKey;
    params: SegmentParams;
    name?: string | undefined;
    channel?: number | null | undefined;
    makeActive: boolean;
    algorithmId: string | null;
  },
): Promise<StartSegmentationResult> {
  const parameters: RunParameters = {
    algorithm: input.algorithmKey,
    params: input.params,
    channel: input.channel ?? null,
  };
  const label = algorithmSpec(input.algorithmKey).label.replace(/\s*\(.*\)$/, "");
  return inTransaction(db, async (tx) => {
    const seg = await tx.segmentation.create({
      data: {
        groupId: access.groupId,
        recordingId: rec.id,
        algorithmId: input.algorithmId,
        name: input.name ?? `${label} ${new Date().toISOString().slice(0, 16).replace("T", " ")}`,
        parameters: parameters as unknown as Prisma.InputJsonObject,
        source: "algorithm",
        status: "pending",
        createdById: access.userId,
      },
    });
    const payload: SegmentationRunPayload = { segmentationId: seg.id, makeActive: input.makeActive };
    const job = await enqueueJob(
      { db: tx, boss },
      {
        type: QUEUES.segmentationRun,
        payload: payload as JobPayloads["segmentation.run"],
        groupId: access.groupId,
        userId: access.userId,
        subjectType: "segmentation",
        subjectId: seg.id,
        message: `Segment ${rec.name}`,
      },
    );
    return { segmentationId: seg.id, jobId: job.id };
  });
}

/** Creates a pending segmentation and queues its run, atomically. */
export async function startSegmentation(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  input: TStartSegmentationRequest,
): Promise<StartSegmentationResult> {
  const b = requireBoss(boss);
  const rec = await findRecordingForSegmentation({ db }, access, input.recordingId);
  const params = validateParams(input.algorithmKey, input.params, rec.sampleRate);
  checkChannel(rec, input.channel);
  const algorithmId = await algorithmRowId({ db }, access, input.algorithmKey);
  const result = await createRun({ db, boss: b }, access, rec, {
    algorithmKey: input.algorithmKey,
    params,
    name: input.name,
    channel: input.channel,
    makeActive: input.makeActive,
    algorithmId,
  });
  await rememberSpeciesParams({ db }, access, rec.speciesId, input.algorithmKey, params);
  return result;
}

export interface SegmentationDefaults {
  algorithmKey: AlgorithmKey;
  /** Algorithm defaults overlaid with the species' last used values. */
  params: Record<string, number | null>;
  /** Names whose value came from the species' last run. */
  fromSpecies: string[];
  speciesId: string | null;
  /** The algorithm's parameter descriptions (label, unit, range, help) for the form. */
  spec: (typeof SEGMENTATION_ALGORITHMS)[number];
}

export async function segmentationDefaults(
  { db }: DbContext,
  access: GroupAccess,
  input: { recordingId: string; algorithmKey: AlgorithmKey },
): Promise<SegmentationDefaults> {
  const rec = await findRecordingForSegmentation({ db }, access, input.recordingId);
  const params = algorithmDefaults(input.algorithmKey);
  let fromSpecies: string[] = [];
  if (rec.speciesId) {
    const species = await db.species.findUnique({
      where: { id: rec.speciesId },
      select: { lastSegmentationParams: true },
    });
    const byGroup = species?.lastSegmentationParams as
      | Record<string, Record<string, unknown>>
      | null
      | undefined;
    const stored = sanitizeStoredParams(input.algorithmKey, byGroup?.[access.groupId]?.[input.algorithmKey]);
    Object.assign(params, stored);
    fromSpecies = Object.keys(stored);
  }
  return {
    algorithmKey: input.algorithmKey,
    params,
    fromSpecies,
    speciesId: rec.speciesId,
    spec: algorithmSpec(input.algorithmKey),
  };
}

/**
 * Excludes the uploaded original of a split recording (partCount set, partIndex null): it has no
 * spectrogram of its own and its parts are segmented instead, so batches and the overview skip it.
 */
const NOT_SPLIT_ORIGINAL: Prisma.RecordingWhereInput = {
  NOT: { AND: [{ partCount: { not: null } }, { partIndex: null }] },
};

const IN_PROGRESS = ["pending", "running"] as const;
const SEGMENTED = ["completed", "pending", "running"] as const;

export interface StartBatchResult {
  queued: { recordingId: string; segmentationId: string; jobId: string }[];
  skipped: { recordingId: string; reason: string }[];
}

/**
 * One job per recording. Each recording is queued in its own short transaction with the recording
 * row locked and "unsegmented" re-checked under the lock, so two batches started at once never
 * queue the same recording twice.
 */
export async function startBatchSegmentation(
  { db, boss }: Pick<CoreContext, "db" | "boss">,
  access: GroupAccess,
  input: TStartBatchRequest,
): Promise<StartBatchResult> {
  const b = requireBoss(boss);
  const params = validateParams(input.algorithmKey, input.params);
  const algorithmId = await algorithmRowId({ db }, access, input.algorithmKey);
  let recs: RecordingForSegmentation[];
  const select = RECORDING_FIELDS;
  const skipped: StartBatchResult["skipped"] = [];
  if (input.projectId) {
    const project = await db.project.findFirst({ where: { id: input.projectId, groupId: access.groupId } });
    if (!project) throw notFound("Project");
    recs = await db.recording.findMany({
      where: { groupId: access.groupId, projectId: project.id, ...NOT_SPLIT_ORIGINAL },
      select,
      orderBy: { name: "asc" },
      take: 10_000,
    });
  } else {
    const ids = [...new Set(input.recordingIds ?? [])];
    const rows = await db.recording.findMany({
      where: { groupId: access.groupId, id: { in: ids } },
      select: { ...select, partCount: true, partIndex: true },
    });
    const found = new Set(rows.map((r) => r.id));
    // Foreign ids look exactly like missing ones.
    for (const id of ids) if (!found.has(id)) skipped.push({ recordingId: id, reason: "not found" });
    recs = [];
    for (const { partCount, partIndex, ...r } of rows) {
      if (partCount !== null && partIndex === null)
        skipped.push({ recordingId: r.id, reason: `split into ${partCount} parts: segment its parts` });
      else recs.push(r);
    }
  }

  const queued: StartBatchResult["queued"] = [];
  const species = new Set<string>();
  for (const rec of recs) {
    if (
      input.channel !== null &&
      input.channel !== undefined &&
      rec.channels !== null &&
      input.channel >= rec.channels
    ) {
      skipped.push({ recordingId: rec.id, reason: `has no channel ${input.channel}` });
      continue;
    }
    if (typeof params.low_hz === "number" && rec.sampleRate && params.low_hz >= rec.sampleRate / 2) {
      skipped.push({ recordingId: rec.id, reason: "band starts above its Nyquist frequency" });
      continue;
    }
    const r = await inTransaction(
      db,
      async (tx) => {
        await lockRecording(tx, rec.id);
        if (input.onlyUnsegmented) {
          const existing = await tx.segmentation.count({
            where: { recordingId: rec.id, status: { in: [...SEGMENTED] } },
          });
          if (existing > 0) return null;
        }
        return createRun({ db: tx, boss: b }, access, rec, {
          algorithmKey: input.algorithmKey,
          params,
          name: input.name,
          channel: input.channel,
          makeActive: input.makeActive,
          algorithmId,
        });
      },
      { timeout: 15_000, maxWait: 10_000 },
    );
    if (r) {
      queued.push({ recordingId: rec.id, ...r });
      if (rec.speciesId) species.add(rec.speciesId);
    } else skipped.push({ recordingId: rec.id, reason: "already segmented" });
  }
  for (const s of species) await rememberSpeciesParams({ db }, access, s, input.algorithmKey, params);
  return { queued, skipped };
}

export interface SegmentationSummary {
  id: string;
  recordingId: string;
  name: string;
  algorithmKey: string | null;
  source: string;
  parameters: unknown;
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  progress: number;
  error: string | null;
  isActive: boolean;
  manuallyEdited: boolean;
  version: number;
  segmentCount: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const SUMMARY_INCLUDE = {
  _count: { select: { segments: true } },
  algorithm: { select: { key: true } },
  createdBy: { select: { username: true } },
} satisfies Prisma.SegmentationInclude;

type SummaryRow = Prisma.SegmentationGetPayload<{ include: typeof SUMMARY_INCLUDE }>;

function toSummary(s: SummaryRow): SegmentationSummary {
  return {
    id: s.id,
    recordingId: s.recordingId,
    name: s.name,
    algorithmKey: s.algorithm?.key ?? (s.parameters as { algorithm?: string } | null)?.algorithm ?? null,
    source: s.source,
    parameters: s.parameters,
    status: s.status,
    progress: s.progress,
    error: s.error,
    isActive: s.isActive,
    manuallyEdited: s.manuallyEdited,
    version: s.version,
    segmentCount: s._count.segments,
    createdBy: s.createdBy?.username ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** A recording's segmentations, active first, then newest. */
export async function listSegmentations({ db }: DbContext, access: GroupAccess, recordingId: string) {
  const rec = await findRecordingForSegmentation({ db }, access, recordingId);
  const rows = await db.segmentation.findMany({
    where: { recordingId: rec.id, groupId: access.groupId },
    include: SUMMARY_INCLUDE,
    orderBy: [{ isActive: "desc" }, { createdAt: "desc" }],
  });
  return {
    recording: { id: rec.id, name: rec.name, duration: rec.duration, sampleRate: rec.sampleRate },
    items: rows.map(toSummary),
  };
}

export async function getSegmentation({ db }: DbContext, access: GroupAccess, segmentationId: string) {
  const seg = await findSegmentationInGroup({ db }, access, segmentationId);
  const row = await db.segmentation.findUniqueOrThrow({ where: { id: seg.id }, include: SUMMARY_INCLUDE });
  return {
    ...toSummary(row),
    recording: {
      id: seg.recording.id,
      name: seg.recording.name,
      duration: seg.recording.duration,
      sampleRate: seg.recording.sampleRate,
      channels: seg.recording.channels,
    },
  };
}

/**
 * Creates an empty segmentation for drawing by hand: completed (so it is editable at once), source
 * "manual", version 0, no segments. It becomes the active one when asked to, or when the recording
 * has no active segmentation yet.
 */
export async function createManualSegmentation(
  { db }: DbContext,
  access: GroupAccess,
  input: TCreateManualRequest,
) {
  const rec = await findRecordingForSegmentation({ db }, access, input.recordingId);
  const id = await inTransaction(db, async (tx) => {
    await lockRecording(tx, rec.id);
    const created = await tx.segmentation.create({
      data: {
        groupId: access.groupId,
        recordingId: rec.id,
        name: input.name ?? `Manual ${new Date().toISOString().slice(0, 16).replace("T", " ")}`,
        parameters: {},
        source: "manual",
        status: "completed",
        progress: 1,
        version: 0,
        createdById: access.userId,
      },
    });
    const makeActive = input.makeActive ?? !(await hasActive(tx, rec.id, created.id));
    if (makeActive) await activate(tx, rec.id, created.id);
    return created.id;
  });
  return getSegmentation({ db }, access, id);
}

export async function setActiveSegmentation({ db }: DbContext, access: GroupAccess, segmentationId: string) {
  const seg = await findSegmentationInGroup({ db }, access, segmentationId);
  if (seg.status !== "completed") {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Only a completed segmentation can be active (this one is ${seg.status})`,
    );
  }
  await inTransaction(db, async (tx) => {
    await lockRecording(tx, seg.recordingId);
    await activate(tx, seg.recordingId, seg.id);
  });
  return getSegmentation({ db }, access, seg.id);
}

export async function renameSegmentation(
  { db }: DbContext,
  access: GroupAccess,
  segmentationId: string,
  name: string,
) {
  const seg = await findSegmentationInGroup({ db }, access, segmentationId);
  await db.segmentation.update({ where: { id: seg.id }, data: { name } });
  return getSegmentation({ db }, access, seg.id);
}

/**
 * Deletes a segmentation with its segments. A queued run finds nothing and ends quietly. If it was
 * the active one, the newest other completed segmentation takes over (downstream steps need one).
 */
export async function deleteSegmentation({ db }: DbContext, access: GroupAccess, segmentationId: string) {
  const seg = await findSegmentationInGroup({ db }, access, segmentationId);
  return inTransaction(db, async (tx) => {
    await lockRecording(tx, seg.recordingId);
    const segments = await tx.segment.count({ where: { segmentationId: seg.id } });
    await tx.segmentation.delete({ where: { id: seg.id } });
    let newActiveId: string | null = null;
    if (seg.isActive) {
      const next = await tx.segmentation.findFirst({
        where: { recordingId: seg.recordingId, status: "completed" },
        orderBy: { createdAt: "desc" },
      });
      if (next) {
        await activate(tx, seg.recordingId, next.id);
        newActiveId = next.id;
      }
    }
    return { deleted: seg.id, segments, newActiveId };
  });
}

export interface OverviewItem {
  recordingId: string;
  name: string;
  projectId: string | null;
  projectName: string | null;
  speciesName: string | null;
  duration: number | null;
  processingStatus: string;
  segmentationCount: number;
  active: { id: string; name: string; segmentCount: number; manuallyEdited: boolean } | null;
  /** The most recent segmentation (running, failed, …) for progress and errors. */
  latest: {
    id: string;
    name: string;
    status: SegmentationSummary["status"];
    progress: number;
    error: string | null;
  } | null;
  status: "unsegmented" | "pending" | "running" | "completed" | "failed";
}

/** The Segmentation page: recordings with their segmentation state, paginated. */
export async function segmentationOverview({ db }: DbContext, access: GroupAccess, input: TOverviewRequest) {
  const where: Prisma.RecordingWhereInput = { groupId: access.groupId, ...NOT_SPLIT_ORIGINAL };
  if (input.projectId) where.projectId = input.projectId;
  if (input.speciesId) where.speciesId = input.speciesId;
  if (input.search) where.name = { contains: input.search, mode: "insensitive" };
  switch (input.status) {
    case "unsegmented":
      where.segmentations = { none: { status: { in: [...SEGMENTED] } } };
      break;
    case "active":
      where.segmentations = { some: { status: { in: [...IN_PROGRESS] } } };
      break;
    case "completed":
      where.segmentations = { some: { status: "completed" } };
      break;
    case "failed":
      where.AND = [
        { segmentations: { some: { status: "failed" } } },
        { segmentations: { none: { status: { in: [...SEGMENTED] } } } },
      ];
      break;
  }
  const [total, recs] = await Promise.all([
    db.recording.count({ where }),
    db.recording.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true,
        name: true,
        projectId: true,
        duration: true,
        processingStatus: true,
        project: { select: { name: true } },
        species: { select: { name: true } },
      },
    }),
  ]);
  const segs = await db.segmentation.findMany({
    where: { groupId: access.groupId, recordingId: { in: recs.map((r) => r.id) } },
    select: {
      id: true,
      recordingId: true,
      name: true,
      status: true,
      progress: true,
      error: true,
      isActive: true,
      manuallyEdited: true,
      createdAt: true,
      _count: { select: { segments: true } },
    },
    orderBy: { createdAt: "desc" },
  });
  const byRec = new Map<string, typeof segs>();
  for (const s of segs) {
    const list = byRec.get(s.recordingId) ?? [];
    list.push(s);
    byRec.set(s.recordingId, list);
  }
  const items: OverviewItem[] = recs.map((r) => {
    const list = byRec.get(r.id) ?? [];
    const active = list.find((s) => s.isActive) ?? null;
    const latest = list[0] ?? null;
    const status: OverviewItem["status"] = list.some((s) => s.status === "running")
      ? "running"
      : list.some((s) => s.status === "pending")
        ? "pending"
        : list.some((s) => s.status === "completed")
          ? "completed"
          : list.some((s) => s.status === "failed")
            ? "failed"
            : "unsegmented";
    return {
      recordingId: r.id,
      name: r.name,
      projectId: r.projectId,
      projectName: r.project?.name ?? null,
      speciesName: r.species?.name ?? null,
      duration: r.duration,
      processingStatus: r.processingStatus,
      segmentationCount: list.length,
      active: active
        ? {
            id: active.id,
            name: active.name,
            segmentCount: active._count.segments,
            manuallyEdited: active.manuallyEdited,
          }
        : null,
      latest: latest
        ? {
            id: latest.id,
            name: latest.name,
            status: latest.status,
            progress: latest.progress,
            error: latest.error,
          }
        : null,
      status,
    };
  });
  return { items, total, page: input.page, pageSize: input.pageSize };
}
