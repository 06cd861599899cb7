// A → A1, A2, …: the first part keeps A's row (its id, so its probabilities and cluster mappings),
// renamed when its name differs; every other part is a new call type that takes the calls chosen
// for it — segments, tasks, or the members of a cluster — with their labels, predictions,
// annotators' labels and A's probability in their results. What nobody chose stays with the first.

import type { z } from "zod";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { DbTransaction } from "../access/db.ts";
import { badRequest, notFound } from "../access/errors.ts";
import {
  assertNameFree,
  CHANGE_TRANSACTION,
  callTypeOf,
  currentClassifierCount,
  lockSpeciesForChange,
  recordChange,
} from "./change.ts";
import { addCounts, type Only, relabelAll, ZERO_RELABEL } from "./relabel.ts";
import {
  type TaxonomyDetails,
  type TSplitCallTypeRequest,
  type TTaxonomyChangeResult,
  ZSplitCallTypeRequest,
  type ZSplitSelection,
} from "./schemas.ts";

type Selection = z.infer<typeof ZSplitSelection>;

/**
 * The calls a part takes, closed under "a task and its segment go together". Ids must be the
 * caller's group's and the species' own: anything else is NOT_FOUND, like a missing id.
 */
async function resolveSelection(
  tx: DbTransaction,
  access: GroupAccess,
  speciesId: string,
  sel: Selection,
): Promise<Only & { clusterId: string | null }> {
  const segments = new Set<string>();
  const tasks = new Set<string>();
  const inSpecies = { segmentation: { groupId: access.groupId, recording: { speciesId } } };
  if (sel.segmentIds.length > 0) {
    const wanted = [...new Set(sel.segmentIds)];
    const found = await tx.segment.findMany({
      where: { id: { in: wanted }, ...inSpecies },
      select: { id: true },
    });
    if (found.length !== wanted.length) throw notFound("Segment");
    for (const s of found) segments.add(s.id);
  }
  if (sel.taskIds.length > 0) {
    const wanted = [...new Set(sel.taskIds)];
    const found = await tx.task.findMany({
      where: { id: { in: wanted }, groupId: access.groupId, speciesId },
      select: { id: true, segmentId: true },
    });
    if (found.length !== wanted.length) throw notFound("Task");
    for (const t of found) {
      tasks.add(t.id);
      if (t.segmentId) segments.add(t.segmentId);
    }
  }
  let clusterId: string | null = null;
  if (sel.clusterId) {
    const cluster = await tx.cluster.findFirst({
      where: { id: sel.clusterId, run: { groupId: access.groupId } },
      select: { id: true },
    });
    if (!cluster) throw notFound("Cluster");
    clusterId = cluster.id;
    // a run may span species: only this species' calls are split
    const members = await tx.segmentCluster.findMany({
      where: { clusterId, segment: inSpecies },
      select: { segmentId: true },
    });
    for (const m of members) segments.add(m.segmentId);
  }
  if (segments.size > 0) {
    const ofSegments = await tx.task.findMany({
      where: { segmentId: { in: [...segments] }, speciesId },
      select: { id: true },
    });
    for (const t of ofSegments) tasks.add(t.id);
  }
  return { segmentIds: [...segments], taskIds: [...tasks], clusterId };
}

const isEmpty = (sel: Selection | undefined) =>
  !sel || (sel.segmentIds.length === 0 && sel.taskIds.length === 0 && !sel.clusterId);

export async function splitCallType(
  { db }: DbContext,
  access: GroupAccess,
  raw: TSplitCallTypeRequest,
): Promise<TTaxonomyChangeResult> {
  const input = ZSplitCallTypeRequest.parse(raw);
  return inTransaction(
    db,
    async (tx) => {
      const { species, callTypes } = await lockSpeciesForChange(tx, access, input.speciesId);
      const type = callTypeOf(callTypes, input.callTypeId);
      const [first, ...others] = input.parts as [(typeof input.parts)[number], ...typeof input.parts];
      if (!isEmpty(first.selection))
        throw badRequest(
          `The first part ("${first.shortName}") takes every call not chosen for another part; choose calls for the others`,
        );
      const seen = new Set<string>();
      for (const p of input.parts) {
        const key = p.shortName.toLowerCase();
        if (seen.has(key)) throw badRequest(`The split names "${p.shortName}" twice`);
        seen.add(key);
        assertNameFree(callTypes, p.shortName, [type.id]);
      }
      for (const p of others)
        if (p.shortName.toLowerCase() === type.shortName.toLowerCase())
          throw badRequest(`Only the first part can keep the name "${type.shortName}"`);

      const resolved = [];
      const owner = new Map<string, string>();
      for (const p of others) {
        const r = await resolveSelection(
          tx,
          access,
          species.id,
          p.selection ?? { segmentIds: [], taskIds: [] },
        );
        for (const id of [...r.segmentIds, ...r.taskIds]) {
          const prev = owner.get(id);
          if (prev) throw badRequest(`A call is chosen for both "${prev}" and "${p.shortName}"`);
          owner.set(id, p.shortName);
        }
        resolved.push({ part: p, only: r });
      }
      const classifiersOutdated = await currentClassifierCount(tx, species.id);

      let moved = ZERO_RELABEL;
      let probabilities = 0;
      let clusterMappings = 0;
      const created: { id: string; shortName: string }[] = [];
      const selections: NonNullable<TaxonomyDetails["selections"]> = [];
      for (const { part, only } of resolved) {
        const row = await tx.callType.create({
          data: { speciesId: species.id, shortName: part.shortName, longName: part.longName ?? "" },
        });
        created.push(row);
        moved = addCounts(moved, await relabelAll(tx, species.id, type.shortName, part.shortName, only));
        probabilities += await tx.$executeRaw`
        UPDATE "CallProbability" p SET "callTypeId" = ${row.id}
        FROM "ClassificationResult" cr
        WHERE p."resultId" = cr.id AND p."callTypeId" = ${type.id}
          AND cr."segmentId" = ANY(${only.segmentIds}::text[])`;
        if (only.clusterId)
          clusterMappings += await tx.clusterCallMapping
            .updateMany({
              where: { clusterId: only.clusterId, callTypeId: type.id },
              data: { callTypeId: row.id },
            })
            .then((r) => r.count);
        selections.push({
          shortName: part.shortName,
          segments: only.segmentIds.length,
          tasks: only.taskIds.length,
          clusterId: only.clusterId,
        });
      }
      if (first.shortName !== type.shortName || first.longName !== undefined) {
        await tx.callType.update({
          where: { id: type.id },
          data: {
            shortName: first.shortName,
            ...(first.longName !== undefined ? { longName: first.longName } : {}),
          },
        });
      }
      if (first.shortName !== type.shortName)
        moved = addCounts(moved, await relabelAll(tx, species.id, type.shortName, first.shortName));

      const names = [first.shortName, ...created.map((c) => c.shortName)];
      return recordChange(tx, {
        speciesId: species.id,
        currentVersion: species.taxonomyVersion,
        kind: "split",
        mapping: { [type.shortName]: names },
        callTypeIds: { [type.id]: [type.id, ...created.map((c) => c.id)] },
        counts: { ...moved, probabilities, clusterMappings, classifiersOutdated },
        selections,
        userId: access.userId,
      });
    },
    CHANGE_TRANSACTION,
  );
}
