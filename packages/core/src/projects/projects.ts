import type { GroupAccess } from "../access/access.ts";
import { findProjectInGroup } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { conflict, isUniqueViolation } from "../access/errors.ts";
import type {
  TCreateProjectRequest,
  TProjectDeletionSummary,
  TUpdateProjectRequest,
} from "./projects.schemas.ts";

export interface ProjectView {
  id: string;
  name: string;
  description: string;
  createdBy: string | null;
  recordingCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const include = {
  createdBy: { select: { username: true } },
  _count: { select: { recordings: true } },
} as const;

type ProjectRow = {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: { username: string } | null;
  _count: { recordings: number };
};

function toView(p: ProjectRow): ProjectView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    createdBy: p.createdBy?.username ?? null,
    recordingCount: p._count.recordings,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

const duplicateName = (name: string) => conflict(`A project named "${name}" already exists in this group`);

export async function listProjects({ db }: DbContext, access: GroupAccess): Promise<ProjectView[]> {
  const rows = await db.project.findMany({
    where: { groupId: access.groupId },
    include,
    orderBy: { name: "asc" },
  });
  return rows.map(toView);
}

export async function getProject(
  { db }: DbContext,
  access: GroupAccess,
  projectId: string,
): Promise<ProjectView> {
  await findProjectInGroup({ db }, access, projectId);
  return toView(await db.project.findUniqueOrThrow({ where: { id: projectId }, include }));
}

export async function createProject({ db }: DbContext, access: GroupAccess, input: TCreateProjectRequest) {
  try {
    const row = await db.project.create({
      data: {
        groupId: access.groupId,
        name: input.name,
        description: input.description ?? "",
        createdById: access.userId,
      },
      include,
    });
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name);
    throw err;
  }
}

export async function updateProject({ db }: DbContext, access: GroupAccess, input: TUpdateProjectRequest) {
  await findProjectInGroup({ db }, access, input.projectId);
  try {
    const row = await db.project.update({
      where: { id: input.projectId },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      },
      include,
    });
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name ?? "");
    throw err;
  }
}

async function deletionSummary(
  { db }: DbContext,
  projectId: string,
  name: string,
): Promise<TProjectDeletionSummary> {
  const inProject = { recording: { projectId } };
  const [recordings, segmentations, segments, classificationRuns, taskBatches, tasks, clusteringRuns] =
    await Promise.all([
      db.recording.count({ where: { projectId } }),
      db.segmentation.count({ where: inProject }),
      db.segment.count({ where: { segmentation: inProject } }),
      db.classificationRun.count({ where: inProject }),
      db.taskBatch.count({ where: { projectId } }),
      db.task.count({ where: { OR: [inProject, { batch: { projectId } }] } }),
      db.clusteringRun.count({ where: { projectId } }),
    ]);
  return {
    projectId,
    name,
    recordings,
    segmentations,
    segments,
    classificationRuns,
    taskBatches,
    tasks,
    clusteringRuns,
  };
}

export async function previewDeleteProject({ db }: DbContext, access: GroupAccess, projectId: string) {
  const project = await findProjectInGroup({ db }, access, projectId);
  return deletionSummary({ db }, project.id, project.name);
}

/**
 * Deletes the project with its recordings (and through them segmentations, segments,
 * classification runs and tasks), its task batches and clustering runs. Their foreign keys
 * are SET NULL in the schema, so they are removed explicitly here. Media files are left for
 * the recordings module's cleanup.
 */
export async function deleteProject({ db }: DbContext, access: GroupAccess, projectId: string) {
  return inTransaction(db, async (tx) => {
    const project = await findProjectInGroup({ db: tx }, access, projectId);
    const summary = await deletionSummary({ db: tx }, project.id, project.name);
    await tx.recording.deleteMany({ where: { projectId, groupId: access.groupId } });
    await tx.taskBatch.deleteMany({ where: { projectId, groupId: access.groupId } });
    await tx.clusteringRun.deleteMany({ where: { projectId, groupId: access.groupId } });
    await tx.project.delete({ where: { id: project.id } });
    return summary;
  });
}
