// /health names the host and version that answered, also when the database is down.
import os from "node:os";
import { appVersion } from "@battycoda/core/monitor";
import { createPrismaClient } from "@battycoda/db";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { findFreePort } from "@battycoda/r-client";
import Fastify from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { registerHealthRoute } from "../src/http/health.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

it("answers with the host and version, 200 with the database and 503 without", async () => {
  const app = Fastify();
  registerHealthRoute(app, t.db);
  const ok = await app.inject({ method: "GET", url: "/health" });
  expect(ok.statusCode).toBe(200);
  expect(ok.json()).toEqual({ status: "ok", database: "ok", host: os.hostname(), version: appVersion() });
  // a source checkout reports the commit it runs (bundles carry their build stamp instead)
  expect(appVersion()).toMatch(/^dev\+[0-9a-f]{12}$/);
  await app.close();

  // a client whose database does not exist
  const u = new URL(t.url);
  u.pathname = "/no_such_database";
  const broken = createPrismaClient(u.toString(), { max: 1 });
  const down = Fastify();
  registerHealthRoute(down, broken);
  const res = await down.inject({ method: "GET", url: "/health" });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({
    status: "error",
    database: "unreachable",
    host: os.hostname(),
    version: appVersion(),
  });
  await down.close();
  await broken.$disconnect();
});

it("reports every R server of R_SERVER_URLS, each with its own state", async () => {
  const a = `http://127.0.0.1:${await findFreePort()}`;
  const b = `http://127.0.0.1:${await findFreePort()}`;
  const app = Fastify();
  registerHealthRoute(app, t.db, [a, b]);
  const res = await app.inject({ method: "GET", url: "/health" });
  expect(res.statusCode).toBe(200);
  const body = res.json() as { rServer: { url: string }; rServers: { url: string; state: string }[] };
  expect(body.rServers.map((r) => [r.url, r.state])).toEqual([
    [a, "down"],
    [b, "down"],
  ]);
  expect(body.rServer.url).toBe(a);
  await app.close();
});
