// Annotating a batch: the next task under a soft lock, save/skip/undo/release, reading and listing
// tasks. Soft locks: taking a task writes lockedBy/lockedAt in one conditional UPDATE over a row
// picked with FOR UPDATE SKIP LOCKED, so two annotators asking at once never get the same task; a
// lock older than LOCK_STALE_MINUTES is free again. Blind batches (2+ assignees) have no locks:
// every assignee labels every task (TaskLabel), and the task is done once all of them have.
import { type Db, type DbOrTx, type DbTransaction, Prisma } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, conflict, DomainError, forbidden, notFound } from "../access/errors.ts";
import { formerCallTypeNote, lockSpeciesForLabels } from "../taxonomy/labels.ts";
import {
  type TAnnotationTask,
  type TListTasksRequest,
  type TNextTaskRequest,
  type TTaskRow,
  ZListTasksRequest,
  ZNextTaskRequest,
  ZSaveLabelRequest,
} from "./schemas.ts";

export const LOCK_STALE_MINUTES = 30;
/** Always a valid label, whatever the species' repertoire. */
export const UNKNOWN_LABEL = "Unknown";

const STALE = Prisma.raw(`now() - interval '${LOCK_STALE_MINUTES} minutes'`);

const TASK_INCLUDE = {
  recording: { select: { id: true, name: true, sampleRate: true, channels: true, duration: true } },
  annotatedBy: { select: { username: true } },
  lockedBy: { select: { username: true } },
} as const;

type TaskWithRefs = Prisma.TaskGetPayload<{ include: typeof TASK_INCLUDE }>;

interface BatchInfo {
  id: string;
  blind: boolean;
  status: string;
  project: { id: string; name: string } | null;
  assigneeIds: string[];
}

type RowSource = Pick<
  TaskWithRefs,
  | "id"
  | "position"
  | "onset"
  | "offset"
  | "status"
  | "predictedLabel"
  | "confidence"
  | "label"
  | "notes"
  | "annotatedAt"
  | "segmentId"
  | "annotatedBy"
  | "lockedBy"
> & { recording: { id: string; name: string } };

function toRow(t: RowSource, blind: boolean): TTaskRow {
  // In a blind batch the result is shown only once every assignee has labelled (or it was settled).
  const hide = blind && t.status !== "done";
  return {
    id: t.id,
    position: t.position,
    onset: t.onset,
    offset: t.offset,
    status: t.status,
    predictedLabel: t.predictedLabel,
    confidence: t.confidence,
    label: hide ? null : t.label,
    notes: blind ? "" : t.notes,
    annotatedBy: blind ? null : (t.annotatedBy?.username ?? null),
    annotatedAt: blind ? null : t.annotatedAt,
    lockedBy: t.lockedBy?.username ?? null,
    recording: { id: t.recording.id, name: t.recording.name },
    segmentId: t.segmentId,
  };
}

async function batchInfo({ db }: DbContext, access: GroupAccess, batchId: string): Promise<BatchInfo> {
  // one round trip: this runs on every keypress of the annotation screen
  const [b] = await db.$queryRaw<
    {
      id: string;
      blind: boolean;
      status: string;
      projectId: string | null;
      projectName: string | null;
      assignees: string[];
    }[]
  >`
    SELECT b.id, b.blind, b.status::text AS status, p.id AS "projectId", p.name AS "projectName",
      COALESCE((SELECT array_agg(a."userId" ORDER BY a."createdAt") FROM "TaskBatchAssignee" a WHERE a."batchId" = b.id),
               '{}') AS assignees
    FROM "TaskBatch" b LEFT JOIN "Project" p ON p.id = b."projectId"
    WHERE b.id = ${batchId} AND b."groupId" = ${access.groupId}`;
  if (!b) throw notFound("Task batch");
  return {
    id: b.id,
    blind: b.blind,
    status: b.status,
    project: b.projectId ? { id: b.projectId, name: b.projectName ?? "" } : null,
    assigneeIds: b.assignees,
  };
}

function requireReady(batch: BatchInfo) {
  if (batch.status !== "ready")
    throw new DomainError(
      "PRECONDITION_FAILED",
      batch.status === "creating" ? "The batch is still being created" : "The batch could not be created",
    );
}

function requireAssignee(batch: BatchInfo, access: GroupAccess) {
  if (batch.blind && !batch.assigneeIds.includes(access.userId))
    throw forbidden("Only the batch's assignees label a blind batch");
}

