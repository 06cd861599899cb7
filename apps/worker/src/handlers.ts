// Which queues this worker consumes. Later issues register their handlers here, e.g.
//   await registerJobHandler(db, boss, QUEUES.recordingIngest, ingestRecording(deps), { concurrency: 2 });
// with the handler's domain logic in packages/core (or packages/audio), never in this app.
import type { Config } from "@battycoda/config";
import type { Logger } from "@battycoda/config/logger";
import {
  classificationRunHandler,
  PROCESS_QUEUE,
  startClassificationQueue,
} from "@battycoda/core/classification/index";
import { classifierTrainHandler } from "@battycoda/core/classifiers";
import { clusteringRunHandler } from "@battycoda/core/clustering/index";
import {
  type JobLeaseHolder,
  QUEUES,
  type RegisterJobHandlerOptions,
  registerJobHandler,
} from "@battycoda/core/jobs";
import { emailSendHandler, type Mailer } from "@battycoda/core/mail";
import { createMediaStore, type MediaStore } from "@battycoda/core/media";
import {
  type ProcessingPool,
  recordingIngestHandler,
  type SpectrogramTiming,
  spectrogramGenerateHandler,
} from "@battycoda/core/processing";
import { segmentationBandsHandler, segmentationRunHandler } from "@battycoda/core/segmentation/index";
import { createBatchHandler, retrainHandler } from "@battycoda/core/tasks";
import { createUploadProcessHandler } from "@battycoda/core/uploads";
import type { Db } from "@battycoda/db";
import type PgBoss from "pg-boss";

export interface WorkerDeps {
  db: Db;
  boss: PgBoss;
  config: Config;
  mailer: Mailer;
  log: Logger;
  /** The process's one piscina pool (spectrograms and other audio work). */
  pool: ProcessingPool;
  /** Where media live (local folder or S3); built from the config when absent. */
  media?: MediaStore;
  /** Crash detection; every registration takes a lease per running job. */
  leases?: JobLeaseHolder;
  spectrogramTiming?: SpectrogramTiming;
  /** Passed to every registration (tests poll faster). */
  handlerOptions?: RegisterJobHandlerOptions;
  onJobError?: (err: unknown) => void;
}

export async function registerHandlers(deps: WorkerDeps): Promise<string[]> {
  const { db, boss, config, log } = deps;
  const media = deps.media ?? createMediaStore(config);
  const options = (extra: RegisterJobHandlerOptions = {}): RegisterJobHandlerOptions => ({
    concurrency: config.workerConcurrency,
    ...(deps.leases ? { leases: deps.leases } : {}),
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
  await registerJobHandler({ db, boss }, QUEUES.emailSend, emailSendHandler(deps.mailer), options());
  registered.push(QUEUES.emailSend);

  const processing = {
    db,
    boss,
    media,
    splitSeconds: config.recordingSplitSeconds,
    pool: deps.pool,
  };
  await registerJobHandler(
    { db, boss },
    QUEUES.recordingIngest,
    recordingIngestHandler(processing),
    options(),
  );
  registered.push(QUEUES.recordingIngest);
  // Never more spectrograms at once than pool threads: extra ones would only queue inside piscina
  // while their Job rows claimed to be running.
  await registerJobHandler(
    { db, boss },
    QUEUES.spectrogramGenerate,
    spectrogramGenerateHandler(processing, deps.spectrogramTiming),
    options({ concurrency: Math.min(config.workerConcurrency, deps.pool.threads) }),
  );
  registered.push(QUEUES.spectrogramGenerate);

  await registerJobHandler(
    { db, boss },
    QUEUES.uploadProcess,
    createUploadProcessHandler({ media }),
    options(),
  );
  registered.push(QUEUES.uploadProcess);

  await registerJobHandler(
    { db, boss },
    QUEUES.segmentationRun,
    segmentationRunHandler({ media, pool: deps.pool }),
    options(),
  );
  registered.push(QUEUES.segmentationRun);

  await registerJobHandler(
    { db, boss },
    QUEUES.segmentationBands,
    segmentationBandsHandler({ media, pool: deps.pool }),
    options(),
  );
  registered.push(QUEUES.segmentationBands);

  // Runs are started by the classification queue (one R-bound run at a time), not by pg-boss
  // directly; the handler itself waits out R outages.
  await registerJobHandler(
    { db, boss },
    QUEUES.classificationRun,
    classificationRunHandler({
      media,
      rServerUrl: config.rServerUrl,
      rServerUrls: config.rServerUrls,
      pool: deps.pool,
    }),
    options(),
  );
  registered.push(QUEUES.classificationRun);
  await startClassificationQueue(
    { db, boss },
    {
      rSlots: config.rServerUrls.length,
      onError: (err) => log.warn(`classification queue: ${String((err as Error)?.message ?? err)}`),
    },
  );
  registered.push(PROCESS_QUEUE);

  // Trainings are long and R serves one request at a time: one at a time per worker.
  await registerJobHandler(
    { db, boss },
    QUEUES.classifierTrain,
    classifierTrainHandler({ media, rServerUrl: config.rServerUrl, pool: deps.pool }),
    options({ concurrency: 1 }),
  );
  registered.push(QUEUES.classifierTrain);

  await registerJobHandler({ db, boss }, QUEUES.tasksCreateBatch, createBatchHandler(), options());
  registered.push(QUEUES.tasksCreateBatch);
  // a retrain is a training: one at a time per worker, like classifier.train
  await registerJobHandler(
    { db, boss },
    QUEUES.tasksRetrain,
    retrainHandler({ media, rServerUrl: config.rServerUrl, pool: deps.pool }),
    options({ concurrency: 1 }),
  );
  registered.push(QUEUES.tasksRetrain);

  // A clustering run is one Rscript process holding the whole feature matrix: one at a time per worker.
  await registerJobHandler(
    { db, boss },
    QUEUES.clusteringRun,
    clusteringRunHandler({ media, pool: deps.pool }),
    options({ concurrency: 1 }),
  );
  registered.push(QUEUES.clusteringRun);
  return registered;
}
