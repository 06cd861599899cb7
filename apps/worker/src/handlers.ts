// Which queues this worker consumes. Later issues register their handlers here, e.g.
//   await registerJobHandler(db, boss, QUEUES.recordingIngest, ingestRecording(deps), { concurrency: 2 });
// with the handler's domain logic in packages/core (or packages/audio), never in this app.
import type { Config } from "@battycoda/config";
import type { Logger } from "@battycoda/config/logger";
import { QUEUES, type RegisterJobHandlerOptions, registerJobHandler } from "@battycoda/core/jobs";
import { emailSendHandler, type Mailer } from "@battycoda/core/mail";
import { createUploadProcessHandler } from "@battycoda/core/uploads";
import type { Db } from "@battycoda/db";
import type PgBoss from "pg-boss";

export interface WorkerDeps {
  db: Db;
  boss: PgBoss;
  config: Config;
  mailer: Mailer;
  log: Logger;
  /** Passed to every registration (tests poll faster). */
  handlerOptions?: RegisterJobHandlerOptions;
  onJobError?: (err: unknown) => void;
}

export async function registerHandlers(deps: WorkerDeps): Promise<string[]> {
  const { db, boss, config, log } = deps;
  const options = (extra: RegisterJobHandlerOptions = {}): RegisterJobHandlerOptions => ({
    concurrency: config.workerConcurrency,
    ...deps.handlerOptions,
    ...extra,
    onError: (job, err, willRetry) => {
      log.warn(
        `job ${job.type} ${job.id} failed${willRetry ? " (will retry)" : ""}: ${String((err as Error)?.message ?? err)}`,
      );
      if (!willRetry) deps.onJobError?.(err);
    },
  });

  const registered: string[] = [];
  await registerJobHandler(db, boss, QUEUES.emailSend, emailSendHandler(deps.mailer), options());
  registered.push(QUEUES.emailSend);

  await registerJobHandler(db, boss, QUEUES.uploadProcess, createUploadProcessHandler({ mediaRoot: config.mediaRoot }), options());
  registered.push(QUEUES.uploadProcess);

  // recording.ingest, spectrogram.generate, segmentation.run, classification.run,
  // classifier.train, clustering.run, upload.process: registered by the issues that build them.
  return registered;
}
