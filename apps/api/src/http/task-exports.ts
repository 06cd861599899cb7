// Downloads of task batches (cookie or API key). Same access rule as tRPC: another group's batch
// or project is 404 exactly like a missing one. Everything is checked before the first byte; the
// ZIP and the CSV stream as they are written.
import { exportBatchCsv, exportBatchesZip, type TaskDownload } from "@battycoda/core/tasks";
import { taxonomyVersionParam } from "@battycoda/core/taxonomy/index";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ServerDeps } from "../trpc.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";

interface ZipQuery {
  batchIds?: string;
  projectId?: string;
  format?: string;
  taxonomyVersion?: string;
}

function send(reply: FastifyReply, download: TaskDownload) {
  return reply
    .header("content-type", download.contentType)
    .header("cache-control", "private, no-store")
    .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(download.filename)}`)
    .send(download.body);
}

export function registerTaskExportRoutes(app: FastifyInstance, deps: ServerDeps, cookies: CookieSettings) {
  app.get<{ Querystring: ZipQuery }>("/api/task-batches/export.zip", async (req, reply) => {
    const user = await requireUser(deps, cookies, req, reply);
    if (!user) return reply;
    const access = await accessFor(deps, user, req);
    const batchIds = (req.query.batchIds ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const download = await exportBatchesZip(deps, access, {
      ...(batchIds.length ? { batchIds } : {}),
      ...(req.query.projectId ? { projectId: req.query.projectId } : {}),
      ...(req.query.format ? { format: req.query.format as "xlsx" | "csv" } : {}),
      ...(req.query.taxonomyVersion
        ? { taxonomyVersion: taxonomyVersionParam(req.query.taxonomyVersion) }
        : {}),
    });
    return send(reply, download);
  });

  app.get<{ Params: { batchId: string }; Querystring: { taxonomyVersion?: string } }>(
    "/api/task-batches/:batchId/export.csv",
    async (req, reply) => {
      const user = await requireUser(deps, cookies, req, reply);
      if (!user) return reply;
      const access = await accessFor(deps, user, req);
      const taxonomyVersion = taxonomyVersionParam(req.query.taxonomyVersion);
      return send(reply, await exportBatchCsv(deps, access, req.params.batchId, { taxonomyVersion }));
    },
  );
}
