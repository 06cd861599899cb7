import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Config, loadConfig } from "@battycoda/config";
import {
  authenticateSession,
  INVITATION_ACCEPT_PATH,
  type OutgoingEmail,
  REGISTRATION_CONFIRM_PATH,
} from "@battycoda/core";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { createCaller } from "../src/router.ts";
import { createInnerContext, type ServerDeps, type SessionCookieJar } from "../src/trpc.ts";

export interface TestEnv {
  database: TestDatabase;
  deps: ServerDeps;
  config: Config;
  /** Every email queued so far, oldest first. */
  outbox: OutgoingEmail[];
  close(): Promise<void>;
}

/** A fresh migrated database, a private MEDIA_ROOT and a recording mailer. */
export async function createTestEnv(env: Record<string, string> = {}): Promise<TestEnv> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-api-"));
  const config = loadConfig(
    { NODE_ENV: "test", DATA_DIR: dataDir, PUBLIC_URL: "http://battycoda.test", ...env },
    { persistSecretKey: false },
  );
  const outbox: OutgoingEmail[] = [];
  const deps: ServerDeps = {
    db: database.db,
    config,
    boss: null,
    sendEmail: async (email) => {
      outbox.push(email);
    },
  };
  return {
    database,
    deps,
    config,
    outbox,
    async close() {
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A cookie jar that behaves like a browser holding the session cookie (and the admin's, while impersonating). */
export function memoryCookieJar(
  initial?: string,
): SessionCookieJar & { token: string | undefined; adminToken: string | undefined } {
  const jar = {
    token: initial,
    adminToken: undefined as string | undefined,
    set(token: string) {
      jar.token = token;
    },
    clear() {
      jar.token = undefined;
    },
    current: () => jar.token,
    adminSession: {
      set(token: string) {
        jar.adminToken = token;
      },
      clear() {
        jar.adminToken = undefined;
      },
      current: () => jar.adminToken,
    },
  };
  return jar;
}

let ipCounter = 0;
/** Each anonymous caller gets its own IP unless told otherwise, so per-IP limits don't leak between tests. */
export function anonymousCaller(
  t: TestEnv,
  options: { ip?: string; jar?: ReturnType<typeof memoryCookieJar> } = {},
) {
  const jar = options.jar ?? memoryCookieJar();
  const caller = createCaller(
    createInnerContext(t.deps, { meta: { ip: options.ip ?? `10.0.0.${++ipCounter % 250}` }, cookies: jar }),
  );
  return { caller, jar };
}

/** A caller authenticated by the session in `token`, as the HTTP adapter would build it. */
export async function sessionCaller(t: TestEnv, token: string, jar = memoryCookieJar(token)) {
  const found = await authenticateSession(t.deps, token);
  if (!found) throw new Error("session not found");
  return createCaller(
    createInnerContext(t.deps, {
      user: found.user,
      sessionId: found.sessionId,
      impersonatorId: found.impersonatorId,
      cookies: jar,
      meta: { ip: "10.1.0.1" },
    }),
  );
}

export type Caller = Awaited<ReturnType<typeof sessionCaller>>;

export interface TestUser {
  caller: Caller;
  token: string;
  id: string;
  username: string;
  email: string;
  password: string;
}

/**
 * Registration as a browser does it: the form, then the link mailed to the address (skipped when
 * an invitation to that address already proves the inbox). Signs the caller's jar in.
 */
export async function registerThroughEmail(
  t: TestEnv,
  caller: Caller,
  input: { email: string; username: string; password: string; invitationToken?: string },
) {
  const res = await caller.auth.register(input);
  if (res.status === "registered") return res.user;
  const token = tokenFromEmail(t, input.email.toLowerCase(), REGISTRATION_CONFIRM_PATH);
  return (await caller.auth.completeRegistration({ token })).user;
}

export async function registerAndLogin(
  t: TestEnv,
  username: string,
  extra: { invitationToken?: string } = {},
) {
  const { caller, jar } = anonymousCaller(t);
  const email = `${username.toLowerCase()}@example.org`;
  const password = `pw-${username}-secret`;
  const user = await registerThroughEmail(t, caller, { email, username, password, ...extra });
  if (!jar.token) throw new Error("no session cookie set");
  return {
    caller: await sessionCaller(t, jar.token),
    token: jar.token,
    id: user.id,
    username,
    email,
    password,
  } satisfies TestUser;
}

/** The token in the last emailed link to `path` sent to `to`. */
export function tokenFromEmail(t: TestEnv, to: string, linkPath: string): string {
  const mail = [...t.outbox].reverse().find((m) => m.to === to && m.text.includes(linkPath));
  if (!mail) throw new Error(`no email to ${to} with a ${linkPath} link`);
  const match = new RegExp(`${linkPath.replace(/\//g, "\\/")}\\?token=([A-Za-z0-9_.%-]+)`).exec(mail.text);
  if (!match?.[1]) throw new Error("no token in email");
  return decodeURIComponent(match[1]);
}

/** Makes the user a site admin directly in the database (there is no UI for that by design). */
export async function makeSiteAdmin(t: TestEnv, userId: string) {
  await t.deps.db.user.update({ where: { id: userId }, data: { isSiteAdmin: true } });
}

/**
 * Membership only comes from an accepted invitation: `admin` invites `user` by email and `user`
 * accepts the emailed link (which also makes the group their current one).
 */
export async function joinByInvitation(
  t: TestEnv,
  admin: TestUser,
  user: TestUser,
  options: { isAdmin?: boolean } = {},
): Promise<void> {
  await admin.caller.groups.invite({ email: user.email, isAdmin: options.isAdmin ?? false });
  const token = tokenFromEmail(t, user.email, INVITATION_ACCEPT_PATH);
  await user.caller.groups.acceptInvitation({ token });
}
