/// <reference path="./s3rver.d.ts" />
// A local S3-compatible server for backup tests (s3rver, pure JS; the real AWS SDK talks to it).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "@battycoda/config";
import S3rver from "s3rver";

export interface LocalS3 {
  backup: Config["backup"];
  stop(): Promise<void>;
}

export async function startLocalS3(bucket = "backup-test", prefix = "db/"): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "battycoda-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    backup: {
      bucket,
      prefix,
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
