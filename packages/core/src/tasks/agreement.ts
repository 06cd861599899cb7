// Inter-annotator agreement of a blind batch: Cohen's kappa per pair of assignees (over the tasks
// both labelled), Fleiss' kappa over the tasks every assignee labelled, the disagreements, and
// adjudication (a settled label becomes the batch's result). Only tasks every assignee has
// labelled are compared, so an assignee never sees a label on a call they have not labelled yet.
import type { Db } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import { type DbContext, inTransaction } from "../access/context.ts";
import { badRequest, notFound } from "../access/errors.ts";
import { checkLabelLocked } from "./annotate.ts";
import { findBatchInGroup } from "./batches.ts";

/**
 * Cohen's kappa of two raters over the same items: (po − pe) / (1 − pe), po the observed agreement,
 * pe the agreement expected from each rater's label frequencies. null without items; 1 when both
 * gave one and the same label throughout (pe = 1, no chance left to beat).
 */
export function cohenKappa(pairs: readonly (readonly [string, string])[]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, count] of a) pe += (count / n) * ((b.get(label) ?? 0) / n);
  if (pe >= 1) return po >= 1 ? 1 : null;
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa: `counts[i][j]` = raters who put item i in category j, the same number of raters m
 * (≥ 2) for every item. P̄ = mean over items of (Σ n_ij² − m) / (m(m − 1)); P̄e = Σ p_j² with
 * p_j = Σ_i n_ij / (N m); κ = (P̄ − P̄e) / (1 − P̄e). null without items.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  const N = counts.length;
  if (N === 0) return null;
  const m = (counts[0] ?? []).reduce((s, x) => s + x, 0);
  if (m < 2) return null;
  const k = Math.max(...counts.map((r) => r.length));
  const totals = Array.from({ length: k }, () => 0);
  let pBar = 0;
  for (const row of counts) {
    const raters = row.reduce((s, x) => s + x, 0);
    if (raters !== m) throw new Error("Fleiss' kappa needs the same number of raters for every item");
    let sq = 0;
    row.forEach((x, j) => {
      sq += x * x;
      totals[j] = (totals[j] ?? 0) + x;
    });
    pBar += (sq - m) / (m * (m - 1));
  }
  pBar /= N;
  const pe = totals.reduce((s, t) => s + (t / (N * m)) ** 2, 0);
  if (pe >= 1) return pBar >= 1 ? 1 : null;
  return (pBar - pe) / (1 - pe);
}

export async function agreement({ db }: DbContext, access: GroupAccess, batchId: string) {
  const batch = await findBatchInGroup({ db }, access, batchId);
  const annotators = batch.assignees.map((a) => ({ userId: a.userId, username: a.user.username }));
  const names = new Map(annotators.map((a) => [a.userId, a.username]));
  const ids = annotators.map((a) => a.userId);
  const empty = { annotators, pairs: [], fleissKappa: null, n: 0, disagreements: [] };
  if (!batch.blind || ids.length < 2) return empty;
  const tasks = await db.task.findMany({
    where: { batchId: batch.id, status: "done" },
    orderBy: { position: "asc" },
    select: {
      id: true,
      onset: true,
      offset: true,
      label: true,
      adjudicatedById: true,
      recording: { select: { name: true } },
      labels: { where: { userId: { in: ids } }, select: { userId: true, label: true } },
    },
  });
  const complete = tasks.filter((t) => t.labels.length === ids.length);
  const byUser = complete.map((t) => new Map(t.labels.map((l) => [l.userId, l.label])));
  const pairs = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i] as string;
      const b = ids[j] as string;
      const rows = byUser.map((m) => [m.get(a) as string, m.get(b) as string] as const);
      pairs.push({ a, b, kappa: cohenKappa(rows), n: rows.length });
    }
  const categories = [...new Set(complete.flatMap((t) => t.labels.map((l) => l.label)))].sort();
  const counts = complete.map((t) => categories.map((c) => t.labels.filter((l) => l.label === c).length));
  return {
    annotators,
    pairs,
    fleissKappa: fleissKappa(counts),
    n: complete.length,
    disagreements: complete
      .filter((t) => new Set(t.labels.map((l) => l.label)).size > 1)
      .map((t) => ({
        taskId: t.id,
        onset: t.onset,
        offset: t.offset,
        recordingName: t.recording.name,
        adjudicatedLabel: t.adjudicatedById ? t.label : null,
        labels: ids.map((userId) => ({
          userId,
          username: names.get(userId) ?? "",
          label: t.labels.find((l) => l.userId === userId)?.label ?? "",
        })),
      })),
  };
}

/** Settles a task's label (normally a disagreement of a blind batch); it becomes the batch's result. */
export async function adjudicate(
  { db }: DbContext,
  access: GroupAccess,
  input: { taskId: string; label: string },
) {
  const label = input.label.trim();
  if (!label) throw badRequest("A label is required");
  const task = await db.task.findFirst({ where: { id: input.taskId, groupId: access.groupId } });
  if (!task) throw notFound("Task");
  const batch = await findBatchInGroup({ db }, access, task.batchId);
  if (batch.status !== "ready") throw badRequest("The batch is not ready");
  await inTransaction(db, async (tx) => {
    await checkLabelLocked(tx, task.speciesId, label);
    await tx.task.update({
      where: { id: task.id },
      data: {
        label,
        status: "done",
        adjudicatedById: access.userId,
        adjudicatedAt: new Date(),
        lockedById: null,
        lockedAt: null,
      },
    });
  });
  return task.id;
}
