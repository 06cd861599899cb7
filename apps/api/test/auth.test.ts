import {
  INVALID_LOGIN_MESSAGE,
  LOGIN_BACKOFF,
  LOGIN_CODE_MAX_ATTEMPTS,
  MAGIC_LINK_PATH,
  PASSWORD_RESET_PATH,
  REGISTRATION_CONFIRM_PATH,
} from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anonymousCaller,
  createTestEnv,
  registerAndLogin,
  sessionCaller,
  type TestEnv,
  tokenFromEmail,
} from "./helpers.ts";

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => {
  await t?.close();
});

async function expectCode(promise: Promise<unknown>, code: TRPCError["code"], message?: string | RegExp) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  if (message) expect((err as TRPCError).message).toMatch(message);
}

function codeFromEmail(to: string): string {
  const mail = [...t.outbox].reverse().find((m) => m.to === to && m.subject.includes("login code"));
  const code = mail && /login code is (\d{6,8})/.exec(mail.text)?.[1];
  if (!code) throw new Error("no code email");
  return code;
}

describe("register", () => {
  it("creates the user with a personal group (admin), a Demo Project and a starter species", async () => {
    const alice = await registerAndLogin(t, "alice");
    const me = await alice.caller.auth.me();
    expect(me).toMatchObject({
      username: "alice",
      email: "alice@example.org",
      hasPassword: true,
      theme: "light",
    });
    expect(me?.currentGroup).toMatchObject({ name: "alice's group", isAdmin: true });

    const groups = await alice.caller.groups.list();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ isPersonal: true, isAdmin: true, isCurrent: true, memberCount: 1 });

    const projects = await alice.caller.projects.list();
    expect(projects.map((p) => p.name)).toEqual(["Demo Project"]);
    expect(typeof projects[0]?.createdAt).toBe("string");

    const species = await alice.caller.species.list();
    const own = species.filter((s) => !s.isSystem);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ name: "Eptesicus fuscus", editable: true });
    expect(own[0]?.callTypeCount).toBeGreaterThan(5);
  });

  it("creates the account only through the link mailed to the address", async () => {
    const { caller, jar } = anonymousCaller(t);
    const res = await caller.auth.register({
      email: "Newbie@Example.org",
      username: "newbie",
      password: "long enough pw",
    });
    expect(res).toEqual({ status: "check-email", email: "newbie@example.org" });
    expect(jar.token).toBeUndefined();
    expect(await t.deps.db.user.findUnique({ where: { username: "newbie" } })).toBeNull();
    const token = tokenFromEmail(t, "newbie@example.org", REGISTRATION_CONFIRM_PATH);
    await expectCode(caller.auth.completeRegistration({ token: `${token}x` }), "BAD_REQUEST");
    const { user } = await caller.auth.completeRegistration({ token });
    expect(user).toMatchObject({ username: "newbie", email: "newbie@example.org" });
    expect(jar.token).toBeTruthy();
    await expectCode(caller.auth.completeRegistration({ token }), "BAD_REQUEST", /invalid, used or expired/);
    const login = anonymousCaller(t);
    expect(
      (await login.caller.auth.login({ identifier: "newbie", password: "long enough pw" })).user.id,
    ).toBe(user.id);
  });

  it("refuses a taken username (any case); a taken email gets the same answer as a new one (issue 8 #8)", async () => {
    const { caller } = anonymousCaller(t);
    await expectCode(
      caller.auth.register({ email: "other@example.org", username: "ALICE", password: "long enough pw" }),
      "CONFLICT",
      "That username is already taken",
    );
    const sent = t.outbox.length;
    const taken = await caller.auth.register({
      email: "Alice@Example.org",
      username: "alice2",
      password: "long enough pw",
    });
    const fresh = await caller.auth.register({
      email: "fresh@example.org",
      username: "fresh2",
      password: "long enough pw",
    });
    expect(taken).toEqual({ status: "check-email", email: "alice@example.org" });
    expect(Object.keys(fresh)).toEqual(Object.keys(taken));
    // the owner of the taken address is told, and no link that could make a second account is sent
    const note = t.outbox.slice(sent).find((m) => m.to === "alice@example.org");
    expect(note?.subject).toMatch(/tried to register/);
    expect(note?.text).not.toContain(REGISTRATION_CONFIRM_PATH);
    expect(await t.deps.db.user.count({ where: { email: "alice@example.org" } })).toBe(1);
  });

  it("validates input with field errors", async () => {
    const { caller } = anonymousCaller(t);
    const err = await caller.auth
      .register({ email: "nope", username: "a", password: "short" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect(err.code).toBe("BAD_REQUEST");
  });

  it("caps registrations per IP", async () => {
    const ip = "203.0.113.50";
    for (let i = 0; i < 20; i++)
      await t.deps.db.rateLimitHit.create({ data: { bucket: `register:ip:${ip}` } });
    const { caller } = anonymousCaller(t, { ip });
    await expectCode(
      caller.auth.register({ email: "flood@example.org", username: "flood", password: "long enough pw" }),
      "TOO_MANY_REQUESTS",
    );
  });

  it("stores a memory-hard scrypt hash with its parameters", async () => {
    const row = await t.deps.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    expect(row.passwordHash).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });
});

