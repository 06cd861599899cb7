// Issue 11's walkthrough fixes through the tRPC router on a real database: reset links checked on
// opening, forgot-password by username, cross-group links (without leaking other groups), the
// dashboard's counts, the recordings list's columns and sorts, job subject names, notification
// filters and job-outcome notifications, and species owners.
import { notifyJobOutcome, PASSWORD_RESET_PATH } from "@battycoda/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import {
  anonymousCaller,
  createTestEnv,
  registerAndLogin,
  type TestEnv,
  type TestUser,
  tokenFromEmail,
} from "./helpers.ts";

let t: TestEnv;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await createTestEnv();
  alice = await registerAndLogin(t, "alice");
  bob = await registerAndLogin(t, "bob");
});
afterAll(async () => {
  await t?.close();
});

const currentGroupId = async (u: TestUser) => (await u.caller.groups.current()).id;

async function addRecording(groupId: string, name: string, extra: Record<string, unknown> = {}) {
  return t.deps.db.recording.create({
    data: { groupId, name, filePath: `${name}.wav`, processingStatus: "ready", ...extra },
  });
}

async function addSegments(recordingId: string, groupId: string, n: number, labels: (string | null)[] = []) {
  return t.deps.db.segmentation.create({
    data: {
      groupId,
      recordingId,
      name: "run",
      status: "completed",
      isActive: true,
      segments: {
        create: Array.from({ length: n }, (_, i) => ({
          onset: i * 0.1,
          offset: i * 0.1 + 0.01,
          label: labels[i] ?? null,
        })),
      },
    },
  });
}

describe("password reset", () => {
  it("checks a link when the page opens: valid until used, then not; expired and unknown ones are not", async () => {
    const { caller } = anonymousCaller(t);
    await caller.auth.requestPasswordReset({ identifier: "alice@example.org" });
    const token = tokenFromEmail(t, "alice@example.org", PASSWORD_RESET_PATH);
    // checking does not use the link up
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: true });
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: true });
    await caller.auth.resetPassword({ token, password: "alice's brand new passphrase" });
    alice = { ...alice, password: "alice's brand new passphrase" };
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: false });
    expect(await caller.auth.checkPasswordResetToken({ token: "x".repeat(43) })).toEqual({ valid: false });

    await caller.auth.requestPasswordReset({ identifier: "alice" });
    const second = tokenFromEmail(t, "alice@example.org", PASSWORD_RESET_PATH);
    expect(second).not.toBe(token);
    expect(await caller.auth.checkPasswordResetToken({ token: second })).toEqual({ valid: true });
    await t.deps.db.passwordResetToken.updateMany({ data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await caller.auth.checkPasswordResetToken({ token: second })).toEqual({ valid: false });
    // the sessions were ended by the reset: sign alice in again for the rest of the file
    const again = anonymousCaller(t);
    await again.caller.auth.login({ identifier: "alice", password: alice.password });
    const { sessionCaller } = await import("./helpers.ts");
    alice = {
      ...alice,
      caller: await sessionCaller(t, again.jar.token as string),
      token: again.jar.token as string,
    };
  });

  it("forgot-password takes a username as well as an email, and answers the same for unknown ones", async () => {
    const { caller } = anonymousCaller(t);
    const before = t.outbox.length;
    expect(await caller.auth.requestPasswordReset({ identifier: "BOB" })).toEqual({ ok: true });
    expect(t.outbox.length).toBe(before + 1);
    expect(t.outbox.at(-1)?.to).toBe("bob@example.org");
    expect(await caller.auth.requestPasswordReset({ identifier: "nobody-here" })).toEqual({ ok: true });
    expect(await caller.auth.requestPasswordReset({ identifier: "nobody@example.org" })).toEqual({
      ok: true,
    });
    expect(t.outbox.length).toBe(before + 1);
    // the older field name still works
    expect(await caller.auth.requestPasswordReset({ email: "bob@example.org" })).toEqual({ ok: true });
    expect(t.outbox.length).toBe(before + 2);
  });
});

