// The /api/v1 downloads re-express labels in an earlier taxonomy version (?taxonomyVersion=N),
// as the browser's download routes do: after a rename, version 0 gives the old names back and the
// current version the new ones; a version that does not exist is a 400 naming the parameter.
import { type GroupAccess, generateApiKey } from "@battycoda/core";
import { createBatch, saveLabel } from "@battycoda/core/tasks";
import { renameCallType } from "@battycoda/core/taxonomy/index";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTaskWorld, type TaskWorld } from "../../../packages/core/test/tasks-fixtures.ts";
import { readWorkbook, sheetRows, unzip } from "../../../packages/core/test/tasks-zip.ts";
import { createTestEnv, type TestEnv } from "./helpers.ts";
import { buildTestServer } from "./http-helpers.ts";

let t: TestEnv;
let app: FastifyInstance;
let w: TaskWorld;
let key: string;
let batchId: string;
let runId: string;

const get = (url: string) => app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });

/** The values of one CSV column (the exports write plain labels, no quoting needed here). */
function column(csv: string, header: string): string[] {
  const lines = csv.split("\n").filter((l) => l && !l.startsWith("#"));
  const col = (lines[0] as string).split(",").indexOf(header);
  expect(col, `${header} in ${lines[0]}`).toBeGreaterThanOrEqual(0);
  return lines.slice(1).map((l) => l.split(",")[col] ?? "");
}

beforeAll(async () => {
  t = await createTestEnv();
  app = await buildTestServer(t);
  const db = t.deps.db;
  w = await createTaskWorld(db, { users: 1, recordings: [{ calls: 8 }] });
  const user = w.users[0] as TaskWorld["users"][number];
  const access = user.access as GroupAccess;
  await db.profile.upsert({
    where: { userId: user.id },
    create: { userId: user.id, currentGroupId: w.groupId },
    update: { currentGroupId: w.groupId },
  });
  key = (await generateApiKey({ db }, user.id)).key;
  runId = w.recordings[0]?.runId as string;
  ({ batchId } = await createBatch({ db, boss: null }, access, {
    name: "taxonomy batch",
    source: { kind: "run", runId },
  }));
  const tasks = await db.task.findMany({ where: { batchId }, orderBy: { position: "asc" } });
  for (const [i, task] of tasks.entries())
    await saveLabel({ db }, access, { taskId: task.id, label: i % 2 ? "B" : "A" });
  const a = await db.callType.findFirstOrThrow({ where: { speciesId: w.speciesId, shortName: "A" } });
  await renameCallType({ db }, access, { speciesId: w.speciesId, callTypeId: a.id, shortName: "FM" });
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("REST downloads in an earlier taxonomy version", () => {
  it("task-batch CSV: current names by default, the old ones at taxonomyVersion=0", async () => {
    const now = await get(`/api/v1/task-batches/${batchId}/export.csv`);
    expect(now.statusCode, now.body).toBe(200);
    const current = column(now.body, "Label (human)");
    expect(new Set(current)).toEqual(new Set(["FM", "B"]));

    const then = await get(`/api/v1/task-batches/${batchId}/export.csv?taxonomyVersion=0`);
    expect(then.statusCode, then.body).toBe(200);
    expect(column(then.body, "Label (human)")).toEqual(current.map((l) => (l === "FM" ? "A" : l)));
    expect((await get(`/api/v1/task-batches/${batchId}/export.csv?taxonomyVersion=1`)).body).toBe(now.body);
  });

  it("run results CSV: the probability columns and predictions follow the version asked for", async () => {
    const now = await get(`/api/v1/classification-runs/${runId}/results.csv`);
    const then = await get(`/api/v1/classification-runs/${runId}/results.csv?taxonomyVersion=0`);
    expect([now.statusCode, then.statusCode]).toEqual([200, 200]);
    const header = (body: string) => (body.split("\n").find((l) => !l.startsWith("#")) as string).split(",");
    expect(header(now.body).filter((h) => h.startsWith("p_"))).toEqual(["p_B", "p_C", "p_FM"]);
    expect(header(then.body).filter((h) => h.startsWith("p_"))).toEqual(["p_B", "p_C", "p_A"]);
    expect(column(then.body, "predicted_label")).toEqual(
      column(now.body, "predicted_label").map((l) => (l === "FM" ? "A" : l)),
    );
  });

  it("ZIP of batches: the per-recording sheets and the parameters carry the version", async () => {
    const res = await get(`/api/v1/task-batches/export.zip?batchIds=${batchId}&taxonomyVersion=0`);
    expect(res.statusCode, res.body).toBe(200);
    const files = await unzip(res.rawPayload);
    const sheet = [...files.keys()].find((f) => f.endsWith(".xlsx") && !/summary|parameters/i.test(f));
    const rows = sheetRows(await readWorkbook(files.get(sheet as string) as Buffer), "Tasks");
    const labels = rows.slice(1).map((r) => r[6]);
    expect(new Set(labels)).toEqual(new Set(["A", "B"]));
    const current = await get(`/api/v1/task-batches/export.zip?batchIds=${batchId}`);
    const currentRows = sheetRows(
      await readWorkbook((await unzip(current.rawPayload)).get(sheet as string) as Buffer),
      "Tasks",
    );
    expect(new Set(currentRows.slice(1).map((r) => r[6]))).toEqual(new Set(["FM", "B"]));
  });

  it("refuses a version the species never had, or one that is not a number, naming the parameter", async () => {
    for (const url of [
      `/api/v1/task-batches/${batchId}/export.csv?taxonomyVersion=7`,
      `/api/v1/task-batches/${batchId}/export.csv?taxonomyVersion=one`,
      `/api/v1/classification-runs/${runId}/results.csv?taxonomyVersion=-1`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/taxonomy version|taxonomyVersion/i);
    }
  });

  it("documents the parameter in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const p of [
      "/api/v1/task-batches/{batchId}/export.csv",
      "/api/v1/classification-runs/{runId}/results.csv",
      "/api/v1/task-batches/export.zip",
    ]) {
      const names = (doc.paths[p].get.parameters as { name: string }[]).map((x) => x.name);
      expect(names, p).toContain("taxonomyVersion");
    }
  });
});