async function findTaskInGroup({ db }: DbContext, access: GroupAccess, taskId: string) {
  const task = await db.task.findFirst({
    where: { id: taskId, groupId: access.groupId },
    select: { id: true, batchId: true, position: true, speciesId: true, status: true, annotatedById: true },
  });
  if (!task) throw notFound("Task");
  return task;
}

interface DetailRow {
  id: string;
  position: number;
  onset: number;
  offset: number;
  status: TTaskRow["status"];
  predictedLabel: string | null;
  confidence: number | null;
  label: string | null;
  notes: string;
  annotatedAt: Date | string | null;
  segmentId: string | null;
  segmentationId: string | null;
  annotatedBy: string | null;
  lockedBy: string | null;
  recordingId: string;
  recordingName: string;
  sampleRate: number | null;
  channels: number | null;
  duration: number | null;
  probabilities: { callType: string; probability: number }[] | null;
  myLabel: string | null;
}

async function annotationTasks(
  { db }: DbContext,
  access: GroupAccess,
  batch: BatchInfo,
  ids: string[],
): Promise<TAnnotationTask[]> {
  if (ids.length === 0) return [];
  // one round trip for the tasks, their recording, usernames, probabilities and the caller's label
  const rows = await db.$queryRaw<DetailRow[]>`
    SELECT t.id, t.position, t.onset, t."offset", t.status::text AS status, t."predictedLabel", t.confidence,
      t.label, t.notes, t."annotatedAt", t."segmentId", sg."segmentationId", ua.username AS "annotatedBy",
      ul.username AS "lockedBy",
      r.id AS "recordingId", r.name AS "recordingName", r."sampleRate", r.channels, r.duration,
      (SELECT json_agg(json_build_object('callType', ct."shortName", 'probability', cp.probability))
         FROM "CallProbability" cp JOIN "CallType" ct ON ct.id = cp."callTypeId"
         WHERE cp."resultId" = t."classificationResultId") AS probabilities,
      (SELECT l.label FROM "TaskLabel" l WHERE l."taskId" = t.id AND l."userId" = ${access.userId}) AS "myLabel"
    FROM "Task" t
    JOIN "Recording" r ON r.id = t."recordingId"
    LEFT JOIN "Segment" sg ON sg.id = t."segmentId"
    LEFT JOIN "User" ua ON ua.id = t."annotatedById"
    LEFT JOIN "User" ul ON ul.id = t."lockedById"
    WHERE t.id = ANY(${ids}::text[]) AND t."groupId" = ${access.groupId}`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const t = byId.get(id);
    if (!t) return [];
    const probabilities = (t.probabilities ?? []).sort(
      (a, b) =>
        Number(b.callType === t.predictedLabel) - Number(a.callType === t.predictedLabel) ||
        b.probability - a.probability ||
        a.callType.localeCompare(b.callType),
    );
    const recording = {
      id: t.recordingId,
      name: t.recordingName,
      sampleRate: t.sampleRate,
      channels: t.channels,
      duration: t.duration,
    };
    const row = toRow(
      {
        ...t,
        annotatedAt: t.annotatedAt === null ? null : new Date(t.annotatedAt),
        annotatedBy: t.annotatedBy ? { username: t.annotatedBy } : null,
        lockedBy: t.lockedBy ? { username: t.lockedBy } : null,
        recording,
      },
      batch.blind,
    );
    return [
      {
        ...row,
        probabilities,
        recording,
        project: batch.project,
        myLabel: batch.blind ? t.myLabel : null,
        segmentationId: t.segmentationId,
      },
    ];
  });
}

/** Locks the first free task after (or before) `position` for the caller; null when none is left. */
async function lockNext(
  { db }: DbContext,
  batch: BatchInfo,
  userId: string,
  position: number,
  direction: "next" | "prev",
): Promise<{ id: string; position: number } | null> {
  const rows =
    direction === "next"
      ? await db.$queryRaw<{ id: string; position: number }[]>`
          WITH pick AS (
            SELECT id FROM "Task"
            WHERE "batchId" = ${batch.id} AND status IN ('pending', 'in_progress') AND position > ${position}
              AND ("lockedById" IS NULL OR "lockedById" = ${userId} OR "lockedAt" < ${STALE})
            ORDER BY position LIMIT 1
            FOR UPDATE SKIP LOCKED)
          UPDATE "Task" t SET "lockedById" = ${userId}, "lockedAt" = now(), status = 'in_progress', "updatedAt" = now()
          FROM pick WHERE t.id = pick.id
          RETURNING t.id, t.position`
      : await db.$queryRaw<{ id: string; position: number }[]>`
          WITH pick AS (
            SELECT id FROM "Task"
            WHERE "batchId" = ${batch.id} AND position < ${position}
              AND ("lockedById" IS NULL OR "lockedById" = ${userId} OR "lockedAt" < ${STALE})
            ORDER BY position DESC LIMIT 1
            FOR UPDATE SKIP LOCKED)
          UPDATE "Task" t SET "lockedById" = ${userId}, "lockedAt" = now(),
            status = CASE WHEN t.status = 'pending' THEN 'in_progress'::"TaskStatus" ELSE t.status END,
            "updatedAt" = now()
          FROM pick WHERE t.id = pick.id
          RETURNING t.id, t.position`;
  return rows[0] ?? null;
}

