// The access matrix, complete by construction: every tRPC procedure (from appRouter._def.procedures)
// and every raw HTTP route (from Fastify's route table) must have an entry saying how it is kept to
// its caller, and the entry is checked:
//   - "public" / "own account": the reason is stated (no group data behind them);
//   - "site admin": a plain user is refused here, for every such procedure;
//   - "cross-group": the named test files call this procedure or route with another group's ids and
//     assert NOT_FOUND (the file must mention the procedure and NOT_FOUND, so deleting the case or
//     adding a procedure without one fails this test).
// A new procedure or route without an entry fails the first assertions.
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/router.ts";
import { buildServer } from "../src/server.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

type Entry =
  | { kind: "public"; why: string }
  | { kind: "own account"; why: string }
  | { kind: "site admin" }
  | { kind: "cross-group"; in: string[] };

const API_TEST = (f: string) => `apps/api/test/${f}`;
const CORE_TEST = (f: string) => `packages/core/test/${f}`;

/** By namespace; `exceptions` below take precedence. */
const BY_NAMESPACE: Record<string, Entry> = {
  auth: { kind: "public", why: "sign-in, registration and the caller's own session; no group rows" },
  profile: { kind: "own account", why: "the caller's own profile, API key and current group's storage" },
  notifications: { kind: "own account", why: "notifications are per user, filtered by the caller's id" },
  admin: { kind: "site admin" },
  groups: { kind: "cross-group", in: [API_TEST("access.test.ts"), API_TEST("groups.test.ts")] },
  projects: { kind: "cross-group", in: [API_TEST("access.test.ts"), API_TEST("projects-species.test.ts")] },
  species: { kind: "cross-group", in: [API_TEST("access.test.ts"), API_TEST("projects-species.test.ts")] },
  recordings: { kind: "cross-group", in: [API_TEST("recordings.test.ts"), API_TEST("access.test.ts")] },
  segmentation: { kind: "cross-group", in: [API_TEST("segmentation.test.ts")] },
  jobs: { kind: "cross-group", in: [API_TEST("jobs.test.ts"), CORE_TEST("jobs.test.ts")] },
  classification: {
    kind: "cross-group",
    in: [API_TEST("classification.test.ts"), CORE_TEST("classification.test.ts")],
  },
  classifiers: {
    kind: "cross-group",
    in: [API_TEST("classifiers.test.ts"), CORE_TEST("classifiers.test.ts")],
  },
  tasks: { kind: "cross-group", in: [API_TEST("tasks.test.ts"), CORE_TEST("tasks.test.ts")] },
  clustering: { kind: "cross-group", in: [API_TEST("clustering.test.ts")] },
  taxonomy: { kind: "cross-group", in: [API_TEST("taxonomy.test.ts"), CORE_TEST("taxonomy.test.ts")] },
};

const EXCEPTIONS: Record<string, Entry> = {
  "groups.list": { kind: "own account", why: "the caller's own memberships" },
  "groups.create": { kind: "own account", why: "creates a group owned by the caller" },
  "groups.previewInvitation": { kind: "public", why: "anyone holding the emailed token" },
  "groups.acceptInvitation": { kind: "own account", why: "joins with the caller's own account, by token" },
  "profile.storage": { kind: "own account", why: "usage of the caller's current group only" },
  // No id in the input; each filters on the caller's group (plus global rows) inside the query.
  "segmentation.algorithms": { kind: "public", why: "detector settings: global rows plus the group's own" },
  "segmentation.specs": { kind: "public", why: "the detectors' parameter descriptions; no rows" },
  "classification.classifiers": { kind: "public", why: "global classifiers plus the caller group's own" },
  "clustering.runs": {
    kind: "public",
    why: "the caller group's runs, filtered by the caller's group; no id in the input",
  },
  "dashboard.summary": {
    kind: "own account",
    why: "counts of the caller's current group only; no id in the input",
  },
  "groups.locate": { kind: "cross-group", in: [API_TEST("walkthrough.test.ts")] },
  "species.copyToGroup": { kind: "cross-group", in: [API_TEST("walkthrough.test.ts")] },
};

