import { createTRPCRouter, groupProcedure } from "../trpc.ts";
import { ZListTaskBatchesResponse } from "./placeholders.schemas.ts";

export const tasksRouter = createTRPCRouter({
  batches: groupProcedure.output(ZListTaskBatchesResponse).query(async ({ ctx }) => {
    const [batches, done] = await Promise.all([
      ctx.db.taskBatch.findMany({
        where: { groupId: ctx.access.groupId },
        include: {
          project: { select: { name: true } },
          species: { select: { name: true } },
          _count: { select: { tasks: true } },
        },
        orderBy: { createdAt: "desc" },
      }),
      ctx.db.task.groupBy({
        by: ["batchId"],
        where: { groupId: ctx.access.groupId, status: "done" },
        _count: { _all: true },
      }),
    ]);
    const doneByBatch = new Map(done.map((d) => [d.batchId, d._count._all]));
    return batches.map((b) => ({
      id: b.id,
      name: b.name,
      projectName: b.project?.name ?? null,
      speciesName: b.species?.name ?? null,
      taskCount: b._count.tasks,
      doneCount: doneByBatch.get(b.id) ?? 0,
      createdAt: b.createdAt,
    }));
  }),
});
