import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { sendError } from "../errors.ts";

export interface SpaSettings {
  /** The Vite build (apps/web/dist); nothing is served when it has no index.html. */
  distDir: string;
  /** DISABLE_STATIC_CACHING: every response `no-store` (for debugging deployments). */
  disableCaching: boolean;
}

/** Paths that belong to the API: never answered with the SPA's index.html. */
const API_PREFIXES = ["/api/", "/trpc/", "/trpc", "/health"];

/**
 * Serves the SPA with history fallback: unknown GET paths that want HTML get index.html so
 * client-side routes survive a reload. Vite's hashed /assets/* are cached for a year;
 * index.html is always revalidated so a deploy is picked up at once.
 */
export async function registerSpa(app: FastifyInstance, settings: SpaSettings) {
  const hasBuild = fs.existsSync(path.join(settings.distDir, "index.html"));
  if (hasBuild) {
    await app.register(fastifyStatic, {
      root: settings.distDir,
      cacheControl: false,
      etag: !settings.disableCaching,
      lastModified: !settings.disableCaching,
      setHeaders(reply, filePath) {
        const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
        reply.header(
          "cache-control",
          settings.disableCaching
            ? "no-store"
            : immutable
              ? "public, max-age=31536000, immutable"
              : "no-cache",
        );
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0] ?? "/";
    const wantsHtml = (req.headers.accept ?? "").includes("text/html");
    const isApi = API_PREFIXES.some((p) => url === p || url.startsWith(p));
    if (hasBuild && (req.method === "GET" || req.method === "HEAD") && wantsHtml && !isApi) {
      reply.header("cache-control", settings.disableCaching ? "no-store" : "no-cache");
      return reply.sendFile("index.html");
    }
    return sendError(reply, 404, "NOT_FOUND", `Route ${req.method} ${url} not found`);
  });
}