describe("password login", () => {
  it("logs in by username and by email, and logs out", async () => {
    await registerAndLogin(t, "bob");
    for (const identifier of ["bob", "BOB@example.org"]) {
      const { caller, jar } = anonymousCaller(t);
      const { user } = await caller.auth.login({ identifier, password: "pw-bob-secret" });
      expect(user.username).toBe("bob");
      expect(jar.token).toBeTruthy();
      const session = await sessionCaller(t, jar.token as string);
      expect((await session.auth.me())?.username).toBe("bob");
      const row = await t.deps.db.session.findFirst({
        where: { userId: user.id },
        orderBy: { createdAt: "desc" },
      });
      expect(row?.tokenHash).not.toBe(jar.token); // only the hash is stored
    }
    const { caller, jar } = anonymousCaller(t);
    await caller.auth.login({ identifier: "bob", password: "pw-bob-secret" });
    const token = jar.token as string;
    await caller.auth.logout();
    expect(jar.token).toBeUndefined();
    await expect(sessionCaller(t, token)).rejects.toThrow("session not found");
  });

  it("refuses a wrong password or unknown user with the same message", async () => {
    const { caller } = anonymousCaller(t);
    await expectCode(
      caller.auth.login({ identifier: "bob", password: "wrong" }),
      "UNAUTHORIZED",
      INVALID_LOGIN_MESSAGE,
    );
    await expectCode(
      caller.auth.login({ identifier: "nobody", password: "wrong" }),
      "UNAUTHORIZED",
      INVALID_LOGIN_MESSAGE,
    );
  });

  it("10 wrong passwords from 10 IPs do not lock the owner out (issue 8 #8)", async () => {
    await registerAndLogin(t, "carol");
    for (let i = 0; i < 10; i++) {
      const { caller } = anonymousCaller(t, { ip: `192.0.2.${i}` });
      await expectCode(caller.auth.login({ identifier: "carol", password: `bad${i}` }), "UNAUTHORIZED");
    }
    const { caller } = anonymousCaller(t, { ip: "192.0.2.99" });
    const { user } = await caller.auth.login({
      identifier: "carol@example.org",
      password: "pw-carol-secret",
    });
    expect(user.username).toBe("carol");
  });

  it("slows a guesser on one account and IP exponentially, the right password included", async () => {
    const cy = await registerAndLogin(t, "cyril");
    const { caller } = anonymousCaller(t, { ip: "192.0.2.200" });
    for (let i = 0; i < LOGIN_BACKOFF.free; i++)
      await expectCode(caller.auth.login({ identifier: "cyril", password: `bad${i}` }), "UNAUTHORIZED");
    await expectCode(
      caller.auth.login({ identifier: "cyril", password: cy.password }),
      "TOO_MANY_REQUESTS",
      /try again in 2 seconds/,
    );
    // a later failure doubles the wait: make the last one older than the current wait, fail again
    const pair = `login:pair:${cy.id}:192.0.2.200`;
    await t.deps.db.rateLimitHit.updateMany({
      where: { bucket: pair },
      data: { createdAt: new Date(Date.now() - 3_000) },
    });
    await expectCode(caller.auth.login({ identifier: "cyril", password: "bad again" }), "UNAUTHORIZED");
    await expectCode(
      caller.auth.login({ identifier: "cyril", password: cy.password }),
      "TOO_MANY_REQUESTS",
      /try again in 4 seconds/,
    );
    // the owner elsewhere is not affected
    const home = anonymousCaller(t, { ip: "192.0.2.201" });
    expect((await home.caller.auth.login({ identifier: "cyril", password: cy.password })).user.username).toBe(
      "cyril",
    );
  });

  it("rate-limits failures per IP across accounts", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < 50; i++) {
      await t.deps.db.rateLimitHit.create({ data: { bucket: `login:ip:${ip}` } });
    }
    const { caller } = anonymousCaller(t, { ip });
    await expectCode(
      caller.auth.login({ identifier: "bob", password: "pw-bob-secret" }),
      "TOO_MANY_REQUESTS",
    );
  });
});

