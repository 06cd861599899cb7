import { INVITATION_ACCEPT_PATH, resolveGroupAccess } from "@battycoda/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import {
  anonymousCaller,
  createTestEnv,
  joinByInvitation,
  registerAndLogin,
  sessionCaller,
  type TestEnv,
  type TestUser,
  tokenFromEmail,
} from "./helpers.ts";

let t: TestEnv;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let labId: string;

beforeAll(async () => {
  t = await createTestEnv();
  owner = await registerAndLogin(t, "owner");
  member = await registerAndLogin(t, "member");
  outsider = await registerAndLogin(t, "outsider");
  const lab = await owner.caller.groups.create({ name: "Bat Lab", description: "Acoustics" });
  labId = lab.id;
});
afterAll(async () => {
  await t?.close();
});

describe("groups", () => {
  it("creating a group makes the creator its admin and switches to it", async () => {
    const current = await owner.caller.groups.current();
    expect(current).toMatchObject({
      id: labId,
      name: "Bat Lab",
      isAdmin: true,
      isCurrent: true,
      memberCount: 1,
    });
    expect((await owner.caller.groups.list()).map((g) => g.name).sort()).toEqual([
      "Bat Lab",
      "owner's group",
    ]);
  });

  it("limits group creation per user per hour (issue 8 #10)", async () => {
    const spammer = await registerAndLogin(t, "spammer");
    for (let i = 0; i < 10; i++) await spammer.caller.groups.create({ name: `Lab ${i}`, description: "" });
    await expectTRPCError(
      spammer.caller.groups.create({ name: "Lab 10", description: "" }),
      "TOO_MANY_REQUESTS",
    );
    expect((await spammer.caller.groups.list()).length).toBe(11); // personal + 10
  });

  it("admins edit the group; switching to a group one is not in is NOT_FOUND", async () => {
    const updated = await owner.caller.groups.update({ name: "Bat Lab (Boston)" });
    expect(updated.name).toBe("Bat Lab (Boston)");
    await expectTRPCError(outsider.caller.groups.switch({ groupId: labId }), "NOT_FOUND");
  });

  it("members join only by accepting an invitation, and never see each other's email (issue 8 #4)", async () => {
    // there is no way to add someone directly any more
    expect("addMember" in owner.caller.groups).toBe(false);
    await owner.caller.groups.invite({ email: member.email });
    expect((await owner.caller.groups.members()).map((m) => m.username)).toEqual(["owner"]);
    const token = tokenFromEmail(t, member.email, INVITATION_ACCEPT_PATH);
    await member.caller.groups.acceptInvitation({ token });
    await expectTRPCError(owner.caller.groups.invite({ email: "MEMBER@example.org" }), "CONFLICT");
    const members = await owner.caller.groups.members();
    expect(members.map((m) => [m.username, m.isAdmin])).toEqual([
      ["owner", true],
      ["member", false],
    ]);
    expect(members.find((m) => m.username === "owner")?.email).toBe(owner.email);
    expect(members.find((m) => m.username === "member")?.email).toBeNull();
    expect(JSON.stringify(members)).not.toContain(member.email);
  });

  it("a plain member cannot manage the group", async () => {
    await member.caller.groups.switch({ groupId: labId });
    await expectTRPCError(member.caller.groups.update({ name: "x" }), "FORBIDDEN");
    await expectTRPCError(member.caller.groups.invite({ email: "x@example.org" }), "FORBIDDEN");
    await expectTRPCError(member.caller.groups.invitations(), "FORBIDDEN");
    const ownerMembership = (await member.caller.groups.members()).find((m) => m.username === "owner");
    await expectTRPCError(
      member.caller.groups.setMemberAdmin({
        membershipId: ownerMembership?.membershipId ?? "",
        isAdmin: false,
      }),
      "FORBIDDEN",
    );
    await expectTRPCError(
      member.caller.groups.removeMember({ membershipId: ownerMembership?.membershipId ?? "" }),
      "FORBIDDEN",
    );
  });

  it("never demotes or removes the last admin, also when they remove themself", async () => {
    const self = (await owner.caller.groups.members()).find((m) => m.isSelf);
    const id = self?.membershipId ?? "";
    await expectTRPCError(
      owner.caller.groups.setMemberAdmin({ membershipId: id, isAdmin: false }),
      "PRECONDITION_FAILED",
      /last admin/,
    );
    await expectTRPCError(
      owner.caller.groups.removeMember({ membershipId: id }),
      "PRECONDITION_FAILED",
      /last admin/,
    );
  });

  it("toggles admin; with two admins one may step down, then the other is the last again", async () => {
    const m = (await owner.caller.groups.members()).find((x) => x.username === "member");
    const promoted = await owner.caller.groups.setMemberAdmin({
      membershipId: m?.membershipId ?? "",
      isAdmin: true,
    });
    expect(promoted.isAdmin).toBe(true);
    const self = (await owner.caller.groups.members()).find((x) => x.isSelf);
    await owner.caller.groups.setMemberAdmin({ membershipId: self?.membershipId ?? "", isAdmin: false });
    await expectTRPCError(
      member.caller.groups.removeMember({ membershipId: m?.membershipId ?? "" }),
      "PRECONDITION_FAILED",
    );
    // restore
    await member.caller.groups.setMemberAdmin({ membershipId: self?.membershipId ?? "", isAdmin: true });
    await member.caller.groups.setMemberAdmin({ membershipId: m?.membershipId ?? "", isAdmin: false });
  });

  it("each browser session keeps its own current group; new sessions and API keys start in the last one chosen", async () => {
    // Two devices of one user: a switch on one must not move the other's work (it did: the group lived in the
    // profile, so an upload on the laptop landed in the group just picked on the lab PC).
    const { caller: anon, jar } = anonymousCaller(t);
    await anon.auth.login({ identifier: member.username, password: member.password });
    const laptop = await sessionCaller(t, jar.token ?? "");
    const labPc = member.caller;
    const own = (await labPc.groups.list()).find((g) => g.isPersonal);
    if (!own) throw new Error("member has no personal group");
    await labPc.groups.switch({ groupId: labId });
    await laptop.groups.switch({ groupId: own.id });
    expect((await labPc.groups.current()).id).toBe(labId);
    expect((await labPc.auth.me())?.currentGroup?.id).toBe(labId);
    expect((await labPc.groups.list()).filter((g) => g.isCurrent).map((g) => g.id)).toEqual([labId]);
    expect((await laptop.groups.current()).id).toBe(own.id);
    expect((await laptop.auth.me())?.currentGroup?.id).toBe(own.id);
    const made = await labPc.projects.create({ name: `made on the lab PC ${Date.now()}` });
    expect((await t.deps.db.project.findUniqueOrThrow({ where: { id: made.id } })).groupId).toBe(labId);
    // A new sign-in starts where the user last switched (the laptop), and so do API keys.
    const { caller: anon2, jar: jar2 } = anonymousCaller(t);
    await anon2.auth.login({ identifier: member.username, password: member.password });
    const tablet = await sessionCaller(t, jar2.token ?? "");
    expect((await tablet.groups.current()).id).toBe(own.id);
    const sessionless = await resolveGroupAccess(t.deps, { userId: member.id, isSiteAdmin: false });
    expect(sessionless.groupId).toBe(own.id);
    expect((await labPc.groups.current()).id).toBe(labId);
    await labPc.groups.switch({ groupId: labId }); // where the next tests expect the member
  });

  it("a member can leave; their current group falls back to another membership", async () => {
    const m = (await member.caller.groups.members()).find((x) => x.isSelf);
    await member.caller.groups.removeMember({ membershipId: m?.membershipId ?? "" });
    const me = await member.caller.auth.me();
    expect(me?.currentGroup?.name).toBe("member's group");
    await expectTRPCError(member.caller.groups.switch({ groupId: labId }), "NOT_FOUND");
  });

  it("an admin removes a member, who then cannot act in the group any more", async () => {
    await joinByInvitation(t, owner, member);
    await member.caller.groups.switch({ groupId: labId });
    const project = await owner.caller.projects.create({ name: "Shared" });
    expect((await member.caller.projects.get({ projectId: project.id })).name).toBe("Shared");
    const m = (await owner.caller.groups.members()).find((x) => x.username === "member");
    await owner.caller.groups.removeMember({ membershipId: m?.membershipId ?? "" });
    await expectTRPCError(member.caller.projects.get({ projectId: project.id }), "NOT_FOUND");
    expect((await member.caller.groups.current()).name).toBe("member's group");
  });
});

