import http from "node:http";
import { REGISTRATION_CONFIRM_PATH } from "@battycoda/core";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { buildServer } from "../src/server.ts";
import { type TestEnv, tokenFromEmail } from "./helpers.ts";

export async function buildTestServer(t: TestEnv, webDistDir = "/nonexistent"): Promise<FastifyInstance> {
  const app = await buildServer({ deps: t.deps, webDistDir });
  await app.ready();
  return app;
}

export function sessionCookieFrom(res: LightMyRequestResponse): string | undefined {
  const cookie = res.cookies.find((c) => c.name === "bc_session");
  return cookie?.value || undefined;
}

type Auth = { cookie?: string; apiKey?: string };

function authHeaders(auth: Auth): Record<string, string> {
  return {
    ...(auth.cookie ? { cookie: `bc_session=${auth.cookie}` } : {}),
    ...(auth.apiKey ? { authorization: `Bearer ${auth.apiKey}` } : {}),
  };
}

export function trpcQuery(app: FastifyInstance, path: string, input: unknown, auth: Auth = {}) {
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return app.inject({ method: "GET", url: `/trpc/${path}${qs}`, headers: authHeaders(auth) });
}

export function trpcMutation(
  app: FastifyInstance,
  path: string,
  input: unknown,
  auth: Auth = {},
  extra: Record<string, string> = {},
) {
  return app.inject({
    method: "POST",
    url: `/trpc/${path}`,
    headers: { "content-type": "application/json", ...authHeaders(auth), ...extra },
    payload: JSON.stringify(input ?? null),
  });
}

/** `data.code` of a tRPC error response (e.g. "NOT_FOUND"), or "OK". */
export function trpcCode(res: LightMyRequestResponse): string {
  const body = res.json() as { error?: { data?: { code?: string } } };
  return body.error?.data?.code ?? "OK";
}

export function request(app: FastifyInstance, opts: InjectOptions & { auth?: Auth }) {
  const { auth, headers, ...rest } = opts;
  return app.inject({ ...rest, headers: { ...(headers ?? {}), ...authHeaders(auth ?? {}) } });
}

/** A minimal multipart/form-data body with one file field. */
export function multipartBody(
  field: string,
  filename: string,
  content: Buffer,
  contentType = "application/octet-stream",
) {
  const boundary = `----battycoda${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("fake png body for magic-byte tests"),
]);
export const JPEG_BYTES = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.from("fake jpeg body"),
]);

/** Registers over HTTP as the SPA does (form, then the mailed link) and returns the session cookie. */
export async function registerOverHttp(
  app: FastifyInstance,
  t: TestEnv,
  input: { email: string; username: string; password: string },
): Promise<string> {
  const res = await trpcMutation(app, "auth.register", input);
  if (res.statusCode !== 200) throw new Error(`register answered ${res.statusCode}: ${res.body}`);
  const token = tokenFromEmail(t, input.email.toLowerCase(), REGISTRATION_CONFIRM_PATH);
  const done = await trpcMutation(app, "auth.completeRegistration", { token });
  if (done.statusCode !== 200)
    throw new Error(`completeRegistration answered ${done.statusCode}: ${done.body}`);
  return sessionCookieFrom(done) as string;
}

export interface SocketResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request over a real socket to a listening server at `base`, with `path` sent byte for byte
 * (no URL normalisation: the tus tests send what an attacker would).
 */
export function socketRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<SocketResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(base, { method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}