/** Raw routes: method + Fastify URL pattern. */
const ROUTES: Record<string, Entry> = {
  "GET /health": { kind: "public", why: "liveness; no data" },
  "GET /": { kind: "public", why: "the SPA shell" },
  "GET /index.html": { kind: "public", why: "the SPA shell" },
  "GET /*": { kind: "public", why: "SPA assets and client-side routes" },
  "POST /api/csp-report": { kind: "public", why: "browsers post violation reports, rate-limited" },
  "GET /api/v1/openapi.json": { kind: "public", why: "the API description" },
  "GET /api/openapi.json": { kind: "public", why: "the API description (OpenAPI 3.1)" },
  "GET /api/reference": { kind: "public", why: "the API reference page" },
  "GET /api/v1/me": { kind: "own account", why: "the API key's own user" },
  "GET /api/v1/groups": { kind: "own account", why: "the API key owner's memberships" },
};
const ROUTE_FILES: [prefix: string, files: string[]][] = [
  ["/api/classification-runs/", [API_TEST("classification.test.ts")]],
  ["/api/recordings/upload", [API_TEST("uploads.test.ts")]],
  ["/api/recordings/", [API_TEST("recordings.test.ts")]],
  ["/api/segmentations/", [API_TEST("segmentation.test.ts")]],
  ["/api/species/", [API_TEST("access.test.ts")]],
  ["/api/task-batches/", [API_TEST("tasks.test.ts")]],
  ["/api/uploads/tus", [API_TEST("uploads-tus-ids.test.ts"), API_TEST("uploads.test.ts")]],
  [
    "/api/v1/",
    [
      API_TEST("access.test.ts"),
      API_TEST("recordings.test.ts"),
      API_TEST("segmentation.test.ts"),
      API_TEST("rest-routes.test.ts"),
    ],
  ],
  ["/simple-api/", [API_TEST("rest-routes.test.ts")]],
];

const ROOT = path.resolve(import.meta.dirname, "../../..");
const text = new Map<string, string>();
function source(file: string): string {
  let s = text.get(file);
  if (s === undefined) {
    s = fs.readFileSync(path.join(ROOT, file), "utf8");
    text.set(file, s);
  }
  return s;
}

function entryFor(procedure: string): Entry | undefined {
  return EXCEPTIONS[procedure] ?? BY_NAMESPACE[procedure.split(".")[0] as string];
}

/** The files must call this procedure (caller.ns.x.name( or "ns.x.name") and assert NOT_FOUND. */
function mentionedIn(procedure: string, files: string[]): boolean {
  const name = procedure.split(".").at(-1) as string;
  return files.some((f) => {
    const s = source(f);
    return (s.includes(`.${name}(`) || s.includes(`"${procedure}"`)) && s.includes("NOT_FOUND");
  });
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
);

let t: TestEnv;
let app: FastifyInstance;
const routes: string[] = [];
let plain: TestUser;

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildServer({
    deps: t.deps,
    webDistDir: "/nonexistent",
    onRoute: (r) => {
      for (const m of [r.method].flat()) if (m !== "HEAD" && m !== "OPTIONS") routes.push(`${m} ${r.url}`);
    },
  });
  await app.ready();
  plain = await registerAndLogin(t, "plainuser");
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("access matrix", () => {
  it("has an entry for every tRPC procedure", () => {
    const missing = procedures.map(([p]) => p).filter((p) => !entryFor(p));
    expect(missing).toEqual([]);
    expect(procedures.length).toBeGreaterThan(100);
  });

  it("has a cross-group case in the named test files for every group-scoped procedure", () => {
    const uncovered = procedures
      .map(([p]) => p)
      .filter((p) => {
        const e = entryFor(p);
        return e?.kind === "cross-group" && !mentionedIn(p, e.in);
      });
    expect(uncovered).toEqual([]);
  });

  it("refuses every site-admin procedure to a plain user", async () => {
    const admin = procedures.filter(([p]) => entryFor(p)?.kind === "site admin");
    expect(admin.length).toBeGreaterThan(0);
    const root = plain.caller as unknown as Record<
      string,
      Record<string, (input?: unknown) => Promise<unknown>>
    >;
    for (const [p] of admin) {
      const [ns, name] = p.split(".") as [string, string];
      await expectTRPCError(root[ns]?.[name]?.({}) as Promise<unknown>, "FORBIDDEN");
    }
  });

  it("has an entry for every raw HTTP route, each with a cross-group case where it serves group data", () => {
    expect(routes.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const r of new Set(routes)) {
      const url = r.slice(r.indexOf(" ") + 1);
      // tRPC's transport (every method): its procedures are checked above
      if (ROUTES[r] || url === "/trpc/:path") continue;
      const match = ROUTE_FILES.find(([prefix]) => url.startsWith(prefix));
      if (!match) {
        problems.push(`${r}: no entry`);
        continue;
      }
      const staticPart = url.split(/[:*]/)[0] as string;
      const ok = match[1].some((f) => source(f).includes(staticPart) && source(f).includes("NOT_FOUND"));
      if (!ok) problems.push(`${r}: not exercised in ${match[1].join(", ")}`);
    }
    expect(problems).toEqual([]);
  });
});
