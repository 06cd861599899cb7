// Child process of the ingest bench: a worker consuming only upload.process (the ZIP walk);
// recording.ingest jobs it queues stay queued so the numbers are about ingesting the ZIP.

import { LocalMediaStore } from "@battycoda/core";
import { createBoss, QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { createUploadProcessHandler } from "@battycoda/core/uploads";
import { createPrismaClient } from "@battycoda/db";

const url = process.env.DATABASE_URL as string;
const db = createPrismaClient(url);
const boss = await createBoss(url, { role: "worker" });
await registerJobHandler(
  { db, boss },
  QUEUES.uploadProcess,
  createUploadProcessHandler({ media: new LocalMediaStore(process.env.MEDIA_ROOT as string) }),
  {
    pollingIntervalSeconds: 0.5,
  },
);
process.send?.({ ready: true });
process.on("message", async (m) => {
  if (m === "stop") {
    await boss.stop({ graceful: false, wait: true });
    await db.$disconnect();
    process.exit(0);
  }
});