describe("links into another of the caller's groups", () => {
  it("says which own group holds the item, and nothing about groups the caller is not in", async () => {
    const personal = await currentGroupId(alice);
    const field = await alice.caller.groups.create({ name: "Field team" });
    const rec = await addRecording(field.id, "night-in-field");
    await alice.caller.groups.switch({ groupId: personal });

    await expectTRPCError(alice.caller.recordings.get({ recordingId: rec.id }), "NOT_FOUND");
    expect(await alice.caller.groups.locate({ kind: "recording", id: rec.id })).toEqual({
      groupId: field.id,
      groupName: "Field team",
      isCurrent: false,
    });

    // bob is not in "Field team": the same answer as for an id that does not exist
    await expectTRPCError(bob.caller.recordings.get({ recordingId: rec.id }), "NOT_FOUND");
    expect(await bob.caller.groups.locate({ kind: "recording", id: rec.id })).toBeNull();
    expect(
      await bob.caller.groups.locate({ kind: "recording", id: "c0000000000000000000000000" }),
    ).toBeNull();
    const bobs = await addRecording(await currentGroupId(bob), "bobs");
    expect(await alice.caller.groups.locate({ kind: "recording", id: bobs.id })).toBeNull();
    const bobProject = await bob.caller.projects.create({ name: "Bob's secret" });
    expect(await alice.caller.groups.locate({ kind: "project", id: bobProject.id })).toBeNull();

    // switching makes the same link work
    await alice.caller.groups.switch({ groupId: field.id });
    expect((await alice.caller.recordings.get({ recordingId: rec.id })).name).toBe("night-in-field");
    expect(await alice.caller.groups.locate({ kind: "recording", id: rec.id })).toMatchObject({
      isCurrent: true,
    });
    await alice.caller.groups.switch({ groupId: personal });
  });
});

describe("dashboard", () => {
  it("counts the current group's recordings, hours, active segments and labelled calls only", async () => {
    const u = await registerAndLogin(t, "dora");
    const g = await currentGroupId(u);
    const empty = await u.caller.dashboard.summary();
    expect(empty).toMatchObject({ recordings: 0, audioHours: 0, segments: 0, labelledCalls: 0 });

    const a = await addRecording(g, "a", { duration: 1800 });
    await addRecording(g, "b", { duration: 900 });
    // a split original and its part hold the same audio: counted once
    const parent = await addRecording(g, "long", { duration: 7200, partCount: 1 });
    await addRecording(g, "long (Part 1/1)", {
      duration: 7200,
      partIndex: 1,
      partCount: 1,
      parentRecordingId: parent.id,
    });
    await addSegments(a.id, g, 4, ["FM", "", null, "CF"]);
    // an inactive earlier run does not count
    await t.deps.db.segmentation.create({
      data: {
        groupId: g,
        recordingId: a.id,
        name: "old",
        status: "completed",
        segments: { create: [{ onset: 0, offset: 1, label: "FM" }] },
      },
    });
    // another group's rows do not count
    const other = await addRecording(await currentGroupId(bob), "other", { duration: 3600 });
    await addSegments(other.id, await currentGroupId(bob), 3, ["FM", "FM", "FM"]);

    // A call labelled by a person in a task batch is a labelled call too (once), and a pending task is not.
    const unlabelled = await t.deps.db.segment.findMany({
      where: { segmentation: { recordingId: a.id, isActive: true }, OR: [{ label: null }, { label: "" }] },
      orderBy: { onset: "asc" },
    });
    expect(unlabelled).toHaveLength(2);
    const batch = await t.deps.db.taskBatch.create({ data: { groupId: g, name: "review" } });
    for (const [i, seg] of unlabelled.entries())
      await t.deps.db.task.create({
        data: {
          groupId: g,
          batchId: batch.id,
          recordingId: a.id,
          segmentId: seg.id,
          onset: seg.onset,
          offset: seg.offset,
          label: "FM",
          status: i === 0 ? "done" : "pending",
        },
      });

    const s = await u.caller.dashboard.summary();
    expect(s).toMatchObject({ recordings: 4, segments: 4, labelledCalls: 3, tasksDone: 1 });
    expect(s.audioHours).toBeCloseTo(2.75, 10);
    expect(s.recentRecordings.map((r) => r.name)).toEqual(["long (Part 1/1)", "long", "b", "a"]);
  });
});

