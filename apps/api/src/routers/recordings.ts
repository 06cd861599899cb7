import { findProjectInGroup, findSpeciesForRead } from "@battycoda/core";
import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListRecordingsRequest, ZListRecordingsResponse } from "./placeholders.schemas.ts";

export const recordingsRouter = createTRPCRouter({
  list: groupProcedure
    .input(ZListRecordingsRequest)
    .output(ZListRecordingsResponse)
    .query(async ({ ctx, input }) => {
      if (input.projectId) await findProjectInGroup(ctx.db, ctx.access, input.projectId);
      if (input.speciesId) await findSpeciesForRead(ctx.db, ctx.access, input.speciesId);
      const rows = await ctx.db.recording.findMany({
        where: {
          groupId: ctx.access.groupId,
          ...(input.projectId ? { projectId: input.projectId } : {}),
          ...(input.speciesId ? { speciesId: input.speciesId } : {}),
        },
        include: { project: { select: { name: true } }, species: { select: { name: true } } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      });
      const page = rows.slice(0, input.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          name: r.name,
          projectId: r.projectId,
          projectName: r.project?.name ?? null,
          speciesId: r.speciesId,
          speciesName: r.species?.name ?? null,
          duration: r.duration,
          sampleRate: r.sampleRate,
          processingStatus: r.processingStatus,
          createdAt: r.createdAt,
        })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
      };
    }),
});
