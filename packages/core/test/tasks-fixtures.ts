// A group with users, a species (call types A, B, C), recordings, completed segmentations and a
// completed classification run written directly as rows (no audio needed): what task batches are
// built from. Probabilities are deterministic per call, so orders and thresholds can be checked.
import type { Db } from "@battycoda/db";
import type { GroupAccess } from "../src/access/access.ts";

export interface TaskWorld {
  groupId: string;
  users: { id: string; username: string; access: GroupAccess }[];
  speciesId: string;
  projectId: string;
  recordings: { id: string; name: string; segmentationId: string; runId: string | null }[];
}

/** Probabilities of call i over A, B, C (sum 1), the top one varying between ~0.34 and ~0.98. */
export function probabilitiesOf(i: number): [number, number, number] {
  const top = 0.34 + (((i * 37) % 97) / 96) * 0.64;
  const second = (1 - top) * (0.5 + ((i * 11) % 5) / 10);
  const third = 1 - top - second;
  const order = i % 3;
  return order === 0 ? [top, second, third] : order === 1 ? [second, top, third] : [third, second, top];
}

let counter = 0;
const uid = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export async function createTaskWorld(
  db: Db,
  opts: {
    /** An existing group (e.g. a registered user's); default a new one. */
    groupId?: string;
    name?: string;
    users?: number;
    recordings?: { calls: number; classified?: boolean; isDummy?: boolean }[];
  },
): Promise<TaskWorld> {
  const name = opts.name ?? `lab-${uid("")}`;
  const group = opts.groupId ? { id: opts.groupId } : await db.group.create({ data: { name } });
  const users = [];
  for (let u = 0; u < (opts.users ?? 2); u++) {
    const user = await db.user.create({
      data: { username: `${name}-u${u}`, email: `${name}-u${u}@example.org`, passwordHash: "x" },
    });
    const m = await db.membership.create({ data: { userId: user.id, groupId: group.id, isAdmin: u === 0 } });
    users.push({
      id: user.id,
      username: user.username,
      access: {
        userId: user.id,
        isSiteAdmin: false,
        groupId: group.id,
        groupName: name,
        membershipId: m.id,
        isGroupAdmin: u === 0,
      } satisfies GroupAccess,
    });
  }
  const species = await db.species.create({
    data: {
      groupId: group.id,
      name: `Eptesicus tasks ${name}`,
      callTypes: { create: [{ shortName: "A" }, { shortName: "B" }, { shortName: "C" }] },
    },
    include: { callTypes: true },
  });
  const typeId = (s: string) => species.callTypes.find((c) => c.shortName === s)?.id as string;
  const project = await db.project.create({ data: { groupId: group.id, name: `${name} project` } });
  const recordings = [];
  for (const [r, spec] of (opts.recordings ?? [{ calls: 20 }]).entries()) {
    const rec = await db.recording.create({
      data: {
        groupId: group.id,
        projectId: project.id,
        speciesId: species.id,
        name: `rec-${r}.wav`,
        filePath: `recordings/${group.id}/rec-${r}.wav`,
        sampleRate: 250_000,
        channels: 1,
        duration: spec.calls * 0.05 + 1,
        processingStatus: "ready",
      },
    });
    const seg = await db.segmentation.create({
      data: {
        groupId: group.id,
        recordingId: rec.id,
        name: "s",
        source: "import",
        status: "completed",
        isActive: true,
      },
    });
    const segs = Array.from({ length: spec.calls }, (_, i) => ({
      id: uid("s"),
      segmentationId: seg.id,
      // thirds of a second are not exact in binary: the tasks must carry the same doubles
      onset: 0.02 + i * 0.05 + 1 / 3,
      offset: 0.02 + i * 0.05 + 1 / 3 + 0.004 + (i % 7) * 1e-4,
    }));
    for (let i = 0; i < segs.length; i += 5000)
      await db.segment.createMany({ data: segs.slice(i, i + 5000) });
    // Prisma rounds bound doubles to 15-16 digits; write the exact ones (see access/exact-float.ts)
    for (let i = 0; i < segs.length; i += 2000) {
      const part = segs.slice(i, i + 2000);
      await db.$executeRaw`
        UPDATE "Segment" s SET onset = v.onset::float8, "offset" = v.off::float8
        FROM unnest(${part.map((x) => x.id)}::text[], ${part.map((x) => String(x.onset))}::text[],
                    ${part.map((x) => String(x.offset))}::text[]) AS v(id, onset, off)
        WHERE s.id = v.id`;
    }
    let runId: string | null = null;
    if (spec.classified !== false) {
      const run = await db.classificationRun.create({
        data: {
          groupId: group.id,
          recordingId: rec.id,
          segmentationId: seg.id,
          name: "run",
          status: "completed",
          progress: 1,
          isDummy: spec.isDummy ?? false,
          processedCount: spec.calls,
          totalCount: spec.calls,
          finishedAt: new Date(),
        },
      });
      runId = run.id;
      const results = segs.map((s, i) => {
        const p = probabilitiesOf(i);
        const top = p.indexOf(Math.max(...p));
        return {
          id: uid("r"),
          runId: run.id,
          segmentId: s.id,
          predictedLabel: spec.isDummy ? null : (["A", "B", "C"][top] as string),
          confidence: spec.isDummy ? 1 / 3 : Math.max(...p),
          p: spec.isDummy ? [1 / 3, 1 / 3, 1 / 3] : p,
        };
      });
      for (let i = 0; i < results.length; i += 5000) {
        const part = results.slice(i, i + 5000);
        await db.classificationResult.createMany({ data: part.map(({ p: _p, ...r }) => r) });
        await db.callProbability.createMany({
          data: part.flatMap((r) =>
            ["A", "B", "C"].map((c, k) => ({
              resultId: r.id,
              callTypeId: typeId(c),
              probability: r.p[k] as number,
            })),
          ),
        });
      }
    }
    recordings.push({ id: rec.id, name: rec.name, segmentationId: seg.id, runId });
  }
  return { groupId: group.id, users, speciesId: species.id, projectId: project.id, recordings };
}