describe("recordings list", () => {
  it("shows sample rate, channels, segment count and the truncation flag, sorted on the server", async () => {
    const u = await registerAndLogin(t, "erin");
    const g = await currentGroupId(u);
    const r1 = await addRecording(g, "r1", { sampleRate: 384_000, channels: 1, duration: 2 });
    const r2 = await addRecording(g, "r2", { sampleRate: 250_000, channels: 2, duration: 1 });
    const r3 = await addRecording(g, "r3", {
      sampleRate: 500_000,
      channels: 4,
      duration: 0.17,
      truncated: true,
      declaredDuration: 8.9,
    });
    await addSegments(r1.id, g, 5);
    await addSegments(r3.id, g, 2);
    const names = async (sort: string, order: "asc" | "desc", extra: Record<string, unknown> = {}) =>
      (await u.caller.recordings.list({ sort: sort as "segments", order, ...extra })).items.map(
        (r) => r.name,
      );
    expect(await names("segments", "desc")).toEqual(["r1", "r3", "r2"]);
    expect(await names("segments", "asc")).toEqual(["r2", "r3", "r1"]);
    expect(await names("sampleRate", "asc")).toEqual(["r2", "r1", "r3"]);
    expect(await names("channels", "desc")).toEqual(["r3", "r2", "r1"]);
    // the bounded cursor pages the segment order too
    const page1 = await u.caller.recordings.list({ sort: "segments", order: "desc", limit: 2 });
    expect(page1.items.map((r) => r.name)).toEqual(["r1", "r3"]);
    expect(page1.nextCursor).toBe("2");
    const page2 = await u.caller.recordings.list({ sort: "segments", order: "desc", limit: 2, cursor: "2" });
    expect(page2.items.map((r) => r.name)).toEqual(["r2"]);
    // filters apply to the segment order as well
    expect(await names("segments", "desc", { search: "r3" })).toEqual(["r3"]);

    const list = await u.caller.recordings.list({ sort: "name", order: "asc" });
    expect(
      list.items.map((r) => [
        r.name,
        r.sampleRate,
        r.channels,
        r.segmentCount,
        r.truncated,
        r.declaredDuration,
      ]),
    ).toEqual([
      ["r1", 384_000, 1, 5, false, null],
      ["r2", 250_000, 2, 0, false, null],
      ["r3", 500_000, 4, 2, true, 8.9],
    ]);
    expect((await u.caller.recordings.get({ recordingId: r3.id })).truncated).toBe(true);
    void r2;
  });
});

describe("jobs page", () => {
  it("names each job's subject (the upload's file, the recording's name)", async () => {
    const u = await registerAndLogin(t, "fred");
    const g = await currentGroupId(u);
    const rec = await addRecording(g, "Night 7 at the pond");
    const up = await t.deps.db.upload.create({
      data: { groupId: g, userId: u.id, kind: "zip", filename: "june.zip", status: "completed" },
    });
    await t.deps.db.job.create({
      data: {
        type: "recording.ingest",
        groupId: g,
        userId: u.id,
        subjectType: "recording",
        subjectId: rec.id,
        payload: {},
      },
    });
    await t.deps.db.job.create({
      data: {
        type: "upload.process",
        groupId: g,
        userId: u.id,
        subjectType: "upload",
        subjectId: up.id,
        payload: {},
      },
    });
    const jobs = await u.caller.jobs.list({});
    expect(jobs.map((j) => [j.type, j.subject?.name])).toEqual(
      expect.arrayContaining([
        ["recording.ingest", "Night 7 at the pond"],
        ["upload.process", "june.zip"],
      ]),
    );
  });
});

