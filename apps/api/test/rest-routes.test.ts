import { readFile } from "node:fs/promises";
// Table-driven specs over every /api/v1 and /simple-api route, enumerated from the server's own
// route table (buildServer's onRoute): a route without a case in CASES fails the first test, so a
// new route cannot escape. For each route, driven by its case:
//   - no key, an unknown key and a revoked key → 401 (and a session cookie is not a key);
//   - a malformed input → 400 whose message names the field;
//   - the owner's ids sent with another group's key → 404 NOT_FOUND (exactly like a missing id);
//   - the statuses it answers are the ones the OpenAPI document lists for it.
// Plus the per-key rate limit (429) and group_id.

import { createBoss, type PgBoss } from "@battycoda/core/jobs";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir, writeFixture } from "../../../packages/audio/test/fixtures/generate.ts";
import { whiteNoise } from "../../../packages/audio/test/fixtures/synth.ts";
import { createScene } from "../../../packages/core/test/classification-fixtures.ts";
import { REST_ROUTES } from "../src/rest/routes.ts";
import { buildServer } from "../src/server.ts";
import { createTestEnv, joinByInvitation, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { multipartBody } from "./http-helpers.ts";

type Ids = Record<string, string>;

interface Case {
  /** Path parameters take the owner's ids of these names. */
  crossGroup: boolean | string;
  /** A valid body, so the cross-group call reaches the lookup rather than validation. */
  body?: unknown;
  /** Path parameters that take another fixture's id (e.g. a clustering run's runId). */
  ids?: Record<string, string>;
  /** A field the route validates, sent malformed; the message must start with "<field>:". */
  invalid?: { query?: Record<string, string>; body?: unknown; field: string };
}

const CROSS = { crossGroup: true } as const;
const scoped = (why: string): Case => ({ crossGroup: why });
const LIST = scoped("no id: a list filtered on the caller's group");

/** "METHOD url" as Fastify registers it. */
const CASES: Record<string, Case> = {
  "GET /api/openapi.json": scoped("public: the API description"),
  "GET /api/reference": scoped("public: the API reference page"),
  "GET /api/v1/openapi.json": scoped("public: the API description (3.0)"),
  "GET /api/v1/me": scoped("own account"),
  "GET /api/v1/groups": scoped("own memberships"),
  "GET /api/v1/api-key": scoped("own account"),
  "POST /api/v1/api-key": scoped("own account"),
  "GET /api/v1/projects": LIST,
  "POST /api/v1/projects": {
    crossGroup: "creates in the caller's group",
    invalid: { body: { name: "" }, field: "name" },
  },
  "GET /api/v1/projects/:projectId": CROSS,
  "PATCH /api/v1/projects/:projectId": {
    crossGroup: true,
    body: { name: "pwned" },
    invalid: { body: { name: 5 }, field: "name" },
  },
  "DELETE /api/v1/projects/:projectId": CROSS,
  "GET /api/v1/species": LIST,
  "POST /api/v1/species": {
    crossGroup: "creates in the caller's group",
    invalid: { body: { name: "" }, field: "name" },
  },
  "GET /api/v1/species/:speciesId": CROSS,
  "POST /api/v1/species/:speciesId/call-types": {
    crossGroup: true,
    body: { shortName: "PWN" },
    invalid: { body: { longName: "x" }, field: "shortName" },
  },
  "GET /api/v1/recordings": { crossGroup: "list", invalid: { query: { limit: "0" }, field: "limit" } },
  "POST /api/v1/recordings": scoped("upload into the caller's group (project/species ids: uploads.test.ts)"),
  "GET /api/v1/recordings/:recordingId": CROSS,
  "PATCH /api/v1/recordings/:recordingId": {
    crossGroup: true,
    invalid: { body: { name: 5 }, field: "name" },
  },
  "DELETE /api/v1/recordings/:recordingId": CROSS,
  "GET /api/v1/recordings/:recordingId/audio": CROSS,
  "GET /api/v1/recordings/:recordingId/segmentations": CROSS,
  "POST /api/v1/recordings/:recordingId/segmentations": {
    crossGroup: true,
    body: { algorithmKey: "spectral", params: {} },
    invalid: { body: { algorithmKey: "nope", params: {} }, field: "algorithmKey" },
  },
  "POST /api/v1/recordings/:recordingId/segmentations/import": CROSS,
  "GET /api/v1/algorithms": LIST,
  "GET /api/v1/algorithms/specs": scoped("no rows: parameter descriptions"),
  "POST /api/v1/segmentations/batch": {
    crossGroup: "ids in the body: segmentation.test.ts covers startBatch",
    invalid: { body: { algorithmKey: "spectral", params: {}, recordingIds: [] }, field: "recordingIds" },
  },
  "GET /api/v1/segmentations/:segmentationId": CROSS,
  "GET /api/v1/segmentations/:segmentationId/segments": {
    crossGroup: true,
    invalid: { query: { pageSize: "5000" }, field: "pageSize" },
  },
  "GET /api/v1/classification-runs": {
    crossGroup: "list",
    invalid: { query: { limit: "x" }, field: "limit" },
  },
  "POST /api/v1/classification-runs": {
    crossGroup: "ids in the body: checked below",
    invalid: { body: {}, field: "segmentationId" },
  },
  "POST /api/v1/classification-runs/unclassified": scoped("scope ids in the body: classification.test.ts"),
  "GET /api/v1/classification-runs/:runId": CROSS,
  "DELETE /api/v1/classification-runs/:runId": CROSS,
  "GET /api/v1/classification-runs/:runId/results": {
    crossGroup: true,
    invalid: { query: { order: "sideways" }, field: "order" },
  },
  "POST /api/v1/classification-runs/:runId/cancel": CROSS,
  "POST /api/v1/classification-runs/:runId/retry": CROSS,
  "GET /api/v1/classification-runs/:runId/results.csv": CROSS,
  "GET /api/v1/classification-runs/:runId/features.csv": CROSS,
  "GET /api/v1/classification-runs/:runId/parameters.json": CROSS,
  "GET /api/v1/classifiers": LIST,
  "POST /api/v1/classifiers": {
    crossGroup: "ids in the body: classifiers.test.ts",
    invalid: {
      body: { name: "x", speciesId: "s", type: "svm", source: { kind: "segments" } },
      field: "type",
    },
  },
  "GET /api/v1/classifiers/:classifierId": CROSS,
  "DELETE /api/v1/classifiers/:classifierId": CROSS,
  "GET /api/v1/training-jobs": LIST,
  "GET /api/v1/task-batches": { crossGroup: "list", invalid: { query: { limit: "500" }, field: "limit" } },
  "POST /api/v1/task-batches": {
    crossGroup: "ids in the body: tasks.test.ts",
    invalid: { body: { name: "x", source: { kind: "nope" } }, field: "source.kind" },
  },
  "GET /api/v1/task-batches/:batchId": CROSS,
  "DELETE /api/v1/task-batches/:batchId": CROSS,
  "GET /api/v1/task-batches/:batchId/tasks": {
    crossGroup: true,
    invalid: { query: { status: "maybe" }, field: "status" },
  },
  "GET /api/v1/task-batches/:batchId/export.csv": CROSS,
  "GET /api/v1/task-batches/export.zip": CROSS,
  "GET /api/v1/tasks/:taskId": CROSS,
  "POST /api/v1/tasks/:taskId/label": {
    crossGroup: true,
    body: { label: "A" },
    invalid: { body: { label: 5 }, field: "label" },
  },
  "GET /api/v1/jobs": LIST,
  "GET /api/v1/jobs/:jobId": CROSS,
  "POST /api/v1/jobs/:jobId/cancel": CROSS,
  "POST /api/v1/jobs/:jobId/retry": CROSS,
  "GET /api/v1/clustering-runs": LIST,
  "POST /api/v1/clustering-runs": scoped("ids in the scope: clustering tests cover createRun"),
  "GET /api/v1/clustering-runs/:runId": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "POST /api/v1/clustering-runs/:runId/cancel": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "POST /api/v1/clustering-runs/:runId/retry": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "DELETE /api/v1/clustering-runs/:runId": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "GET /api/v1/clustering-runs/:runId/points": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "GET /api/v1/clustering-runs/:runId/mappings": { crossGroup: true, ids: { runId: "clusteringRunId" } },
  "GET /api/v1/clusters/:clusterId/members": CROSS,
  // /simple-api/: the original's answers ({ success: false, error }), original statuses.
  "GET /simple-api/user/": scoped("own account"),
  "POST /simple-api/generate-key/": scoped("own account"),
  "GET /simple-api/species/": LIST,
  "GET /simple-api/projects/": LIST,
  "GET /simple-api/recordings/": LIST,
  "POST /simple-api/upload/": {
    crossGroup: "species/project ids: checked below",
    invalid: { body: { name: "x" }, field: "species_id" },
  },
  "POST /simple-api/recordings/:recordingId/upload-pickle/": CROSS,
  "POST /simple-api/recordings/:recordingId/segment/": CROSS,
  "GET /simple-api/algorithms/": LIST,
  "GET /simple-api/classifiers/": LIST,
  "POST /simple-api/segmentations/:segmentationId/classify/": CROSS,
  "GET /simple-api/classification-runs/": LIST,
  "POST /simple-api/classification-runs/:runId/create-task-batch/": CROSS,
  "GET /simple-api/task-batches/": LIST,
  "GET /simple-api/task-batches/:batchId/tasks/": CROSS,
};

let t: TestEnv;
let app: FastifyInstance;
let boss: PgBoss;
let dir: string;
const routes: string[] = [];
let alice: TestUser & { apiKey: string };
let mallory: TestUser & { apiKey: string };
let revokedKey: string;
const ids: Ids = {};

beforeAll(async () => {
  t = await createTestEnv();
  boss = await createBoss(t.database.url, { max: 2 }); // queues work that nobody runs here
  t.deps.boss = boss;
  app = await buildServer({
    deps: t.deps,
    webDistDir: "/nonexistent",
    onRoute: (r) => {
      for (const m of [r.method].flat())
        if (
          m !== "HEAD" &&
          m !== "OPTIONS" &&
          (r.url.startsWith("/api/v1") ||
            r.url.startsWith("/simple-api") ||
            r.url.startsWith("/api/openapi") ||
            r.url === "/api/reference")
        )
          routes.push(`${m} ${r.url}`);
    },
  });
  await app.ready();
  const holder = async (name: string) => {
    const u = await registerAndLogin(t, name);
    return { ...u, apiKey: (await u.caller.profile.generateApiKey()).key };
  };
  alice = await holder("alice");
  mallory = await holder("mallory");
  const revoked = await holder("revoked");
  revokedKey = revoked.apiKey;
  await revoked.caller.profile.revokeApiKey();

  // One of everything in alice's group.
  const c = alice.caller;
  const groupId = (await c.groups.current()).id;
  dir = await makeTempDir("battycoda-rest-routes-");
  const scene = await createScene(t.database.db, t.config.mediaRoot, dir, { calls: 4, groupId });
  ids.recordingId = scene.recordingId;
  ids.segmentationId = scene.segmentationId;
  ids.speciesId = scene.speciesId;
  ids.projectId = (await c.projects.create({ name: "P" })).id;
  const run = await c.classification.startRun({ segmentationId: scene.segmentationId });
  ids.runId = run.runId;
  ids.jobId = (await c.classification.getRun({ runId: run.runId })).jobId as string;
  ids.classifierId = (
    await t.database.db.classifier.create({
      data: { name: "mine", type: "lda", groupId, speciesId: scene.speciesId },
    })
  ).id;
  ids.batchId = (
    await c.tasks.createBatch({
      name: "B",
      source: { kind: "segmentation", segmentationId: scene.segmentationId },
    })
  ).batchId;
  ids.taskId = (await c.tasks.listTasks({ batchId: ids.batchId, limit: 1 })).items[0]?.id as string;
  const clustering = await t.database.db.clusteringRun.create({ data: { groupId, name: "C" } });
  ids.clusteringRunId = clustering.id;
  ids.clusterId = (await t.database.db.cluster.create({ data: { runId: clustering.id, index: 0 } })).id;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await boss?.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
  await t?.close();
  if (dir) await removeTempDir(dir);
});

const routeKey = (r: string) => r;
const methodOf = (r: string) => r.slice(0, r.indexOf(" ")) as "GET" | "POST" | "PATCH" | "DELETE";
const urlOf = (r: string) => r.slice(r.indexOf(" ") + 1);
const fill = (url: string, values: Ids) =>
  url.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? "none");
