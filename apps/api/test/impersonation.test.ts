// A site admin acting as a user, over real HTTP (cookies as a browser holds them) against the real
// database: what the impersonated session may and may not do, how Stop returns to the admin's own
// session (and only with the admin's own token), and the audit entries it leaves.
import { authenticateSession, hashToken } from "@battycoda/core";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "../src/router.ts";
import { createInnerContext } from "../src/trpc.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, makeSiteAdmin, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { buildTestServer, trpcCode } from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let admin: TestUser;
let bob: TestUser;
let carol: TestUser;

const db = () => t.deps.db;

interface Jar {
  session?: string | undefined;
  adminSession?: string | undefined;
}

function cookieHeader(jar: Jar): Record<string, string> {
  const parts = [
    jar.session ? `bc_session=${jar.session}` : "",
    jar.adminSession ? `bc_admin_session=${jar.adminSession}` : "",
  ].filter(Boolean);
  return parts.length ? { cookie: parts.join("; ") } : {};
}

/** Applies Set-Cookie like a browser: a value sets, an expired/empty value clears. */
function absorb(jar: Jar, res: LightMyRequestResponse): Jar {
  const next = { ...jar };
  for (const c of res.cookies) {
    const cleared = !c.value || (c.expires && c.expires.getTime() <= Date.now());
    if (c.name === "bc_session") next.session = cleared ? undefined : c.value;
    if (c.name === "bc_admin_session") next.adminSession = cleared ? undefined : c.value;
  }
  return next;
}