describe("notifications", () => {
  it("uploads, classification and training report their outcome; the list filters by kind and read state", async () => {
    const u = await registerAndLogin(t, "gwen");
    const g = await currentGroupId(u);
    const up = await t.deps.db.upload.create({
      data: { groupId: g, userId: u.id, kind: "zip", filename: "july.zip", status: "completed" },
    });
    const job = await t.deps.db.job.create({
      data: {
        type: "upload.process",
        groupId: g,
        userId: u.id,
        subjectType: "upload",
        subjectId: up.id,
        payload: {},
      },
    });
    const n = await notifyJobOutcome({ db: t.deps.db }, job, {
      status: "completed",
      result: { created: 3, rejected: 1, segmented: 2 },
    });
    expect(n).toMatchObject({ kind: "upload.completed", title: "Upload of july.zip processed" });
    expect(n?.message).toBe("3 recordings created, 1 rejected, 2 with segments.");

    const truncated = await addRecording(g, "cut short", {
      truncated: true,
      declaredDuration: 8.9,
      duration: 0.17,
    });
    const ingest = await t.deps.db.job.create({
      data: {
        type: "recording.ingest",
        groupId: g,
        userId: u.id,
        subjectType: "recording",
        subjectId: truncated.id,
        payload: {},
      },
    });
    expect(await notifyJobOutcome({ db: t.deps.db }, ingest, { status: "completed" })).toMatchObject({
      kind: "upload.warning",
      link: `/recordings/${truncated.id}`,
    });
    const fine = await addRecording(g, "fine");
    const fineJob = await t.deps.db.job.create({
      data: {
        type: "recording.ingest",
        groupId: g,
        userId: u.id,
        subjectType: "recording",
        subjectId: fine.id,
        payload: {},
      },
    });
    expect(await notifyJobOutcome({ db: t.deps.db }, fineJob, { status: "completed" })).toBeNull();

    const training = await t.deps.db.classifierTrainingJob.create({
      data: {
        groupId: g,
        name: "E. fuscus v2",
        type: "knn",
        status: "failed",
        error: "too few calls",
        source: {},
      },
    });
    const trainJob = await t.deps.db.job.create({
      data: {
        type: "classifier.train",
        groupId: g,
        userId: u.id,
        subjectType: "classifierTrainingJob",
        subjectId: training.id,
        payload: {},
      },
    });
    expect(
      await notifyJobOutcome({ db: t.deps.db }, trainJob, { status: "failed", error: "x" }),
    ).toMatchObject({
      kind: "training.failed",
      message: "too few calls",
    });
    const classified = await addRecording(g, "pond night");
    const run = await t.deps.db.classificationRun.create({
      data: { groupId: g, recordingId: classified.id, status: "completed", processedCount: 42 },
    });
    const runJob = await t.deps.db.job.create({
      data: {
        type: "classification.run",
        groupId: g,
        userId: u.id,
        subjectType: "classificationRun",
        subjectId: run.id,
        payload: {},
      },
    });
    expect(await notifyJobOutcome({ db: t.deps.db }, runJob, { status: "completed" })).toMatchObject({
      kind: "classification.completed",
      title: "Classification of pond night completed",
      message: "42 calls classified.",
      link: `/classification/runs/${run.id}`,
    });
    // a job nobody started (no user) notifies no one
    expect(
      await notifyJobOutcome({ db: t.deps.db }, { ...job, userId: null }, { status: "completed" }),
    ).toBeNull();

    const all = await u.caller.notifications.list({});
    expect(all.items.map((i) => i.kind).sort()).toEqual([
      "classification.completed",
      "training.failed",
      "upload.completed",
      "upload.warning",
    ]);
    const uploads = await u.caller.notifications.list({ family: "upload" });
    expect(uploads.items.map((i) => i.kind).sort()).toEqual(["upload.completed", "upload.warning"]);
    await u.caller.notifications.markRead({ ids: [uploads.items[0]?.id as string] });
    expect((await u.caller.notifications.list({ unreadOnly: true })).items).toHaveLength(3);
    expect((await u.caller.notifications.list({ readOnly: true })).items.map((i) => i.id)).toEqual([
      uploads.items[0]?.id,
    ]);
    await u.caller.notifications.markRead({ all: true });
    expect((await u.caller.notifications.list({})).unread).toBe(0);
    // someone else's list stays their own
    expect((await bob.caller.notifications.list({ family: "upload" })).items).toEqual([]);
  });
});

