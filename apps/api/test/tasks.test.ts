// tasks.* over tRPC and the raw export routes: create → annotate → export as a user of one group,
// output schemas on the way, and another group's batches, tasks and exports answering NOT_FOUND
// (tRPC) / 404 (HTTP) exactly like missing ones.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTaskWorld, type TaskWorld } from "../../../packages/core/test/tasks-fixtures.ts";
import { readWorkbook, sheetRows, unzip } from "../../../packages/core/test/tasks-zip.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";
import { buildTestServer, request, trpcCode, trpcMutation, trpcQuery } from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let alice: TestUser;
let bob: TestUser;
let w: TaskWorld;

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);
  alice = await registerAndLogin(t, "alice");
  bob = await registerAndLogin(t, "bob");
  // alice's group gets the recordings and run (the fixture's own users stay unused)
  w = await createTaskWorld(t.database.db, { users: 0, recordings: [{ calls: 8 }] });
  const membership = await t.database.db.membership.findFirstOrThrow({ where: { userId: alice.id } });
  await t.database.db
    .$executeRaw`UPDATE "Recording" SET "groupId" = ${membership.groupId} WHERE "groupId" = ${w.groupId}`;
  await t.database.db
    .$executeRaw`UPDATE "Segmentation" SET "groupId" = ${membership.groupId} WHERE "groupId" = ${w.groupId}`;
  await t.database.db
    .$executeRaw`UPDATE "ClassificationRun" SET "groupId" = ${membership.groupId} WHERE "groupId" = ${w.groupId}`;
  await t.database.db
    .$executeRaw`UPDATE "Project" SET "groupId" = ${membership.groupId} WHERE "groupId" = ${w.groupId}`;
  await t.database.db
    .$executeRaw`UPDATE "Species" SET "groupId" = ${membership.groupId} WHERE "groupId" = ${w.groupId}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("tasks API", () => {
  let batchId: string;
  let taskId: string;

  it("creates, annotates and exports a batch through tRPC and the raw route", async () => {
    const runId = w.recordings[0]?.runId as string;
    expect(await alice.caller.tasks.batchNameAvailable({ name: "api batch" })).toEqual({ available: true });
    expect(await alice.caller.tasks.createBatchPreview({ source: { kind: "run", runId } })).toEqual({
      tasks: 8,
      recordings: 1,
      runs: 1,
    });
    const created = await alice.caller.tasks.createBatch({
      name: "api batch",
      source: { kind: "run", runId },
      orderMode: "confidence",
    });
    batchId = created.batchId;
    expect(created.jobId).toBeNull();
    const list = await alice.caller.tasks.listBatches({});
    expect(list.items[0]).toMatchObject({ id: batchId, taskCount: 8, doneCount: 0, status: "ready" });
    expect(typeof list.items[0]?.createdAt).toBe("string");
    expect((await alice.caller.tasks.batches()).map((b) => b.name)).toEqual(["api batch"]);
    const detail = await alice.caller.tasks.getBatch({ batchId });
    expect(detail.callTypes.map((c) => c.shortName)).toEqual(["A", "B", "C"]);
    expect(detail.species?.detailPaddingMs).toBe(8);

    const next = await alice.caller.tasks.nextTask({ batchId, take: 3 });
    expect(next.tasks).toHaveLength(3);
    const first = next.tasks[0];
    if (!first) throw new Error("no task");
    taskId = first.id;
    expect(first).toMatchObject({ lockedBy: "alice", position: 1, recording: { sampleRate: 250_000 } });
    // the editor link opens the segment's own segmentation
    const seg = await t.database.db.segment.findUniqueOrThrow({ where: { id: first.segmentId as string } });
    expect(first.segmentationId).toBe(seg.segmentationId);
    const saved = await alice.caller.tasks.saveLabel({ taskId, label: "C", notes: "=1+1" });
    expect(saved.task).toMatchObject({ label: "C", annotatedBy: "alice", status: "done" });
    expect(typeof saved.task.annotatedAt).toBe("string");
    expect(saved.next?.position).toBe(2);
    await alice.caller.tasks.releaseLock({ taskId: saved.next?.id as string });
    const undone = await alice.caller.tasks.undoLabel({ taskId });
    expect(undone.task.label).toBeNull();
    await alice.caller.tasks.saveLabel({ taskId, label: "C", notes: "=1+1" });
    await expectTRPCError(alice.caller.tasks.saveLabel({ taskId, label: "nope" }), "BAD_REQUEST");
    const tasks = await alice.caller.tasks.listTasks({ batchId, label: "C" });
    expect(tasks.total).toBe(1);
    expect(await alice.caller.tasks.deleteBatchPreview({ batchId })).toEqual({ tasks: 8, labelled: 1 });
    expect((await alice.caller.tasks.agreement({ batchId })).pairs).toEqual([]);

    const zip = await request(app, {
      method: "GET",
      url: `/api/task-batches/export.zip?batchIds=${batchId}`,
      auth: { cookie: alice.token },
    });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers["content-type"]).toBe("application/zip");
    const files = await unzip(zip.rawPayload);
    const wb = await readWorkbook(files.get("api batch/rec-0.xlsx") as Buffer);
    const rows = sheetRows(wb, "Tasks");
    const labelled = rows.find((r) => r[0] === taskId);
    expect(labelled?.[6]).toBe("C");
    expect(labelled?.[9]).toBe("'=1+1");
    const csv = await request(app, {
      method: "GET",
      url: `/api/task-batches/${batchId}/export.csv`,
      auth: { cookie: alice.token },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split("\n")[0]).toMatch(/^Task ID,Position,Onset \(s\)/);
  });

  it("answers NOT_FOUND to another group for batches, tasks and exports", async () => {
    for (const p of [
      () => bob.caller.tasks.getBatch({ batchId }),
      () => bob.caller.tasks.listTasks({ batchId }),
      () => bob.caller.tasks.nextTask({ batchId }),
      () => bob.caller.tasks.getTask({ taskId }),
      () => bob.caller.tasks.saveLabel({ taskId, label: "A" }),
      () => bob.caller.tasks.skipTask({ taskId }),
      () => bob.caller.tasks.undoLabel({ taskId }),
      () => bob.caller.tasks.releaseLock({ taskId }),
      () => bob.caller.tasks.deleteBatchPreview({ batchId }),
      () => bob.caller.tasks.deleteBatch({ batchId }),
      () => bob.caller.tasks.agreement({ batchId }),
      () => bob.caller.tasks.adjudicate({ taskId, label: "A" }),
      () => bob.caller.tasks.retrainFromBatch({ batchId }),
      () =>
        bob.caller.tasks.createBatchPreview({
          source: { kind: "run", runId: w.recordings[0]?.runId as string },
        }),
    ])
      await expectTRPCError(p(), "NOT_FOUND");
    expect((await bob.caller.tasks.listBatches({})).items).toEqual([]);
    // over HTTP too, and the batch's name is free in bob's group
    expect(trpcCode(await trpcQuery(app, "tasks.getBatch", { batchId }, { cookie: bob.token }))).toBe(
      "NOT_FOUND",
    );
    expect(trpcCode(await trpcMutation(app, "tasks.nextTask", { batchId }, { cookie: bob.token }))).toBe(
      "NOT_FOUND",
    );
    expect(await bob.caller.tasks.batchNameAvailable({ name: "api batch" })).toEqual({ available: true });
    for (const url of [
      `/api/task-batches/export.zip?batchIds=${batchId}`,
      `/api/task-batches/export.zip?projectId=${w.projectId}`,
      `/api/task-batches/${batchId}/export.csv`,
    ]) {
      const res = await request(app, { method: "GET", url, auth: { cookie: bob.token } });
      expect(res.statusCode).toBe(404);
      const anon = await request(app, { method: "GET", url });
      expect(anon.statusCode).toBe(401);
    }
    // still there for alice
    expect((await alice.caller.tasks.getBatch({ batchId })).id).toBe(batchId);
    await alice.caller.tasks.deleteBatch({ batchId });
    await expectTRPCError(alice.caller.tasks.getBatch({ batchId }), "NOT_FOUND");
  });
});
