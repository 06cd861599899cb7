// Exports of task batches read back with yauzl + exceljs: one workbook per recording with exact
// times and the human labels, a summary and a parameters sheet, formula-looking text neutralised,
// a blank Classification for the dummy classifier, CSV alternatives; another group's is NOT_FOUND.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { spanDuration } from "@battycoda/formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/access/errors.ts";
import {
  createBatch,
  exportBatchCsv,
  exportBatchesZip,
  listTasks,
  nextTask,
  saveLabel,
  skipTask,
  TASK_COLUMNS,
} from "../src/tasks/index.ts";
import { createTaskWorld, type TaskWorld } from "./tasks-fixtures.ts";
import { readStream, readWorkbook, sheetRows, unzip } from "./tasks-zip.ts";

let t: TestDatabase;
let w: TaskWorld;
let other: TaskWorld;
let batchId: string;
let dummyBatchId: string;

const NOTES = ['=HYPERLINK("http://evil/","x")', "+1+2", "-3", "@SUM(A1)", "plain"];

beforeAll(async () => {
  t = await createTestDatabase();
  w = await createTaskWorld(t.db, {
    users: 1,
    recordings: [{ calls: 6 }, { calls: 4 }, { calls: 3, isDummy: true }],
  });
  other = await createTaskWorld(t.db, { users: 1, recordings: [{ calls: 2 }] });
  const u = w.users[0];
  if (!u) throw new Error("fixture");
  ({ batchId } = await createBatch({ db: t.db, boss: null }, u.access, {
    name: "=export me",
    source: { kind: "scope", recordingId: w.recordings[0]?.id as string },
  }));
  // label all but the last task of the batch (skipped), with hostile notes
  let task = (await nextTask(t, u.access, { batchId })).tasks[0];
  for (let i = 0; i < 5; i++) {
    if (!task) throw new Error("no task");
    const r = await saveLabel(t, u.access, {
      taskId: task.id,
      label: i === 4 ? "Unknown" : "B",
      notes: NOTES[i] as string,
    });
    task = r.next ?? undefined;
  }
  if (!task) throw new Error("no last task");
  await skipTask(t, u.access, task.id);
  ({ batchId: dummyBatchId } = await createBatch({ db: t.db, boss: null }, u.access, {
    name: "dummy",
    source: { kind: "run", runId: w.recordings[2]?.runId as string },
  }));
  for (const x of (await listTasks(t, u.access, { batchId: dummyBatchId })).items)
    await saveLabel(t, u.access, { taskId: x.id, label: "A" });
}, 60_000);

afterAll(async () => {
  await t?.drop();
});

