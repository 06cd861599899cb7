// THE ACCESS TEST: a member of group A must not read or change anything of group B — projects,
// species, call types, members, invitations, images — through tRPC, REST (API key) or the image
// URL. Foreign rows are NOT_FOUND (their existence is not leaked); admin-only actions attempted by
// a plain member may be FORBIDDEN first. Afterwards group B must be exactly as it was.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Caller,
  createTestEnv,
  joinByInvitation,
  registerAndLogin,
  sessionCaller,
  type TestEnv,
} from "./helpers.ts";
import {
  buildTestServer,
  multipartBody,
  PNG_BYTES,
  request,
  sessionCookieFrom,
  trpcMutation,
} from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;

/** Group B, owned by victim; everything the attackers try to reach. */
const B = {
  groupId: "",
  projectId: "",
  speciesId: "",
  callTypeId: "",
  victimMembershipId: "",
  bystanderMembershipId: "",
  invitationId: "",
  invitationEmail: "invitee@example.org",
};

interface Attacker {
  name: string;
  caller: Caller;
  cookie: string;
  apiKey: string;
}
const attackers: Attacker[] = [];

async function snapshotB() {
  const db = t.deps.db;
  return {
    group: await db.group.findUniqueOrThrow({ where: { id: B.groupId } }),
    projects: await db.project.findMany({ where: { groupId: B.groupId }, orderBy: { id: "asc" } }),
    species: await db.species.findMany({
      where: { groupId: B.groupId },
      include: { callTypes: { orderBy: { id: "asc" } } },
      orderBy: { id: "asc" },
    }),
    memberships: await db.membership.findMany({ where: { groupId: B.groupId }, orderBy: { id: "asc" } }),
    invitations: await db.invitation.findMany({ where: { groupId: B.groupId }, orderBy: { id: "asc" } }),
  };
}
let before: Awaited<ReturnType<typeof snapshotB>>;

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);

  const victim = await registerAndLogin(t, "victim");
  const bystander = await registerAndLogin(t, "bystander");
  const groupB = await victim.caller.groups.create({ name: "Group B" });
  B.groupId = groupB.id;
  B.projectId = (await victim.caller.projects.create({ name: "Secret project" })).id;
  const species = await victim.caller.species.create({
    name: "Secret species",
    callTypes: [{ shortName: "S1" }],
  });
  B.speciesId = species.id;
  B.callTypeId = species.callTypes[0]?.id ?? "";
  await joinByInvitation(t, victim, bystander);
  await victim.caller.groups.switch({ groupId: groupB.id });
  const members = await victim.caller.groups.members();
  B.victimMembershipId = members.find((m) => m.username === "victim")?.membershipId ?? "";
  B.bystanderMembershipId = members.find((m) => m.username === "bystander")?.membershipId ?? "";
  B.invitationId = (await victim.caller.groups.invite({ email: B.invitationEmail })).id;
  const victimCookie = victim.token;
  const upload = await request(app, {
    method: "POST",
    url: `/api/species/${B.speciesId}/image`,
    auth: { cookie: victimCookie },
    ...multipartBody("image", "b.png", PNG_BYTES),
  });
  expect(upload.statusCode).toBe(201);
  void bystander;

  // Attacker 1: admin of their own group A. Attacker 2: plain member of group A.
  const adminA = await registerAndLogin(t, "adminA");
  const groupA = await adminA.caller.groups.create({ name: "Group A" });
  const memberA = await registerAndLogin(t, "memberA");
  await joinByInvitation(t, adminA, memberA);
  await adminA.caller.groups.switch({ groupId: groupA.id });
  await memberA.caller.groups.switch({ groupId: groupA.id });
  for (const u of [adminA, memberA]) {
    const login = await trpcMutation(app, "auth.login", { identifier: u.username, password: u.password });
    const cookie = sessionCookieFrom(login) as string;
    const apiKey = (await u.caller.profile.generateApiKey()).key;
    attackers.push({ name: u.username, caller: await sessionCaller(t, cookie), cookie, apiKey });
  }
  before = await snapshotB();
});

afterAll(async () => {
  await app?.close();
  await t?.close();
});

const DENIED = ["NOT_FOUND", "FORBIDDEN"];

async function deniedCode(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "SUCCEEDED",
    (e: { code?: string }) => e.code ?? "UNKNOWN",
  );
}

/** Every tRPC procedure that takes an id of group B (as a thunk), with the code an admin of A must get. */
function trpcAttempts(c: Caller) {
  const s = B.speciesId;
  return {
    // reads of foreign rows: always NOT_FOUND
    "projects.get": [() => c.projects.get({ projectId: B.projectId }), "NOT_FOUND"],
    "projects.previewDelete": [() => c.projects.previewDelete({ projectId: B.projectId }), "NOT_FOUND"],
    "recordings.list(projectId)": [() => c.recordings.list({ projectId: B.projectId }), "NOT_FOUND"],
    "recordings.list(speciesId)": [() => c.recordings.list({ speciesId: s }), "NOT_FOUND"],
    "species.get": [() => c.species.get({ speciesId: s }), "NOT_FOUND"],
    // writes
    "projects.update": [() => c.projects.update({ projectId: B.projectId, name: "pwned" }), "NOT_FOUND"],
    "projects.delete": [() => c.projects.delete({ projectId: B.projectId }), "NOT_FOUND"],
    "species.update": [() => c.species.update({ speciesId: s, name: "pwned" }), "NOT_FOUND"],
    "species.delete": [() => c.species.delete({ speciesId: s }), "NOT_FOUND"],
    "species.deleteImage": [() => c.species.deleteImage({ speciesId: s }), "NOT_FOUND"],
    "species.addCallType": [() => c.species.addCallType({ speciesId: s, shortName: "X" }), "NOT_FOUND"],
    "species.importCallTypes": [
      () => c.species.importCallTypes({ speciesId: s, text: "X,Y", mode: "replace" }),
      "NOT_FOUND",
    ],
    "species.updateCallType": [
      () => c.species.updateCallType({ callTypeId: B.callTypeId, shortName: "X" }),
      "NOT_FOUND",
    ],
    "species.deleteCallType": [() => c.species.deleteCallType({ callTypeId: B.callTypeId }), "NOT_FOUND"],
    "groups.switch": [() => c.groups.switch({ groupId: B.groupId }), "NOT_FOUND"],
    "groups.removeMember(victim)": [
      () => c.groups.removeMember({ membershipId: B.victimMembershipId }),
      "NOT_FOUND",
    ],
    "groups.removeMember(bystander)": [
      () => c.groups.removeMember({ membershipId: B.bystanderMembershipId }),
      "NOT_FOUND",
    ],
    "groups.setMemberAdmin": [
      () => c.groups.setMemberAdmin({ membershipId: B.bystanderMembershipId, isAdmin: true }),
      "NOT_FOUND",
    ],
    "groups.revokeInvitation": [
      () => c.groups.revokeInvitation({ invitationId: B.invitationId }),
      "NOT_FOUND",
    ],
  } as Record<string, [() => Promise<unknown>, string]>;
}