const isSimple = (r: string) => urlOf(r).startsWith("/simple-api");
const isPublic = (r: string) => /openapi\.json$|\/api\/reference$/.test(r);

function send(
  route: string,
  options: {
    key?: string;
    keyIn?: "header" | "query";
    values?: Ids;
    query?: Record<string, string>;
    body?: unknown;
    cookie?: string;
  },
) {
  const method = methodOf(route);
  const query = new URLSearchParams(options.query ?? {});
  if (options.key && options.keyIn === "query") query.set("api_key", options.key);
  const qs = query.toString();
  return app.inject({
    method,
    url: `${fill(urlOf(route), options.values ?? ids)}${qs ? `?${qs}` : ""}`,
    headers: {
      ...(options.key && options.keyIn !== "query" ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.cookie ? { cookie: `bc_session=${options.cookie}` } : {}),
    },
    ...(method === "GET" || method === "DELETE"
      ? {}
      : { payload: (options.body ?? {}) as Record<string, unknown> }),
  });
}

function errorMessage(res: LightMyRequestResponse, simple: boolean): string {
  const body = res.json() as { error?: { message?: string } | string; success?: boolean };
  if (simple) {
    expect(body.success).toBe(false);
    return body.error as string;
  }
  return (body.error as { message: string }).message;
}

