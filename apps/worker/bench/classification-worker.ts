// Child process of the classification bench: the worker side (pool + classification.run handler),
// in its own process so its peak RSS is the worker's alone.
import { classificationRunHandler } from "@battycoda/core/classification/index";
import { createBoss, QUEUES, registerJobHandler } from "@battycoda/core/jobs";
import { LocalMediaStore } from "@battycoda/core/media";
import { limitHeapGrowth } from "@battycoda/core/monitor";
import { ProcessingPool } from "@battycoda/core/processing";
import { createPrismaClient } from "@battycoda/db";

// as apps/worker/src/main.ts does
limitHeapGrowth();
const url = process.env.DATABASE_URL as string;
const db = createPrismaClient(url);
const boss = await createBoss(url, { role: "worker" });
const pool = new ProcessingPool({ threads: Number(process.env.POOL_THREADS ?? 2) });
await registerJobHandler(
  { db, boss },
  QUEUES.classificationRun,
  classificationRunHandler({
    media: new LocalMediaStore(process.env.MEDIA_ROOT as string),
    rServerUrl: process.env.R_SERVER_URL as string,
    pool,
  }),
  { pollingIntervalSeconds: 0.5 },
);
process.send?.({ ready: true, poolBundled: pool.bundled });
process.on("message", async (m) => {
  if (m === "rss") process.send?.({ maxRssMB: process.resourceUsage().maxRSS / 1024 });
  if (m === "stop") {
    await boss.stop({ graceful: false, wait: true });
    await pool.destroy();
    await db.$disconnect();
    process.exit(0);
  }
});