describe("group isolation through tRPC", () => {
  it("an admin of group A gets NOT_FOUND for every read and write on group B's rows", async () => {
    const attacker = attackers[0] as Attacker;
    const results: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [name, [attempt, code]] of Object.entries(trpcAttempts(attacker.caller))) {
      results[name] = await deniedCode(attempt());
      expected[name] = code;
    }
    expect(results).toEqual(expected);
  });

  it("a plain member of group A gets NOT_FOUND or FORBIDDEN for all of them", async () => {
    const attacker = attackers[1] as Attacker;
    for (const [name, [attempt]] of Object.entries(trpcAttempts(attacker.caller))) {
      const code = await deniedCode(attempt());
      expect(DENIED, `${name} → ${code}`).toContain(code);
    }
  });

  it("lists never include group B's rows", async () => {
    for (const { caller } of attackers) {
      expect((await caller.projects.list()).map((p) => p.id)).not.toContain(B.projectId);
      expect((await caller.species.list()).map((s) => s.id)).not.toContain(B.speciesId);
      expect((await caller.groups.list()).map((g) => g.id)).not.toContain(B.groupId);
      const members = await caller.groups.members();
      expect(members.map((m) => m.membershipId)).not.toContain(B.victimMembershipId);
      expect((await caller.recordings.list({})).items).toEqual([]);
      expect(await caller.jobs.list({})).toEqual([]);
    }
    const invitations = await (attackers[0] as Attacker).caller.groups.invitations();
    expect(invitations.map((i) => i.id)).not.toContain(B.invitationId);
    expect(await deniedCode((attackers[1] as Attacker).caller.groups.invitations())).toBe("FORBIDDEN");
  });

  it("members, invitations and group edits only ever act on the caller's own group", async () => {
    const admin = attackers[0] as Attacker;
    await admin.caller.groups.update({ description: "edited by A" });
    await admin.caller.groups.invite({ email: "someone@example.org" });
    expect((await t.deps.db.group.findUniqueOrThrow({ where: { id: B.groupId } })).description).toBe("");
  });
});

describe("group isolation through REST (API key)", () => {
  it("every project and species route answers 404 for group B's ids", async () => {
    for (const { apiKey, name } of attackers) {
      const attempts = [
        { method: "GET", url: `/api/v1/projects/${B.projectId}` },
        { method: "PATCH", url: `/api/v1/projects/${B.projectId}`, payload: { name: "pwned" } },
        { method: "DELETE", url: `/api/v1/projects/${B.projectId}` },
        { method: "GET", url: `/api/v1/species/${B.speciesId}` },
        { method: "POST", url: `/api/v1/species/${B.speciesId}/call-types`, payload: { shortName: "X" } },
      ] as const;
      for (const a of attempts) {
        const res = await request(app, { ...a, auth: { apiKey } });
        expect(res.statusCode, `${name} ${a.method} ${a.url}`).toBe(404);
        expect(res.json().error.code).toBe("NOT_FOUND");
      }
      const projects = await request(app, { method: "GET", url: "/api/v1/projects", auth: { apiKey } });
      expect(projects.json().map((p: { id: string }) => p.id)).not.toContain(B.projectId);
      const species = await request(app, { method: "GET", url: "/api/v1/species", auth: { apiKey } });
      expect(species.json().map((s: { id: string }) => s.id)).not.toContain(B.speciesId);
    }
  });
});

describe("group isolation of the image file URL", () => {
  it("GET, POST and DELETE of group B's species image are 404 (cookie and API key)", async () => {
    const url = `/api/species/${B.speciesId}/image`;
    for (const { cookie, apiKey, name } of attackers) {
      for (const auth of [{ cookie }, { apiKey }]) {
        const get = await request(app, { method: "GET", url, auth });
        expect(get.statusCode, `${name} GET`).toBe(404);
        expect(get.body).not.toContain("PNG");
        const post = await request(app, {
          method: "POST",
          url,
          auth,
          ...multipartBody("image", "x.png", PNG_BYTES),
        });
        expect(post.statusCode, `${name} POST`).toBe(404);
        const del = await request(app, { method: "DELETE", url, auth });
        expect(del.statusCode, `${name} DELETE`).toBe(404);
      }
    }
  });
});

describe("afterwards", () => {
  it("group B is exactly as it was", async () => {
    expect(await snapshotB()).toEqual(before);
  });
});
