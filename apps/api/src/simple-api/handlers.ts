// The original /simple-api/ routes with their parameters and answer shapes, each a thin mapping
// onto the tRPC procedures (through a caller, so scoping and validation are theirs) or, for the
// uploads, the same core functions the /api/v1 upload uses.
import { readFile } from "node:fs/promises";
import {
  assertStorageAvailable,
  attachSegmentFile,
  createRecordingFromFile,
  DomainError,
  type GroupAccess,
  importSegments,
  type StreamedFile,
  type TStartSegmentationRequest,
} from "@battycoda/core";
import { partId, partName } from "@battycoda/core/processing";
import type { FastifyRequest } from "fastify";
import { uploadLimits } from "../http/upload-limits.ts";
import type { ApiCaller } from "../rest/api-key-auth.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import type { Caller } from "./caller.ts";
import { fail, queryValue } from "./protocol.ts";

export interface SimpleRequest {
  req: FastifyRequest;
  deps: ServerDeps;
  who: ApiCaller;
  caller: Caller;
  access: GroupAccess;
  params: Record<string, string>;
  /** Form fields (POST) or query values (GET). */
  fields: Record<string, string>;
  files: Map<string, StreamedFile & { filename: string }>;
}

export interface SimpleRoute {
  method: "GET" | "POST";
  /** Under /simple-api, with the original's trailing slash. */
  path: string;
  /** Multipart file fields the route reads. */
  fileFields?: readonly string[];
  handle(r: SimpleRequest): Promise<Record<string, unknown>>;
}

const iso = (d: string | null | undefined) => d ?? null;

/** "not found" from the procedures becomes the original's message and status for that field. */
async function orFail<T>(p: Promise<T>, status: number, message: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "NOT_FOUND" || code === "BAD_REQUEST") throw fail(status, message);
    throw err;
  }
}

/** Every item of a cursor-paged list (the original answered whole lists). */
async function all<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const r = await page(cursor);
    items.push(...r.items);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return items;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

async function userInfo({ caller, access }: SimpleRequest) {
  const me = await caller.auth.me();
  return {
    success: true,
    user: {
      username: me?.username,
      email: me?.email,
      group_name: access.groupName,
      is_group_admin: access.isGroupAdmin,
      api_key_active: true,
    },
  };
}

async function generateKey({ caller }: SimpleRequest) {
  const { key } = await caller.profile.generateApiKey();
  return { success: true, message: "New API key generated successfully", api_key: key };
}

async function speciesList({ caller }: SimpleRequest) {
  const species = (await caller.species.list()).map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
  }));
  return { success: true, species, count: species.length };
}

async function projectsList({ caller, deps, access }: SimpleRequest) {
  const projects = await caller.projects.list();
  // The original named each project's most common species among its recordings.
  const counts = await deps.db.recording.groupBy({
    by: ["projectId", "speciesId"],
    where: {
      groupId: access.groupId,
      projectId: { in: projects.map((p) => p.id) },
      speciesId: { not: null },
    },
    _count: { _all: true },
  });
  const top = new Map<string, { speciesId: string; n: number }>();
  for (const c of counts) {
    if (!c.projectId || !c.speciesId) continue;
    const best = top.get(c.projectId);
    if (!best || c._count._all > best.n) top.set(c.projectId, { speciesId: c.speciesId, n: c._count._all });
  }
  const speciesNames = new Map((await caller.species.list()).map((s) => [s.id, s.name]));
  const out = projects.map((p) => {
    const t = top.get(p.id);
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      species_name: t ? (speciesNames.get(t.speciesId) ?? null) : "No recordings",
      species_id: t?.speciesId ?? null,
      recording_count: p.recordingCount,
    };
  });
  return { success: true, projects: out, count: out.length };
}

