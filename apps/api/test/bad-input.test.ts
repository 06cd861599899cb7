// Findings 7 and 10 of the security review (issue 8): inputs that answered 500 and leaked the query,
// NUL bytes, and unbounded tRPC batches. Each case failed on the code before its fix.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, type TestEnv } from "./helpers.ts";
import { buildTestServer, registerOverHttp, trpcCode, trpcMutation, trpcQuery } from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let cookie: string;

function register(server: FastifyInstance, env: TestEnv, name: string): Promise<string> {
  return registerOverHttp(server, env, {
    email: `${name}@example.org`,
    username: name,
    password: `${name} has a long passphrase 7`,
  });
}

/** Nothing a client should ever see outside development. */
function expectNoInternals(body: string) {
  expect(body).not.toMatch(/prisma|SELECT |FROM "|\/work\/|node_modules|\.ts:\d+|stack/i);
}

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);
  cookie = await register(app, t, "prober");
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("bad input answers 400, never 500", () => {
  it("a 26-digit recordings cursor is BAD_REQUEST without SQL in the answer", async () => {
    const res = await trpcQuery(app, "recordings.list", { cursor: "99999999999999999999999999" }, { cookie });
    expect(res.statusCode).toBe(400);
    expect(trpcCode(res)).toBe("BAD_REQUEST");
    expectNoInternals(res.body);
  });

  it("a NUL byte in a search string or a name is BAD_REQUEST", async () => {
    const search = await trpcQuery(app, "recordings.list", { search: "abc\u0000def" }, { cookie });
    expect(search.statusCode).toBe(400);
    expect(search.json().error.message).toMatch(/NUL/);
    const create = await trpcMutation(
      app,
      "projects.create",
      { name: "p\u0000", description: "" },
      { cookie },
    );
    expect(create.statusCode).toBe(400);
    expect(create.json().error.message).toMatch(/NUL/);
    expectNoInternals(create.body);
  });

  it("a batch of more than 50 procedures is refused as a whole", async () => {
    const paths = Array.from({ length: 51 }, () => "auth.me").join(",");
    const input = encodeURIComponent(JSON.stringify({}));
    const res = await app.inject({
      method: "GET",
      url: `/trpc/${paths}?batch=1&input=${input}`,
      headers: { cookie: `bc_session=${cookie}` },
    });
    expect(res.statusCode).toBe(400);
    const ok = await app.inject({
      method: "GET",
      url: `/trpc/${Array.from({ length: 50 }, () => "auth.me").join(",")}?batch=1&input=${input}`,
      headers: { cookie: `bc_session=${cookie}` },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe("unexpected errors", () => {
  it("answer 'Internal server error' with no query, path or stack outside development", async () => {
    const broken = await createTestEnv();
    const server = await buildTestServer(broken);
    try {
      const c = await register(server, broken, "victim");
      // Break the database under the API so the next query fails inside Prisma.
      await broken.database.db.$executeRawUnsafe('ALTER TABLE "Recording" RENAME TO "Recording_gone"');
      const res = await trpcQuery(server, "recordings.list", {}, { cookie: c });
      expect(res.statusCode).toBe(500);
      expect(res.json().error.message).toBe("Internal server error");
      expect(res.json().error.data.stack).toBeUndefined();
      expectNoInternals(res.body);
    } finally {
      await server.close();
      await broken.close();
    }
  });
});