/** Blind batches: the caller's next task without their label (no locks: everyone labels everything). */
async function blindNext(
  { db }: DbContext,
  batch: BatchInfo,
  userId: string,
  position: number,
  direction: "next" | "prev",
  take: number,
): Promise<string[]> {
  const rows =
    direction === "next"
      ? await db.$queryRaw<{ id: string }[]>`
          SELECT t.id FROM "Task" t
          WHERE t."batchId" = ${batch.id} AND t.status IN ('pending', 'in_progress') AND t.position > ${position}
            AND NOT EXISTS (SELECT 1 FROM "TaskLabel" l WHERE l."taskId" = t.id AND l."userId" = ${userId})
          ORDER BY t.position LIMIT ${take}`
      : await db.$queryRaw<{ id: string }[]>`
          SELECT t.id FROM "Task" t WHERE t."batchId" = ${batch.id} AND t.position < ${position}
          ORDER BY t.position DESC LIMIT ${take}`;
  return rows.map((r) => r.id);
}

/** Prefetch hints: the tasks the caller would most likely get next (not locked for them). */
async function following(
  { db }: DbContext,
  batch: BatchInfo,
  userId: string,
  position: number,
  direction: "next" | "prev",
  take: number,
): Promise<string[]> {
  if (take <= 0) return [];
  const rows =
    direction === "next"
      ? await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Task"
          WHERE "batchId" = ${batch.id} AND status IN ('pending', 'in_progress') AND position > ${position}
            AND ("lockedById" IS NULL OR "lockedById" = ${userId} OR "lockedAt" < ${STALE})
          ORDER BY position LIMIT ${take}`
      : await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Task" WHERE "batchId" = ${batch.id} AND position < ${position}
          ORDER BY position DESC LIMIT ${take}`;
  return rows.map((r) => r.id);
}

