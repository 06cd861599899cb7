// Shared set-up of the recordings/uploads spec tests: a real database and pg-boss, a server,
// two users in two groups (each with an API key) and real WAV files in a temp dir.
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createBoss, type PgBoss } from "@battycoda/core/jobs";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { buildTestServer } from "./http-helpers.ts";

export const SHARED_RECORDINGS = path.resolve(import.meta.dirname, "../../../../shared/data/recordings");

export interface Party extends TestUser {
  apiKey: string;
}

export interface RecordingsEnv {
  t: TestEnv;
  app: FastifyInstance;
  boss: PgBoss;
  a: Party;
  b: Party;
  dir: string;
  close(): Promise<void>;
}

export async function createRecordingsEnv(env: Record<string, string> = {}): Promise<RecordingsEnv> {
  const t = await createTestEnv({ MAX_UPLOAD_SIZE_MB: "8", ...env });
  const boss = await createBoss(t.database.url, { max: 2 });
  t.deps.boss = boss;
  const app = await buildTestServer(t);
  const party = async (name: string): Promise<Party> => {
    const u = await registerAndLogin(t, name);
    const { key } = await u.caller.profile.generateApiKey();
    return { ...u, apiKey: key };
  };
  const a = await party("alice");
  const b = await party("bob");
  const dir = await mkdtemp(path.join(os.tmpdir(), "battycoda-rec-test-"));
  return {
    t,
    app,
    boss,
    a,
    b,
    dir,
    async close() {
      await app.close();
      await boss.stop({ graceful: false, wait: true, timeout: 5000 });
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Copies a file of ../shared into the test's temp dir (never written in place). */
export async function copyShared(env: RecordingsEnv, relative: string): Promise<string> {
  const dest = path.join(env.dir, path.basename(relative));
  await copyFile(path.join(SHARED_RECORDINGS, relative), dest);
  return dest;
}

export interface FilePart {
  field: string;
  filename: string;
  content: Buffer;
  contentType?: string;
}

/** multipart/form-data with text fields and any number of files. */
export function multipart(fields: Record<string, string>, files: FilePart[]) {
  const boundary = `----bc${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType ?? "application/octet-stream"}\r\n\r\n`,
      ),
      f.content,
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

type Auth = { cookie?: string; apiKey?: string };
export function authHeaders(auth: Auth): Record<string, string> {
  return {
    ...(auth.cookie ? { cookie: `bc_session=${auth.cookie}` } : {}),
    ...(auth.apiKey ? { authorization: `Bearer ${auth.apiKey}` } : {}),
  };
}

export function upload(
  app: FastifyInstance,
  url: string,
  auth: Auth,
  fields: Record<string, string>,
  files: FilePart[],
): Promise<LightMyRequestResponse> {
  const body = multipart(fields, files);
  return app.inject({
    method: "POST",
    url,
    payload: body.payload,
    headers: { ...body.headers, ...authHeaders(auth) },
  });
}

/** Every file under MEDIA_ROOT except the (empty) upload temp folders. */
export async function mediaFiles(mediaRoot: string): Promise<string[]> {
  const entries = await readdir(mediaRoot, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(mediaRoot, path.join(e.parentPath, e.name)))
    .sort();
}
