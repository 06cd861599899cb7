import type { Db } from "@battycoda/db";
import type { FastifyInstance } from "fastify";

const DB_TIMEOUT_MS = 3000;

/** Liveness + database check for load balancers and the start script: 200 or 503. */
export function registerHealthRoute(app: FastifyInstance, db: Db) {
  app.get("/health", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    try {
      await Promise.race([
        db.$queryRaw`SELECT 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref()),
      ]);
      return { status: "ok", database: "ok" };
    } catch {
      return reply.status(503).send({ status: "error", database: "unreachable" });
    }
  });
}