async function releaseMine({ db }: DbContext, taskId: string, userId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "Task" SET "lockedById" = NULL, "lockedAt" = NULL, "updatedAt" = now(),
      status = CASE WHEN status = 'in_progress' THEN 'pending'::"TaskStatus" ELSE status END
    WHERE id = ${taskId} AND "lockedById" = ${userId}`;
}

async function nextFor(
  { db }: DbContext,
  access: GroupAccess,
  batch: BatchInfo,
  /** lockedByCaller false: the caller's lock on it is known to be gone (just saved or skipped). */
  after: { id: string; position: number; lockedByCaller?: boolean } | null,
  direction: "next" | "prev",
  take: number,
): Promise<TAnnotationTask[]> {
  const start = after?.position ?? (direction === "next" ? 0 : Number.MAX_SAFE_INTEGER);
  if (batch.blind) {
    let ids = await blindNext({ db }, batch, access.userId, start, direction, take);
    if (ids.length === 0 && after && direction === "next")
      ids = await blindNext({ db }, batch, access.userId, 0, direction, take);
    return annotationTasks({ db }, access, batch, ids);
  }
  let picked = await lockNext({ db }, batch, access.userId, start, direction);
  // past the end: wrap round to tasks skipped over or freed since
  if (!picked && after && direction === "next")
    picked = await lockNext({ db }, batch, access.userId, 0, direction);
  if (after && after.id !== picked?.id && after.lockedByCaller !== false)
    await releaseMine({ db }, after.id, access.userId);
  if (!picked) return [];
  const rest = await following({ db }, batch, access.userId, picked.position, direction, take - 1);
  return annotationTasks({ db }, access, batch, [picked.id, ...rest.filter((r) => r !== picked?.id)]);
}

export async function nextTask({ db }: DbContext, access: GroupAccess, raw: TNextTaskRequest) {
  const input = ZNextTaskRequest.parse(raw);
  const batch = await batchInfo({ db }, access, input.batchId);
  requireReady(batch);
  requireAssignee(batch, access);
  let after: { id: string; position: number } | null = null;
  if (input.afterTaskId) {
    const t = await findTaskInGroup({ db }, access, input.afterTaskId);
    if (t.batchId !== batch.id) throw badRequest("That task belongs to another batch");
    after = { id: t.id, position: t.position };
  }
  return { tasks: await nextFor({ db }, access, batch, after, input.direction, input.take) };
}

export async function getTask(
  { db }: DbContext,
  access: GroupAccess,
  taskId: string,
): Promise<TAnnotationTask> {
  const t = await findTaskInGroup({ db }, access, taskId);
  const batch = await batchInfo({ db }, access, t.batchId);
  const [task] = await annotationTasks({ db }, access, batch, [t.id]);
  if (!task) throw notFound("Task");
  return task;
}

async function taskRow({ db }: DbContext, taskId: string, blind: boolean): Promise<TTaskRow> {
  return toRow(await db.task.findUniqueOrThrow({ where: { id: taskId }, include: TASK_INCLUDE }), blind);
}

/**
 * Inside the save's transaction: the species is held against a concurrent rename/merge/split
 * (taxonomy/labels.ts) from this check until the label is written.
 */
export async function checkLabelLocked(
  tx: DbTransaction,
  speciesId: string | null,
  label: string,
): Promise<void> {
  if (!speciesId) return;
  await lockSpeciesForLabels(tx, [speciesId]);
  if (label === UNKNOWN_LABEL) return;
  const found = await tx.callType.findFirst({ where: { speciesId, shortName: label }, select: { id: true } });
  if (!found)
    throw badRequest(
      `"${label}" is not a call type of this species${await formerCallTypeNote(tx, speciesId, label)} (nor "${UNKNOWN_LABEL}")`,
    );
}

async function lockHolder({ db }: DbContext, taskId: string): Promise<string> {
  const t = await db.task.findUnique({
    where: { id: taskId },
    include: { lockedBy: { select: { username: true } } },
  });
  return t?.lockedBy?.username ?? "someone else";
}

/**
 * Blind batches: after a TaskLabel changes, the task is done when every assignee has labelled; the
 * agreed label becomes the result, a disagreement waits for adjudication (an adjudicated one stays).
 */
async function settleBlindTask(tx: DbTransaction, taskId: string, assigneeIds: string[]): Promise<void> {
  const task = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
  const labels = await tx.taskLabel.findMany({
    where: { taskId, userId: { in: assigneeIds } },
    select: { label: true },
  });
  const all = labels.length >= assigneeIds.length;
  const distinct = new Set(labels.map((l) => l.label));
  const agreed = all && distinct.size === 1 ? (labels[0]?.label ?? null) : null;
  await tx.task.update({
    where: { id: taskId },
    data: {
      status: all ? "done" : labels.length > 0 ? "in_progress" : "pending",
      ...(task.adjudicatedById ? {} : { label: agreed, annotatedAt: agreed ? new Date() : null }),
    },
  });
}

export async function saveLabel(
  { db }: DbContext,
  access: GroupAccess,
  raw: { taskId: string; label: string; notes?: string | undefined },
) {
  const input = ZSaveLabelRequest.parse(raw);
  const t = await findTaskInGroup({ db }, access, input.taskId);
  const batch = await batchInfo({ db }, access, t.batchId);
  requireReady(batch);
  requireAssignee(batch, access);
  if (batch.blind) {
    await inTransaction(db, async (tx) => {
      await checkLabelLocked(tx, t.speciesId, input.label);
      // serialises the assignees' last labels, so exactly one of them settles the task
      await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${t.id} FOR UPDATE`;
      await tx.taskLabel.upsert({
        where: { taskId_userId: { taskId: t.id, userId: access.userId } },
        create: { taskId: t.id, userId: access.userId, label: input.label, notes: input.notes ?? "" },
        update: { label: input.label, ...(input.notes !== undefined ? { notes: input.notes } : {}) },
      });
      await settleBlindTask(tx, t.id, batch.assigneeIds);
    });
  } else {
    const notes = input.notes ?? null;
    const updated = await inTransaction(db, async (tx) => {
      await checkLabelLocked(tx, t.speciesId, input.label);
      return tx.$executeRaw`
      UPDATE "Task" SET label = ${input.label}, notes = COALESCE(${notes}, notes), status = 'done',
        "annotatedById" = ${access.userId}, "annotatedAt" = now(), "lockedById" = NULL, "lockedAt" = NULL,
        "updatedAt" = now()
      WHERE id = ${t.id} AND ("lockedById" IS NULL OR "lockedById" = ${access.userId} OR "lockedAt" < ${STALE})`;
    });
    if (updated === 0) throw conflict(`This call is being annotated by ${await lockHolder({ db }, t.id)}`);
  }
  const [task] = await annotationTasks({ db }, access, batch, [t.id]);
  if (!task) throw notFound("Task");
  const [next] = await nextFor(
    { db },
    access,
    batch,
    { id: t.id, position: t.position, lockedByCaller: false },
    "next",
    1,
  );
  return { task, next: next ?? null };
}

