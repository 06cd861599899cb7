// Downloads of a classification run (cookie or API key). Same access rule as tRPC: another
// group's run is 404 exactly like a missing one. CSVs stream page by page.
import { Readable } from "node:stream";
import type { DbContext, GroupAccess } from "@battycoda/core";
import {
  featuresCsv,
  parametersJson,
  type RunDownload,
  resultsCsv,
} from "@battycoda/core/classification/index";
import { taxonomyVersionParam } from "@battycoda/core/taxonomy/index";
import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "../trpc.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";

interface Params {
  runId: string;
}

type Producer = (
  ctx: DbContext,
  access: GroupAccess,
  runId: string,
  options: { taxonomyVersion?: number | undefined },
) => Promise<RunDownload>;

const FILES: Record<string, Producer> = {
  "results.csv": resultsCsv,
  "features.csv": featuresCsv,
  "parameters.json": parametersJson,
};

export function registerClassificationFileRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  cookies: CookieSettings,
) {
  for (const [file, produce] of Object.entries(FILES)) {
    app.get<{ Params: Params; Querystring: { taxonomyVersion?: string } }>(
      `/api/classification-runs/:runId/${file}`,
      async (req, reply) => {
        const user = await requireUser(deps, cookies, req, reply);
        if (!user) return reply;
        const access = await accessFor(deps, user, req);
        // results.csv re-expresses labels in an earlier taxonomy version when asked
        const taxonomyVersion = taxonomyVersionParam(req.query.taxonomyVersion);
        const download = await produce(deps, access, req.params.runId, { taxonomyVersion });
        return reply
          .header("content-type", download.contentType)
          .header("cache-control", "private, no-store")
          .header(
            "content-disposition",
            `attachment; filename*=UTF-8''${encodeURIComponent(download.filename)}`,
          )
          .send(Readable.from(download.body));
      },
    );
  }
}
