// Production entry point: `pnpm --filter @battycoda/api start`. scripts/start.ts provides
// DATABASE_URL (starting the embedded PostgreSQL when none is configured) and applies migrations.
import { getConfig } from "@battycoda/config";
import { createBoss } from "@battycoda/core/jobs";
import { queueEmail } from "@battycoda/core/mail";
import { createPrismaClient } from "@battycoda/db";
import { initSentry } from "./sentry.ts";
import { buildServer } from "./server.ts";

async function main() {
  const config = getConfig();
  await initSentry(config);
  if (!config.databaseUrl) {
    throw new Error(
      "DATABASE_URL is not set (the start script sets it after starting the embedded PostgreSQL)",
    );
  }
  const db = createPrismaClient(config.databaseUrl);
  const boss = await createBoss(config.databaseUrl, { role: "client" });
  const app = await buildServer({
    deps: {
      db,
      config,
      boss,
      sendEmail: async (email) => {
        await queueEmail({ db, boss }, email);
      },
    },
    logger: { level: config.logLevel },
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await app.close();
    await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    await db.$disconnect();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