async function recordingsList({ caller, deps, access, fields }: SimpleRequest) {
  const projectId = fields.project_id || undefined;
  const items = await all((cursor) =>
    caller.recordings.list({
      ...(projectId ? { projectId } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    }),
  );
  const extra = new Map(
    (
      await deps.db.recording.findMany({
        where: { groupId: access.groupId, id: { in: items.map((r) => r.id) } },
        select: { id: true, location: true, _count: { select: { segmentations: true } } },
      })
    ).map((r) => [r.id, r]),
  );
  const recordings = items.map((r) => {
    const e = extra.get(r.id);
    const segmentationCount = e?._count.segmentations ?? 0;
    return {
      id: r.id,
      name: r.name,
      duration: r.duration,
      location: e?.location ?? "",
      recorded_date: r.recordedDate ? r.recordedDate.slice(0, 10) : null,
      species_name: r.speciesName,
      species_id: r.speciesId,
      project_name: r.projectName ?? "",
      project_id: r.projectId,
      created_at: r.createdAt,
      has_segmentation: segmentationCount > 0,
      segmentation_count: segmentationCount,
    };
  });
  return { success: true, recordings, count: recordings.length };
}

async function upload({ deps, caller, access, fields, files }: SimpleRequest) {
  const name = fields.name?.trim();
  const speciesId = fields.species_id?.trim();
  const wav = files.get("wav_file");
  if (!name || !speciesId || !wav) throw fail(400, "Missing required fields: name, species_id, wav_file");
  await orFail(
    caller.species.get({ speciesId }),
    400,
    `Species with ID ${speciesId} not found or not accessible`,
  );
  const projectId = fields.project_id?.trim() || undefined;
  if (projectId)
    await orFail(
      caller.projects.get({ projectId }),
      400,
      `Project with ID ${projectId} not found or not accessible`,
    );
  const recordedDate = fields.recorded_date?.trim() || undefined;
  if (recordedDate && !DATE_RE.test(recordedDate)) throw fail(400, "Invalid date format. Use YYYY-MM-DD");
  await assertStorageAvailable(deps, access, wav.bytes, uploadLimits(deps.config));
  const { recording } = await createRecordingFromFile(
    { db: deps.db, boss: deps.boss, media: mediaOf(deps) },
    access,
    {
      tempPath: wav.path,
      originalFilename: wav.filename,
      sha256: wav.sha256,
      metadata: {
        name,
        speciesId,
        ...(projectId ? { projectId } : {}),
        ...(fields.description ? { description: fields.description } : {}),
        ...(fields.location ? { location: fields.location } : {}),
        ...(recordedDate ? { recordedDate: new Date(`${recordedDate}T00:00:00Z`) } : {}),
      },
    },
  );
  const duration = recording.duration ?? 0;
  const split = deps.config.recordingSplitSeconds;
  // Longer recordings are split by the ingest job into parts whose ids are fixed now, so the
  // answer can list them as the original did (they appear once ingest has run).
  if (split > 0 && duration > split) {
    const count = Math.ceil(duration / split - 1e-9);
    return {
      success: true,
      split: true,
      original_duration: duration,
      chunks_created: count,
      recordings: Array.from({ length: count }, (_, i) => ({
        id: partId(recording.id, i + 1),
        name: partName(recording.name, i + 1, count),
        created_at: recording.createdAt.toISOString(),
      })),
    };
  }
  const pickle = files.get("pickle_file");
  let segmentation: Record<string, unknown> | undefined;
  if (pickle && pickle.bytes > 0) {
    const r = await attachSegmentFile(
      { db: deps.db, media: mediaOf(deps), boss: deps.boss },
      access,
      recording.id,
      pickle.filename,
      await readFile(pickle.path),
    );
    segmentation =
      r.status === "failed"
        ? { error: `Pickle file processing failed: ${r.reason ?? "unreadable"}` }
        : {
            id: r.segmentationId ?? null,
            name: "API Upload Segmentation",
            segments_count: r.count ?? 0,
            status: r.status,
            created_at: new Date().toISOString(),
          };
  }
  const detail = await caller.recordings.get({ recordingId: recording.id });
  return {
    success: true,
    split: false,
    recording: {
      id: detail.id,
      name: detail.name,
      duration: detail.duration,
      species_name: detail.speciesName,
      project_name: detail.projectName,
      created_at: detail.createdAt,
    },
    ...(segmentation ? { segmentation } : {}),
  };
}

async function uploadPickle({ deps, caller, access, params, fields, files }: SimpleRequest) {
  const recordingId = params.recordingId as string;
  const rec = await orFail(
    caller.recordings.get({ recordingId }),
    404,
    `Recording with ID ${recordingId} not found`,
  );
  const pickle = files.get("pickle_file");
  if (!pickle) throw fail(400, "Missing required field: pickle_file");
  const name = fields.name?.trim() || "API Pickle Upload";
  try {
    const r = await importSegments(deps, access, {
      recordingId,
      fileName:
        pickle.filename.endsWith(".pkl") || pickle.filename.endsWith(".pickle")
          ? pickle.filename
          : `${pickle.filename}.pickle`,
      content: await readFile(pickle.path),
      mode: "new",
      name,
      makeActive: false,
      media: mediaOf(deps),
    });
    const seg = await caller.segmentation.get({ segmentationId: r.segmentationId });
    return {
      success: true,
      recording: { id: rec.id, name: rec.name },
      segmentation: { id: seg.id, name: seg.name, segments_count: r.imported, created_at: seg.createdAt },
    };
  } catch (err) {
    if (err instanceof DomainError && err.code === "BAD_REQUEST")
      throw fail(400, `Pickle file processing failed: ${err.message}`);
    throw err;
  }
}

async function algorithms({ caller }: SimpleRequest) {
  const [rows, specs] = await Promise.all([caller.segmentation.algorithms(), caller.segmentation.specs()]);
  const out = rows.map((a) => {
    const spec = specs.find((s) => s.name === a.key);
    const dflt = (p: string) =>
      ((a.defaultParams as Record<string, unknown> | null)?.[p] ??
        spec?.params.find((x) => x.name === p)?.default ??
        null) as number | null;
    return {
      id: a.id,
      name: a.name,
      description: a.description,
      algorithm_type: a.key,
      default_min_duration_ms: dflt("min_duration_ms"),
      default_smooth_window: dflt("smooth_window"),
      default_threshold_factor: dflt("threshold_factor"),
    };
  });
  return { success: true, algorithms: out, count: out.length };
}

/** The original's three parameters, where the chosen algorithm has them. */
const ORIGINAL_PARAMS = { min_duration_ms: 10, smooth_window: 3, threshold_factor: 0.5 } as const;

async function segment({ caller, params, fields }: SimpleRequest) {
  const recordingId = params.recordingId as string;
  await orFail(caller.recordings.get({ recordingId }), 404, `Recording with ID ${recordingId} not found`);
  const [rows, specs] = await Promise.all([caller.segmentation.algorithms(), caller.segmentation.specs()]);
  const algorithmId = fields.algorithm_id?.trim();
  const algorithm = algorithmId
    ? rows.find((a) => a.id === algorithmId)
    : (rows.find((a) => a.key === "threshold") ?? rows[0]);
  if (!algorithm)
    throw fail(
      400,
      algorithmId
        ? `Algorithm with ID ${algorithmId} not found or not accessible`
        : "No segmentation algorithms available",
    );
  const spec = specs.find((s) => s.name === algorithm.key);
  const values: Record<string, number> = {};
  for (const [p, dflt] of Object.entries(ORIGINAL_PARAMS)) {
    if (!spec?.params.some((x) => x.name === p)) continue;
    const raw = fields[p];
    const v = raw === undefined || raw === "" ? dflt : Number(raw);
    if (!Number.isFinite(v)) throw fail(400, `Invalid parameter: ${p} must be a number`);
    values[p] = v;
  }
  if ((values.min_duration_ms ?? 1) <= 0)
    throw fail(400, "Invalid parameter: Minimum duration must be positive");
  if ((values.smooth_window ?? 1) < 1)
    throw fail(400, "Invalid parameter: Smooth window must be at least 1 sample");
  const tf = values.threshold_factor ?? 1;
  if (tf <= 0 || tf > 10) throw fail(400, "Invalid parameter: Threshold factor must be between 0 and 10");
  const started = await caller.segmentation.start({
    recordingId,
    algorithmKey: algorithm.key as TStartSegmentationRequest["algorithmKey"],
    params: values,
    name: algorithm.name,
  });
  const seg = await caller.segmentation.get({ segmentationId: started.segmentationId });
  return {
    success: true,
    message: `Segmentation started using ${algorithm.name}`,
    segmentation: {
      id: seg.id,
      name: seg.name,
      algorithm_name: algorithm.name,
      task_id: started.jobId,
      status: seg.status,
      created_at: seg.createdAt,
    },
  };
}

async function classifiersList({ caller }: SimpleRequest) {
  const classifiers = (await caller.classifiers.list({})).map((c) => ({
    id: c.id,
    name: c.name,
    description: c.description,
    species_name: c.speciesName ?? "Multi-species",
    species_id: c.speciesId,
    response_format: "highest_only",
  }));
  return { success: true, classifiers, count: classifiers.length };
}

async function classify({ caller, params, fields }: SimpleRequest) {
  const segmentationId = params.segmentationId as string;
  const seg = await orFail(
    caller.segmentation.get({ segmentationId }),
    404,
    `Segmentation with ID ${segmentationId} not found`,
  );
  const classifierId = fields.classifier_id?.trim();
  if (!classifierId) throw fail(400, "classifier_id is required");
  const classifier = await orFail(
    caller.classifiers.get({ classifierId }),
    400,
    `Classifier with ID ${classifierId} not found or not accessible`,
  );
  const { runId } = await caller.classification.startRun({ segmentationId, classifierId });
  const run = await caller.classification.getRun({ runId });
  return {
    success: true,
    message: `Classification started using ${classifier.name}`,
    classification_run: {
      id: run.id,
      name: run.name,
      status: run.status,
      classifier_name: classifier.name,
      recording_name: seg.recording.name,
      task_id: run.jobId,
      created_at: run.createdAt,
    },
  };
}

async function classificationRuns({ caller, fields }: SimpleRequest) {
  const recordingId = fields.recording_id || undefined;
  const projectId = fields.project_id || undefined;
  const runs = await all((cursor) =>
    caller.classification.listRuns({
      ...(recordingId ? { recordingId } : {}),
      ...(projectId ? { projectId } : {}),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    }),
  );
  const out = [];
  for (const run of runs) {
    // labelCounts: results per predicted call type, from the run detail (completed runs only).
    const summary: Record<string, number> = {};
    if (run.status === "completed") {
      const detail = await caller.classification.getRun({ runId: run.id });
      for (const c of detail.labelCounts) if (c.label) summary[c.label] = c.count;
    }
    out.push({
      id: run.id,
      name: run.name,
      status: run.status,
      progress: run.progress,
      classifier_name: run.classifier?.name ?? null,
      classifier_id: run.classifier?.id ?? null,
      recording_name: run.recording.name,
      recording_id: run.recording.id,
      segmentation_id: run.segmentationId,
      segmentation_name: null as string | null,
      project_name: run.project?.name ?? null,
      project_id: run.project?.id ?? null,
      species_name: run.species?.name ?? null,
      species_id: run.species?.id ?? null,
      created_at: run.createdAt,
      created_by: null as string | null,
      error_message: run.error,
      result_summary: summary,
    });
  }
  return { success: true, classification_runs: out, count: out.length };
}

async function createTaskBatch({ caller, params, fields }: SimpleRequest) {
  const runId = params.runId as string;
  const run = await orFail(
    caller.classification.getRun({ runId }),
    404,
    `Classification run with ID ${runId} not found or not accessible`,
  );
  if (run.status !== "completed")
    throw fail(400, "Classification run must be completed before creating task batch");
  const name = fields.name?.trim();
  if (!name) throw fail(400, "Task batch name is required");
  const raw = fields.confidence_threshold?.trim();
  let confidenceThreshold: number | undefined;
  if (raw) {
    const v = Number(raw);
    if (!Number.isFinite(v))
      throw fail(400, `Invalid confidence threshold: could not convert string to float: '${raw}'`);
    if (v < 0 || v > 1)
      throw fail(400, "Invalid confidence threshold: Confidence threshold must be between 0 and 1");
    confidenceThreshold = v;
  }
  const { batchId } = await caller.tasks.createBatch({
    name,
    ...(fields.description ? { description: fields.description } : {}),
    source: { kind: "run", runId },
    ...(confidenceThreshold !== undefined ? { confidenceThreshold } : {}),
  });
  const batch = await caller.tasks.getBatch({ batchId });
  return {
    success: true,
    message: "Task batch created successfully",
    task_batch: {
      id: batch.id,
      name: batch.name,
      description: batch.description,
      species_name: batch.species?.name ?? null,
      project_name: batch.project?.name ?? null,
      total_tasks: batch.taskCount,
      created_at: batch.createdAt,
    },
  };
}

interface BatchFields {
  id: string;
  name: string;
  species: { id: string; name: string } | null;
  project: { id: string; name: string } | null;
  createdAt: string;
  createdBy: string | null;
}

function serializeBatch(b: BatchFields, description: string) {
  return {
    id: b.id,
    name: b.name,
    description,
    species_name: b.species?.name ?? null,
    species_id: b.species?.id ?? null,
    project_name: b.project?.name ?? null,
    project_id: b.project?.id ?? null,
    created_by: b.createdBy,
    created_at: b.createdAt,
  };
}

async function taskBatches({ caller, fields }: SimpleRequest) {
  const projectId = fields.project_id || undefined;
  const items = await all((cursor) =>
    caller.tasks.listBatches({
      ...(projectId ? { projectId } : {}),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    }),
  );
  const task_batches = [];
  for (const b of items) {
    const detail = await caller.tasks.getBatch({ batchId: b.id });
    task_batches.push({
      ...serializeBatch(b, detail.description),
      total_tasks: b.taskCount,
      completed_tasks: b.doneCount,
      progress_percentage: b.taskCount > 0 ? (b.doneCount / b.taskCount) * 100 : 0,
    });
  }
  return { success: true, task_batches, count: task_batches.length };
}

function intParam(value: string | undefined, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  const n = value === undefined || value === "" ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : dflt;
}

async function batchTasks({ caller, params, fields }: SimpleRequest) {
  const batchId = params.batchId as string;
  const batch = await orFail(
    caller.tasks.getBatch({ batchId }),
    404,
    `Task batch with ID ${batchId} not found or not accessible`,
  );
  const callType = fields.call_type && fields.call_type !== "all" ? fields.call_type : undefined;
  const limit = intParam(fields.limit, 50, 1, 1000);
  const offset = intParam(fields.offset, 0, 0);
  // The original paged by offset; the procedure pages by cursor: walk to the offset.
  const tasks: Awaited<ReturnType<Caller["tasks"]["listTasks"]>>["items"] = [];
  let total = 0;
  let cursor: string | undefined;
  while (tasks.length < offset + limit) {
    const page = await caller.tasks.listTasks({
      batchId,
      ...(callType ? { callType } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    total = page.total;
    tasks.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const pageItems = tasks.slice(offset, offset + limit).map((t) => ({
    id: t.id,
    onset: t.onset,
    offset: t.offset,
    label: t.label,
    classification_result: t.predictedLabel,
    confidence: t.confidence,
    is_done: t.status === "done",
    status: t.status,
    annotated_by: t.annotatedBy,
    annotated_at: iso(t.annotatedAt),
  }));
  return {
    success: true,
    task_batch: {
      ...serializeBatch(batch, batch.description),
      available_call_types: batch.callTypes.map((c) => c.shortName),
    },
    tasks: pageItems,
    pagination: {
      total,
      limit,
      offset,
      has_next: offset + limit < total,
      has_previous: offset > 0,
    },
  };
}

export const SIMPLE_ROUTES: SimpleRoute[] = [
  { method: "GET", path: "/user/", handle: userInfo },
  { method: "POST", path: "/generate-key/", handle: generateKey },
  { method: "GET", path: "/species/", handle: speciesList },
  { method: "GET", path: "/projects/", handle: projectsList },
  { method: "GET", path: "/recordings/", handle: recordingsList },
  { method: "POST", path: "/upload/", fileFields: ["wav_file", "pickle_file"], handle: upload },
  {
    method: "POST",
    path: "/recordings/:recordingId/upload-pickle/",
    fileFields: ["pickle_file"],
    handle: uploadPickle,
  },
  { method: "POST", path: "/recordings/:recordingId/segment/", handle: segment },
  { method: "GET", path: "/algorithms/", handle: algorithms },
  { method: "GET", path: "/classifiers/", handle: classifiersList },
  { method: "POST", path: "/segmentations/:segmentationId/classify/", handle: classify },
  { method: "GET", path: "/classification-runs/", handle: classificationRuns },
  { method: "POST", path: "/classification-runs/:runId/create-task-batch/", handle: createTaskBatch },
  { method: "GET", path: "/task-batches/", handle: taskBatches },
  { method: "GET", path: "/task-batches/:batchId/tasks/", handle: batchTasks },
];

export { queryValue };