describe("notifications of a batch", () => {
  it("merge into one unread notification per kind and group with the count; a read one or another user's is left alone", async () => {
    const u = await registerAndLogin(t, "kim");
    const other = await registerAndLogin(t, "leo");
    const g = await currentGroupId(u);
    const classify = async (name: string, userId: string, calls: number, groupId = g) => {
      const rec = await addRecording(groupId, name);
      const run = await t.deps.db.classificationRun.create({
        data: { groupId, recordingId: rec.id, status: "completed", processedCount: calls },
      });
      const job = await t.deps.db.job.create({
        data: {
          type: "classification.run",
          groupId,
          userId,
          subjectType: "classificationRun",
          subjectId: run.id,
          payload: {},
        },
      });
      return notifyJobOutcome({ db: t.deps.db }, job, { status: "completed" });
    };
    const first = await classify("night 1", u.id, 10);
    expect(first).toMatchObject({ title: "Classification of night 1 completed", count: 1 });
    // three more finish at once (workers in parallel): one notification, counted exactly
    await Promise.all([
      classify("night 2", u.id, 20),
      classify("night 3", u.id, 30),
      classify("night 4", u.id, 40),
    ]);
    await classify("elsewhere", other.id, 5);
    // The same user's run in another of their groups is news of that group: not merged, and named.
    const station = await t.deps.db.group.create({
      data: { name: "Field Station", memberships: { create: { userId: u.id } } },
    });
    await classify("station night", u.id, 7, station.id);
    let mine = (await u.caller.notifications.list({ family: "classification" })).items;
    expect(mine.map((n) => [n.title, n.groupName])).toEqual([
      ["Classification of station night completed", "Field Station"],
      ["4 classification runs completed", "kim's group"],
    ]);
    await u.caller.notifications.markRead({ ids: [mine[0]?.id as string] });
    mine = (await u.caller.notifications.list({ family: "classification", unreadOnly: true })).items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ title: "4 classification runs completed", link: "/classification" });
    expect(mine[0]?.message).toMatch(/^The last, night \d: \d+ calls classified\.$/);
    expect((await other.caller.notifications.list({ family: "classification" })).items[0]?.title).toBe(
      "Classification of elsewhere completed",
    );
    // once read, the next outcome is news again
    await u.caller.notifications.markRead({ all: true });
    await classify("night 5", u.id, 50);
    mine = (await u.caller.notifications.list({ family: "classification" })).items;
    expect(mine.map((n) => n.title)).toEqual([
      "Classification of night 5 completed",
      "Classification of station night completed",
      "4 classification runs completed",
    ]);
  });
});

describe("species pickers", () => {
  it("tell a system species from a group's copy of it by owner", async () => {
    const u = await registerAndLogin(t, "hank");
    const before = await u.caller.species.list();
    const copy = before.find((s) => s.name === "Eptesicus fuscus");
    expect(copy).toMatchObject({ isSystem: false, owner: "hank's group", systemCopyOf: null });
    const system = await t.deps.db.species.create({ data: { name: "Eptesicus fuscus", isSystem: true } });
    const after = await u.caller.species.list();
    expect(after.filter((s) => s.name === "Eptesicus fuscus").map((s) => [s.owner, s.systemCopyOf])).toEqual([
      ["System", null],
      ["hank's group", system.id],
    ]);
    // with the system species in place a new account gets no copy of it
    const ivy = await registerAndLogin(t, "ivy");
    expect((await ivy.caller.species.list()).filter((s) => s.name === "Eptesicus fuscus")).toEqual([
      expect.objectContaining({ isSystem: true, owner: "System" }),
    ]);

    // an editable copy on request, once; never of another group's species
    await t.deps.db.callType.create({
      data: { speciesId: system.id, shortName: "FM", longName: "Frequency modulated" },
    });
    const ivysCopy = await ivy.caller.species.copyToGroup({ speciesId: system.id });
    expect(ivysCopy).toMatchObject({
      isSystem: false,
      editable: true,
      owner: "ivy's group",
      systemCopyOf: system.id,
    });
    expect(ivysCopy.callTypes.map((c) => [c.shortName, c.longName])).toEqual([["FM", "Frequency modulated"]]);
    await expectTRPCError(ivy.caller.species.copyToGroup({ speciesId: system.id }), "CONFLICT");
    await expectTRPCError(ivy.caller.species.copyToGroup({ speciesId: ivysCopy.id }), "BAD_REQUEST");
    await expectTRPCError(bob.caller.species.copyToGroup({ speciesId: ivysCopy.id }), "NOT_FOUND");
    await expectTRPCError(u.caller.species.copyToGroup({ speciesId: system.id }), "CONFLICT");
    await t.deps.db.species.delete({ where: { id: system.id } });
  });
});

describe("forgot-password input", () => {
  it("names the field when nothing is typed", async () => {
    const { caller } = anonymousCaller(t);
    await expectTRPCError(
      caller.auth.requestPasswordReset({ identifier: "" }),
      "BAD_REQUEST",
      /username or email/,
    );
    await expectTRPCError(caller.auth.requestPasswordReset({}), "BAD_REQUEST", /username or email/);
  });
});
