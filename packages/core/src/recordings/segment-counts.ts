// Segment counts of recordings for the list: counted from the active segmentation, and a page of
// the list ordered by that count. Prisma can order by a relation's row count but not by the rows
// of a filtered grandchild relation, so the ordered page is one SQL query.
import { Prisma } from "@battycoda/db";
import type { z } from "zod";
import type { DbContext } from "../access/context.ts";
import type { ZListRecordingsRequest } from "./recordings.schemas.ts";

type ListInput = z.output<typeof ZListRecordingsRequest>;

export async function activeSegmentCounts(
  { db }: DbContext,
  recordingIds: string[],
): Promise<Map<string, number>> {
  if (recordingIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ recordingId: string; n: number }[]>`
    SELECT g."recordingId", count(s.id)::int AS n
    FROM "Segmentation" g JOIN "Segment" s ON s."segmentationId" = g.id
    WHERE g."isActive" AND g."recordingId" IN (${Prisma.join(recordingIds)})
    GROUP BY g."recordingId"`;
  return new Map(rows.map((r) => [r.recordingId, r.n]));
}

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Ids of one page of the group's recordings (the list's filters) by active segment count, then id. */
export async function pageBySegmentCount(
  { db }: DbContext,
  groupId: string,
  input: Pick<ListInput, "projectId" | "speciesId" | "status" | "search" | "order" | "limit">,
  offset: number,
): Promise<string[]> {
  const filters: Prisma.Sql[] = [Prisma.sql`r."groupId" = ${groupId}`];
  if (input.projectId) filters.push(Prisma.sql`r."projectId" = ${input.projectId}`);
  if (input.speciesId) filters.push(Prisma.sql`r."speciesId" = ${input.speciesId}`);
  if (input.status) filters.push(Prisma.sql`r."processingStatus"::text = ${input.status}`);
  if (input.search) filters.push(Prisma.sql`r.name ILIKE ${`%${likeEscaped(input.search)}%`}`);
  const dir = input.order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT r.id
    FROM "Recording" r
    LEFT JOIN (
      SELECT g."recordingId", count(s.id) AS n
      FROM "Segmentation" g JOIN "Segment" s ON s."segmentationId" = g.id
      WHERE g."isActive" AND g."groupId" = ${groupId}
      GROUP BY g."recordingId"
    ) c ON c."recordingId" = r.id
    WHERE ${Prisma.join(filters, " AND ")}
    ORDER BY coalesce(c.n, 0) ${dir}, r.id ${dir}
    OFFSET ${offset} LIMIT ${input.limit}`;
  return rows.map((r) => r.id);
}