describe("last admin under concurrency", () => {
  it("two admins demoting each other at once leave exactly one admin", async () => {
    const x = await registerAndLogin(t, "adminx");
    const y = await registerAndLogin(t, "adminy");
    const g = await x.caller.groups.create({ name: "Race" });
    await joinByInvitation(t, x, y, { isAdmin: true });
    await y.caller.groups.switch({ groupId: g.id });
    const members = await x.caller.groups.members();
    const idOf = (name: string) => members.find((m) => m.username === name)?.membershipId ?? "";
    const results = await Promise.allSettled([
      x.caller.groups.setMemberAdmin({ membershipId: idOf("adminy"), isAdmin: false }),
      y.caller.groups.setMemberAdmin({ membershipId: idOf("adminx"), isAdmin: false }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const admins = await t.deps.db.membership.count({ where: { groupId: g.id, isAdmin: true } });
    expect(admins).toBe(1);
  });
});

describe("invitations", () => {
  it("invites by email with a 7-day link; only the account with the invited email can accept it", async () => {
    const invitation = await owner.caller.groups.invite({ email: "Someone.Else@Example.org" });
    expect(invitation.email).toBe("someone.else@example.org");
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const token = tokenFromEmail(t, "someone.else@example.org", INVITATION_ACCEPT_PATH);
    const mail = t.outbox.at(-1);
    expect(mail?.text).toContain(`http://battycoda.test${INVITATION_ACCEPT_PATH}?token=`);

    const { caller: anon } = anonymousCaller(t);
    expect(await anon.groups.previewInvitation({ token })).toMatchObject({
      groupName: "Bat Lab (Boston)",
      invitedBy: "owner",
      status: "valid",
    });
    await expectTRPCError(anon.groups.acceptInvitation({ token }), "UNAUTHORIZED");

    // A forwarded or leaked link lets no other account in, and leaves the link working for its invitee.
    await expectTRPCError(
      outsider.caller.groups.acceptInvitation({ token }),
      "FORBIDDEN",
      "This invitation was sent to someone.else@example.org, not to outsider@example.org",
    );
    expect(
      await t.deps.db.membership.findFirst({ where: { userId: outsider.id, groupId: labId } }),
    ).toBeNull();
    expect((await anon.groups.previewInvitation({ token })).status).toBe("valid");

    // The invitee's account (email compared without case) joins.
    const invitee = await registerAndLogin(t, "Someone.Else");
    const accepted = await invitee.caller.groups.acceptInvitation({ token });
    expect(accepted).toEqual({ groupId: labId, groupName: "Bat Lab (Boston)" });
    expect((await invitee.caller.groups.current()).id).toBe(labId);
    await expectTRPCError(
      invitee.caller.groups.acceptInvitation({ token }),
      "BAD_REQUEST",
      "already been used",
    );
    expect((await anon.groups.previewInvitation({ token })).status).toBe("accepted");
  });

  it("a new visitor registers from the invitation and lands in the group", async () => {
    await owner.caller.groups.invite({ email: "newbie@example.org", isAdmin: true });
    const token = tokenFromEmail(t, "newbie@example.org", INVITATION_ACCEPT_PATH);
    const newbie = await registerAndLogin(t, "newbie", { invitationToken: token });
    const current = await newbie.caller.groups.current();
    expect(current).toMatchObject({ id: labId, isAdmin: true });
    expect((await newbie.caller.groups.list()).map((g) => g.name).sort()).toEqual([
      "Bat Lab (Boston)",
      "newbie's group",
    ]);
  });

  it("refuses expired, unknown and revoked invitations; refuses inviting a member", async () => {
    await owner.caller.groups.invite({ email: "late@example.org" });
    const token = tokenFromEmail(t, "late@example.org", INVITATION_ACCEPT_PATH);
    await t.deps.db.invitation.updateMany({
      where: { email: "late@example.org" },
      data: { expiresAt: new Date(0) },
    });
    await expectTRPCError(member.caller.groups.acceptInvitation({ token }), "BAD_REQUEST", "expired");
    const { caller: anon } = anonymousCaller(t);
    await expectTRPCError(
      anon.auth.register({
        email: "late@example.org",
        username: "late",
        password: "long enough pw",
        invitationToken: token,
      }),
      "BAD_REQUEST",
      "expired",
    );
    expect(await t.deps.db.user.findUnique({ where: { username: "late" } })).toBeNull();
    // Registering from a usable invitation with another address is refused before anything is made.
    await owner.caller.groups.invite({ email: "invited@example.org" });
    const otherToken = tokenFromEmail(t, "invited@example.org", INVITATION_ACCEPT_PATH);
    await expectTRPCError(
      anon.auth.register({
        email: "someone-else@example.org",
        username: "someone-else",
        password: "long enough pw",
        invitationToken: otherToken,
      }),
      "FORBIDDEN",
      "sent to invited@example.org",
    );
    expect(await t.deps.db.pendingRegistration.count({ where: { email: "someone-else@example.org" } })).toBe(
      0,
    );
    await expectTRPCError(member.caller.groups.acceptInvitation({ token: "x".repeat(43) }), "NOT_FOUND");

    const inv = await owner.caller.groups.invite({ email: "revoked@example.org" });
    const revokedToken = tokenFromEmail(t, "revoked@example.org", INVITATION_ACCEPT_PATH);
    await owner.caller.groups.revokeInvitation({ invitationId: inv.id });
    await expectTRPCError(member.caller.groups.acceptInvitation({ token: revokedToken }), "NOT_FOUND");

    await expectTRPCError(owner.caller.groups.invite({ email: "someone.else@example.org" }), "CONFLICT");
    const list = await owner.caller.groups.invitations();
    expect(list.map((i) => i.email)).toContain("late@example.org");
    expect(list.find((i) => i.email === "someone.else@example.org")?.accepted).toBe(true);
  });
});
