import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBoss } from "@battycoda/core/jobs";
import { queueEmail } from "@battycoda/core/mail";
import { createPrismaClient } from "@battycoda/db";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REST_ROUTES } from "../src/rest/routes.ts";
import { buildServer } from "../src/server.ts";
import { createTestEnv, type TestEnv } from "./helpers.ts";
import {
  buildTestServer,
  JPEG_BYTES,
  multipartBody,
  PNG_BYTES,
  registerOverHttp,
  request,
  sessionCookieFrom,
  trpcCode,
  trpcMutation,
  trpcQuery,
} from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let cookie: string;
let apiKey: string;
let speciesId: string;

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);
  cookie = await registerOverHttp(app, t, {
    email: "web@example.org",
    username: "web",
    password: "web password 1",
  });
  const key = await trpcMutation(app, "profile.generateApiKey", null, { cookie });
  apiKey = key.json().result.data.key;
  const species = await trpcQuery(app, "species.list", undefined, { cookie });
  speciesId = species.json().result.data.find((s: { isSystem: boolean }) => !s.isSystem).id;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("GET /health", () => {
  it("is 200 when the database answers", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: "ok",
      database: "ok",
      rServer: { state: expect.any(String) },
    });
  });

  it("is 503 when the database is down", async () => {
    const deadDb = createPrismaClient("postgresql://postgres@127.0.0.1:1/nothing");
    const down = await buildServer({ deps: { ...t.deps, db: deadDb }, webDistDir: "/nonexistent" });
    const res = await down.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: "error", database: "unreachable", host: expect.any(String) });
    await down.close();
    await deadDb.$disconnect();
  });
});

describe("security headers", () => {
  it("enforces CSP with a nonce and without 'unsafe-inline' by default", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+';/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["content-security-policy-report-only"]).toBeUndefined();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
  // Modes, nonces in index.html, reports and HSTS: csp.test.ts.
});

describe("tRPC over HTTP", () => {
  it("sets an httpOnly SameSite=Lax session cookie on login and clears it on logout", async () => {
    const res = await trpcMutation(app, "auth.login", { identifier: "web", password: "web password 1" });
    expect(res.statusCode).toBe(200);
    const c = res.cookies.find((x) => x.name === "bc_session");
    expect(c).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(c?.secure).toBeFalsy(); // http PUBLIC_URL in tests; https deployments get Secure
    const me = await trpcQuery(app, "auth.me", undefined, { cookie: c?.value });
    expect(me.json().result.data.username).toBe("web");
    const out = await trpcMutation(app, "auth.logout", null, { cookie: c?.value });
    expect(out.cookies.find((x) => x.name === "bc_session")?.value).toBe("");
    const after = await trpcQuery(app, "auth.me", undefined, { cookie: c?.value });
    expect(after.json().result.data).toBeNull();
  });

  it("answers 401 for protected procedures without a session", async () => {
    const res = await trpcQuery(app, "projects.list", undefined);
    expect(res.statusCode).toBe(401);
    expect(trpcCode(res)).toBe("UNAUTHORIZED");
  });

  it("flattens zod errors into error.data.zodError", async () => {
    const res = await trpcMutation(app, "projects.create", { name: "" }, { cookie });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.data.zodError.fieldErrors).toEqual({ name: ["Name is required"] });
  });

  it("puts line-numbered import errors in error.data.details", async () => {
    const res = await trpcMutation(app, "species.importCallTypes", { speciesId, text: "a\nA" }, { cookie });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('Line 2: Duplicate short name "A" (first on line 1)');
    expect(res.json().error.data.details).toEqual([
      { line: 2, message: 'Duplicate short name "A" (first on line 1)' },
    ]);
  });

  it("refuses cross-site cookie-authenticated mutations (CSRF) but allows same-origin ones", async () => {
    const evil = await trpcMutation(
      app,
      "projects.create",
      { name: "csrf" },
      { cookie },
      { origin: "https://evil.example" },
    );
    expect(evil.statusCode).toBe(403);
    expect(evil.json()).toEqual({ error: { code: "FORBIDDEN", message: "Cross-site request refused" } });
    const fetchSite = await trpcMutation(
      app,
      "projects.create",
      { name: "csrf" },
      { cookie },
      { "sec-fetch-site": "cross-site" },
    );
    expect(fetchSite.statusCode).toBe(403);
    const same = await trpcMutation(
      app,
      "projects.create",
      { name: "csrf" },
      { cookie },
      { origin: "http://battycoda.test" },
    );
    expect(same.statusCode).toBe(200);
  });

  it("also accepts an API key", async () => {
    const res = await trpcQuery(app, "auth.me", undefined, { apiKey });
    expect(res.json().result.data.username).toBe("web");
  });
});

