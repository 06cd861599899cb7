import { classifierServiceStatus } from "@battycoda/core/classification/index";
import type { Db } from "@battycoda/db";
import type { FastifyInstance } from "fastify";

const DB_TIMEOUT_MS = 3000;

/**
 * Liveness + database check for load balancers and the start script: 200 or 503. The R server's
 * state is reported (a stopped R server is visible here) but does not fail the check: the app
 * works without it, runs just wait.
 */
export function registerHealthRoute(app: FastifyInstance, db: Db, rServerUrl?: string) {
  app.get("/health", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    try {
      await Promise.race([
        db.$queryRaw`SELECT 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref()),
      ]);
      if (!rServerUrl) return { status: "ok", database: "ok" };
      const r = await classifierServiceStatus(rServerUrl, db);
      return {
        status: "ok",
        database: "ok",
        rServer: {
          state: r.state,
          url: r.url,
          checkedAt: r.checkedAt,
          rVersion: r.rVersion,
          training: r.training,
          message: r.message,
        },
      };
    } catch {
      return reply.status(503).send({ status: "error", database: "unreachable" });
    }
  });
}