describe("passwordless login", () => {
  it("emails a code and a magic link; the code works once", async () => {
    await registerAndLogin(t, "dave");
    const { caller } = anonymousCaller(t);
    expect(await caller.auth.requestLoginCode({ identifier: "dave" })).toEqual({ ok: true });
    const code = codeFromEmail("dave@example.org");
    expect(code).toMatch(/^\d{6}$/);

    const { caller: c2, jar } = anonymousCaller(t);
    const { user } = await c2.auth.verifyLoginCode({ identifier: "dave@example.org", code });
    expect(user.username).toBe("dave");
    expect(jar.token).toBeTruthy();
    await expectCode(
      c2.auth.verifyLoginCode({ identifier: "dave", code }),
      "UNAUTHORIZED",
      "Invalid or expired code",
    );
  });

  it("answers the same for unknown accounts and sends nothing", async () => {
    const before = t.outbox.length;
    const { caller } = anonymousCaller(t);
    expect(await caller.auth.requestLoginCode({ identifier: "ghost" })).toEqual({ ok: true });
    expect(t.outbox.length).toBe(before);
  });

  it("signs in with the magic link once", async () => {
    const { caller } = anonymousCaller(t);
    await caller.auth.requestLoginCode({ identifier: "dave" });
    const token = tokenFromEmail(t, "dave@example.org", MAGIC_LINK_PATH);
    const { user } = await caller.auth.loginWithMagicLink({ token });
    expect(user.username).toBe("dave");
    await expectCode(caller.auth.loginWithMagicLink({ token }), "UNAUTHORIZED");
  });

  it("caps wrong guesses per code, after which even the right code fails", async () => {
    const { caller } = anonymousCaller(t);
    await caller.auth.requestLoginCode({ identifier: "dave" });
    const code = codeFromEmail("dave@example.org");
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < LOGIN_CODE_MAX_ATTEMPTS; i++) {
      await expectCode(caller.auth.verifyLoginCode({ identifier: "dave", code: wrong }), "UNAUTHORIZED");
    }
    await expectCode(caller.auth.verifyLoginCode({ identifier: "dave", code }), "UNAUTHORIZED");
  });

  it("rate-limits code requests per account and IP: a stranger cannot spend the owner's allowance", async () => {
    await registerAndLogin(t, "erin");
    for (let i = 0; i < 5; i++) {
      await anonymousCaller(t, { ip: "203.0.113.9" }).caller.auth.requestLoginCode({ identifier: "erin" });
    }
    await expectCode(
      anonymousCaller(t, { ip: "203.0.113.9" }).caller.auth.requestLoginCode({ identifier: "erin" }),
      "TOO_MANY_REQUESTS",
    );
    const sent = t.outbox.length;
    await anonymousCaller(t, { ip: "203.0.113.10" }).caller.auth.requestLoginCode({ identifier: "erin" });
    expect(t.outbox.length).toBe(sent + 1);
  });

  it("expired codes do not work", async () => {
    const { caller } = anonymousCaller(t);
    await registerAndLogin(t, "frank");
    await caller.auth.requestLoginCode({ identifier: "frank" });
    const code = codeFromEmail("frank@example.org");
    await t.deps.db.loginCode.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectCode(caller.auth.verifyLoginCode({ identifier: "frank", code }), "UNAUTHORIZED");
  });
});

