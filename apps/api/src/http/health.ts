import { classifierServiceStatus } from "@battycoda/core/classification/index";
import { appVersion, hostName } from "@battycoda/core/monitor";
import type { Db } from "@battycoda/db";
import type { FastifyInstance } from "fastify";

const DB_TIMEOUT_MS = 3000;

/**
 * Liveness + database check for load balancers and the start script: 200 or 503. The R server's
 * state is reported (a stopped R server is visible here) but does not fail the check: the app
 * works without it, runs just wait. Every answer names the host and version that gave it, so a
 * deploy (or a load balancer with several hosts) can be checked from outside.
 */
export function registerHealthRoute(app: FastifyInstance, db: Db, rServers?: string | readonly string[]) {
  const origin = { host: hostName(), version: appVersion() };
  const urls = rServers === undefined ? [] : typeof rServers === "string" ? [rServers] : [...rServers];
  app.get("/health", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    try {
      await Promise.race([
        db.$queryRaw`SELECT 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref()),
      ]);
      if (urls.length === 0) return { status: "ok", database: "ok", ...origin };
      const states = (await Promise.all(urls.map((u) => classifierServiceStatus(u, db)))).map((r) => ({
        state: r.state,
        url: r.url,
        checkedAt: r.checkedAt,
        rVersion: r.rVersion,
        training: r.training,
        message: r.message,
      }));
      // `rServer` is the first (what single-server installs and scripts read); `rServers` lists
      // every server of R_SERVER_URLS.
      return {
        status: "ok",
        database: "ok",
        ...origin,
        rServer: states[0],
        ...(states.length > 1 ? { rServers: states } : {}),
      };
    } catch {
      return reply.status(503).send({ status: "error", database: "unreachable", ...origin });
    }
  });
}
