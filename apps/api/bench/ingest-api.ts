// Child process of the ingest bench: the real API server (same buildServer as main.ts).
import { loadConfig } from "@battycoda/config";
import { createBoss } from "@battycoda/core/jobs";
import { createPrismaClient } from "@battycoda/db";
import { buildServer } from "../src/server.ts";

const url = process.env.DATABASE_URL as string;
const config = loadConfig(process.env, { persistSecretKey: false });
const db = createPrismaClient(url);
const boss = await createBoss(url);
const app = await buildServer({
  deps: { db, config, boss, sendEmail: async () => {} },
  webDistDir: "/nonexistent",
});
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
process.on("message", async (m) => {
  if (m === "stop") {
    await app.close();
    await boss.stop({ graceful: false, wait: true });
    await db.$disconnect();
    process.exit(0);
  }
});