describe("password reset", () => {
  it("emails a single-use link that sets a new password and ends all sessions", async () => {
    const gina = await registerAndLogin(t, "gina");
    const { caller } = anonymousCaller(t);
    expect(await caller.auth.requestPasswordReset({ email: "gina@example.org" })).toEqual({ ok: true });
    const token = tokenFromEmail(t, "gina@example.org", PASSWORD_RESET_PATH);
    await caller.auth.resetPassword({ token, password: "a brand new password" });
    await expect(sessionCaller(t, gina.token)).rejects.toThrow();
    await expectCode(caller.auth.resetPassword({ token, password: "another new password" }), "BAD_REQUEST");
    await expectCode(caller.auth.login({ identifier: "gina", password: gina.password }), "UNAUTHORIZED");
    const { user } = await caller.auth.login({ identifier: "gina", password: "a brand new password" });
    expect(user.username).toBe("gina");
  });

  it("revokes the API key and tells the owner by email (issue 8 #5)", async () => {
    const ivor = await registerAndLogin(t, "ivor");
    const { key } = await ivor.caller.profile.generateApiKey();
    const { authenticateApiKey } = await import("@battycoda/core");
    expect((await authenticateApiKey(t.deps, key))?.username).toBe("ivor");
    const { caller } = anonymousCaller(t);
    await caller.auth.requestPasswordReset({ email: "ivor@example.org" });
    const token = tokenFromEmail(t, "ivor@example.org", PASSWORD_RESET_PATH);
    await caller.auth.resetPassword({ token, password: "ivor fresh passphrase" });
    expect(await authenticateApiKey(t.deps, key)).toBeNull();
    const notice = t.outbox.at(-1);
    expect(notice?.to).toBe("ivor@example.org");
    expect(notice?.subject).toMatch(/API key was revoked/);
    expect(notice?.text).toMatch(/password was reset/);
  });

  it("answers the same for unknown emails and sends nothing", async () => {
    const before = t.outbox.length;
    const { caller } = anonymousCaller(t);
    expect(await caller.auth.requestPasswordReset({ email: "nobody@example.org" })).toEqual({ ok: true });
    expect(t.outbox.length).toBe(before);
  });

  it("refuses expired links", async () => {
    const { caller } = anonymousCaller(t);
    await caller.auth.requestPasswordReset({ email: "gina@example.org" });
    const token = tokenFromEmail(t, "gina@example.org", PASSWORD_RESET_PATH);
    await t.deps.db.passwordResetToken.updateMany({ data: { expiresAt: new Date(Date.now() - 1) } });
    await expectCode(caller.auth.resetPassword({ token, password: "yet another pw" }), "BAD_REQUEST");
  });
});

describe("protected procedures", () => {
  it("are UNAUTHORIZED without a session", async () => {
    const { caller } = anonymousCaller(t);
    expect(await caller.auth.me()).toBeNull();
    await expectCode(caller.projects.list(), "UNAUTHORIZED");
    await expectCode(caller.profile.get(), "UNAUTHORIZED");
    await expectCode(caller.admin.stats(), "UNAUTHORIZED");
  });

  it("admin.stats is for site admins only", async () => {
    const hal = await registerAndLogin(t, "hal");
    await expectCode(hal.caller.admin.stats(), "FORBIDDEN");
    await t.deps.db.user.update({ where: { id: hal.id }, data: { isSiteAdmin: true } });
    const stats = await (await sessionCaller(t, hal.token)).admin.stats();
    expect(stats.users).toBeGreaterThan(3);
  });
});