export async function skipTask({ db }: DbContext, access: GroupAccess, taskId: string) {
  const t = await findTaskInGroup({ db }, access, taskId);
  const batch = await batchInfo({ db }, access, t.batchId);
  requireReady(batch);
  requireAssignee(batch, access);
  if (!batch.blind) {
    // a done task keeps its label: skipping it only moves on
    const updated = await db.$executeRaw`
      UPDATE "Task" SET status = CASE WHEN status = 'done' THEN status ELSE 'skipped'::"TaskStatus" END,
        "lockedById" = NULL, "lockedAt" = NULL, "updatedAt" = now()
      WHERE id = ${t.id} AND ("lockedById" IS NULL OR "lockedById" = ${access.userId} OR "lockedAt" < ${STALE})`;
    if (updated === 0) throw conflict(`This call is being annotated by ${await lockHolder({ db }, t.id)}`);
  }
  const [next] = await nextFor(
    { db },
    access,
    batch,
    { id: t.id, position: t.position, lockedByCaller: false },
    "next",
    1,
  );
  return { next: next ?? null };
}

/** Clears the caller's own label; the task is theirs (locked) to label again. */
export async function undoLabel({ db }: DbContext, access: GroupAccess, taskId: string) {
  const t = await findTaskInGroup({ db }, access, taskId);
  const batch = await batchInfo({ db }, access, t.batchId);
  requireReady(batch);
  requireAssignee(batch, access);
  if (batch.blind) {
    await inTransaction(db, async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${t.id} FOR UPDATE`;
      const { count } = await tx.taskLabel.deleteMany({ where: { taskId: t.id, userId: access.userId } });
      if (count === 0) throw badRequest("You have not labelled this call");
      await settleBlindTask(tx, t.id, batch.assigneeIds);
    });
  } else {
    const updated = await db.$executeRaw`
      UPDATE "Task" SET label = NULL, status = 'in_progress', "annotatedById" = NULL, "annotatedAt" = NULL,
        "lockedById" = ${access.userId}, "lockedAt" = now(), "updatedAt" = now()
      WHERE id = ${t.id} AND "annotatedById" = ${access.userId} AND "adjudicatedById" IS NULL`;
    if (updated === 0) throw badRequest("Only your own label can be undone");
  }
  return { task: await taskRow({ db }, t.id, batch.blind) };
}

export async function releaseLock({ db }: DbContext, access: GroupAccess, taskId: string) {
  const t = await findTaskInGroup({ db }, access, taskId);
  await releaseMine({ db }, t.id, access.userId);
  return { ok: true as const };
}

export async function listTasks({ db }: DbContext, access: GroupAccess, raw: TListTasksRequest) {
  const input = ZListTasksRequest.parse(raw);
  const batch = await batchInfo({ db }, access, input.batchId);
  const where: Prisma.TaskWhereInput = {
    batchId: batch.id,
    ...(input.status ? { status: input.status } : {}),
    ...(input.label !== undefined ? { label: input.label === "" ? null : input.label } : {}),
    ...(input.callType ? { predictedLabel: input.callType } : {}),
    ...(input.annotatorId
      ? batch.blind
        ? { labels: { some: { userId: input.annotatorId } } }
        : { annotatedById: input.annotatorId }
      : {}),
  };
  const after = input.cursor ? Number(input.cursor) : 0;
  const [total, rows] = await Promise.all([
    db.task.count({ where }),
    db.task.findMany({
      where: { ...where, position: { gt: after } },
      include: TASK_INCLUDE,
      orderBy: { position: "asc" },
      take: input.limit + 1,
    }),
  ]);
  const items = rows.slice(0, input.limit);
  return {
    items: items.map((r) => toRow(r, batch.blind)),
    nextCursor: rows.length > input.limit ? String(items[items.length - 1]?.position ?? 0) : null,
    total,
  };
}

export async function getTaskRow({ db }: DbContext, access: GroupAccess, taskId: string): Promise<TTaskRow> {
  const t = await findTaskInGroup({ db }, access, taskId);
  const batch = await batchInfo({ db }, access, t.batchId);
  return taskRow({ db }, t.id, batch.blind);
}