let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
function documented(route: string): string[] {
  const op = doc.paths[urlOf(route).replace(/:(\w+)/g, "{$1}")]?.[methodOf(route).toLowerCase()];
  return Object.keys(op?.responses ?? {});
}

describe("scripting routes, from the route table", () => {
  it("has a case for every route and a route for every case", () => {
    expect(routes.length).toBeGreaterThan(70);
    const missing = routes.filter((r) => !CASES[routeKey(r)]);
    expect(missing, "routes without a case in CASES").toEqual([]);
    const stale = Object.keys(CASES).filter((k) => !routes.includes(k));
    expect(stale, "cases for routes that no longer exist").toEqual([]);
  });

  it("documents every /api/v1 route, with 401/404/400 where they apply", async () => {
    doc = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    expect((doc as unknown as { openapi: string }).openapi).toBe("3.1.0");
    for (const r of routes.filter((x) => urlOf(x).startsWith("/api/v1/") && !isPublic(x))) {
      const statuses = documented(r);
      expect(statuses, r).toContain("401");
      expect(statuses, r).toContain("429");
      if (r.includes(":")) expect(statuses, r).toContain("404");
    }
  });

  it("refuses a missing, unknown or revoked key with 401 (and a session cookie is not a key)", async () => {
    for (const r of routes.filter((x) => !isPublic(x))) {
      const simple = isSimple(r);
      const attempts = [
        send(r, {}),
        send(r, { key: "bc_not-a-real-key" }),
        send(r, { key: revokedKey }),
        send(r, { cookie: alice.token }),
        ...(simple ? [send(r, { key: revokedKey, keyIn: "query" })] : []),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode, r).toBe(401);
        const message = errorMessage(res, simple);
        expect(message, r).toMatch(simple ? /^Invalid or missing API key$/ : /API key/);
        if (!simple) expect(documented(r), r).toContain("401");
      }
    }
  });

  it("accepts api_key in the query only on /simple-api/", async () => {
    const v1 = await send("GET /api/v1/me", { key: alice.apiKey, keyIn: "query" });
    expect(v1.statusCode).toBe(401);
    const simple = await send("GET /simple-api/user/", { key: alice.apiKey, keyIn: "query" });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers.deprecation).toBe("true");
  });

  it("names the field in validation errors", async () => {
    // Procedure routes: the procedure's input schema checks them (file routes look ids up as given).
    const procedureRoutes = new Set(REST_ROUTES.map((x) => `${x.method} ${x.path}`));
    const withPath = routes.filter((r) => r.includes(":") && procedureRoutes.has(r));
    // Ids longer than any id: every path parameter is validated before anything is looked up.
    for (const r of withPath) {
      const name = /:(\w+)/.exec(urlOf(r))?.[1] as string;
      const body = CASES[r]?.body;
      const res = await send(r, {
        key: alice.apiKey,
        values: { ...ids, [name]: "x".repeat(65) },
        ...(body !== undefined ? { body } : {}),
      });
      expect(res.statusCode, r).toBe(400);
      expect(errorMessage(res, false), r).toMatch(new RegExp(`(^|; )${name}: `));
      expect(documented(r), r).toContain("400");
    }
    for (const r of routes) {
      const invalid = CASES[r]?.invalid;
      if (!invalid) continue;
      const res = await send(r, {
        key: alice.apiKey,
        ...(invalid.query ? { query: invalid.query } : {}),
        ...(invalid.body !== undefined ? { body: invalid.body } : {}),
      });
      expect(res.statusCode, `${r} ${res.body}`).toBe(400);
      expect(errorMessage(res, isSimple(r)), r).toContain(invalid.field);
      if (!isSimple(r))
        expect(errorMessage(res, false), r).toMatch(
          new RegExp(`(^|; )${invalid.field.replace(".", "\\.")}: `),
        );
    }
  });

  it("answers 404 NOT_FOUND for another group's ids, exactly as for a missing id", async () => {
    const before = await snapshot();
    for (const r of routes) {
      if (CASES[r]?.crossGroup !== true) continue;
      const simple = isSimple(r);
      const mapped = CASES[r]?.ids ?? {};
      const values = {
        ...ids,
        ...Object.fromEntries(Object.entries(mapped).map(([k, v]) => [k, ids[v] as string])),
      };
      const body = CASES[r]?.body;
      const query = r.includes("export.zip") ? { batchIds: ids.batchId as string } : undefined;
      const theirs = await send(r, {
        key: mallory.apiKey,
        values,
        ...(query ? { query } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      expect(theirs.statusCode, `${r} ${theirs.body}`).toBe(404);
      if (!simple) {
        expect((theirs.json() as { error: { code: string } }).error.code, r).toBe("NOT_FOUND");
        expect(documented(r), r).toContain("404");
      }
      const missingValues = Object.fromEntries(Object.keys(ids).map((k) => [k, "missing-id"]));
      const missing = await send(r, {
        key: alice.apiKey,
        values: missingValues,
        ...(query ? { query: { batchIds: "missing-id" } } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      expect(missing.statusCode, r).toBe(404);
      // Same answer; the original's messages quote the id, so compare with the ids blanked.
      const blank = (m: string) =>
        [...Object.values(values), "missing-id"].reduce((acc, id) => acc.replaceAll(id, "<id>"), m);
      expect(blank(errorMessage(missing, simple)), r).toBe(blank(errorMessage(theirs, simple)));
    }
    // Ids inside bodies and forms.
    const run = await send("POST /api/v1/classification-runs", {
      key: mallory.apiKey,
      body: { segmentationId: ids.segmentationId },
    });
    expect(run.statusCode).toBe(404);
    const upload = await app.inject({
      method: "POST",
      url: `/simple-api/upload/?api_key=${mallory.apiKey}`,
      payload: `name=x&species_id=${ids.speciesId}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(upload.statusCode).toBe(400); // the original's answer for a species one cannot see
    expect(upload.json()).toEqual({
      success: false,
      error: "Missing required fields: name, species_id, wav_file",
    });
    // Nothing of alice's changed.
    expect(await snapshot()).toBe(before);
  });

  it("acts in group_id for members of several groups, and refuses other groups", async () => {
    await joinByInvitation(t, mallory, alice);
    // alice's current group is now mallory's (accepting switches it); group_id picks either.
    const aliceGroup = (
      await t.database.db.group.findFirstOrThrow({ where: { projects: { some: { id: ids.projectId } } } })
    ).id;
    const inOwn = await app.inject({
      method: "GET",
      url: `/api/v1/projects/${ids.projectId}?group_id=${aliceGroup}`,
      headers: { authorization: `Bearer ${alice.apiKey}` },
    });
    expect(inOwn.statusCode).toBe(200);
    const current = await send(`GET /api/v1/projects/:projectId`, { key: alice.apiKey });
    expect(current.statusCode).toBe(404);
    const viaHeader = await app.inject({
      method: "GET",
      url: `/api/v1/projects/${ids.projectId}`,
      headers: { authorization: `Bearer ${alice.apiKey}`, "x-group-id": aliceGroup },
    });
    expect(viaHeader.statusCode).toBe(200);
    const notMember = await app.inject({
      method: "GET",
      url: `/api/v1/projects?group_id=${aliceGroup}`,
      headers: { authorization: `Bearer ${mallory.apiKey}` },
    });
    expect(notMember.statusCode).toBe(404);
    expect(notMember.json()).toEqual({ error: { code: "NOT_FOUND", message: "Group not found" } });
    const simple = await app.inject({
      method: "GET",
      url: `/simple-api/user/?group_id=${aliceGroup}`,
      headers: { authorization: `Bearer ${alice.apiKey}` },
    });
    expect(simple.json().user.group_name).toBe("alice's group");
    // Uploads and file routes take group_id too: a script uploading in a loop must not follow the web app's group
    // switches (alice's current group is mallory's here).
    const dir = await makeTempDir();
    try {
      const wav = await readFile(await writeFixture(dir, "g", whiteNoise(4800, 0.1), { sampleRate: 48_000 }));
      const body = multipartBody("file", "in-own-group.wav", wav, "audio/wav");
      const upload = await app.inject({
        method: "POST",
        url: `/api/v1/recordings?group_id=${aliceGroup}`,
        headers: { authorization: `Bearer ${alice.apiKey}`, ...body.headers },
        payload: body.payload,
      });
      expect(upload.statusCode, upload.body).toBe(201);
      const stored = await t.database.db.recording.findFirstOrThrow({
        where: { name: "in-own-group" },
        select: { groupId: true },
      });
      expect(stored.groupId).toBe(aliceGroup);
      const viaHeader = multipartBody("file", "header-group.wav", wav, "audio/wav");
      const headerUpload = await app.inject({
        method: "POST",
        url: "/api/v1/recordings",
        headers: { authorization: `Bearer ${alice.apiKey}`, "x-group-id": aliceGroup, ...viaHeader.headers },
        payload: viaHeader.payload,
      });
      expect(headerUpload.statusCode, headerUpload.body).toBe(201);
      expect(
        (await t.database.db.recording.findFirstOrThrow({ where: { name: "header-group" } })).groupId,
      ).toBe(aliceGroup);
      // Another group's id is refused as unknown, and nothing is stored.
      const foreign = multipartBody("file", "foreign.wav", wav, "audio/wav");
      const refused = await app.inject({
        method: "POST",
        url: `/api/v1/recordings?group_id=${aliceGroup}`,
        headers: { authorization: `Bearer ${mallory.apiKey}`, ...foreign.headers },
        payload: foreign.payload,
      });
      expect(refused.statusCode).toBe(404);
      expect(refused.json().error.message).toBe("Group not found");
      expect(await t.database.db.recording.count({ where: { name: "foreign" } })).toBe(0);
    } finally {
      await removeTempDir(dir);
    }
  });

  it("limits requests per key (429), leaving other keys alone", async () => {
    const limited = await buildServer({
      deps: t.deps,
      webDistDir: "/nonexistent",
      apiKeyRateLimit: { limit: 3, windowMs: 60_000 },
    });
    try {
      // Fresh keys: the earlier tests' requests still count against the old ones.
      const key = (await alice.caller.profile.generateApiKey()).key;
      alice.apiKey = key;
      mallory.apiKey = (await mallory.caller.profile.generateApiKey()).key;
      const get = (k: string, url = "/api/v1/species") =>
        limited.inject({ method: "GET", url, headers: { authorization: `Bearer ${k}` } });
      for (let i = 0; i < 3; i++) expect((await get(key)).statusCode).toBe(200);
      const over = await get(key);
      expect(over.statusCode).toBe(429);
      expect(over.json().error.code).toBe("TOO_MANY_REQUESTS");
      // how long to back off: until the first of the 3 counted requests leaves the 60 s window
      const retryAfter = Number(over.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(50);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(over.json().error.details).toEqual({ retryAfterSeconds: retryAfter });
      // the raw routes of /api/v1 count too, before reading a byte of an upload
      const upload = await limited.inject({
        method: "POST",
        url: "/api/v1/recordings",
        headers: { authorization: `Bearer ${key}` },
      });
      expect(upload.statusCode).toBe(429);
      expect(Number(upload.headers["retry-after"])).toBeGreaterThan(0);
      const simple = await get(key, "/simple-api/species/");
      expect(simple.statusCode).toBe(429);
      expect(Number(simple.headers["retry-after"])).toBeGreaterThan(0);
      // a file download (served in rest/file-routes) says it too
      const csv = await get(key, "/api/v1/task-batches/export.zip");
      expect([csv.statusCode, Number(csv.headers["retry-after"]) > 0]).toEqual([429, true]);
      expect((await get(mallory.apiKey)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

/** Alice's rows that a refused call could have touched. */
async function snapshot(): Promise<string> {
  const db = t.database.db;
  return JSON.stringify([
    await db.project.findMany({ where: { id: ids.projectId }, orderBy: { id: "asc" } }),
    await db.recording.findMany({ where: { id: ids.recordingId }, select: { id: true, name: true } }),
    await db.segmentation.count({ where: { recordingId: ids.recordingId } }),
    await db.classificationRun.findMany({ where: { id: ids.runId }, select: { status: true } }),
    await db.taskBatch.count({ where: { id: ids.batchId } }),
    await db.task.findMany({ where: { id: ids.taskId }, select: { label: true } }),
    await db.classifier.count({ where: { id: ids.classifierId } }),
    await db.callType.count({ where: { speciesId: ids.speciesId } }),
    await db.job.findMany({ where: { id: ids.jobId }, select: { status: true } }),
    await db.clusteringRun.findMany({ where: { id: ids.clusteringRunId }, select: { status: true } }),
  ]);
}