describe("species image routes", () => {
  const url = () => `/api/species/${speciesId}/image`;

  it.each(["GET", "DELETE"] as const)("%s requires authentication", async (method) => {
    const res = await request(app, { method, url: url() });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Authentication required" } });
  });

  it("POST requires authentication", async () => {
    const body = multipartBody("image", "a.png", PNG_BYTES);
    const res = await request(app, { method: "POST", url: url(), ...body });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Authentication required" } });
    const bad = await request(app, { method: "POST", url: url(), ...body, auth: { apiKey: "bc_nope" } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toBe("Invalid API key");
  });

  it("POST rejects non-multipart bodies, missing files and non-image bytes with exact messages", async () => {
    const json = await request(app, {
      method: "POST",
      url: url(),
      auth: { cookie },
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.message).toBe(
      'Expected a multipart/form-data upload with an "image" file field',
    );

    const wrongField = await request(app, {
      method: "POST",
      url: url(),
      auth: { cookie },
      ...multipartBody("file", "a.png", PNG_BYTES),
    });
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().error.message).toBe('No file in the "image" field');

    // a GIF named .png with an image/png content type: the bytes decide
    const gif = Buffer.from("GIF89a....");
    const notImage = await request(app, {
      method: "POST",
      url: url(),
      auth: { cookie },
      ...multipartBody("image", "a.png", gif, "image/png"),
    });
    expect(notImage.statusCode).toBe(415);
    expect(notImage.json()).toEqual({
      error: { code: "UNSUPPORTED_MEDIA_TYPE", message: "Only JPEG and PNG images are accepted" },
    });
  });

  it("POST rejects images over the size limit with 413", async () => {
    const big = Buffer.concat([PNG_BYTES, Buffer.alloc(10 * 1024 * 1024 + 1)]);
    const res = await request(app, {
      method: "POST",
      url: url(),
      auth: { cookie },
      ...multipartBody("image", "big.png", big),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toBe("Image is too large (at most 10 MB)");
  });

  it("stores PNG/JPEG under MEDIA_ROOT/<group>/species, serves it access-checked, replaces and deletes it", async () => {
    const up = await request(app, {
      method: "POST",
      url: url(),
      auth: { cookie },
      ...multipartBody("image", "r.png", PNG_BYTES),
    });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ contentType: "image/png", size: PNG_BYTES.length });
    const row = await t.deps.db.species.findUniqueOrThrow({ where: { id: speciesId } });
    expect(row.imagePath).toMatch(new RegExp(`^${row.groupId}/species/${speciesId}-[\\w-]+\\.png$`));
    const first = path.join(t.config.mediaRoot, row.imagePath as string);
    expect(fs.readFileSync(first)).toEqual(PNG_BYTES);

    const detail = await trpcQuery(app, "species.get", { speciesId }, { cookie });
    expect(detail.json().result.data.imageUrl).toBe(up.json().imageUrl);

    const get = await request(app, { method: "GET", url: url(), auth: { cookie } });
    expect(get.statusCode).toBe(200);
    expect(get.headers["content-type"]).toBe("image/png");
    expect(get.rawPayload).toEqual(PNG_BYTES);
    expect((await request(app, { method: "GET", url: url() })).statusCode).toBe(401);

    const jpeg = await request(app, {
      method: "POST",
      url: url(),
      auth: { apiKey },
      ...multipartBody("image", "r.jpg", JPEG_BYTES),
    });
    expect(jpeg.statusCode).toBe(201);
    expect(fs.existsSync(first)).toBe(false);
    expect(
      (await request(app, { method: "GET", url: url(), auth: { cookie } })).headers["content-type"],
    ).toBe("image/jpeg");

    const del = await request(app, { method: "DELETE", url: url(), auth: { cookie } });
    expect(del.statusCode).toBe(204);
    const gone = await request(app, { method: "GET", url: url(), auth: { cookie } });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.message).toBe("Species image not found");
  });

  it("system species images are writable by site admins only", async () => {
    const sys = await t.deps.db.species.create({ data: { name: "Eptesicus fuscus", isSystem: true } });
    const res = await request(app, {
      method: "POST",
      url: `/api/species/${sys.id}/image`,
      auth: { cookie },
      ...multipartBody("image", "r.png", PNG_BYTES),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe("System species can only be changed by site admins");
  });

  it("unknown species are 404", async () => {
    const res = await request(app, { method: "GET", url: "/api/species/nope/image", auth: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe("Species not found");
  });
});

describe("REST /api/v1", () => {
  it.each(REST_ROUTES.map((r) => [r.method, r.path] as const))(
    "%s %s requires an API key",
    async (method, route) => {
      const url = route.replace(/:(\w+)/g, "some-id");
      for (const auth of [{}, { cookie }]) {
        const res = await request(app, {
          method,
          url,
          auth,
          ...(method === "POST" || method === "PATCH" ? { payload: {} } : {}),
        });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({
          error: {
            code: "UNAUTHORIZED",
            message: "API key required (Authorization: Bearer <key> or X-API-Key: <key>)",
          },
        });
      }
    },
  );

  it("GET /api/v1/groups lists the key owner's groups", async () => {
    const res = await request(app, { method: "GET", url: "/api/v1/groups", auth: { apiKey } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ name: "web's group", isAdmin: true, isCurrent: true }),
    ]);
  });

  it("requires an API key (a session cookie is not enough)", async () => {
    for (const auth of [{}, { cookie }]) {
      const res = await request(app, { method: "GET", url: "/api/v1/me", auth });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe(
        "API key required (Authorization: Bearer <key> or X-API-Key: <key>)",
      );
    }
    const bad = await request(app, {
      method: "GET",
      url: "/api/v1/me",
      headers: { "x-api-key": "bc_wrong" },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toBe("Invalid API key");
  });

  it("GET /api/v1/me via Bearer or X-API-Key", async () => {
    const res = await request(app, { method: "GET", url: "/api/v1/me", auth: { apiKey } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      username: "web",
      currentGroup: { name: "web's group", isAdmin: true },
    });
    const viaHeader = await request(app, {
      method: "GET",
      url: "/api/v1/me",
      headers: { "x-api-key": apiKey },
    });
    expect(viaHeader.json().username).toBe("web");
  });

  it("projects: create (201), validation (400), conflict (409), get, patch, delete, 404", async () => {
    const invalid = await request(app, {
      method: "POST",
      url: "/api/v1/projects",
      auth: { apiKey },
      payload: { name: "" },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ error: { code: "BAD_REQUEST", message: "name: Name is required" } });

    const created = await request(app, {
      method: "POST",
      url: "/api/v1/projects",
      auth: { apiKey },
      payload: { name: "REST" },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const dup = await request(app, {
      method: "POST",
      url: "/api/v1/projects",
      auth: { apiKey },
      payload: { name: "REST" },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toBe('A project named "REST" already exists in this group');

    const list = await request(app, { method: "GET", url: "/api/v1/projects", auth: { apiKey } });
    expect(list.json().map((p: { name: string }) => p.name)).toContain("REST");

    const patched = await request(app, {
      method: "PATCH",
      url: `/api/v1/projects/${id}`,
      auth: { apiKey },
      payload: { description: "via REST" },
    });
    expect(patched.json()).toMatchObject({ name: "REST", description: "via REST" });

    const del = await request(app, { method: "DELETE", url: `/api/v1/projects/${id}`, auth: { apiKey } });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ projectId: id, recordings: 0 });

    const missing = await request(app, { method: "GET", url: `/api/v1/projects/${id}`, auth: { apiKey } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: "NOT_FOUND", message: "Project not found" } });
  });

  it("species: list, get with call types, add call type", async () => {
    const list = await request(app, { method: "GET", url: "/api/v1/species", auth: { apiKey } });
    expect(list.statusCode).toBe(200);
    const got = await request(app, { method: "GET", url: `/api/v1/species/${speciesId}`, auth: { apiKey } });
    expect(got.json().callTypes.length).toBeGreaterThan(0);
    const added = await request(app, {
      method: "POST",
      url: `/api/v1/species/${speciesId}/call-types`,
      auth: { apiKey },
      payload: { shortName: "REST1", longName: "Added by REST" },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ shortName: "REST1" });
    const invalid = await request(app, {
      method: "POST",
      url: `/api/v1/species/${speciesId}/call-types`,
      auth: { apiKey },
      payload: { longName: "no short" },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toBe(
      "shortName: Invalid input: expected string, received undefined",
    );
  });

  it("serves an OpenAPI document generated from the same schemas", async () => {
    const res = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/me",
        "/api/v1/projects",
        "/api/v1/projects/{projectId}",
        "/api/v1/species",
      ]),
    );
    const getProject = doc.paths["/api/v1/projects/{projectId}"].get;
    expect(getProject.parameters).toEqual([
      { name: "projectId", in: "path", required: true, schema: expect.any(Object) },
    ]);
    const project = getProject.responses["200"].content["application/json"].schema;
    expect(project.properties.createdAt).toEqual({ type: "string", format: "date-time" });
    expect(
      doc.paths["/api/v1/projects"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["name"]);
  });
});

describe("SPA", () => {
  it("serves the build with history fallback and caching rules", async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-dist-"));
    fs.mkdirSync(path.join(dist, "assets"));
    fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><div id=root></div>");
    fs.writeFileSync(path.join(dist, "assets", "app-123.js"), "console.log(1)");
    const server = await buildTestServer(t, dist);
    const html = { accept: "text/html" };

    const root = await server.inject({ method: "GET", url: "/", headers: html });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("<div id=root>");
    const deep = await server.inject({ method: "GET", url: "/projects/abc?tab=1", headers: html });
    expect(deep.statusCode).toBe(200);
    // no-store: each copy carries its own CSP nonce
    expect(deep.headers["cache-control"]).toBe("no-store");
    expect(deep.body).toContain("<div id=root>");
    const asset = await server.inject({ method: "GET", url: "/assets/app-123.js" });
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const api = await server.inject({ method: "GET", url: "/api/v1/nothing", headers: html });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe("NOT_FOUND");
    await server.close();

    const noCache = await createTestEnv({ DISABLE_STATIC_CACHING: "true" });
    const server2 = await buildTestServer(noCache, dist);
    const a2 = await server2.inject({ method: "GET", url: "/assets/app-123.js" });
    expect(a2.headers["cache-control"]).toBe("no-store");
    await server2.close();
    await noCache.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });
});

describe("emails through the real queue", () => {
  it("passwordless login: the code arrives as a queued email.send job", async () => {
    const boss = await createBoss(t.database.url);
    const server = await buildServer({
      deps: { ...t.deps, boss, sendEmail: async (m) => void (await queueEmail({ db: t.deps.db, boss }, m)) },
      webDistDir: "/nonexistent",
    });
    try {
      const req = await trpcMutation(server, "auth.requestLoginCode", { identifier: "web@example.org" });
      expect(req.json().result.data).toEqual({ ok: true });
      const job = await t.deps.db.job.findFirstOrThrow({
        where: { type: "email.send" },
        orderBy: { createdAt: "desc" },
      });
      expect(job.status).toBe("queued");
      const message = (job.payload as { message: { to: string; text: string } }).message;
      expect(message.to).toBe("web@example.org");
      const code = /login code is (\d{6})/.exec(message.text)?.[1];
      const login = await trpcMutation(server, "auth.verifyLoginCode", { identifier: "web", code });
      expect(login.statusCode).toBe(200);
      expect(sessionCookieFrom(login)).toBeTruthy();
    } finally {
      await server.close();
      await boss.stop({ graceful: false, wait: true });
    }
  });
});