const query = (jar: Jar, path: string, input?: unknown) =>
  app.inject({
    method: "GET",
    url: `/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
    headers: cookieHeader(jar),
  });
const mutate = (jar: Jar, path: string, input?: unknown) =>
  app.inject({
    method: "POST",
    url: `/trpc/${path}`,
    headers: { "content-type": "application/json", origin: "http://battycoda.test", ...cookieHeader(jar) },
    payload: JSON.stringify(input ?? null),
  });
const data = <T>(res: LightMyRequestResponse) => (res.json() as { result: { data: T } }).result.data;

async function impersonate(target: TestUser): Promise<{ jar: Jar; res: LightMyRequestResponse }> {
  const res = await mutate({ session: admin.token }, "admin.impersonate", { userId: target.id });
  return { jar: absorb({ session: admin.token }, res), res };
}

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);
  admin = await registerAndLogin(t, "ada");
  bob = await registerAndLogin(t, "bob");
  carol = await registerAndLogin(t, "carol");
  await makeSiteAdmin(t, admin.id);
  await makeSiteAdmin(t, carol.id);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("impersonation", () => {
  it("starts a short session of the user marked with the admin, keeping the admin's token aside", async () => {
    const bobBefore = await db().user.findUniqueOrThrow({ where: { id: bob.id } });
    const { jar, res } = await impersonate(bob);
    expect(res.statusCode, res.body).toBe(200);
    expect(data<{ user: { username: string } }>(res).user.username).toBe("bob");
    expect(jar.session).toBeDefined();
    expect(jar.session).not.toBe(admin.token);
    expect(jar.adminSession).toBe(admin.token);
    // the kept token goes only to the tRPC endpoint, never to other routes or other sites
    const kept = res.cookies.find((c) => c.name === "bc_admin_session");
    expect(kept).toMatchObject({ path: "/trpc", httpOnly: true, sameSite: "Strict" });

    const session = await db().session.findUniqueOrThrow({
      where: { tokenHash: hashToken(jar.session ?? "") },
    });
    expect(session).toMatchObject({ userId: bob.id, impersonatorId: admin.id });
    const ttl = session.expiresAt.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(60 * 60_000);
    expect(ttl).toBeLessThanOrEqual(2 * 60 * 60_000);
    // acting as bob is not bob's login
    expect((await db().user.findUniqueOrThrow({ where: { id: bob.id } })).lastLoginAt).toEqual(
      bobBefore.lastLoginAt,
    );

    const me = data<{ username: string } | null>(await query(jar, "auth.me"));
    expect(me?.username).toBe("bob");
    const banner = data<{ impersonator: { username: string }; user: { username: string } }>(
      await query(jar, "auth.impersonation"),
    );
    expect(banner).toMatchObject({
      impersonator: { id: admin.id, username: "ada" },
      user: { username: "bob" },
    });
    // an ordinary session has no banner
    expect(data(await query({ session: bob.token }, "auth.impersonation"))).toBeNull();
    // bob's own work is reachable as bob
    expect((await query(jar, "projects.list", {})).statusCode).toBe(200);

    const entry = await db().auditEntry.findFirstOrThrow({ where: { action: "impersonation.start" } });
    expect(entry).toMatchObject({ actorId: admin.id, targetType: "user", targetId: bob.id });
    expect(entry.details).toMatchObject({ username: "bob", sessionId: session.id });
  });

  it("refuses site-admin procedures and account takeovers through the impersonated session", async () => {
    const { jar } = await impersonate(bob);
    const bobBefore = await db().user.findUniqueOrThrow({ where: { id: bob.id } });
    for (const path of ["admin.stats", "admin.systemStatus"])
      expect(trpcCode(await query(jar, path))).toBe("FORBIDDEN");
    expect(trpcCode(await query(jar, "admin.users", {}))).toBe("FORBIDDEN");
    expect(trpcCode(await mutate(jar, "admin.setSiteAdmin", { userId: bob.id, value: true }))).toBe(
      "FORBIDDEN",
    );
    expect(trpcCode(await mutate(jar, "admin.impersonate", { userId: carol.id }))).toBe("FORBIDDEN");
    const takeovers: [string, unknown][] = [
      ["auth.changePassword", { currentPassword: bob.password, newPassword: "a-new-secret-for-bob-42" }],
      ["profile.requestEmailChange", { email: "mallory@example.org", currentPassword: bob.password }],
      ["profile.generateApiKey", undefined],
      ["profile.revokeApiKey", undefined],
    ];
    for (const [path, input] of takeovers) {
      const res = await mutate(jar, path, input);
      expect(trpcCode(res), `${path}: ${res.body}`).toBe("FORBIDDEN");
    }
    const bobAfter = await db().user.findUniqueOrThrow({ where: { id: bob.id } });
    expect(bobAfter.passwordHash).toBe(bobBefore.passwordHash);
    expect(bobAfter.email).toBe(bobBefore.email);
    expect(bobAfter.isSiteAdmin).toBe(false);
    expect(await db().apiKey.count({ where: { userId: bob.id } })).toBe(0);
    expect(t.outbox.filter((m) => m.to === "mallory@example.org")).toEqual([]);

    // even when the user is (or becomes) a site admin, an impersonated session stays unprivileged:
    // every admin procedure refuses it
    await makeSiteAdmin(t, bob.id);
    try {
      expect(trpcCode(await query(jar, "admin.stats"))).toBe("FORBIDDEN");
      const found = await authenticateSession(t.deps, jar.session ?? "");
      expect(found?.impersonatorId).toBe(admin.id);
      const caller = createCaller(
        createInnerContext(t.deps, {
          user: found?.user ?? null,
          sessionId: found?.sessionId ?? null,
          impersonatorId: found?.impersonatorId ?? null,
        }),
      ) as unknown as { admin: Record<string, (input?: unknown) => Promise<unknown>> };
      const adminProcedures = Object.keys(appRouter._def.procedures)
        .filter((p) => p.startsWith("admin."))
        .map((p) => p.slice("admin.".length));
      expect(adminProcedures.length).toBeGreaterThan(15);
      for (const name of adminProcedures)
        await expectTRPCError(caller.admin[name]?.({}) as Promise<unknown>, "FORBIDDEN");
    } finally {
      await db().user.update({ where: { id: bob.id }, data: { isSiteAdmin: false } });
    }
  });

  it("refuses to act as a site admin, oneself, a deactivated user, or from a session that is not the admin's own", async () => {
    expect(trpcCode((await impersonate(carol)).res)).toBe("BAD_REQUEST");
    expect(trpcCode((await impersonate(admin)).res)).toBe("BAD_REQUEST");
    const dave = await registerAndLogin(t, "dave");
    await db().user.update({ where: { id: dave.id }, data: { isActive: false } });
    expect(trpcCode((await impersonate(dave)).res)).toBe("BAD_REQUEST");
    expect(trpcCode(await mutate({ session: bob.token }, "admin.impersonate", { userId: dave.id }))).toBe(
      "FORBIDDEN",
    );
    expect(trpcCode(await mutate({}, "admin.impersonate", { userId: bob.id }))).toBe("UNAUTHORIZED");
    expect(
      await db().session.count({
        where: { userId: { in: [carol.id, admin.id, dave.id] }, impersonatorId: { not: null } },
      }),
    ).toBe(0);
  });

  it("Stop ends the impersonated session and returns to the admin's own", async () => {
    const { jar } = await impersonate(bob);
    const impersonated = jar.session;
    const res = await mutate(jar, "auth.stopImpersonating");
    expect(res.statusCode, res.body).toBe(200);
    expect(data(res)).toEqual({ restored: true });
    const after = absorb(jar, res);
    expect(after.session).toBe(admin.token);
    expect(after.adminSession).toBeUndefined();
    expect(await db().session.count({ where: { tokenHash: hashToken(impersonated ?? "") } })).toBe(0);
    expect(data<{ username: string }>(await query(after, "auth.me")).username).toBe("ada");
    expect((await query(after, "admin.stats")).statusCode).toBe(200);
    expect(data(await query({ session: impersonated }, "auth.me"))).toBeNull();
    // a second Stop has nothing to stop
    expect(trpcCode(await mutate(after, "auth.stopImpersonating"))).toBe("BAD_REQUEST");

    const stop = await db().auditEntry.findFirstOrThrow({
      where: { action: "impersonation.stop" },
      orderBy: { createdAt: "desc" },
    });
    expect(stop).toMatchObject({ actorId: admin.id, targetId: bob.id });
    expect(stop.details).toMatchObject({ reason: "stop" });
  });

  it("without the admin's own token (a copied impersonation cookie), Stop signs out instead of granting an admin session", async () => {
    const { jar } = await impersonate(bob);
    const adminSessions = await db().session.count({ where: { userId: admin.id } });
    const stolen: Jar = { session: jar.session };
    const res = await mutate(stolen, "auth.stopImpersonating");
    expect(data(res)).toEqual({ restored: false });
    expect(absorb(stolen, res).session).toBeUndefined();
    expect(await db().session.count({ where: { userId: admin.id } })).toBe(adminSessions);
    // someone else's session token in the admin cookie is not handed back either
    const second = await impersonate(bob);
    const forged = await mutate(
      { session: second.jar.session, adminSession: bob.token },
      "auth.stopImpersonating",
    );
    expect(data(forged)).toEqual({ restored: false });
  });

  it("logging out while acting as someone ends both sessions", async () => {
    const admin2 = await registerAndLogin(t, "adele");
    await makeSiteAdmin(t, admin2.id);
    const start = await mutate({ session: admin2.token }, "admin.impersonate", { userId: bob.id });
    const jar = absorb({ session: admin2.token }, start);
    const res = await mutate(jar, "auth.logout");
    expect(res.statusCode, res.body).toBe(200);
    const after = absorb(jar, res);
    expect(after).toEqual({ session: undefined, adminSession: undefined });
    expect(await db().session.count({ where: { userId: admin2.id } })).toBe(0);
    expect(await db().session.count({ where: { impersonatorId: admin2.id } })).toBe(0);
    const stop = await db().auditEntry.findFirstOrThrow({
      where: { action: "impersonation.stop", actorId: admin2.id },
    });
    expect(stop.details).toMatchObject({ reason: "logout" });
  });

  it("ends when the admin is demoted, and never slides its expiry forward", async () => {
    const { jar } = await impersonate(bob);
    const session = await db().session.findUniqueOrThrow({
      where: { tokenHash: hashToken(jar.session ?? "") },
    });
    // an hour and more since it was last seen: an ordinary session would be renewed now
    await db().session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(Date.now() - 2 * 60 * 60_000) },
    });
    const res = await query(jar, "auth.me");
    expect(data<{ username: string }>(res).username).toBe("bob");
    expect(res.cookies.find((c) => c.name === "bc_session")).toBeUndefined();
    expect((await db().session.findUniqueOrThrow({ where: { id: session.id } })).expiresAt).toEqual(
      session.expiresAt,
    );

    await db().user.update({ where: { id: admin.id }, data: { isSiteAdmin: false } });
    try {
      expect(data(await query(jar, "auth.me"))).toBeNull();
      expect(await db().session.count({ where: { id: session.id } })).toBe(0);
    } finally {
      await makeSiteAdmin(t, admin.id);
    }
  });

  it("lists starts and stops in the admin's audit log", async () => {
    const res = await query({ session: admin.token }, "admin.auditLog", { action: "impersonation." });
    const entries = data<{ action: string; actorName: string; targetId: string }[]>(res);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(new Set(entries.map((e) => e.action))).toEqual(
      new Set(["impersonation.start", "impersonation.stop"]),
    );
    expect(entries.filter((e) => e.actorName === "ada").every((e) => e.targetId === bob.id)).toBe(true);
  });
});
