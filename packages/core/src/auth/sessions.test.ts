import type { TestDatabase } from "@battycoda/db/testing";
import { createTestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertUnderLimit, consumeLimit, RATE_LIMITS } from "./rate-limit.ts";
import { authenticateSession, createSession, SESSION_TTL_MS } from "./sessions.ts";
import { hashToken } from "./tokens.ts";

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (await t.db.user.create({ data: { email: "s@example.org", username: "s" } })).id;
});
afterAll(async () => {
  await t?.drop();
});

describe("sessions", () => {
  it("stores only the token hash and slides the expiry when seen after an hour", async () => {
    const { token, expiresAt } = await createSession(t, userId, { ip: "1.2.3.4", userAgent: "vitest" });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(SESSION_TTL_MS - 5000);
    const row = await t.db.session.findFirstOrThrow({ where: { userId } });
    expect(row.tokenHash).not.toBe(token);
    expect(row).toMatchObject({ ip: "1.2.3.4", userAgent: "vitest" });

    expect((await authenticateSession(t, token))?.renewedExpiresAt).toBeNull();
    await t.db.session.update({
      where: { id: row.id },
      data: { lastSeenAt: new Date(Date.now() - 2 * 3600_000), expiresAt: new Date(Date.now() + 60_000) },
    });
    const renewed = await authenticateSession(t, token);
    expect(renewed?.renewedExpiresAt?.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 5000);
  });

  it("expired sessions are refused and deleted; inactive users are refused", async () => {
    const { token } = await createSession(t, userId);
    await t.db.session.updateMany({ data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await authenticateSession(t, token)).toBeNull();
    expect(await t.db.session.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    const again = await createSession(t, userId);
    await t.db.user.update({ where: { id: userId }, data: { isActive: false } });
    expect(await authenticateSession(t, again.token)).toBeNull();
  });
});

describe("rate limits", () => {
  it("a sliding window shared through the database", async () => {
    const rule = { limit: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) await consumeLimit(t, "test:a", rule);
    await expect(consumeLimit(t, "test:a", rule)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(assertUnderLimit(t, "test:a", rule)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // hits older than the window no longer count
    await t.db.rateLimitHit.updateMany({
      where: { bucket: "test:a" },
      data: { createdAt: new Date(Date.now() - 61_000) },
    });
    await expect(consumeLimit(t, "test:a", rule)).resolves.toBeUndefined();
    expect(RATE_LIMITS.loginFailuresPerIp.limit).toBeGreaterThan(0);
  });
});
