// Which segmentations a clustering run covers: one segmentation, or the active completed
// segmentation of every recording of a project and/or species. Resolved once when the run is
// created and stored on it, so a retry clusters exactly the same calls.

import { findProjectInGroup, findSpeciesForRead, type GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { badRequest, notFound } from "../access/errors.ts";
import type { TClusteringScope } from "./schemas.ts";

export interface ResolvedScope {
  request: TClusteringScope;
  segmentationIds: string[];
  recordings: number;
  projectId: string | null;
  /** The species every covered recording belongs to (null when mixed or unset): mapping targets its call types. */
  speciesId: string | null;
}

export async function resolveScope(
  { db }: DbContext,
  access: GroupAccess,
  scope: TClusteringScope,
): Promise<ResolvedScope> {
  if (scope.kind === "segmentation") {
    const seg = await db.segmentation.findFirst({
      where: { id: scope.segmentationId, groupId: access.groupId },
      include: { recording: { select: { projectId: true, speciesId: true } } },
    });
    if (!seg) throw notFound("Segmentation");
    return {
      request: scope,
      segmentationIds: [seg.id],
      recordings: 1,
      projectId: seg.recording.projectId,
      speciesId: seg.recording.speciesId,
    };
  }
  if (!scope.projectId && !scope.speciesId) throw badRequest("Choose a project, a species or both");
  if (scope.projectId) await findProjectInGroup({ db }, access, scope.projectId);
  if (scope.speciesId) await findSpeciesForRead({ db }, access, scope.speciesId);
  const segs = await db.segmentation.findMany({
    where: {
      groupId: access.groupId,
      isActive: true,
      status: "completed",
      recording: {
        ...(scope.projectId ? { projectId: scope.projectId } : {}),
        ...(scope.speciesId ? { speciesId: scope.speciesId } : {}),
      },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, recordingId: true, recording: { select: { speciesId: true } } },
  });
  const species = new Set(segs.map((s) => s.recording.speciesId));
  return {
    request: scope,
    segmentationIds: segs.map((s) => s.id),
    recordings: new Set(segs.map((s) => s.recordingId)).size,
    projectId: scope.projectId ?? null,
    speciesId: scope.speciesId ?? (species.size === 1 ? ([...species][0] ?? null) : null),
  };
}

export async function previewScope({ db }: DbContext, access: GroupAccess, scope: TClusteringScope) {
  const r = await resolveScope({ db }, access, scope);
  const segments = r.segmentationIds.length
    ? await db.segment.count({ where: { segmentationId: { in: r.segmentationIds } } })
    : 0;
  return { recordings: r.recordings, segmentations: r.segmentationIds.length, segments };
}
