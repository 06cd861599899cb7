// Every kind of background work is one pg-boss queue whose name is also `Job.type`.
// To add one: a name here, its payload type in JobPayloads, its options in QUEUE_OPTIONS, and a
// handler registered in apps/worker/src/handlers.ts.
import type { EmailMessage } from "../mail/message.ts";
import type { TProcedureRequestInput } from "../maintenance/procedures.ts";

export const QUEUES = {
  emailSend: "email.send",
  recordingIngest: "recording.ingest",
  spectrogramGenerate: "spectrogram.generate",
  segmentationRun: "segmentation.run",
  segmentationBands: "segmentation.bands",
  classificationRun: "classification.run",
  classifierTrain: "classifier.train",
  clusteringRun: "clustering.run",
  uploadProcess: "upload.process",
  tasksCreateBatch: "tasks.create-batch",
  tasksRetrain: "tasks.retrain",
  maintenanceRun: "maintenance.run",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

/** Scheduled maintenance; plain pg-boss jobs without a Job row (nobody needs to see them). */
export const HOUSEKEEPING_QUEUE = "maintenance.housekeeping";

export interface JobPayloads {
  "email.send": { message: EmailMessage };
  "recording.ingest": { recordingId: string };
  "spectrogram.generate": { recordingId: string };
  "segmentation.run": { segmentationId: string };
  "segmentation.bands": { segmentationId: string };
  "classification.run": { runId: string };
  "classifier.train": { trainingJobId: string };
  "clustering.run": { runId: string };
  "upload.process": { uploadId: string };
  "tasks.create-batch": { batchId: string };
  "tasks.retrain": { trainingJobId: string };
  "maintenance.run": { request: TProcedureRequestInput };
}

export interface QueueOptions {
  /** Attempts after the first. */
  retryLimit: number;
  /** Seconds before the first retry; doubled each time when retryBackoff. */
  retryDelay: number;
  retryBackoff: boolean;
  /** A running attempt that takes longer is failed (and retried). pg-boss caps this below 24 h. */
  expireInSeconds: number;
}

const DEFAULT_OPTIONS: QueueOptions = {
  retryLimit: 2,
  retryDelay: 30,
  retryBackoff: true,
  expireInSeconds: 3600,
};

export const QUEUE_OPTIONS: Record<QueueName, QueueOptions> = {
  // Mail providers fail transiently (throttling, network): retry often, for about an hour.
  "email.send": { retryLimit: 6, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
  "recording.ingest": DEFAULT_OPTIONS,
  "spectrogram.generate": DEFAULT_OPTIONS,
  "segmentation.run": DEFAULT_OPTIONS,
  // Writes only boxes still missing on segments whose edges are unchanged: a retry continues where one stopped.
  "segmentation.bands": DEFAULT_OPTIONS,
  // The handler waits out R outages itself and resumes after its last stored batch, so pg-boss
  // retries only cover crashes: retry soon, and give long runs (plus outages) room before expiry.
  "classification.run": { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 6 * 3600 },
  "classifier.train": { ...DEFAULT_OPTIONS, retryLimit: 1, expireInSeconds: 6 * 3600 },
  "clustering.run": { ...DEFAULT_OPTIONS, retryLimit: 1, expireInSeconds: 6 * 3600 },
  "upload.process": DEFAULT_OPTIONS,
  // Pages commit with the batch's progress and a retry resumes after the last one.
  "tasks.create-batch": { ...DEFAULT_OPTIONS, retryDelay: 5 },
  "tasks.retrain": { ...DEFAULT_OPTIONS, retryLimit: 1, expireInSeconds: 6 * 3600 },
  // Admin-started or scheduled procedures: a failure is reported (and alerted), not retried
  // behind the admin's back; a large spectrogram backlog may take many hours.
  "maintenance.run": { retryLimit: 0, retryDelay: 60, retryBackoff: false, expireInSeconds: 20 * 3600 },
};

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as string[]).includes(name);
}
