/// <reference path="../../../packages/core/src/maintenance/s3rver.d.ts" />
// A local S3 server (s3rver) for the tus tests. @tus/s3-store resumes an upload by listing the
// parts of its multipart upload and cancels one by aborting it; s3rver 3.7 stores multipart
// uploads (a folder of numbered part files per upload) but answers ListParts and
// AbortMultipartUpload with 405. Both are added here over s3rver's own folders, with the response
// shapes of the S3 API reference; every other request is s3rver's.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** Bucket keys of the multipart uploads s3rver still holds (neither completed nor aborted). */
  openMultipartKeys(): Promise<string[]>;
  stop(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverInternals {
  middleware: Middleware[];
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function s3Error(ctx: KoaContext, status: number, code: string, message: string) {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`;
}

export async function startMultipartS3(bucket = "media-test"): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "battycoda-tus-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const internals = server as unknown as S3rverInternals;
  const uploadsRoot = internals.store.getResourcePath(bucket, undefined, "uploads");

  const multipart: Middleware = async (ctx, next) => {
    const uploadId = typeof ctx.query.uploadId === "string" ? ctx.query.uploadId : undefined;
    const [, b, ...keyParts] = ctx.path.split("/");
    const isList = ctx.method === "GET" && uploadId !== undefined;
    const isAbort = ctx.method === "DELETE" && uploadId !== undefined;
    if (!(isList || isAbort) || b !== bucket || !uploadId) return next();
    const key = decodeURIComponent(keyParts.join("/"));
    const dir = path.join(uploadsRoot, path.basename(uploadId));
    const storedKey = await readFile(path.join(dir, "key"), "utf8").catch(() => null);
    if (storedKey !== key)
      return s3Error(ctx, 404, "NoSuchUpload", "The specified multipart upload does not exist.");
    if (isAbort) {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = null;
      return;
    }
    const marker = Number(ctx.query["part-number-marker"] ?? 0);
    const numbers = (await readdir(dir))
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((n) => n > marker)
      .sort((x, y) => x - y);
    const parts: string[] = [];
    for (const n of numbers) {
      const file = path.join(dir, String(n));
      const [s, md5] = await Promise.all([
        stat(file),
        readFile(`${file}.md5`, "utf8").catch(async () =>
          createHash("md5")
            .update(await readFile(file))
            .digest("hex"),
        ),
      ]);
      parts.push(
        `<Part><PartNumber>${n}</PartNumber><LastModified>${s.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${s.size}</Size></Part>`,
      );
    }
    ctx.status = 200;
    ctx.type = "application/xml";
    ctx.body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${xml(uploadId)}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker><MaxParts>10000</MaxParts><IsTruncated>false</IsTruncated>` +
      `${parts.join("")}</ListPartsResult>`;
  };
  // after s3rver's request logger, before its router (which has no route for these two)
  internals.middleware.splice(1, 0, multipart);

  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async openMultipartKeys() {
      const ids = await readdir(uploadsRoot).catch(() => [] as string[]);
      const keys = await Promise.all(
        ids.map((id) => readFile(path.join(uploadsRoot, id, "key"), "utf8").catch(() => null)),
      );
      return keys.filter((k): k is string => k !== null);
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
