// The dashboard's figures for the caller's current group, in one round of queries.
import { z } from "zod";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { ZIsoDate } from "../auth/auth.schemas.ts";

export const ZDashboardResponse = z.object({
  recordings: z.number().int(),
  /** Sum of recording durations; split originals are left out (their parts hold the same audio). */
  audioHours: z.number(),
  /** Segments of each recording's active segmentation (re-runs do not count twice). */
  segments: z.number().int(),
  /** Of those, segments that carry a call-type label. */
  labelledCalls: z.number().int(),
  /** Annotation tasks done. */
  tasksDone: z.number().int(),
  recentRecordings: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      duration: z.number().nullable(),
      processingStatus: z.string(),
      truncated: z.boolean(),
      createdAt: ZIsoDate,
    }),
  ),
});
export type TDashboardResponse = z.input<typeof ZDashboardResponse>;

export async function getDashboard({ db }: DbContext, access: GroupAccess): Promise<TDashboardResponse> {
  const groupId = access.groupId;
  const notSplitOriginal = { NOT: { AND: [{ partCount: { not: null } }, { partIndex: null }] } };
  const active = { segmentation: { groupId, isActive: true } };
  const [recordings, audio, segments, labelledCalls, tasksDone, recent] = await Promise.all([
    db.recording.count({ where: { groupId } }),
    db.recording.aggregate({ where: { groupId, ...notSplitOriginal }, _sum: { duration: true } }),
    db.segment.count({ where: active }),
    // labelled in the editor, or confirmed by a person in a task batch
    db.segment.count({
      where: {
        ...active,
        OR: [
          { AND: [{ label: { not: null } }, { label: { not: "" } }] },
          { tasks: { some: { status: "done", AND: [{ label: { not: null } }, { label: { not: "" } }] } } },
        ],
      },
    }),
    db.task.count({ where: { groupId, status: "done" } }),
    db.recording.findMany({
      where: { groupId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 5,
      select: {
        id: true,
        name: true,
        duration: true,
        processingStatus: true,
        truncated: true,
        createdAt: true,
      },
    }),
  ]);
  return {
    recordings,
    audioHours: (audio._sum.duration ?? 0) / 3600,
    segments,
    labelledCalls,
    tasksDone,
    recentRecordings: recent,
  };
}
