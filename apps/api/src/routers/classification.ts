import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListClassifiersResponse } from "./placeholders.schemas.ts";

export const classificationRouter = createTRPCRouter({
  classifiers: groupProcedure.output(ZListClassifiersResponse).query(async ({ ctx }) => {
    const rows = await ctx.db.classifier.findMany({
      where: { isActive: true, OR: [{ groupId: null }, { groupId: ctx.access.groupId }] },
      include: { species: { select: { name: true } } },
      orderBy: { name: "asc" },
    });
    return rows.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      description: c.description,
      speciesId: c.speciesId,
      speciesName: c.species?.name ?? null,
      isGlobal: c.groupId === null,
      createdAt: c.createdAt,
    }));
  }),
});