describe("profile", () => {
  it("changes theme and colormap; rejects unknown colormaps", async () => {
    const ivy = await registerAndLogin(t, "ivy");
    const p = await ivy.caller.profile.updatePreferences({ theme: "dark", spectrogramColormap: "viridis" });
    expect(p).toMatchObject({ theme: "dark", spectrogramColormap: "viridis" });
    await expectCode(
      ivy.caller.profile.updatePreferences({ spectrogramColormap: "rainbow" as "gray" }),
      "BAD_REQUEST",
    );
  });

  it("changes the email only with the password and the link sent to the new address (issue 8 #6)", async () => {
    const ed = await registerAndLogin(t, "edna");
    await expectCode(
      ed.caller.profile.requestEmailChange({ email: "edna2@example.org", currentPassword: "wrong" }),
      "BAD_REQUEST",
      /password is incorrect/,
    );
    await expectCode(
      ed.caller.profile.requestEmailChange({ email: "edna2@example.org" }),
      "BAD_REQUEST",
      /password is incorrect/,
    );
    const res = await ed.caller.profile.requestEmailChange({
      email: "EDNA2@example.org",
      currentPassword: ed.password,
    });
    expect(res).toEqual({ sentTo: "edna2@example.org" });
    // nothing changed yet
    expect((await ed.caller.profile.get()).email).toBe("edna@example.org");
    const token = tokenFromEmail(t, "edna2@example.org", "/confirm-email");
    const { caller } = anonymousCaller(t);
    await expectCode(caller.profile.confirmEmailChange({ token: `${token}x` }), "BAD_REQUEST");
    expect(await caller.profile.confirmEmailChange({ token })).toEqual({ email: "edna2@example.org" });
    expect((await ed.caller.profile.get()).email).toBe("edna2@example.org");
    const notice = t.outbox.at(-1);
    expect(notice?.to).toBe("edna@example.org");
    expect(notice?.text).toMatch(/changed to edna2@example.org/);
    // the link is single-use
    await expectCode(caller.profile.confirmEmailChange({ token }), "BAD_REQUEST", /invalid, used or expired/);
  });

  it("answers the same for an address that belongs to someone else, and tells that someone", async () => {
    const fay = await registerAndLogin(t, "fay");
    const sent = t.outbox.length;
    const res = await fay.caller.profile.requestEmailChange({
      email: "bob@example.org",
      currentPassword: fay.password,
    });
    expect(res).toEqual({ sentTo: "bob@example.org" });
    expect(t.outbox.length).toBe(sent + 1);
    expect(t.outbox.at(-1)?.to).toBe("bob@example.org");
    expect(t.outbox.at(-1)?.text).not.toContain("/confirm-email");
    expect((await fay.caller.profile.get()).email).toBe("fay@example.org");
  });

  it("generates, shows once, regenerates and authenticates API keys", async () => {
    const jo = await registerAndLogin(t, "joe");
    expect(await jo.caller.profile.apiKey()).toBeNull();
    const first = await jo.caller.profile.generateApiKey();
    expect(first.key).toMatch(/^bc_[\w-]{43}$/);
    expect(first.info.prefix).toBe(first.key.slice(0, 11));
    const info = await jo.caller.profile.apiKey();
    expect(info?.prefix).toBe(first.info.prefix);
    expect(JSON.stringify(info)).not.toContain(first.key);
    const stored = await t.deps.db.apiKey.findFirstOrThrow({ where: { userId: jo.id } });
    expect(stored.keyHash).not.toContain(first.key);

    const second = await jo.caller.profile.generateApiKey();
    const { authenticateApiKey } = await import("@battycoda/core");
    expect(await authenticateApiKey(t.deps, first.key)).toBeNull();
    expect((await authenticateApiKey(t.deps, second.key))?.username).toBe("joe");
  });

  it("changes the password, keeping only the current session", async () => {
    const kim = await registerAndLogin(t, "kim");
    const { caller, jar } = anonymousCaller(t);
    await caller.auth.login({ identifier: "kim", password: kim.password });
    await expectCode(
      kim.caller.auth.changePassword({ currentPassword: "nope", newPassword: "new password 1" }),
      "BAD_REQUEST",
    );
    await kim.caller.auth.changePassword({ currentPassword: kim.password, newPassword: "new password 1" });
    expect((await kim.caller.auth.me())?.username).toBe("kim");
    await expect(sessionCaller(t, jar.token as string)).rejects.toThrow();
  });

  it("revokes the API key on a password change unless asked to keep it (issue 8 #5)", async () => {
    const { authenticateApiKey } = await import("@battycoda/core");
    const lee = await registerAndLogin(t, "lee");
    const first = await lee.caller.profile.generateApiKey();
    const sent = t.outbox.length;
    await lee.caller.auth.changePassword({ currentPassword: lee.password, newPassword: "lee second pass" });
    expect(await authenticateApiKey(t.deps, first.key)).toBeNull();
    expect(t.outbox.length).toBe(sent + 1);
    expect(t.outbox.at(-1)?.subject).toMatch(/API key was revoked/);

    const second = await lee.caller.profile.generateApiKey();
    await lee.caller.auth.changePassword({
      currentPassword: "lee second pass",
      newPassword: "lee third pass",
      keepApiKey: true,
    });
    expect((await authenticateApiKey(t.deps, second.key))?.username).toBe("lee");
    expect(t.outbox.length).toBe(sent + 1);
  });
});
