import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListSegmentationAlgorithmsResponse } from "./placeholders.schemas.ts";

export const segmentationRouter = createTRPCRouter({
  algorithms: groupProcedure.output(ZListSegmentationAlgorithmsResponse).query(async ({ ctx }) => {
    const rows = await ctx.db.segmentationAlgorithm.findMany({
      where: { isActive: true, OR: [{ groupId: null }, { groupId: ctx.access.groupId }] },
      orderBy: { name: "asc" },
    });
    return rows.map((a) => ({
      id: a.id,
      key: a.key,
      name: a.name,
      description: a.description,
      defaultParams: a.defaultParams,
      isSystem: a.groupId === null,
    }));
  }),
});