const code = async (p: () => Promise<unknown>) => {
  try {
    await p();
    return "OK";
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
};

describe("exports", () => {
  it("zips one workbook per recording with exact times, labels, neutralised text, summary and parameters", async () => {
    const u = w.users[0];
    if (!u) throw new Error("fixture");
    const download = await exportBatchesZip(t, u.access, { batchIds: [batchId] });
    expect(download.contentType).toBe("application/zip");
    const files = await unzip(await readStream(download.body));
    expect([...files.keys()].sort()).toEqual(["_export me/rec-0.xlsx", "_export me/summary.xlsx"]);
    const wb = await readWorkbook(files.get("_export me/rec-0.xlsx") as Buffer);
    const rows = sheetRows(wb, "Tasks");
    expect(rows[0]).toEqual([...TASK_COLUMNS]);
    const col = (name: (typeof TASK_COLUMNS)[number]) => TASK_COLUMNS.indexOf(name);
    const tasks = await t.db.task.findMany({ where: { batchId }, orderBy: { position: "asc" } });
    const project = await t.db.project.findUniqueOrThrow({ where: { id: w.projectId } });
    const species = await t.db.species.findUniqueOrThrow({ where: { id: w.speciesId } });
    expect(rows).toHaveLength(tasks.length + 1);
    tasks.forEach((task, i) => {
      const row = rows[i + 1] as unknown[];
      expect(row[col("Task ID")]).toBe(task.id);
      // the exact doubles, not 15-digit roundings
      expect(row[col("Onset (s)")]).toBe(task.onset);
      expect(row[col("Offset (s)")]).toBe(task.offset);
      // to the nanosecond: the difference of the doubles carries float noise
      expect(row[col("Duration (s)")]).toBe(spanDuration(task.onset, task.offset));
      expect(Math.abs((row[col("Duration (s)")] as number) - (task.offset - task.onset))).toBeLessThan(1e-9);
      expect(row[col("Classification")]).toBe(task.predictedLabel);
      expect(row[col("Confidence")]).toBe(task.confidence);
      expect(row[col("WAV file")]).toBe("rec-0.wav");
      expect(row[col("Project")]).toBe(project.name);
      expect(row[col("Species")]).toBe(species.name);
    });
    expect(tasks[0]?.onset).toBe(0.02 + 1 / 3);
    expect(rows.slice(1).map((r) => r[col("Label (human)")] ?? null)).toEqual([
      "B",
      "B",
      "B",
      "B",
      "Unknown",
      null,
    ]);
    expect(rows.slice(1).map((r) => r[col("Status")])).toEqual([
      "done",
      "done",
      "done",
      "done",
      "done",
      "skipped",
    ]);
    expect(rows.slice(1, 6).map((r) => r[col("Notes")])).toEqual([
      '\'=HYPERLINK("http://evil/","x")',
      "'+1+2",
      "-3",
      "'@SUM(A1)",
      "plain",
    ]);
    // no cell is a formula anywhere
    const ws = wb.getWorksheet("Tasks");
    ws?.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.formula ?? null).toBeNull();
      });
    });
    expect(rows[1]?.[col("Annotated by")]).toBe(w.users[0]?.username);
    expect(String(rows[1]?.[col("Stamp")])).toContain(`run ${w.recordings[0]?.runId}`);
    const params = sheetRows(wb, "Parameters");
    const value = (key: string) => params.find((r) => r[0] === key)?.[1];
    expect(value("Batch")).toBe("'=export me");
    expect(value("Run")).toBe(w.recordings[0]?.runId);
    expect(value("Order")).toBe("onset");
    const summary = await readWorkbook(files.get("_export me/summary.xlsx") as Buffer);
    expect(sheetRows(summary, "Summary")).toEqual([
      ["Recording", "Tasks", "Done", "Skipped", "Pending", "Labels"],
      ["rec-0.wav", 6, 5, 1, 0, "B: 4; Unknown: 1"],
    ]);
    expect(sheetRows(summary, "Parameters").length).toBeGreaterThan(10);
  });

  it("leaves Classification blank for the dummy classifier; all completed batches of a project; CSV", async () => {
    const u = w.users[0];
    if (!u) throw new Error("fixture");
    // both batches are complete (skipped counts as handled)
    const all = await unzip(
      await readStream((await exportBatchesZip(t, u.access, { projectId: w.projectId, format: "csv" })).body),
    );
    expect([...all.keys()].sort()).toEqual([
      "_export me/parameters.csv",
      "_export me/rec-0.csv",
      "_export me/summary.csv",
      "dummy/parameters.csv",
      "dummy/rec-2.csv",
      "dummy/summary.csv",
    ]);
    const dummy = (all.get("dummy/rec-2.csv") as Buffer).toString("utf8").trim().split("\n");
    expect(dummy[0]).toBe(TASK_COLUMNS.join(","));
    const cls = TASK_COLUMNS.indexOf("Classification");
    const label = TASK_COLUMNS.indexOf("Label (human)");
    for (const line of dummy.slice(1)) {
      const cells = line.split(",");
      expect(cells[cls]).toBe("");
      expect(cells[label]).toBe("A");
    }
    expect(dummy).toHaveLength(4);
    const csv = (await readStream((await exportBatchCsv(t, u.access, batchId)).body)).toString("utf8");
    const lines = csv.trim().split("\n");
    expect(lines).toHaveLength(7);
    const tasks = await t.db.task.findMany({ where: { batchId }, orderBy: { position: "asc" } });
    expect(lines[1]?.split(",").slice(0, 4)).toEqual([
      tasks[0]?.id,
      "1",
      String(tasks[0]?.onset),
      String(tasks[0]?.offset),
    ]);
    expect(csv).toContain('"\'=HYPERLINK(""http://evil/"",""x"")"');
  });

  it("refuses another group's batches and projects as NOT_FOUND", async () => {
    const stranger = other.users[0];
    if (!stranger) throw new Error("fixture");
    expect(await code(() => exportBatchesZip(t, stranger.access, { batchIds: [batchId] }))).toBe("NOT_FOUND");
    expect(await code(() => exportBatchesZip(t, stranger.access, { projectId: w.projectId }))).toBe(
      "NOT_FOUND",
    );
    expect(await code(() => exportBatchCsv(t, stranger.access, batchId))).toBe("NOT_FOUND");
    // their own group has no completed batch at all
    expect(await code(() => exportBatchesZip(t, stranger.access, {}))).toBe("NOT_FOUND");
  });
});
