// Background work that a user started tells them how it ended, in the bell and on the
// notifications page: batch uploads, classification runs and classifier training (segmentation
// notifies from its own handler, inside the transaction that stores the segments). Called by the
// job runner once a job has finally completed or failed (not on attempts that will be retried).
import type { Job } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import { createNotification, type NewNotification } from "./notifications.ts";

export interface JobOutcome {
  status: "completed" | "failed";
  error?: string | null;
  /** What the handler returned (completed jobs only). */
  result?: unknown;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

type Draft = Omit<NewNotification, "userId"> | null;

async function uploadOutcome({ db }: DbContext, job: Job, outcome: JobOutcome): Promise<Draft> {
  const upload = job.subjectId
    ? await db.upload.findFirst({ where: { id: job.subjectId, groupId: job.groupId ?? undefined } })
    : null;
  const name = upload?.filename ?? "ZIP upload";
  const link = job.subjectId ? `/recordings/upload?report=${encodeURIComponent(job.subjectId)}` : null;
  if (outcome.status === "failed")
    return { kind: "upload.failed", title: `Upload of ${name} failed`, message: outcome.error ?? "", link };
  const s = outcome.result as { created?: number; rejected?: number; segmented?: number } | undefined;
  const created = s?.created ?? 0;
  return {
    kind: "upload.completed",
    title: `Upload of ${name} processed`,
    message: `${plural(created, "recording")} created, ${s?.rejected ?? 0} rejected, ${s?.segmented ?? 0} with segments.`,
    link,
  };
}

async function ingestOutcome({ db }: DbContext, job: Job, outcome: JobOutcome): Promise<Draft> {
  const rec = job.subjectId
    ? await db.recording.findFirst({
        where: { id: job.subjectId, groupId: job.groupId ?? undefined },
        select: { id: true, name: true, truncated: true, declaredDuration: true, duration: true },
      })
    : null;
  const name = rec?.name ?? "a recording";
  const link = rec ? `/recordings/${encodeURIComponent(rec.id)}` : null;
  if (outcome.status === "failed")
    return { kind: "upload.failed", title: `Processing ${name} failed`, message: outcome.error ?? "", link };
  // An ordinary single upload is watched on its own page; only a surprise is worth a notification.
  if (!rec?.truncated) return null;
  return {
    kind: "upload.warning",
    title: `${name} is truncated`,
    message: `The file's header declares ${rec.declaredDuration?.toFixed(2) ?? "?"} s of audio but it holds only ${rec.duration?.toFixed(2) ?? "?"} s; the recording keeps what is there.`,
    link,
  };
}

async function classificationOutcome({ db }: DbContext, job: Job, outcome: JobOutcome): Promise<Draft> {
  const run = job.subjectId
    ? await db.classificationRun.findFirst({
        where: { id: job.subjectId, groupId: job.groupId ?? undefined },
        select: {
          id: true,
          name: true,
          status: true,
          error: true,
          processedCount: true,
          recording: { select: { name: true } },
        },
      })
    : null;
  if (!run || run.status === "cancelled") return null;
  const name = run.name || run.recording.name;
  const link = `/classification/runs/${encodeURIComponent(run.id)}`;
  if (outcome.status === "failed" || run.status === "failed")
    return {
      kind: "classification.failed",
      title: `Classification of ${name} failed`,
      message: run.error ?? outcome.error ?? "",
      link,
    };
  if (run.status !== "completed") return null;
  return {
    kind: "classification.completed",
    title: `Classification of ${name} completed`,
    message: `${plural(run.processedCount, "call")} classified.`,
    link,
    many: {
      title: "{n} classification runs completed",
      message: `The last, ${name}: ${plural(run.processedCount, "call")} classified.`,
      link: "/classification",
    },
  };
}

async function trainingOutcome({ db }: DbContext, job: Job, outcome: JobOutcome): Promise<Draft> {
  const tj = job.subjectId
    ? await db.classifierTrainingJob.findFirst({
        where: { id: job.subjectId, groupId: job.groupId ?? undefined },
        select: { name: true, status: true, error: true, classifierId: true },
      })
    : null;
  const name = tj?.name ?? "a classifier";
  const link = tj?.classifierId
    ? `/classification/classifiers/${encodeURIComponent(tj.classifierId)}`
    : "/classification";
  if (tj?.status === "cancelled") return null;
  if (outcome.status === "failed" || tj?.status === "failed")
    return {
      kind: "training.failed",
      title: `Training ${name} failed`,
      message: tj?.error ?? outcome.error ?? "",
      link,
    };
  return { kind: "training.completed", title: `Training ${name} completed`, message: "", link };
}

const BY_TYPE: Record<string, (ctx: DbContext, job: Job, outcome: JobOutcome) => Promise<Draft>> = {
  "upload.process": uploadOutcome,
  "recording.ingest": ingestOutcome,
  "classification.run": classificationOutcome,
  "classifier.train": trainingOutcome,
  "tasks.retrain": trainingOutcome,
};

/** Kinds of job whose end this module reports (the rest report nothing, or do it themselves). */
export const NOTIFYING_JOB_TYPES = Object.keys(BY_TYPE);

/**
 * Creates the notification for a job's final outcome, if its type reports one and a user started
 * it. Returns the notification (null when there is nothing to say).
 */
export async function notifyJobOutcome({ db }: DbContext, job: Job, outcome: JobOutcome) {
  const build = BY_TYPE[job.type];
  if (!build || !job.userId) return null;
  const draft = await build({ db }, job, outcome);
  if (!draft) return null;
  return createNotification({ db }, { ...draft, userId: job.userId, groupId: job.groupId });
}
